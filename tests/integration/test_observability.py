"""Health, readiness, Prometheus metrics and JSON logs of a real worker process."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.support.outputs import outcome_for
from tests.support.services import started_worker, unique_settings
from workers.config import Settings
from workers.devtools.processes import WorkerProcess, bind_failed, free_port


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def wait_for(url: str, status: int, seconds: float = 90) -> str:
    deadline = time.monotonic() + seconds
    last: tuple[int, str] | None = None
    while time.monotonic() < deadline:
        try:
            last = get(url)
            if last[0] == status:
                return last[1]
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer {status}: {last}")


def metric(text: str, name: str, **labels: str) -> float:
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    prefix = f"{name}{{{want}}}" if labels else name
    for line in text.splitlines():
        if line.startswith(prefix + " "):
            return float(line.split()[-1])
    return 0.0


def worker_with_web(settings: Settings, tmp_path: Path) -> tuple[WorkerProcess, str]:
    """A worker serving its web endpoints on a free port (chosen again if it was taken)."""
    for _ in range(3):
        port = free_port()
        worker = started_worker(
            settings,
            tmp_path,
            env={
                "NEWSWORKER_WEB_ENABLED": "true",
                "NEWSWORKER_WEB_PORT": str(port),
                "NEWSWORKER_LOG_FORMAT": "json",
            },
        )
        if not bind_failed(worker.log_path):
            return worker, f"http://127.0.0.1:{port}"
        worker.stop()
    raise AssertionError("no free port for the worker's web server in 3 tries")


def wait_metric(url: str, name: str, value: float, seconds: float = 30) -> str:
    """The metrics page once ``name`` reaches ``value`` (a batch is recorded after it is sent)."""
    deadline = time.monotonic() + seconds
    body = ""
    while time.monotonic() < deadline:
        status, body = get(url)
        if status == 200 and metric(body, name) >= value:
            return body
        time.sleep(0.2)
    raise AssertionError(f"{name} did not reach {value} in {seconds}s:\n{body}")


def test_health_ready_metrics_and_json_logs(stack: Settings, tmp_path: Path) -> None:
    settings = unique_settings(stack)
    worker, base = worker_with_web(settings, tmp_path)
    try:
        assert json.loads(wait_for(base + "/healthz", 200))["status"] == "alive"
        ready = json.loads(wait_for(base + "/readyz", 200))
        assert ready == {"ready": True, "problems": [], "partitions": 2}
        text = (
            "Genoa port traffic rises\n\nThe port authority of Genoa said on Monday that cargo "
            "traffic rose by a tenth this year, led by container ships from Asia."
        )
        outcome_for(
            settings,
            worker,
            [(b"obs-1", text.encode()), (b"obs-2", text.encode()), (b"obs-bad", b"\xff\xfe")],
            {"obs-1", "obs-2", "obs-bad"},
        )
        body = wait_metric(base + "/metrics", "newsworker_articles_consumed_total", 3)
        assert metric(body, "newsworker_articles_consumed_total") == 3
        assert metric(body, "newsworker_events_published_total", topic="enriched") == 1
        assert metric(body, "newsworker_duplicates_total", method="exact") == 1
        assert metric(body, "newsworker_dead_letters_total", reason="invalid_utf8") == 1
        assert metric(body, "newsworker_ner_batch_seconds_count") >= 1
        assert metric(body, "newsworker_end_to_end_seconds_count") == 3
        assert "newsworker_consumer_lag{" in body
    finally:
        assert worker.stop() == 0
    records = []
    for line in worker.log().splitlines():
        if line.startswith("{"):
            records.append(json.loads(line))
    assert records, worker.log()[-2000:]
    dead = [r for r in records if r.get("article_id") == "obs-bad"]
    assert dead and dead[0]["level"] == "warning"
    assert all({"ts", "level", "logger", "msg"} <= set(r) for r in records)


def test_a_replica_without_partitions_is_ready(stack: Settings, tmp_path: Path) -> None:
    """With as many replicas as partitions, a rolling update's extra pod holds none: it must
    still be ready, or the rollout (maxSurge 1, maxUnavailable 0) never progresses."""
    settings = unique_settings(stack, topic_partitions=1)
    first = started_worker(settings, tmp_path / "first")
    try:
        second, base = worker_with_web(settings, tmp_path / "second")
        try:
            ready = json.loads(wait_for(base + "/readyz", 200))
            assert ready == {"ready": True, "problems": [], "partitions": 0}
        finally:
            second.stop()
    finally:
        first.stop()

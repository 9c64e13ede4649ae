"""The local dev stack: a real Kafka broker and a real redis-server, started and stopped together.

Everything the stack writes (data, logs, pid files) stays under one folder
(``stack_dir``). When ``KAFKA_BOOTSTRAP_SERVERS`` / ``REDIS_URL`` are set,
that service is external and left alone.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from topics.specs import largest_record
from workers.adapters.endpoint import parse_endpoint
from workers.config import Settings, redact_url
from workers.devtools.kafka_broker import KafkaBroker
from workers.devtools.redis_server import RedisServer


class DevStack:
    """Start, stop and report the local Kafka broker and Redis server."""

    def __init__(self, settings: Settings, *, external_kafka: bool, external_redis: bool) -> None:
        self.settings = settings
        self.root = settings.stack_dir.resolve()
        self.external_kafka = external_kafka
        self.external_redis = external_redis
        self.kafka = parse_endpoint(settings.kafka_bootstrap_servers, 9092)
        self.redis = parse_endpoint(settings.redis_url.get_secret_value(), 6379)
        self.broker = KafkaBroker(
            self.root / "kafka", self.kafka, largest_record(settings.max_message_bytes)
        )

    @classmethod
    def from_env(cls, settings: Settings) -> DevStack:
        """The stack for these settings; a service named in the environment is external."""
        return cls(
            settings,
            external_kafka=bool(os.environ.get("KAFKA_BOOTSTRAP_SERVERS")),
            external_redis=bool(os.environ.get("REDIS_URL")),
        )

    def _pid_file(self, name: str) -> Path:
        return self.root / f"{name}.pid"

    def pid(self, name: str) -> int | None:
        """The pid of the stack's ``kafka`` or ``redis`` process, if it runs."""
        try:
            pid = int(self._pid_file(name).read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except OSError:
            return None
        return pid

    def tls_files(self) -> tuple[Path, Path]:
        """The broker's TLS listener CA and keystore."""
        return self.broker.tls_files()

    def start_kafka(self) -> None:
        """Start the broker unless something already answers on its port."""
        if self.kafka.answers():
            print(f"kafka: already answering at {self.kafka.host}:{self.kafka.port}")
            return
        self.broker.start(self._pid_file("kafka"))

    def start_redis(self) -> None:
        """Start redis-server (append-only file on) unless something already answers there."""
        if self.redis.answers():
            print(f"redis: already answering at {self.redis.host}:{self.redis.port}")
            return
        server = RedisServer(
            self.root / "redis",
            host=self.redis.host,
            port=self.redis.port,
            persistence=("--appendonly", "yes"),
            detach=True,
        )
        server.start()
        if server.process is not None:
            self._pid_file("redis").write_text(str(server.process.pid))

    def up(self) -> None:
        """Start what is not external and not running; print the endpoints."""
        self.root.mkdir(parents=True, exist_ok=True)
        if self.external_redis:
            print("redis: external (REDIS_URL set), not started")
        else:
            self.start_redis()
        if self.external_kafka:
            print("kafka: external (KAFKA_BOOTSTRAP_SERVERS set), not started")
        else:
            self.start_kafka()
        print(f"KAFKA_BOOTSTRAP_SERVERS={self.settings.kafka_bootstrap_servers}")
        print(f"REDIS_URL={redact_url(self.settings.redis_url.get_secret_value())}")

    def stop_kafka(self) -> None:
        """Stop the broker this stack started (the fault scenarios restart it)."""
        self._stop("kafka", 60)

    def _stop(self, name: str, seconds: float) -> None:
        pid = self.pid(name)
        if pid is None:
            print(f"{name}: not running (started here)")
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.pid(name) is None:
                break
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
            time.sleep(0.3)
        else:
            os.kill(pid, signal.SIGKILL)
        self._pid_file(name).unlink(missing_ok=True)
        print(f"{name}: stopped")

    def down(self) -> None:
        """Stop the services this stack started."""
        if not self.external_kafka:
            self._stop("kafka", 60)
        if not self.external_redis:
            self._stop("redis", 20)

    def status(self) -> bool:
        """Print each service's state; True when both answer."""
        ok = True
        for name, endpoint, external in (
            ("kafka", self.kafka, self.external_kafka),
            ("redis", self.redis, self.external_redis),
        ):
            answers = endpoint.answers()
            ok = ok and answers
            where = "external" if external else f"pid {self.pid(name) or '-'}"
            state = "up" if answers else "down"
            print(f"{name}: {state} at {endpoint.host}:{endpoint.port} ({where})")
        return ok

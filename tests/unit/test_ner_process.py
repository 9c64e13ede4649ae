"""The NER child process: same answers as the model in this process, clear failures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from workers.adapters.ner_process import NerProcess
from workers.adapters.spacy_ner import NerModel
from workers.errors import ConfigError, NerUnavailable

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [
    "Angela Merkel met Emmanuel Macron in Paris on Tuesday.",
    "",
    "Shares of Siemens AG fell 3% in Frankfurt after the company cut its forecast.",
    'Quotes "inside" and a newline\nand unicode: São Paulo, Kraków, Zürich.',
]


@pytest.fixture(scope="module")
def child() -> Iterator[NerProcess]:
    process = NerProcess()
    yield process
    process.close()


def _gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # reaped by its parent already? a zombie counts as gone
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except OSError:
            return True
        time.sleep(0.05)
    return False


def test_child_answers_as_the_model_in_process(child: NerProcess) -> None:
    model = NerModel()
    assert child.mentions(TEXTS, 2) == model.mentions(TEXTS, 2)
    assert child.info == model.info
    assert child.mentions([]) == []


def test_unknown_model_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="cannot load spaCy model 'no_such_model'"):
        NerProcess("no_such_model")


def test_dead_child_fails_the_batch_and_closing_ends_the_child() -> None:
    process = NerProcess()
    pid = process.pid
    assert pid is not None
    assert process.mentions(["Paris"])  # alive and answering
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(NerUnavailable, match="NER process gone"):
        process.mentions(["Berlin is in Germany."])
    process.close()

    other = NerProcess()
    pid = other.pid
    assert pid is not None
    other.close()
    assert _gone(pid, 10)


def test_child_ignores_ctrl_c(child: NerProcess) -> None:
    pid = child.pid
    assert pid is not None
    os.kill(pid, signal.SIGINT)
    assert child.mentions(["Rome is in Italy."])[0][0].text == "Rome"


def test_a_worker_that_exits_without_closing_ends_its_child(tmp_path: Path) -> None:
    """Interpreter exit ends the child (it must not wait for a child that waits on it)."""
    script = tmp_path / "worker.py"
    script.write_text(
        "from workers.adapters.ner_process import NerProcess\n"
        "if __name__ == '__main__':\n"
        "    print(NerProcess().pid, flush=True)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert _gone(int(done.stdout.split()[0]), 10)

"""The NER child process: same answers as the model in this process, clear failures."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from workers.adapters.ner_process import NerProcess
from workers.adapters.spacy_ner import NerModel
from workers.errors import ConfigError, NerUnavailable

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


def test_child_ignores_ctrl_c_and_sigterm(child: NerProcess) -> None:
    pid = child.pid
    assert pid is not None
    os.kill(pid, signal.SIGINT)
    os.kill(pid, signal.SIGTERM)
    assert child.mentions(["Rome is in Italy."])[0][0].text == "Rome"

"""spaCy in a child process of its own, so NER never waits for the worker's GIL.

In one process the event loop's Python (decoding, fingerprints, Kafka clients, the
entity rules) and spaCy's NER thread take turns on one interpreter lock: at the
worker's ~10% of a core spent outside NER, NER itself ran about 10% slower than
alone (``make bench`` measures the effect end to end). Here the model lives in a
spawned child that only runs ``nlp.pipe``; the worker's NER thread hands it a batch
and blocks on the answer without the lock.

The two processes talk over a pipe in JSON (texts one way, mention tuples the
other): nothing is pickled. The child never outlives the worker: it exits when the
pipe closes (after a SIGKILL of the worker, once its batch in flight is done), and it
is a daemon process, which :mod:`multiprocessing` ends with SIGTERM when the worker
exits. It ignores SIGINT, so Ctrl-C in a terminal stops the worker, not NER under
a batch the worker is still finishing. If the child dies, the batch in flight fails
with :class:`~workers.errors.NerUnavailable` and the worker stops without committing.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import signal
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

from workers.core.entities import Mention, ModelInfo
from workers.errors import ConfigError, NerUnavailable

#: How long the child may take to import spaCy and load the pipeline.
START_SECONDS = 300.0


class NerProcess:
    """The :class:`~workers.pipeline.Recognizer` protocol, served by a child process."""

    def __init__(self, name: str | None = None, start_seconds: float = START_SECONDS) -> None:
        context = multiprocessing.get_context("spawn")
        mine, theirs = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(theirs, name), name="newsworker-ner", daemon=True
        )
        self._process.start()
        theirs.close()
        self._pipe = mine
        self._lock = threading.Lock()
        if not mine.poll(start_seconds):
            self.close()
            raise ConfigError(f"spaCy did not start within {start_seconds:.0f}s")
        hello = self._receive()
        if "error" in hello:
            self.close()
            raise ConfigError(str(hello["error"]))
        self.info = ModelInfo(**hello["info"])

    @property
    def pid(self) -> int | None:
        """The child's process id."""
        return self._process.pid

    def mentions(self, texts: Sequence[str], batch_size: int = 32) -> list[list[Mention]]:
        """Entity mentions of each text, from the child's ``nlp.pipe``."""
        with self._lock:  # one batch in flight: answers come back in order
            try:
                self._pipe.send_bytes(
                    json.dumps({"texts": list(texts), "batch_size": batch_size}).encode()
                )
            except OSError as exc:
                raise NerUnavailable(f"NER process gone: {exc}") from None
            answer = self._receive()
        if "error" in answer:
            raise NerUnavailable(f"NER process failed: {answer['error']}")
        found = answer["mentions"]
        if not isinstance(found, list) or len(found) != len(texts):
            raise NerUnavailable("NER process answered out of step")
        return [
            [Mention(str(t), str(label), int(start), int(end)) for t, label, start, end in doc]
            for doc in found
        ]

    def close(self) -> None:
        """Closes the pipe; the child exits on its own (or is killed after 10 s)."""
        self._pipe.close()
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()

    def _receive(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self._pipe.recv_bytes())
        except (EOFError, OSError) as exc:
            code = self._process.exitcode
            raise NerUnavailable(
                f"NER process gone (exit code {code}): {type(exc).__name__}"
            ) from None
        return data


def _serve(pipe: Connection, name: str | None) -> None:
    """The child: load the model, then answer batches until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from workers.adapters.spacy_ner import NerModel

    try:
        model = NerModel(name)
    except ConfigError as exc:
        pipe.send_bytes(json.dumps({"error": exc.message}).encode())
        return
    pipe.send_bytes(json.dumps({"info": dataclasses.asdict(model.info)}).encode())
    while True:
        try:
            request = json.loads(pipe.recv_bytes())
        except (EOFError, OSError):
            return
        try:
            found = model.mentions(request["texts"], int(request["batch_size"]))
            answer: dict[str, Any] = {
                "mentions": [[[m.text, m.label, m.start, m.end] for m in doc] for doc in found]
            }
        except Exception as exc:  # reported to the worker, which stops without committing
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        try:
            pipe.send_bytes(json.dumps(answer).encode())
        except OSError:
            return

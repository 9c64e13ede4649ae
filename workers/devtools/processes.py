"""Local processes for development, tests and benchmarks: tools, ports, waiting, workers.

One way to spawn a worker (:class:`WorkerProcess`) and one way to wait for a
process to listen (:func:`wait_listening`), used by ``newsworker run``, the
integration and fault tests and the benchmarks alike.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

from workers.adapters.endpoint import Endpoint
from workers.config import Settings
from workers.errors import StackError

#: The Debian package that brings each tool the dev stack needs.
INSTALL_HINTS = {
    "java": "apt-get install -y openjdk-17-jre-headless",
    "mvn": "apt-get install -y maven",
    "redis-server": "apt-get install -y redis-server",
    "openssl": "apt-get install -y openssl",
}


def require_tool(name: str) -> str:
    """The path of a tool on PATH, or a one-line error naming its install command."""
    path = shutil.which(name)
    if path is None:
        raise StackError(f"{name} not found; install it with: {INSTALL_HINTS[name]}")
    return path


def cache_dir() -> Path:
    """Where downloaded artifacts are kept between runs (``$XDG_CACHE_HOME/newsworker``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsworker"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listened on a moment ago.

    Another process may take it before the caller binds it: servers started on
    such a port are started through :func:`start_on_free_port`, which retries.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def log_tail(log: Path, lines: int = 5) -> str:
    """The last lines of a log file, joined with `` | `` for a one-line error."""
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return ""
    return " | ".join(text.strip().splitlines()[-lines:])


def wait_listening(
    endpoint: Endpoint,
    name: str,
    process: subprocess.Popen[bytes],
    log: Path | None,
    seconds: float,
) -> None:
    """Wait until ``endpoint`` accepts connections; fail at once if ``process`` exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if endpoint.answers():
            return
        if process.poll() is not None:
            detail = log_tail(log) if log else ""
            raise StackError(f"{name} exited with {process.returncode}: {detail}")
        time.sleep(0.1)
    raise StackError(f"{name} did not answer at {endpoint.host}:{endpoint.port} in {seconds}s")


def bind_failed(log: Path) -> bool:
    """Whether a server's log says its port was taken."""
    try:
        text = log.read_text(errors="replace").lower()
    except OSError:
        return False
    return "address already in use" in text


def stop_process(process: subprocess.Popen[bytes], sig: int, timeout: float) -> int:
    """Send ``sig``, wait up to ``timeout`` seconds, then SIGKILL; the exit status."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


class WorkerProcess:
    """``newsworker worker`` as a child process, with its own data dir and its log in a file.

    The child gets these settings' connections and names
    (:meth:`~workers.config.Settings.child_env`) over the current environment,
    then ``env``.
    """

    def __init__(
        self,
        settings: Settings,
        folder: Path,
        *args: str,
        env: Mapping[str, str] | None = None,
        loglevel: str = "info",
        name: str | None = None,
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.name = name or f"worker-{uuid.uuid4().hex[:6]}"
        self.log_path = folder / f"{self.name}.log"
        self.env = {
            **os.environ,
            **settings.child_env(),
            "NEWSWORKER_DATA_DIR": str(folder / f"{self.name}-data"),
            **(env or {}),
        }
        command: Sequence[str] = [
            sys.executable,
            "-m",
            "workers.cli",
            "worker",
            "--loglevel",
            loglevel,
            *args,
        ]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
            )

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.process.pid

    def alive(self) -> bool:
        """Whether the child is still running."""
        return self.process.poll() is None

    def send_signal(self, sig: int) -> None:
        """Send ``sig`` to the child if it still runs."""
        if self.alive():
            self.process.send_signal(sig)

    def wait(self, timeout: float) -> int | None:
        """The exit status, or None if the child still runs after ``timeout`` seconds."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        """Stop the child (``sig``, then SIGKILL after ``timeout`` seconds); its exit status."""
        return stop_process(self.process, sig, timeout)

    def log(self) -> str:
        """Everything the child wrote so far."""
        return self.log_path.read_text(errors="replace")

    def rss_mb(self) -> float:
        """Resident memory in MiB of the child and its descendants (Linux ``/proc``).

        A worker's NER process is its child: the worker's memory is the sum.
        """
        return sum(rss_mb_of(pid) for pid in _tree(self.process.pid))


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (those alive now)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as f:
                    pending.extend(int(child) for child in f.read().split())
        except OSError:
            continue
    return found


def rss_mb_of(pid: int) -> float:
    """Resident memory of one process in MiB (Linux ``/proc``; 0 when it cannot be read)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0

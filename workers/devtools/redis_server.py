"""A real ``redis-server`` process: the one way the project starts one.

Used by the dev stack (fixed port, append-only file, detached), the fault
scenarios (a private server each, so stopping it hurts nobody else), the
dedupe benchmark (no persistence) and the TLS test (TLS-only port).
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from workers.adapters.endpoint import Endpoint
from workers.devtools.processes import (
    bind_failed,
    free_port,
    require_tool,
    stop_process,
    wait_listening,
)
from workers.errors import StackError

#: Tries on a free port that another process took between choosing and binding it.
PORT_TRIES = 5


@dataclass(frozen=True)
class RedisTls:
    """Certificate files of a TLS-only server (clients are not asked for certificates)."""

    ca: Path
    cert: Path
    key: Path


class RedisServer:
    """Start, stop and address one redis-server whose files live in ``folder``."""

    def __init__(
        self,
        folder: Path,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        persistence: Sequence[str] = ("--appendonly", "no"),
        tls: RedisTls | None = None,
        detach: bool = False,
    ) -> None:
        self.folder = folder
        self.host = host
        self.fixed_port = port
        self.port = port or 0
        self.persistence = tuple(persistence)
        self.tls = tls
        self.detach = detach
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        """The server's log file."""
        return self.folder / "redis.log"

    @property
    def url(self) -> str:
        """A redis:// (or rediss:// with the CA) URL of database 0."""
        if self.tls is not None:
            return f"rediss://{self.host}:{self.port}/0?ssl_ca_certs={self.tls.ca}"
        return f"redis://{self.host}:{self.port}/0"

    def _command(self, server: str) -> list[str]:
        ports = ["--port", str(self.port)]
        if self.tls is not None:
            ports = [
                "--port",
                "0",
                "--tls-port",
                str(self.port),
                "--tls-cert-file",
                str(self.tls.cert),
                "--tls-key-file",
                str(self.tls.key),
                "--tls-ca-cert-file",
                str(self.tls.ca),
                "--tls-auth-clients",
                "no",
            ]
        return [
            server,
            "--bind",
            self.host,
            *ports,
            "--dir",
            str(self.folder),
            "--save",
            "",
            *self.persistence,
            "--protected-mode",
            "no",
            "--daemonize",
            "no",
        ]

    def start(self, seconds: float = 30) -> None:
        """Start the server and wait until it accepts connections.

        Without a fixed port a free one is chosen, and chosen again if another
        process binds it first.
        """
        server = require_tool("redis-server")
        self.folder.mkdir(parents=True, exist_ok=True)
        for _ in range(1 if self.fixed_port else PORT_TRIES):
            if not self.fixed_port:
                self.port = free_port()
            self.log_path.write_bytes(b"")
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(
                    self._command(server),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=self.detach,
                )
            try:
                wait_listening(
                    Endpoint(self.host, self.port), "redis", self.process, self.log_path, seconds
                )
                self.fixed_port = self.port  # a restart comes back on the same port
                return
            except StackError:
                if self.fixed_port or not bind_failed(self.log_path):
                    raise
        raise StackError(f"redis-server found no free port in {PORT_TRIES} tries")

    def alive(self) -> bool:
        """Whether the server process runs."""
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 30) -> None:
        """Stop the server (SIGTERM, then SIGKILL)."""
        if self.process is not None:
            stop_process(self.process, 15, timeout)

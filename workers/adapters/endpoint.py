"""A host and port taken from a bootstrap list or a URL, and whether something listens there."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Endpoint:
    """One TCP endpoint."""

    host: str
    port: int

    def answers(self, timeout: float = 0.5) -> bool:
        """Whether a TCP connection to the endpoint is accepted within ``timeout`` seconds."""
        try:
            with socket.create_connection((self.host, self.port), timeout=timeout):
                return True
        except OSError:
            return False


def parse_endpoint(value: str, default_port: int) -> Endpoint:
    """The first endpoint of ``host:port[,host:port...]`` or of a URL such as ``redis://h:p/0``."""
    first = value.split(",")[0].strip()
    if "://" in first:
        parts = urlsplit(first)
        return Endpoint(parts.hostname or "127.0.0.1", parts.port or default_port)
    host, _, port = first.rpartition(":")
    return Endpoint(host or "127.0.0.1", int(port) if port else default_port)

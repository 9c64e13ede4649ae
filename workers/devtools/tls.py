"""Throw-away TLS material for local test listeners (Kafka's SSL listener, a TLS Redis)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from workers.devtools.processes import require_tool
from workers.errors import StackError


def make_test_ca(folder: Path, host: str) -> tuple[Path, Path, Path]:
    """A throw-away CA and a server certificate (with its key) for ``host``, via openssl.

    For local test listeners only: (CA certificate, server certificate, server key).
    """
    openssl = require_tool("openssl")
    folder.mkdir(parents=True, exist_ok=True)
    ca, ca_key = folder / "ca.pem", folder / "ca.key"
    cert, key, csr, ext = (folder / n for n in ("srv.pem", "srv.key", "srv.csr", "ext.cnf"))
    ext.write_text(f"subjectAltName=IP:{host},DNS:localhost\n")
    steps = [
        [
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            ca_key,
            "-out",
            ca,
            "-days",
            "3650",
            "-subj",
            "/CN=newsworker-test-ca",
        ],
        [
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            key,
            "-out",
            csr,
            "-subj",
            f"/CN={host}",
        ],
        [
            "x509",
            "-req",
            "-in",
            csr,
            "-CA",
            ca,
            "-CAkey",
            ca_key,
            "-CAcreateserial",
            "-out",
            cert,
            "-days",
            "3650",
            "-extfile",
            ext,
        ],
    ]
    for step in steps:
        result = subprocess.run(
            [openssl, *map(str, step)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise StackError(f"openssl failed: {result.stderr.strip()[-300:]}")
    return ca, cert, key

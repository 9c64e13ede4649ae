"""Credentials pass through to the real broker and Redis, and never reach the logs."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from kafka.admin import UserScramCredentialUpsertion

from tests.support.outputs import outcome_for
from tests.support.services import redis_user, unique_settings
from workers.adapters.endpoint import Endpoint, parse_endpoint
from workers.adapters.kafka_clients import admin_client, create_topics
from workers.config import Settings
from workers.devtools.kafka_broker import DEV_SASL_PASSWORD, DEV_SASL_USER
from workers.devtools.processes import WorkerProcess
from workers.devtools.redis_server import RedisServer, RedisTls
from workers.devtools.tls import make_test_ca


def sasl_endpoint(stack: Settings) -> str:
    kafka = parse_endpoint(stack.kafka_bootstrap_servers, 9092)
    sasl = Endpoint(kafka.host, kafka.port + 2)
    if not sasl.answers():
        pytest.fail(f"the dev stack's SASL listener does not answer at {sasl.host}:{sasl.port}")
    return f"{sasl.host}:{sasl.port}"


def sasl_settings(stack: Settings, mechanism: str, user: str, password_file: Path) -> Settings:
    return unique_settings(stack).model_copy(
        update={
            "kafka_bootstrap_servers": sasl_endpoint(stack),
            "kafka_security_protocol": "SASL_PLAINTEXT",
            "kafka_sasl_mechanism": mechanism,
            "kafka_sasl_username": user,
            "kafka_sasl_password_file": password_file,
        }
    )


def test_sasl_plain_worker_and_cli_with_password_file(
    stack: Settings, tmp_path: Path, scraped_text: str
) -> None:
    secret = tmp_path / "sasl-password"
    secret.write_text(DEV_SASL_PASSWORD + "\n")
    settings = sasl_settings(stack, "PLAIN", DEV_SASL_USER, secret)
    assert {state for _, state in create_topics(settings)} == {"created"}
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "NEWSWORKER_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "NEWSWORKER_KAFKA_SASL_MECHANISM": "PLAIN",
        "NEWSWORKER_KAFKA_SASL_USERNAME": DEV_SASL_USER,
        "NEWSWORKER_KAFKA_SASL_PASSWORD_FILE": str(secret),
        "NEWSWORKER_LOG_FORMAT": "json",
    }
    worker = WorkerProcess(settings, tmp_path, env=env)
    try:
        got = outcome_for(settings, worker, [(b"sasl-1", scraped_text.encode())], {"sasl-1"})
        assert got["sasl-1"][0] == "enriched"
    finally:
        assert worker.stop() == 0
    assert DEV_SASL_PASSWORD not in worker.log()


def test_wrong_sasl_password_is_one_line(stack: Settings, tmp_path: Path) -> None:
    secret = tmp_path / "wrong"
    secret.write_text("not-the-password")
    result = subprocess.run(
        [sys.executable, "-m", "workers.cli", "topics", "list"],
        env={
            "PATH": "/usr/bin:/bin",
            "KAFKA_BOOTSTRAP_SERVERS": sasl_endpoint(stack),
            "NEWSWORKER_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            "NEWSWORKER_KAFKA_SASL_MECHANISM": "PLAIN",
            "NEWSWORKER_KAFKA_SASL_USERNAME": DEV_SASL_USER,
            "NEWSWORKER_KAFKA_SASL_PASSWORD_FILE": str(secret),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "not-the-password" not in result.stderr


def test_scram_user_created_through_the_admin_api(stack: Settings, tmp_path: Path) -> None:
    user, password = f"scram-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    admin = admin_client(stack)
    try:
        errors = admin.alter_user_scram_credentials(
            [UserScramCredentialUpsertion(user, "SCRAM-SHA-256", password)]
        )
        assert not any(errors.values()), errors
    finally:
        admin.close()
    secret = tmp_path / "scram"
    secret.write_text(password)
    settings = sasl_settings(stack, "SCRAM-SHA-256", user, secret)
    assert {state for _, state in create_topics(settings)} == {"created"}


def test_redis_password_never_logged(
    stack: Settings, tmp_path: Path, redis_sync: redis.Redis
) -> None:
    user, password = f"nwlog-{uuid.uuid4().hex[:6]}", f"pw-{uuid.uuid4().hex}"
    with redis_user(redis_sync, stack.redis_url.get_secret_value(), user, password) as url:
        settings = unique_settings(stack)
        create_topics(settings)
        worker = WorkerProcess(settings, tmp_path, env={"REDIS_URL": url})
        try:
            got = outcome_for(
                settings, worker, [(b"pw-1", b"A short note about Lisbon and Porto.")], {"pw-1"}
            )
            assert got["pw-1"][0] == "enriched"
        finally:
            worker.stop()
        assert password not in worker.log()
        shown = subprocess.run(
            [sys.executable, "-m", "workers.cli", "dev", "status"],
            env={
                "PATH": "/usr/bin:/bin",
                "REDIS_URL": url,
                "KAFKA_BOOTSTRAP_SERVERS": stack.kafka_bootstrap_servers,
            },
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert password not in shown.stdout + shown.stderr


def test_rediss_url_with_tls(tmp_path: Path) -> None:
    import asyncio
    import time

    from workers.adapters.redis_dedupe import check_redis, dedupe_from_settings
    from workers.config import load_settings
    from workers.core.dedupe import prepare
    from workers.errors import NewsworkerError

    ca, cert, key = make_test_ca(tmp_path / "tls", "127.0.0.1")
    server = RedisServer(tmp_path / "redis", tls=RedisTls(ca, cert, key))
    server.start()
    try:
        check_redis(server.url)

        async def decide() -> bool:
            dedupe = dedupe_from_settings(
                load_settings(redis_url=server.url, key_prefix="tls"), clock=time.time
            )
            _, request = prepare("tls-1", "wire", "A story told over TLS about Lisbon.")
            try:
                (decision,) = await dedupe.decide([request])
                return decision.is_original
            finally:
                await dedupe.client.aclose()

        assert asyncio.run(decide())
        # plain TCP to a TLS-only port is not accepted
        with pytest.raises(NewsworkerError):
            check_redis(f"redis://127.0.0.1:{server.port}/0")
    finally:
        server.stop()


def test_kafka_tls_listener_with_ca_file(
    stack: Settings, tmp_path: Path, scraped_text: str
) -> None:
    from workers.devtools.stack import DevStack

    dev = DevStack.from_env(stack)
    kafka = parse_endpoint(stack.kafka_bootstrap_servers, 9092)
    tls = Endpoint(kafka.host, kafka.port + 3)
    if not tls.answers():
        pytest.fail(f"the dev stack's TLS listener does not answer at {tls.host}:{tls.port}")
    ca, _ = dev.tls_files()
    settings = unique_settings(stack).model_copy(
        update={
            "kafka_bootstrap_servers": f"{tls.host}:{tls.port}",
            "kafka_security_protocol": "SSL",
            "kafka_ssl_cafile": ca,
        }
    )
    assert {state for _, state in create_topics(settings)} == {"created"}
    worker = WorkerProcess(
        settings,
        tmp_path,
        env={
            "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
            "NEWSWORKER_KAFKA_SECURITY_PROTOCOL": "SSL",
            "NEWSWORKER_KAFKA_SSL_CAFILE": str(ca),
        },
    )
    try:
        got = outcome_for(settings, worker, [(b"tls-1", scraped_text.encode())], {"tls-1"})
        assert got["tls-1"][0] == "enriched"
    finally:
        assert worker.stop() == 0
    # without the CA the broker's certificate is not trusted: one clear line, no traceback
    result = subprocess.run(
        [sys.executable, "-m", "workers.cli", "topics", "list"],
        env={
            "PATH": "/usr/bin:/bin",
            "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
            "NEWSWORKER_KAFKA_SECURITY_PROTOCOL": "SSL",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr

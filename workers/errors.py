"""Typed errors: one root, decode errors apart, a ``retriable`` flag.

A :class:`DecodeError` describes a bad message: it is never retried and the
message goes to the dead-letter topic with ``reason``. A retriable error
(a service that is down) means "try the same message again later", never
"dead-letter it".
"""

from __future__ import annotations


class NewsworkerError(Exception):
    """Root of every error newsworker raises on purpose."""

    retriable: bool = False
    reason: str = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(NewsworkerError):
    """A setting or a CLI argument is wrong."""

    reason = "config"


class StackError(NewsworkerError):
    """The local dev stack cannot be started or reached."""

    reason = "stack"


class ServiceUnavailable(NewsworkerError):
    """Kafka or Redis did not answer; the same work should be retried."""

    retriable = True
    reason = "service_unavailable"


class NerUnavailable(NewsworkerError):
    """The NER process died or failed on a batch: the worker stops without committing."""

    reason = "ner_unavailable"


class DecodeError(NewsworkerError):
    """A raw message cannot become an article. Never retried: dead-lettered."""

    reason = "decode_error"


class MessageTooLarge(DecodeError):
    """The message is larger than the configured limit."""

    reason = "too_large"


class EmptyMessage(DecodeError):
    """Nothing but whitespace (or nothing left after cleaning)."""

    reason = "empty"


class InvalidEncoding(DecodeError):
    """The bytes are not UTF-8."""

    reason = "invalid_utf8"


class InvalidJson(DecodeError):
    """The message looks like JSON but does not parse."""

    reason = "invalid_json"


class InvalidField(DecodeError):
    """A JSON field is missing or of the wrong type."""

    reason = "invalid_field"


class NotText(DecodeError):
    """HTML or binary data, not article text."""

    reason = "not_text"


class ProcessingError(NewsworkerError):
    """An unexpected failure on one message (a bug): dead-lettered, never retried."""

    reason = "processing_error"

"""Turning files into raw-topic messages (pure), and sending them (kafka-python).

* a text file is one article: sent as a JSON object ``{"id", "source", "text"}``
  (or, with ``raw=True``, as the bare text body with the id as message key);
  its id is ``--id`` or ``<file stem>-<digest of the text>``, so publishing the
  same file again is a replay of the same article, not a new one;
* a ``.json`` file holds one article object or a list of them;
* a ``.jsonl`` file holds one article object per line;
* a folder is walked recursively; ``-`` reads one text article from stdin.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workers.errors import ConfigError

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
JSON_SUFFIXES = {".json", ".jsonl"}


@dataclass(frozen=True)
class Outgoing:
    """One message for the raw topic."""

    article_id: str
    key: bytes
    value: bytes
    origin: str


def file_article_id(stem: str, text: str) -> str:
    """``<file stem>-<digest of the text>``: the same file is the same article."""
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=5).hexdigest()
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in stem)[:80] or "article"
    return f"{safe}-{digest}"


def text_message(
    text: str, *, article_id: str, source: str | None, origin: str, raw: bool
) -> Outgoing:
    """One text article as a JSON message (or, with ``raw``, the bare text keyed by its id)."""
    if raw:
        return Outgoing(article_id, article_id.encode(), text.encode("utf-8"), origin)
    body: dict[str, Any] = {"id": article_id, "text": text}
    if source:
        body["source"] = source
    return Outgoing(article_id, article_id.encode(), _dumps(body), origin)


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def json_messages(data: Any, *, source: str | None, origin: str) -> Iterator[Outgoing]:
    """The messages of a parsed .json/.jsonl value: one article object or a list of them."""
    items = data if isinstance(data, list) else [data]
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ConfigError(f"{origin}: item {index} is not a JSON object")
        if source and not item.get("source"):
            item = {**item, "source": source}
        article_id = item.get("id")
        if not isinstance(article_id, str) or not article_id:
            text = item.get("text")
            article_id = file_article_id(f"{Path(origin).stem}-{index}", str(text))
            item = {**item, "id": article_id}
        yield Outgoing(article_id, article_id.encode(), _dumps(item), f"{origin}#{index}")


def expand_paths(paths: Iterable[str]) -> list[Path | None]:
    """Files to publish in order (``None`` stands for stdin); folders walked recursively."""
    found: list[Path | None] = []
    for name in paths:
        if name == "-":
            found.append(None)
            continue
        path = Path(name)
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and not p.name.startswith(".")
                    and p.suffix.lower() in TEXT_SUFFIXES | JSON_SUFFIXES
                )
            )
        elif path.is_file():
            found.append(path)
        else:
            raise ConfigError(f"no such file or folder: {name}")
    return found


def messages_for(
    path: Path | None, *, source: str | None, article_id: str | None, raw: bool
) -> list[Outgoing]:
    """The messages of one path (None: stdin)."""
    origin = "<stdin>" if path is None else str(path)
    try:
        data = sys.stdin.buffer.read() if path is None else path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {origin}: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{origin} is not UTF-8 text") from None
    suffix = path.suffix.lower() if path is not None else ""
    if suffix == ".jsonl":
        out: list[Outgoing] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                out.extend(
                    json_messages(
                        _loads(line, f"{origin}:{number}"),
                        source=source,
                        origin=f"{origin}:{number}",
                    )
                )
        return out
    if suffix == ".json":
        return list(json_messages(_loads(text, origin), source=source, origin=origin))
    stem = "stdin" if path is None else path.stem
    chosen = article_id or file_article_id(stem, text)
    return [text_message(text, article_id=chosen, source=source, origin=origin, raw=raw)]


def _loads(text: str, origin: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{origin}: invalid JSON ({exc.msg} at line {exc.lineno})") from None

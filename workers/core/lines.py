"""Line-level cleaning inside one article: pure functions, no services.

Lines are compared through :func:`normalize_line` (Unicode NFKC, quotes and
dashes folded, whitespace collapsed, case folded) while the text that is kept
is the original line, only stripped of surrounding whitespace.

Removed, each counted by reason:

* ``repeat``: a line whose normalised form was already kept (a repeated
  headline stays once, at its first position);
* ``teaser``: a line ending in "..." or "…" whose text starts another, longer
  line of the article;
* ``chrome``: site furniture, from a built-in list or learned per source
  (see :mod:`workers.core.dedupe`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)
_SPACES = re.compile(r"\s+")
_ELLIPSIS = re.compile(r"(?:\.\.\.|\u2026)\s*$")
_CHROME_EDGES = " \t:;.,-|>»•·*#"

#: Lines that are site furniture on most news sites, for a cold start before
#: any source has been learned. Compared through :func:`chrome_key`.
BUILTIN_CHROME_TEXT: tuple[str, ...] = (
    "Skip to content",
    "Skip to main content",
    "Skip to navigation",
    "Read also",
    "Read more",
    "See also",
    "Related",
    "Related articles",
    "Related stories",
    "Latest",
    "Latest news",
    "Most read",
    "Trending",
    "Advertisement",
    "Sponsored",
    "Share",
    "Share this article",
    "Share on Facebook",
    "Share on Twitter",
    "Sign up for our newsletter",
    "Subscribe",
    "Menu",
    "Search",
    "Home",
    "Back to top",
    "Cookie settings",
    "Accept cookies",
)


def normalize_line(line: str) -> str:
    """Comparison form of a line: NFKC, quotes and dashes folded, spaces collapsed, casefolded."""
    if line.isascii():  # nothing for NFKC or the quote table to do: the common fast path
        return " ".join(line.split()).lower()
    text = unicodedata.normalize("NFKC", line).translate(_QUOTES)
    return _SPACES.sub(" ", text).strip().casefold()


def chrome_key(line: str) -> str:
    """Form used to match chrome: normalised, no edge punctuation ("Read also:" = "read also")."""
    return normalize_line(line).strip(_CHROME_EDGES)


BUILTIN_CHROME: frozenset[str] = frozenset(chrome_key(text) for text in BUILTIN_CHROME_TEXT)


def line_fingerprint(line: str) -> str:
    """Short stable fingerprint of a line's chrome form (a Redis hash field)."""
    return key_fingerprint(chrome_key(line))


def key_fingerprint(key: str) -> str:
    """:func:`line_fingerprint` of a line whose :func:`chrome_key` is already known."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def split_lines(text: str) -> list[str]:
    """Non-blank lines of a text, stripped of surrounding whitespace."""
    return [stripped for raw in text.splitlines() if (stripped := raw.strip())]


@dataclass(frozen=True)
class CleanedText:
    """Lines kept from one article, in order, and how many were removed per reason."""

    lines: tuple[str, ...]
    removed: Mapping[str, int] = field(default_factory=dict)
    normalized: tuple[str, ...] = ()
    """The kept lines in :func:`normalize_line` form (for fingerprints)."""

    @property
    def body(self) -> str:
        """Kept lines joined as paragraphs."""
        return "\n\n".join(self.lines)


def _is_teaser(norm: str, all_norms: Iterable[str]) -> bool:
    """True when ``norm`` ends in an ellipsis and its stem starts another line."""
    match = _ELLIPSIS.search(norm)
    if match is None:
        return False
    stem = norm[: match.start()].rstrip()
    if len(stem) < 12:
        return False
    return any(
        other != norm and len(other) > len(stem) and other.startswith(stem) for other in all_norms
    )


def clean_lines(
    text: str,
    learned: frozenset[str] = frozenset(),
    chrome: frozenset[str] = BUILTIN_CHROME,
) -> CleanedText:
    """Remove repeated lines, truncated teasers and chrome from one article.

    ``chrome`` holds :func:`chrome_key` forms of lines to drop (the built-in
    list by default); ``learned`` holds :func:`line_fingerprint` values of a
    source's learned boilerplate.
    """
    lines = split_lines(text)
    norms = [normalize_line(line) for line in lines]
    removed: dict[str, int] = {}
    kept: list[str] = []
    seen: set[str] = set()
    kept_norms: list[str] = []
    for line, norm in zip(lines, norms, strict=True):
        key = norm.strip(_CHROME_EDGES)
        if key in chrome or (learned and key_fingerprint(key) in learned):
            reason = "chrome"
        elif norm in seen:
            reason = "repeat"
        elif _is_teaser(norm, norms):
            reason = "teaser"
        else:
            kept.append(line)
            kept_norms.append(norm)
            seen.add(norm)
            continue
        removed[reason] = removed.get(reason, 0) + 1
    return CleanedText(lines=tuple(kept), removed=removed, normalized=tuple(kept_norms))

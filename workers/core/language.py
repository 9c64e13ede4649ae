"""Language of an article, so non-English text is marked and skips English NER. Pure.

The rule lives here; the model is an adapter (:mod:`workers.adapters.language_id`,
py3langid: a maintained fork of langid.py, 97 languages, offline) passed in as a
:data:`Classifier`. Too little text to tell (fewer than :data:`MIN_WORDS` words; two
characters of a script without spaces count one) gives ``und`` (undetermined), which is
treated as English so short English snippets are not lost. Only the first
:data:`SAMPLE_CHARS` characters are looked at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workers.core.lines import tokens_and_length

#: Characters classified: 400 classify the development sets as well as 1,000 (make
#: quality) at two thirds of the cost.
SAMPLE_CHARS = 400
MIN_WORDS = 3

#: Text -> (ISO 639-1 code, confidence 0..1).
Classifier = Callable[[str], tuple[str, float]]


@dataclass(frozen=True)
class Language:
    """A detected language (ISO 639-1 code, or ``und``) and the classifier's confidence."""

    code: str
    """ISO 639-1 code, or ``und`` when there is too little text to tell."""
    score: float
    """The classifier's confidence (0..1); 0 for ``und``."""

    @property
    def is_english(self) -> bool:
        """Whether the text is English (or too short to tell)."""
        return self.code in {"en", "und"}


UNDETERMINED = Language("und", 0.0)


def detect_language(text: str, classify: Classifier) -> Language:
    """Best guess of the language of ``text`` (its first :data:`SAMPLE_CHARS` characters)."""
    sample = text[:SAMPLE_CHARS]
    if tokens_and_length(sample)[1] < MIN_WORDS:
        return UNDETERMINED
    code, confidence = classify(sample)
    return Language(code, round(confidence, 3))

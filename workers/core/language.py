"""Language of an article, so non-English text is marked and skips English NER. Pure.

How: first the writing system (Cyrillic, Greek, Arabic, Hebrew, Devanagari,
Thai, Hangul, Kana, Han) decides when most letters belong to one; Latin-script
text is scored by the share of its words that are frequent function words of
each of twelve languages (English, Spanish, French, German, Italian,
Portuguese, Dutch, Polish, Swedish, Danish/Norwegian, Czech, Romanian). No
model file, deterministic, about 0.2 ms for the 1,000 characters looked at.
Too little text to tell gives ``und`` (undetermined), which is treated as
English so short English snippets are not lost.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SAMPLE_CHARS = 1000
MIN_WORDS = 8

_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the of and to in a is that for on was with he it as at by from his her "
        "are were be has have had this which said not but they their an or who "
        "will would been its after over".split()
    ),
    "es": frozenset(
        "el la de que y en los las del se por un una con para es al lo como más "
        "pero sus le ya o fue este ha sí porque esta son entre cuando muy sin "
        "sobre también".split()
    ),
    "fr": frozenset(
        "le la les de des du et en un une est que qui dans pour pas sur au avec "
        "ce il elle se sont par plus ont été aux cette mais ou leur".split()
    ),
    "de": frozenset(
        "der die das und ist nicht ein eine zu den von mit sich des auf für im "
        "dem es an auch als wird bei hat sie er wurde nach aus einer".split()
    ),
    "it": frozenset(
        "il lo la di che e è un una per non con del della in gli le sono si da "
        "al alla nel ha anche come più ma dei delle".split()
    ),
    "pt": frozenset(
        "o a os as de que e do da em um uma para com não no na por mais dos das "
        "se foi ao é ele ela seu sua mas também".split()
    ),
    "nl": frozenset(
        "de het een en van is dat op te in niet zijn voor met die er aan ook "
        "als bij door maar om werd wordt hij zij".split()
    ),
    "pl": frozenset(
        "i w na z że się nie do to jest jak po o od przez za ale tak czy jego "
        "jej oraz był była są dla".split()
    ),
    "sv": frozenset(
        "och att det som en på är av för med till den har inte om ett var de "
        "men vi sig från han hon".split()
    ),
    "da": frozenset(
        "og at det som en på er af for med til den har ikke om et var de men "
        "vi sig fra han hun jeg".split()
    ),
    "cs": frozenset(
        "a v na se je že s z do to o k ve by jako ale byl bylo jsou pro podle "
        "jeho její které který".split()
    ),
    "ro": frozenset(
        "și în de la cu pe că a al o un este nu se din care pentru mai au fost "
        "sunt ca dar sau".split()
    ),
}

#: Inverted index: function word -> languages that have it (one lookup per word).
_LANGUAGES_OF: dict[str, tuple[str, ...]] = {}
for _code, _words in _STOPWORDS.items():
    for _word in _words:
        _LANGUAGES_OF[_word] = (*_LANGUAGES_OF.get(_word, ()), _code)

_SCRIPTS: tuple[tuple[str, str], ...] = (
    ("CYRILLIC", "ru"),
    ("GREEK", "el"),
    ("ARABIC", "ar"),
    ("HEBREW", "he"),
    ("DEVANAGARI", "hi"),
    ("THAI", "th"),
    ("HANGUL", "ko"),
    ("HIRAGANA", "ja"),
    ("KATAKANA", "ja"),
    ("CJK", "zh"),
)
_UKRAINIAN = set("іїєґІЇЄҐ")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class Language:
    """A detected language (ISO 639-1 code, or ``und``) and how it was decided."""

    code: str
    """ISO 639-1 code, or ``und`` when there is too little text to tell."""
    score: float
    """Share of letters in the script, or of words that are the language's function words."""

    @property
    def is_english(self) -> bool:
        """Whether the text is English (or too short to tell)."""
        return self.code in {"en", "und"}


def _script_of(char: str) -> str | None:
    name = unicodedata.name(char, "")
    for script, _ in _SCRIPTS:
        if name.startswith(script):
            return script
    return None


def detect_language(text: str) -> Language:
    """Best guess of the language of ``text`` (its first 1,000 characters)."""
    sample = text[:SAMPLE_CHARS]
    counts: dict[str, int] = {}
    letters = 0
    if not sample.isascii():  # ASCII text is Latin script: skip the per-character pass
        letters = sum(map(str.isalpha, sample))
        for char in sample:
            if ord(char) > 0x24F and char.isalpha():
                script = _script_of(char)
                if script:
                    counts[script] = counts.get(script, 0) + 1
    if counts:
        per_code: dict[str, int] = {}
        for script, count in counts.items():
            code = dict(_SCRIPTS)[script]
            per_code[code] = per_code.get(code, 0) + count
        if "ja" in per_code and "zh" in per_code:  # Japanese mixes kana with Han characters
            per_code["ja"] += per_code.pop("zh")
        code, count = max(per_code.items(), key=lambda item: item[1])
        share = count / max(letters, 1)
        if share > 0.5:
            if code == "ru" and _UKRAINIAN & set(sample):
                code = "uk"
            return Language(code, round(share, 3))
    words = [word.casefold() for word in _WORD.findall(sample)]
    if len(words) < MIN_WORDS:
        return Language("und", 0.0)
    hits = dict.fromkeys(_STOPWORDS, 0)
    for word in words:
        for code in _LANGUAGES_OF.get(word, ()):
            hits[code] += 1
    code, count = max(hits.items(), key=lambda item: (item[1], item[0] == "en"))
    score = count / len(words)
    if score < 0.05:
        return Language("und", round(score, 3))
    return Language(code, round(score, 3))

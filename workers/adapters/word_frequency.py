"""Word frequencies from the ``wordfreq`` data package, for English and other languages.

General English, and the common words of the other languages the package covers.

``wordfreq`` 3.1.1 (code Apache-2.0; its lists combine Wikipedia, subtitles, news,
books, web text, Twitter and Reddit, data CC BY-SA 4.0, see
https://github.com/rspeer/wordfreq) gives each word's frequency; the story linker
weighs a word by how rare it is there (:mod:`workers.core.stories`), so a young
stream already knows "quake" from "said".

English words at least as common as :data:`MIN_ZIPF` are kept (about 96,000 of the
list's 321,000): a rarer word weighs like a word the list lacks, a name. Of the 41
other languages' "small" lists only the words at least as common as
:data:`OTHER_MIN_ZIPF` are kept (about 42,000 words in all): an article in German
then does not weigh "und" or "nicht" as rare words, as the English list alone would
(it lacks them). Their rarer words are weighed by the English list, as before.

The lists are read in a short-lived child process (``wordfreq`` and its full lists
would keep about 45 MB in this one); what comes back costs about 21 MB per worker
(13 MB for English alone), measured as resident memory.
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Collection
from concurrent.futures import ProcessPoolExecutor

from workers.core.stories import Zipf

#: English words rarer than this (Zipf: log10 of occurrences per billion words) are not kept.
MIN_ZIPF = 2.0
#: Other languages' words rarer than this are not kept: their common words only, which
#: the story linker leaves out or weighs lightly (its ``COMMON_ZIPF`` is 5.5).
OTHER_MIN_ZIPF = 5.0
#: How far (``langcodes`` distance) a classifier's language code may be from a list's:
#: 9 admits another name of one language ("no" for "nb", "hr" and "sr" for "sh") and
#: its close varieties, and no language that is only related.
MAX_LANGUAGE_DISTANCE = 9


class WordFrequency:
    """Zipf frequency of words (log10 of occurrences per billion words), by language."""

    def __init__(self, min_zipf: float = MIN_ZIPF, other_min_zipf: float = OTHER_MIN_ZIPF) -> None:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            self._zipf: dict[str, float] = pool.submit(english_zipf, min_zipf).result()
            self._others: dict[str, dict[str, float]] = pool.submit(
                common_words, other_min_zipf
            ).result()
        self._in: dict[str, Zipf] = {}

    def zipf(self, word: str) -> float:
        """The word's Zipf frequency in English (about 7.7 for "the"), 0 when rarer than the floor.

        A word rarer than :data:`MIN_ZIPF` or not in the list is 0. ``word`` is
        compared as given: pass it case folded.
        """
        return self._zipf.get(word, 0.0)

    def zipf_in(self, language: str) -> Zipf:
        """The Zipf function for an article in ``language`` (ISO 639-1 code, or ``und``).

        For a language with a list other than English: a word's frequency there when it
        is one of its common words (at least :data:`OTHER_MIN_ZIPF`), else in English.
        For English, ``und`` and languages without a list: :meth:`zipf`.
        """
        found = self._in.get(language)
        if found is None:
            name = list_for(language, self._others)
            common = self._others.get(name) if name else None
            found = self.zipf if common is None else _with_english(common, self._zipf)
            self._in[language] = found
        return found


def _with_english(common: dict[str, float], english: dict[str, float]) -> Zipf:
    def zipf(word: str) -> float:
        return common.get(word) or english.get(word, 0.0)

    return zipf


def list_for(language: str, lists: Collection[str]) -> str | None:
    """The code of the list among ``lists`` for a classifier's ``language`` code, if any.

    Looked up once per language: :meth:`WordFrequency.zipf_in` keeps what it finds.
    """
    if language in lists:
        return language
    if not language.isascii() or not language.isalpha() or not 2 <= len(language) <= 3:
        return None
    import langcodes

    best, _distance = langcodes.closest_match(
        language, list(lists), max_distance=MAX_LANGUAGE_DISTANCE
    )
    return None if best == "und" else str(best)


def english_zipf(min_zipf: float = MIN_ZIPF) -> dict[str, float]:
    """Zipf frequency of every English word of the list at least ``min_zipf`` common."""
    from wordfreq import get_frequency_dict

    floor = 10 ** (min_zipf - 9)
    return {
        word: round(math.log10(frequency * 1e9), 2)
        for word, frequency in get_frequency_dict("en", wordlist="best").items()
        if frequency >= floor
    }


def common_words(min_zipf: float = OTHER_MIN_ZIPF) -> dict[str, dict[str, float]]:
    """Each other language's words at least ``min_zipf`` common, with their Zipf frequency."""
    from wordfreq import available_languages, get_frequency_dict

    floor = 10 ** (min_zipf - 9)
    return {
        language: {
            word: round(math.log10(frequency * 1e9), 2)
            for word, frequency in get_frequency_dict(language, wordlist="small").items()
            if frequency >= floor
        }
        for language in sorted(available_languages("small"))
        if language != "en"
    }

"""Word frequencies of general English, from the ``wordfreq`` data package.

``wordfreq`` 3.1.1 (code Apache-2.0; its English list combines Wikipedia,
subtitles, news, books, web text, Twitter and Reddit, data CC BY-SA 4.0, see
https://github.com/rspeer/wordfreq) gives each word's frequency; the story linker
weighs a word by how rare it is there (:mod:`workers.core.stories`), so a young
stream already knows "quake" from "said".

Only words at least as common as :data:`MIN_ZIPF` are kept (about 96,000 of the
list's 321,000): a rarer word weighs like a word the list lacks, a name. The list
is read in a short-lived child process (``wordfreq`` and its full list would keep
about 45 MB in this one); what comes back costs about 12 MB per worker.
"""

from __future__ import annotations

import math
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

#: Words rarer than this (Zipf: log10 of occurrences per billion words) are not kept.
MIN_ZIPF = 2.0


class WordFrequency:
    """Zipf frequency of English words (log10 of occurrences per billion words)."""

    def __init__(self, min_zipf: float = MIN_ZIPF) -> None:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            self._zipf: dict[str, float] = pool.submit(english_zipf, min_zipf).result()

    def zipf(self, word: str) -> float:
        """The word's Zipf frequency (about 7.7 for "the"), 0 when rarer than the floor.

        A word rarer than :data:`MIN_ZIPF` or not in the list is 0. ``word`` is
        compared as given: pass it case folded.
        """
        return self._zipf.get(word, 0.0)


def english_zipf(min_zipf: float = MIN_ZIPF) -> dict[str, float]:
    """Zipf frequency of every English word of the list at least ``min_zipf`` common."""
    from wordfreq import get_frequency_dict

    floor = 10 ** (min_zipf - 9)
    return {
        word: round(math.log10(frequency * 1e9), 2)
        for word, frequency in get_frequency_dict("en", wordlist="best").items()
        if frequency >= floor
    }

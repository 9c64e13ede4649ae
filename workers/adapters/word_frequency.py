"""Word frequencies of general English, from the ``wordfreq`` data package.

``wordfreq`` 3.1.1 (code Apache-2.0; its English list combines Wikipedia,
subtitles, news, books, web text, Twitter and Reddit, data CC BY-SA 4.0, see
https://github.com/rspeer/wordfreq) gives each word's frequency; the story linker
weighs a word by how rare it is there (:mod:`workers.core.stories`), so no
document frequencies have to be learned from the stream.

Loaded once per process (about 0.5 s and 8 MB for the 320,000 English words).
"""

from __future__ import annotations

import math


class WordFrequency:
    """Zipf frequency of English words (log10 of occurrences per billion words)."""

    def __init__(self) -> None:
        from wordfreq import get_frequency_dict

        self._frequency: dict[str, float] = get_frequency_dict("en", wordlist="best")

    def zipf(self, word: str) -> float:
        """The word's Zipf frequency (about 7.7 for "the"), 0 for a word the list lacks.

        ``word`` is compared as given: pass it case folded.
        """
        frequency = self._frequency.get(word)
        if not frequency:
            return 0.0
        return math.log10(frequency * 1e9)

"""Scores of story ids against gold stories: BCubed precision/recall/F1 and pairwise precision.

Pure functions over ``{article id: story}`` mappings; used by :mod:`bench.story_quality`.
BCubed (Bagga and Baldwin 1998; Amigó et al. 2009): for each article, the share of
its predicted story that shares its gold story (precision) and the share of its
gold story that shares its predicted story (recall), averaged over articles.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class StoryScore:
    """How well predicted stories match gold stories."""

    articles: int
    stories: int
    precision: float
    recall: float
    pairs: int
    right_pairs: int
    near_merges: int
    """Pairs put in one story whose gold stories are different but of one group (same topic)."""

    @property
    def f1(self) -> float:
        """Harmonic mean of BCubed precision and recall."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    @property
    def pair_precision(self) -> float:
        """Share of the pairs put in one story that belong to one gold story (1.0 with none)."""
        return self.right_pairs / self.pairs if self.pairs else 1.0


def score_stories(
    predicted: Mapping[str, str],
    gold: Mapping[str, str],
    group: Callable[[str], str] = lambda story: story,
) -> StoryScore:
    """Score predicted story ids of the articles in ``gold``.

    ``group`` maps a gold story to its group (e.g. ECB+ topic), to count merges of
    different events of one kind apart from other wrong merges.
    """
    missing = set(gold) - set(predicted)
    if missing:
        raise ValueError(f"{len(missing)} articles have no predicted story")
    by_predicted: dict[str, set[str]] = {}
    by_gold: dict[str, set[str]] = {}
    for article, story in gold.items():
        by_predicted.setdefault(predicted[article], set()).add(article)
        by_gold.setdefault(story, set()).add(article)
    precision = recall = 0.0
    for article, story in gold.items():
        mine, theirs = by_predicted[predicted[article]], by_gold[story]
        both = len(mine & theirs)
        precision += both / len(mine)
        recall += both / len(theirs)
    pairs = right = near = 0
    for members in by_predicted.values():
        ordered = sorted(members)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                pairs += 1
                if gold[a] == gold[b]:
                    right += 1
                elif group(gold[a]) == group(gold[b]):
                    near += 1
    count = max(len(gold), 1)
    return StoryScore(
        articles=len(gold),
        stories=len(by_predicted),
        precision=precision / count,
        recall=recall / count,
        pairs=pairs,
        right_pairs=right,
        near_merges=near,
    )

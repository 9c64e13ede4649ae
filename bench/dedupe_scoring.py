"""Scoring duplicate decisions against a corpus whose truth is known. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from workers.core.dedupe import Decision
from workers.devtools.corpus import CorpusArticle


@dataclass
class QualityReport:
    """Counts per kind of article and what the index decided for them."""

    total: dict[str, int] = field(default_factory=dict)
    found: dict[str, int] = field(default_factory=dict)
    """Copies linked to the right story."""
    wrong_story: int = 0
    """Copies linked to another story."""
    false_duplicates: int = 0
    """Originals (or distinct same-topic stories) decided as duplicates."""
    distinct_merged: int = 0
    """Distinct same-topic stories merged into another story."""
    updates_right: int = 0
    """Updates published as full events (relation update) in their story."""
    updates_swallowed: int = 0
    """Updates decided as copies: their new content never reaches subscribers."""
    false_updates: int = 0
    """Copies published again as updates, or updates linked to another story."""

    def recall(self, kind: str) -> float:
        return self.found.get(kind, 0) / self.total[kind] if self.total.get(kind) else 1.0

    @property
    def duplicates_found(self) -> int:
        return sum(self.found.values())

    @property
    def duplicates_total(self) -> int:
        return sum(self.total.get(k, 0) for k in ("exact", "near", "syndicated"))

    @property
    def precision(self) -> float:
        decided = self.duplicates_found + self.wrong_story + self.false_duplicates
        return self.duplicates_found / decided if decided else 1.0

    @property
    def update_precision(self) -> float:
        decided = self.updates_right + self.false_updates
        return self.updates_right / decided if decided else 1.0

    @property
    def update_recall(self) -> float:
        total = self.total.get("update", 0)
        return self.updates_right / total if total else 1.0

    @property
    def overall_recall(self) -> float:
        total = self.duplicates_total
        return self.duplicates_found / total if total else 1.0


def score(articles: Sequence[CorpusArticle], decisions: Sequence[Decision]) -> QualityReport:
    """Compare decisions with the truth: a copy must point to an article of its own story
    (and an exact copy must be found by its exact fingerprint)."""
    story_of = {a.id: a.story for a in articles}
    report = QualityReport()
    for article, decision in zip(articles, decisions, strict=True):
        report.total[article.kind] = report.total.get(article.kind, 0) + 1
        is_copy = article.kind in {"exact", "near", "syndicated"}
        if decision.status == "update":
            if (
                article.kind == "update"
                and story_of.get(decision.duplicate_of or "") == article.story
            ):
                report.updates_right += 1
            else:
                report.false_updates += 1
            continue
        if decision.is_original:
            continue
        if article.kind == "update":
            report.updates_swallowed += 1
            continue
        linked = story_of.get(decision.duplicate_of or "")
        if not is_copy:
            report.false_duplicates += 1
            if article.kind == "distinct":
                report.distinct_merged += 1
        elif linked == article.story and (article.kind != "exact" or decision.method == "exact"):
            report.found[article.kind] = report.found.get(article.kind, 0) + 1
        else:
            report.wrong_story += 1
    return report

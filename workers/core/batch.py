"""What one batch did, as plain counts: the pipeline fills it, the metrics sensor reads it."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field


@dataclass
class BatchStats:
    """What one batch did. Pure data: the pipeline fills it, the metrics read it."""

    consumed: int = 0
    published: dict[str, int] = field(default_factory=dict)
    duplicates: dict[str, int] = field(default_factory=dict)
    dead_letters: dict[str, int] = field(default_factory=dict)
    lines_removed: dict[str, int] = field(default_factory=dict)
    linked: dict[str, int] = field(default_factory=dict)
    """First articles by how the story linker placed them: ``first`` or ``coverage``."""
    ner_batch_size: int = 0
    ner_seconds: float = 0.0

    def copy(self) -> BatchStats:
        """An independent copy (its counts are new dictionaries)."""
        return copy.deepcopy(self)

    def add(self, counts: dict[str, int], key: str, amount: int = 1) -> None:
        """Add ``amount`` to ``counts[key]``."""
        counts[key] = counts.get(key, 0) + amount

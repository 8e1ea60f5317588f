"""Text folded for a search: accents off, case folded ("Café Éénheid" → "cafe eenheid").

Its own small module: `store.db` registers `fold` as a SQL function on every SQLite connection
(`FOLD_FUNCTION`), and `store.finding` folds the searched text with it.
"""

from __future__ import annotations

import unicodedata

__all__ = ["FOLD_FUNCTION", "fold"]

FOLD_FUNCTION = "routing_fold"


def fold(text: str | None) -> str | None:
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()

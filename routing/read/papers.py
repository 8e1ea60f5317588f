"""The papers of items as plain data: for `routing show` (every detail) and for the agenda
(a title and a link that works where the agenda is opened).

A link to a copied file: relative to the folder the agenda is written to (`-o FILE`), so the
agenda opened from disk finds the papers, also when the folder with both is moved or copied
to a share; without an output file (printed to the terminal or a pipe) an absolute file:// URI.
Links are percent-encoded beyond what a URL needs (spaces, quotes, brackets), so Markdown and
HTML can both print them as they are.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from sqlmodel import Session

from store.papers import Paper, papers_of

__all__ = ["by_item", "link_of", "paper_dict"]

# what a link keeps as it is: RFC 3986's reserved and unreserved characters, and % (already
# encoded) but not the brackets (a Markdown link ends at ")") and not ' (an HTML attribute)
_SAFE = "-._~:/?#@!$&*+,;=%"


def by_item(db: Session, item_ids: Sequence[int]) -> dict[int, list[Paper]]:
    found: dict[int, list[Paper]] = {}
    for paper in papers_of(db, item_ids):
        found.setdefault(paper.item_id, []).append(paper)
    return found


def paper_dict(paper: Paper, folder: Path) -> dict[str, Any]:
    """One paper as `routing show --json` gives it."""
    return {
        "id": paper.id,
        "title": paper.title,
        "url": paper.url,
        "file": paper.file,
        "path": str(folder / paper.file) if paper.file else None,
        "sha256": paper.sha256,
        "size": paper.size,
        "added_at": paper.added_at.isoformat(),
        "actor": paper.actor,
    }


def link_of(paper: Paper, folder: Path, links_from: Path | None) -> dict[str, str]:
    """The paper's title and href, for a document written into `links_from` (None: unknown)."""
    if paper.url is not None:
        return {"title": paper.title, "href": urllib.parse.quote(paper.url, safe=_SAFE)}
    assert paper.file is not None
    target = folder.joinpath(*PurePosixPath(paper.file).parts)
    if links_from is not None:
        try:
            relative = os.path.relpath(target, links_from.resolve())
        except ValueError:  # another drive (Windows): only an absolute link reaches it
            pass
        else:
            parts = Path(relative).parts
            return {"title": paper.title, "href": "/".join(urllib.parse.quote(p) for p in parts)}
    return {"title": paper.title, "href": target.as_uri()}

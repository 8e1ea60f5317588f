"""The papers of an item: a link, or a file copied into the papers folder, recorded with
`routing stukken ID --link URL | --file PATH`, and taken off again with `--remove PAPER_ID`.

A link must be http or https, with a host, without spaces, control characters or a password. A
file must be a regular file we can read; it is copied (never moved or linked) to
`<papers folder>/<item id>/<first 16 hex of its SHA-256>-<safe name>`: the safe name keeps only
ASCII letters, digits, `.`, `_` and `-` of the file's own name (no `/`, no leading dot, no
control character), so no name can escape the folder or hide, and two different files never
share a path. The same file added twice to one item shares one copy.

Order, so a crash never leaves a row pointing at nothing: the copy is written to a temporary
file in the item's folder (hashed while it is copied, synced to disk) before the transaction;
inside it, with the item locked, it gets its final name, then the row and the audit event are
written and committed. If anything fails before the commit returns, the copy this command made
is removed again. A crash between the copy and the commit leaves at most an orphan file (a
`.partial-*` one, or a named copy without a row), never a row without its file.

Recording a paper also does what `routing stukken ID` alone does: the item's open reminder,
papers and hand-over deadlines are met (`meetings.mark_papers_in`); with none open the paper is
still recorded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import stat
import tempfile
import unicodedata
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session

from routing import text
from routing.engine import items as engine
from routing.engine.meetings import mark_papers_in
from routing.engine.writer import claim_item, write_item
from routing.errors import BadInput, NotFound
from routing.i18n import t
from routing.runtime import Runtime
from store.papers import Paper, get_paper

__all__ = ["Added", "add_paper", "check_link", "remove_paper", "safe_name"]

TRIGGER = "stukken"  # the audit step: the same as papers handed in without a paper
_SCHEMES = ("http", "https")
_URL_LIMIT = 2000
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_NAME_LIMIT = 100
_CHUNK = 1 << 20
# a URL carries no whitespace, control character, bidi override or lone surrogate
_NOT_IN_URL = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@dataclass(frozen=True)
class Added:
    paper: Paper
    path: Path | None  # the copy, for a file
    deadlines_met: int


@dataclass
class _Copy:
    """A file copied into the item's folder under a temporary name, with its checksum."""

    temporary: Path
    folder: Path
    name: str  # the copy's name in `folder`
    original: str  # the file's own name, for the default title
    sha256: str
    size: int


def check_link(url: str) -> str:
    """The link as given, if it is an http(s) URL with a host; else `BadInput`."""
    value = url.strip()
    if not value or _NOT_IN_URL.search(value) or len(value) > _URL_LIMIT:
        raise BadInput(t("err.paper_link", url=text.visible(url[:200])))
    try:
        parts = urllib.parse.urlsplit(value)
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        raise BadInput(t("err.paper_link", url=text.visible(url[:200]))) from None
    if parts.scheme.lower() not in _SCHEMES or not parts.hostname:
        raise BadInput(t("err.paper_link", url=text.visible(url[:200])))
    if parts.password is not None:
        raise BadInput(t("err.paper_link_password"))
    return value


def safe_name(name: str) -> str:
    """A file name that is safe in any folder: ASCII letters, digits, `.`, `_` and `-`, no
    leading dot, at most 100 characters (the extension kept); "stuk" when nothing is left."""
    # accents dropped (é → e), then every other character a "_"
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = re.sub(r"_*\._*", ".", _UNSAFE.sub("_", plain)).strip("._-")
    if len(cleaned) > _NAME_LIMIT:
        stem, dot, extension = cleaned.rpartition(".")
        extension = extension[:16] if dot and stem else ""
        keep = _NAME_LIMIT - len(extension) - (1 if extension else 0)
        cleaned = cleaned[:keep].rstrip("._-") + (f".{extension}" if extension else "")
    return cleaned or "stuk"


def add_paper(
    rt: Runtime,
    item_id: int,
    *,
    link: str | None = None,
    file: str | None = None,
    title: str | None = None,
    note: str | None = None,
) -> Added:
    """Record one paper (a link or a file) of item `item_id`; its papers are in."""
    if (link is None) == (file is None):
        raise BadInput(t("err.paper_link_or_file"))
    checked_title = None if title is None else text.checked_line("title", title)
    if checked_title is not None and not checked_title:
        raise BadInput(t("err.title_empty"))
    note = None if note is None else text.checked_block("note", note)
    url = None if link is None else check_link(link)
    now = rt.clock.now()
    with rt.session(read=True) as db:
        engine.load_item(db, item_id)  # an unknown item: no copy made
    copy = None if file is None else _copy_in(Path(file), rt.config.papers_folder, item_id)
    created: list[Path] = []
    try:
        with rt.session() as db:
            try:
                return _record(db, rt, item_id, url, copy, checked_title, note, now, created)
            except BaseException:
                _remove(created)  # before the rollback: the item is still locked
                raise
    except BaseException:
        # the commit itself failed. Its lock is gone by now: another command adding the same
        # file to this item in this instant could have found the copy and kept it (a row
        # without its file, the one case not closed; the copy's checksum in the audit trail
        # says what to put back)
        _remove(created)
        raise
    finally:
        if copy is not None:
            copy.temporary.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                copy.folder.rmdir()  # only when empty: nothing of this item was kept


def _record(
    db: Session,
    rt: Runtime,
    item_id: int,
    url: str | None,
    copy: _Copy | None,
    title: str | None,
    note: str | None,
    now: dt.datetime,
    created: list[Path],
) -> Added:
    item = engine.load_item(db, item_id)
    claim_item(db, item)
    path: Path | None = None
    if copy is not None:
        path = _place(copy, created)
        relative = f"{item_id}/{copy.name}"
        paper = Paper(
            item_id=item_id, title=title or text.one_line(copy.original, text.LIMITS["title"]),
            file=relative, sha256=copy.sha256, size=copy.size, added_at=now, actor=rt.actor,
        )  # fmt: skip
        shown = t("paper.event_file", path=relative, sha=copy.sha256[:12], size=copy.size)
    else:
        assert url is not None
        paper = Paper(
            item_id=item_id, title=title or text.one_line(url, text.LIMITS["title"]), url=url,
            added_at=now, actor=rt.actor,
        )  # fmt: skip
        shown = url
    db.add(paper)
    db.flush()
    met = mark_papers_in(db, item_id, now)
    event = t("paper.event_added", id=paper.id, title=paper.title, where=shown)
    write_item(
        db, item, {}, trigger=TRIGGER, actor=rt.actor, now=now,
        note=f"{event}\n{note}" if note else event,
    )  # fmt: skip
    return Added(paper=paper, path=path, deadlines_met=met)


def remove_paper(rt: Runtime, item_id: int, paper_id: int, note: str | None = None) -> Paper:
    """Take a paper off item `item_id`; the audit trail says which and why.

    A copied file stays in the papers folder: the audit event that recorded it names its path
    and checksum, and stays provable against it; and the same file added again to the item
    shares that copy."""
    note = None if note is None else text.checked_block("note", note)
    now = rt.clock.now()
    with rt.session() as db:
        item = engine.load_item(db, item_id)
        claim_item(db, item)
        paper = get_paper(db, paper_id)
        if paper is None or paper.item_id != item_id:
            raise NotFound(t("what.paper"), paper_id, t("hint.see_papers", id=item_id))
        event = t("paper.event_removed", id=paper_id, title=paper.title)
        db.delete(paper)
        write_item(
            db, item, {}, trigger=TRIGGER, actor=rt.actor, now=now,
            note=f"{event}\n{note}" if note else event,
        )  # fmt: skip
    return paper


def _copy_in(source: Path, papers: Path, item_id: int) -> _Copy:
    """Copy `source` into the item's folder under a temporary name, hashing it on the way."""
    shown = text.visible(str(source))
    with _opened(source, shown) as handle:
        folder = papers / str(item_id)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            out = tempfile.NamedTemporaryFile(dir=folder, prefix=".partial-", delete=False)  # noqa: SIM115
        except OSError as exc:
            raise BadInput(
                t("err.papers_folder", folder=str(papers), reason=exc.strerror or exc)
            ) from None
        temporary = Path(out.name)
        digest, size = hashlib.sha256(), 0
        try:
            with out:
                while chunk := _read(handle, shown):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    sha = digest.hexdigest()
    name = f"{sha[:16]}-{safe_name(source.name)}"
    return _Copy(temporary, folder, name, source.name, sha, size)


@contextlib.contextmanager
def _opened(source: Path, shown: str) -> Iterator[BinaryIO]:
    """The source opened for reading, or `BadInput` saying why not; a directory, a device or
    a pipe (which might never end) is refused before it is read."""
    try:
        mode = source.stat().st_mode
    except FileNotFoundError:
        raise BadInput(t("err.paper_missing", path=shown)) from None
    except OSError as exc:
        raise BadInput(t("err.paper_unreadable", path=shown, reason=exc.strerror or exc)) from None
    if stat.S_ISDIR(mode):
        raise BadInput(t("err.paper_directory", path=shown))
    if not stat.S_ISREG(mode):
        raise BadInput(t("err.paper_not_file", path=shown))
    try:
        handle = source.open("rb")
    except OSError as exc:
        raise BadInput(t("err.paper_unreadable", path=shown, reason=exc.strerror or exc)) from None
    with handle:
        yield handle


def _read(handle: BinaryIO, shown: str) -> bytes:
    try:
        chunk = handle.read(_CHUNK)
    except OSError as exc:
        raise BadInput(t("err.paper_unreadable", path=shown, reason=exc.strerror or exc)) from None
    return chunk


def _place(copy: _Copy, created: list[Path]) -> Path:
    """Give the copy its final name (the item is locked: no other command places one for it
    now). A file already there with the same checksum is this paper's copy from before."""
    final = copy.folder / copy.name
    try:
        os.link(copy.temporary, final)  # fails when the name is taken, never overwrites
    except FileExistsError:
        if _sha256(final) == copy.sha256:
            return final
        os.replace(copy.temporary, final)  # a damaged copy: the checked one takes its place
    except OSError:  # a file system without hard links
        os.replace(copy.temporary, final)
    created.append(final)
    _sync_folder(copy.folder)
    return final


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _sync_folder(folder: Path) -> None:
    """The new name on disk before the row that points at it is committed."""
    with contextlib.suppress(OSError):  # not every platform opens a folder
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _remove(created: list[Path]) -> None:
    for path in created:
        path.unlink(missing_ok=True)
    created.clear()

"""The file `routing import` reads: a table of items, one a row, as a spreadsheet exports it.

UTF-8 text, with or without a byte order mark (Excel's "CSV UTF-8"); the delimiter is `,` or
`;` (a Dutch Excel writes `;`) or a tab, whichever the header line holds most of outside quotes.
The first line names the columns: the options of `routing new` in Dutch (`titel`, `flow`,
`onderwerpen`, `kenmerk`, `eigenaar`, `voor`, `vertrouwelijk`, `niet-verspreiden`, `datum`,
`van`, `notitie`, `doelvergadering`, `doel`), or in English, in any order and case; `titel` and
`flow` are required. A file over `MAX_BYTES`, with a NUL byte or not UTF-8 is refused whole, as is
an unknown or repeated column. Rows keep the line they start on (a quoted note may span lines),
so a problem names the line a spreadsheet shows. This module only reads; `routing.engine.bulk`
judges the values.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from routing.errors import BadInput
from routing.i18n import t

__all__ = ["COLUMNS", "MAX_BYTES", "ItemFile", "Row", "read_item_file"]

MAX_BYTES: Final = 32 * 1024 * 1024
# column → the header names it is known by (normalised: lower case, `-` for `_` and spaces);
# the first is the Dutch name the documentation uses, the second the English one
COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "title": ("titel", "title"),
    "flow": ("flow",),
    "topics": ("onderwerpen", "topics", "onderwerp", "topic"),
    "kenmerk": ("kenmerk", "reference"),
    "owner": ("eigenaar", "owner"),
    "asked": ("voor", "purpose", "asked"),
    "confidential": ("vertrouwelijk", "confidential", "confidentiality"),
    "not_distributed": ("niet-verspreiden", "not-distributed", "do-not-distribute"),
    "date": ("datum", "date", "document-date"),
    "sender": ("van", "sender", "from"),
    "note": ("notitie", "note"),
    "target_meeting": ("doelvergadering", "target-meeting"),
    "target": ("doel", "target", "target-body"),
}
REQUIRED: Final = ("title", "flow")
_DELIMITERS: Final = (";", ",", "\t")


@dataclass(frozen=True)
class Row:
    line: int  # the line of the file the row starts on
    cells: dict[str, str]  # column → its text (empty cells left out)


@dataclass(frozen=True)
class ItemFile:
    name: str
    headers: dict[str, str]  # column → the header as the file writes it
    rows: list[Row]


def _fail(name: str, key: str, **values: object) -> BadInput:
    return BadInput(t("import.file_problem", file=name, problem=t(key, **values)))


def _text(name: str, data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise _fail(name, "import.too_large", limit=MAX_BYTES // (1024 * 1024))
    if b"\x00" in data:
        raise _fail(name, "import.binary", position=data.index(b"\x00") + 1)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(name, "import.not_utf8", position=exc.start + 1) from None


def _delimiter(header: str) -> str:
    """The delimiter the header line holds most of, outside quotes (`;` first on a tie)."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return max(_DELIMITERS, key=lambda d: counts[d])


def _normal(header: str) -> str:
    return "-".join(header.strip().lstrip("-").casefold().replace("_", " ").split())


def _columns(name: str, header: list[str]) -> tuple[list[str | None], dict[str, str]]:
    known = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
    listed = ", ".join(aliases[0] for aliases in COLUMNS.values())
    order: list[str | None] = []
    written: dict[str, str] = {}
    for cell in header:
        if not cell.strip():
            order.append(None)  # an unnamed column: its cells must stay empty
            continue
        column = known.get(_normal(cell))
        if column is None:
            raise _fail(name, "import.column_unknown", column=cell.strip()[:64], columns=listed)
        if column in written:
            raise _fail(name, "import.column_twice", column=cell.strip(), other=written[column])
        written[column] = cell.strip()
        order.append(column)
    for column in REQUIRED:
        if column not in written:
            raise _fail(name, "import.column_missing", column=COLUMNS[column][0], columns=listed)
    return order, written


def read_item_file(path: Path) -> ItemFile:
    """The rows of the file at `path`, each with the line it starts on; `BadInput` for a file
    that is not such a table (nothing about its values is judged here)."""
    name = str(path)
    try:
        if path.is_dir():
            raise BadInput(t("import.is_folder", path=name))
        with path.open("rb") as handle:  # bounded: a device or a huge file is not read whole
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise BadInput(t("import.no_file", path=name)) from None
    except OSError as exc:
        raise BadInput(t("err.file_unreadable", path=name, reason=exc.strerror)) from None
    text = _text(name, data)
    if not text.strip():
        raise _fail(name, "import.empty")
    first = text.splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    try:
        order, written = _columns(name, next(reader))
        rows: list[Row] = []
        line = reader.line_num + 1
        for record in reader:
            row = _row(name, line, order, record)
            if row is not None:
                rows.append(row)
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _fail(name, "import.not_a_table", line=reader.line_num, reason=str(exc)) from None
    return ItemFile(name=name, headers=written, rows=rows)


def _row(name: str, line: int, order: list[str | None], record: list[str]) -> Row | None:
    if len(record) > len(order) or None in order:
        for index, value in enumerate(record):
            if (index >= len(order) or order[index] is None) and value.strip():
                # more cells than named columns (a spreadsheet's stray cell)
                raise BadInput(
                    t("import.row_problem", file=name, line=line, column=index + 1,
                      problem=t("import.cell_outside", count=len(order)))
                )  # fmt: skip
    cells = {
        column: value
        for column, value in zip(order, record, strict=False)  # a short row: the rest empty
        if column is not None and value and not value.isspace()
    }
    return Row(line, cells) if cells else None  # an empty line or a row of empty cells

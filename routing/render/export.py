"""`--format csv|xlsx` and `-o FILE` of `routing list`, `meetings` and `outbox`: the rows of the
`--json` output as a spreadsheet.

The format is `--format`, else the extension of `-o` (.csv, .xlsx, .json); another extension
without `--format` is bad input. CSV is what Dutch Excel opens as it is: UTF-8 with a BOM,
`;` between the fields, a header row in the user's language. Dates and times stay ISO 8601 as
in the JSON (UTC); a list is one cell with its elements separated by ", "; yes/no are "ja"/"nee"
("yes"/"no") in CSV and true/false cells in xlsx; nothing is an empty cell. A cell of user text
that a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a carriage
return) gets a leading apostrophe in CSV and is a plain text cell in xlsx: opening an export
never runs what someone typed as a title.

openpyxl is imported only when an .xlsx is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from routing.i18n import t
from routing.render.files import output_format, write_output

__all__ = ["COLUMNS", "FORMATS", "cell_text", "choose_format", "header", "table_rows", "write"]

FORMATS = ("csv", "xlsx", "json")
_EXTENSIONS = {".csv": "csv", ".xlsx": "xlsx", ".json": "json"}
_FORMULA = ("=", "+", "-", "@", "\t", "\r")

# per view the columns, as keys of its JSON rows (a dotted key reaches into a nested object);
# a column's header is the message "col.<key>" (dots as underscores)
COLUMNS: dict[str, tuple[str, ...]] = {
    "list": (
        "id", "title", "kenmerk", "flow", "flow_version", "state", "state_title", "body",
        "final", "owner", "topics", "asked", "openbaar", "verspreiden", "document_date",
        "sender", "created_at", "updated_at", "version",
    ),
    "meetings": (
        "id", "body", "body_name", "start", "papers_due", "items", "status", "location",
        "moved", "original_start", "added", "source", "key", "no_regional_preparation",
        "change.kind", "change.origin", "change.by", "change.at", "change.reason",
    ),
    "outbox": (
        "id", "kind", "item_id", "status", "subject", "recipients", "attempts",
        "next_attempt_at", "sent_at", "last_error", "channel", "key", "message_id",
    ),
}  # fmt: skip


def choose_format(given: str | None, output: str | None) -> str | None:
    """The export format: `--format`, else the extension of `-o`; None: the terminal view. An
    xlsx goes to a file (`routing.render.files.output_format`)."""
    return output_format(given, output, _EXTENSIONS, to_file=("xlsx",))


def header(view: str) -> list[str]:
    return [t("col." + key.replace(".", "_")) for key in COLUMNS[view]]


def _value(row: Mapping[str, Any], key: str) -> Any:
    value: Any = row
    for part in key.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA) else text


def cell_text(value: Any) -> str:
    """One value of a JSON row as a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return t("word.yes") if value else t("word.no")
    if isinstance(value, list | tuple):
        return _safe(", ".join(str(part) for part in value))
    if isinstance(value, str):
        return _safe(value)
    return str(value)


def table_rows(view: str, rows: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    """The rows' values in the view's column order, as they are (not yet made cells)."""
    keys = COLUMNS[view]
    return [[_value(row, key) for key in keys] for row in rows]


def _csv(view: str, rows: Sequence[Mapping[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header(view))
    for values in table_rows(view, rows):
        writer.writerow([cell_text(value) for value in values])
    return "\ufeff" + out.getvalue()


def _xlsx(view: str, rows: Sequence[Mapping[str, Any]]) -> bytes:
    from openpyxl import Workbook  # noqa: PLC0415 - only for an .xlsx
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415

    book = Workbook(write_only=True)
    sheet = book.create_sheet(view)
    sheet.append(header(view))
    for values in table_rows(view, rows):
        cells = []
        for raw in values:
            value = ", ".join(map(str, raw)) if isinstance(raw, list | tuple) else raw
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a text, never a formula
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write(view: str, rows: Sequence[Mapping[str, Any]], fmt: str, output: str | None) -> str:
    """The rows in `fmt` to `output` (None: returned, to be written to stdout); returns the
    text for stdout, or "" when a file was written."""
    from routing.text import json_text  # noqa: PLC0415

    if fmt == "csv":
        data: str | bytes = _csv(view, rows)
    elif fmt == "xlsx":
        data = _xlsx(view, rows)
    else:
        data = json_text(list(rows), indent=True) + "\n"
    if output is None:
        assert isinstance(data, str)
        return data
    write_output("--output", Path(output), data)
    return ""

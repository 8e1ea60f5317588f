"""Commands that hand others the documents of a meeting: the agenda and the besluitenlijst.

Registered on the app by `routing.cli.app`; like every command they only parse, call and render.
"""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from routing import i18n
from routing.cli.common import (
    ConfigOpt,
    NowOpt,
    emit_json,
    make_console,
    open_runtime,
    parse_day,
)

if TYPE_CHECKING:
    from routing.runtime import Runtime

__all__ = ["agenda", "besluitenlijst"]

FormatOpt = Annotated[
    str | None,
    typer.Option("--format", "-f", metavar="help.mv.format", help="help.opt.doc_format_ori"),
]
OpenbaarOpt = Annotated[
    bool,
    typer.Option(
        "--openbaar",
        help="help.opt.openbaar",
    ),
]
OutputOpt = Annotated[
    str | None, typer.Option("--output", "-o", metavar="help.mv.file", help="help.opt.output")
]


def agenda(
    body: Annotated[str, typer.Argument(metavar="help.mv.body", help="help.arg.agenda_body")],
    meeting: Annotated[
        str | None,
        typer.Option("--meeting", metavar="help.mv.date", help="help.opt.agenda_meeting"),
    ] = None,
    fmt: FormatOpt = None,
    openbaar: OpenbaarOpt = False,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
) -> None:
    """Compose the agenda of a meeting from the items planned on it.

    The body's fixed parts (opening ... sluiting) around the items, numbered on; decisions first.

    Example: routing agenda pfho-wp --meeting 2024-11-14 -o agenda.pdf
    """
    from routing.read import documents

    chosen = document_format(fmt, output)
    rt = open_runtime(config, now)
    day = parse_day(meeting, rt) if meeting else None
    # links to copied papers go relative to the folder the agenda is written to; an ORI export
    # names them absolutely, so its ids do not depend on where it is written
    links_from = Path(output).parent if output and chosen != "ori" else None
    shaped = documents.agenda(rt, body, day, openbaar=openbaar, links_from=links_from)
    _deliver(shaped, chosen, output, rt)


def besluitenlijst(
    body: Annotated[str, typer.Argument(metavar="help.mv.body", help="help.arg.body_met")],
    meeting: Annotated[
        str, typer.Option("--meeting", metavar="help.mv.date", help="help.opt.meeting_date")
    ],
    fmt: FormatOpt = None,
    openbaar: OpenbaarOpt = False,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
) -> None:
    """The decision list of a closed meeting: each item's outcome and note.

    Example: routing besluitenlijst regieteam --meeting 2024-02-13 --format html -o besluiten.html
    """
    from routing.read import documents

    chosen = document_format(fmt, output)
    rt = open_runtime(config, now)
    shaped = documents.besluitenlijst(rt, body, parse_day(meeting, rt), openbaar=openbaar)
    _deliver(shaped, chosen, output, rt)


def document_format(fmt: str | None, output: str | None) -> str:
    from routing.render.documents import document_format

    return document_format(fmt, output)


def _deliver(document: dict[str, Any], fmt: str, output: str | None, rt: "Runtime") -> None:
    from routing.render.documents import render

    if fmt == "ori":  # the same document as ORI resources (docs/ori.md), written as JSON
        from routing.render.ori import ori_document

        document, fmt = ori_document(document, rt.config.ori, rt.config.region), "json"
    if fmt == "json" and output is None:
        emit_json(document)
        return
    from routing.text import json_text

    text = (
        json_text(document) + "\n"
        if fmt == "json"
        else render(document, fmt, rt.config.timezone, rt.config.document_templates)
    )
    if output is None:
        assert isinstance(text, str)  # a PDF goes to a file: document_format
        sys.stdout.write(text)
        return
    from routing.render.files import write_output

    path = write_output("--output", Path(output), text)
    make_console().print(i18n.t("doc.written", path=path))

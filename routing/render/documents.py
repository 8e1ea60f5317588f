"""Meeting documents rendered through Jinja templates: Markdown for mail, HTML for print.

The templates live in `routing/render/templates/`. HTML is autoescaped (a title with `<` or `&`
stays text); Markdown escapes the characters that would turn a title into markup, and a note's
line breaks stay inside its list item, so no user text starts a heading, a list, a table or a
link. Every value a template prints loses its control characters and bidi overrides first
(`routing.text.clean`). Every label
comes from the message catalogue, so a document follows `--lang` like the rest of the program.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from routing import i18n
from routing.engine import confidentiality
from routing.text import clean

__all__ = ["FORMATS", "render"]

FORMATS = ("md", "html", "json")
# & only where it would start an entity (&lt; shown as "&lt;", not as "<")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|<>~]|&(?=#?\w+;))")
# what starts a block at the beginning of a line: a list (- + * 1. 1)), a setext underline (=)
_MD_NUMBERED = re.compile(r"^(\d+)([.)])")
# a note's next line: a hard break, indented under "   - Notitie: " so it stays in its item
_MD_BREAK = "  \n     "


def markdown_text(value: object) -> str:
    """User text as Markdown that shows it, never interprets it."""
    lines = clean(str(value), keep="\n").split("\n")
    return _MD_BREAK.join(_markdown_line(line.strip()) for line in lines)


def _markdown_line(line: str) -> str:
    line = _MD_SPECIAL.sub(r"\\\1", line)
    if _MD_NUMBERED.match(line):
        return _MD_NUMBERED.sub(r"\1\\\2", line)
    return re.sub(r"^([-+=])", r"\\\1", line)


def _printable(value: Any) -> Any:
    """Jinja's finalize: every printed string without controls; autoescaping comes after."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return clean(value, keep="\n")
    return value


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("routing.render", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2")),
        undefined=StrictUndefined,
        finalize=_printable,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["t"] = i18n.t
    return env


def render(document: dict[str, Any], fmt: str, tz: ZoneInfo) -> str:
    """The document (from `routing.read.documents`) as Markdown or HTML."""

    def local(iso: str) -> dt.datetime:
        return dt.datetime.fromisoformat(iso).astimezone(tz)

    def papers(item: dict[str, Any]) -> str:
        return i18n.t(f"doc.papers_{item['papers'] or 'none'}")

    def reference(item: dict[str, Any]) -> str:
        return confidentiality.reference(item["kenmerk"], item["id"])

    heading = i18n.t(f"doc.{document['kind']}")
    papers_due = document.get("papers_due")
    text = (
        _environment()
        .get_template(f"{document['kind']}.{fmt}.j2")
        .render(
            doc=document,
            lang=i18n.current_language(),
            heading=heading,
            meeting_date=i18n.format_date(local(document["meeting"]), with_time=True, weekday=True),
            papers_due=(
                i18n.format_date(local(papers_due), with_time=True, weekday=True)
                if papers_due
                else ""
            ),
            composed=i18n.format_date(local(document["composed_at"])),
            day=lambda iso: i18n.format_date(dt.date.fromisoformat(iso)),
            papers=papers,
            reference=reference,
            md=markdown_text,
        )
    )
    # blank lines the loops leave behind would split a Markdown list into many lists
    return re.sub(r"\n{3,}", "\n\n", text) if fmt == "md" else text

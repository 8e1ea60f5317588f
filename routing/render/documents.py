"""Meeting documents rendered through Jinja templates: Markdown for mail, HTML for print.

The templates live in `routing/render/templates/`. HTML is autoescaped (a title with `<` or `&`
stays text); Markdown escapes the few characters that would turn a title into markup. Every label
comes from the message catalogue, so a document follows `--lang` like the rest of the program.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from routing import i18n
from routing.engine import confidentiality

__all__ = ["FORMATS", "render"]

FORMATS = ("md", "html", "json")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|<>])")


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("routing.render", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2")),
        undefined=StrictUndefined,
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
            md=lambda text: _MD_SPECIAL.sub(r"\\\1", str(text)),
        )
    )
    # blank lines the loops leave behind would split a Markdown list into many lists
    return re.sub(r"\n{3,}", "\n\n", text) if fmt == "md" else text

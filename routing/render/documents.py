"""Meeting documents rendered through Jinja templates: Markdown for mail, HTML and PDF for print.

The templates live in `routing/render/templates/`; a house style folder may replace them
(`routing.render.document_env`), and the HTML page becomes a PDF through WeasyPrint
(`routing.render.pdf`). The format is `--format`, else the extension of `-o`
(`document_format`). HTML is autoescaped (a title with `<` or `&`
stays text); Markdown escapes the characters that would turn a title into markup, and a note's
line breaks stay inside its list item, so no user text starts a heading, a list, a table or a
link. Every value a template prints loses its control characters and bidi overrides first
(`routing.text.clean`). Every label
comes from the message catalogue, so a document follows `--lang` like the rest of the program.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from routing import i18n
from routing.engine import confidentiality
from routing.render import document_env
from routing.render.files import output_format
from routing.text import clean

__all__ = ["FORMATS", "SUFFIXES", "document_format", "render"]

FORMATS = ("md", "html", "pdf", "json", "ori")
# the format a name for -o asks for when --format does not say
SUFFIXES = {
    ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".pdf": "pdf", ".json": "json"
}  # fmt: skip
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


def document_format(fmt: str | None, output: str | None) -> str:
    """The format asked for: `--format` if given, else the extension of `-o`, else Markdown; a
    PDF goes to a file (`routing.render.files.output_format`)."""
    return (
        output_format(fmt, output, SUFFIXES, to_file=("pdf",), default="md", named=("ori",)) or "md"
    )


def render(
    document: dict[str, Any], fmt: str, tz: ZoneInfo, templates: Path | None = None
) -> str | bytes:
    """The document (from `routing.read.documents`) as Markdown, HTML or PDF (bytes);
    `templates`: the house templates folder (`[documents] templates`), or None."""
    if fmt == "pdf":
        from routing.render.pdf import to_pdf  # noqa: PLC0415 -- WeasyPrint only for a PDF

        return to_pdf(_text(document, "html", tz, templates, pdf=True), templates)
    return _text(document, fmt, tz, templates, pdf=False)


def _text(
    document: dict[str, Any], fmt: str, tz: ZoneInfo, templates: Path | None, *, pdf: bool
) -> str:
    def local(iso: str) -> dt.datetime:
        return dt.datetime.fromisoformat(iso).astimezone(tz)

    def papers_state(item: dict[str, Any]) -> str:
        return i18n.t(f"doc.papers_{item['papers'] or 'none'}")

    def reference(item: dict[str, Any]) -> str:
        return confidentiality.reference(item["kenmerk"], item["id"])

    def admitted(item: dict[str, Any]) -> str:  # let in late by the chair, or ""
        late = item.get("admitted_late")
        if not late:
            return ""
        when = i18n.format_date(local(late["at"])) if late.get("at") else ""
        return i18n.t("doc.admitted_late", who=late.get("by") or "", date=when)

    env = document_env.environment(templates, _printable)
    env.globals["t"] = i18n.t
    start = local(document["meeting"])
    papers_due = document.get("papers_due")
    text = document_env.rendered(
        env,
        f"{document['kind']}.{fmt}.j2",
        templates,
        doc=document,
        lang=i18n.current_language(),
        heading=i18n.t(f"doc.{document['kind']}"),
        meeting_date=i18n.format_date(start, with_time=True, weekday=True),
        meeting_day=i18n.format_date(start, weekday=True),
        meeting_time=f"{start:%H:%M}",
        papers_due=(
            i18n.format_date(local(papers_due), with_time=True, weekday=True) if papers_due else ""
        ),
        composed=i18n.format_date(local(document["composed_at"])),
        day=lambda iso: i18n.format_date(dt.date.fromisoformat(iso)),
        papers_state=papers_state,
        reference=reference,
        admitted=admitted,
        local_day=lambda iso: i18n.format_date(local(iso), with_time=True),
        md=markdown_text,
        href=safe_href,
        css_text=css_text,
        house=document_env.house_style(templates if fmt == "html" else None),
        pdf=pdf,
    )
    # blank lines the loops leave behind would split a Markdown list into many lists
    return re.sub(r"\n{3,}", "\n\n", text) if fmt == "md" else text


def safe_href(value: object) -> str | None:
    """A paper's link as a link only when it is a web address, a file:// URI or a relative
    path; anything else (javascript:, data:) is shown as text, never followed."""
    text = clean(str(value), keep="")
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", text)
    return text if scheme is None or scheme.group(1).lower() in ("http", "https", "file") else None


def css_text(value: object) -> Markup:
    """Text as a quoted CSS string (for `content:` in a style sheet), inert inside <style>."""
    text = clean(str(value), keep="")
    return Markup('"' + "".join(c if c.isalnum() or c in " .,:;-" else f"\\{ord(c):x} "
                                for c in text) + '"')  # fmt: skip

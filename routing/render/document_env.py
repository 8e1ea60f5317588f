"""Where the document templates come from: the shipped ones, or the house style's first.

`[documents] templates = "huisstijl"` in routing.toml names a folder (relative to routing.toml)
whose templates replace the shipped ones of the same name (`agenda.html.j2`, `page.html.j2`, ...);
the shipped ones stay reachable as `routing/<name>`, so a house template can extend the shipped
page and change one block. Two files in that folder are picked up by the shipped page:
`huisstijl.css`, added after the shipped styles (so it wins), and `logo.svg`, `logo.png` or
`logo.jpg`, shown in the head of every page; both are embedded, so an HTML file travels alone
and the PDF needs no file next to it.

Templates render in Jinja's sandbox (a house template cannot reach Python internals) with HTML
autoescaped (a title with `<` stays text). A house template that does not parse or fails while
rendering is the user's to fix: one line naming the file and the line, exit 2.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateSyntaxError,
    select_autoescape,
)
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from routing.errors import BadInput
from routing.i18n import t

__all__ = ["HOUSE_CSS", "HOUSE_LOGOS", "environment", "house_style", "rendered"]

HOUSE_CSS = "huisstijl.css"
HOUSE_LOGOS = {"logo.svg": "image/svg+xml", "logo.png": "image/png", "logo.jpg": "image/jpeg"}
# a style sheet must not close the <style> element it is embedded in
_STYLE_END = re.compile(r"</(?=style)", re.IGNORECASE)


def environment(folder: Path | None, finalize: Callable[[Any], Any]) -> Environment:
    """The sandboxed Jinja environment, the house folder's templates first."""
    shipped = PackageLoader("routing.render", "templates")
    loaders: list[BaseLoader] = [shipped, PrefixLoader({"routing": shipped})]
    if folder is not None:
        if not folder.is_dir():
            raise BadInput(t("err.templates_folder", folder=folder))
        loaders.insert(0, FileSystemLoader(folder))
    return SandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2")),
        undefined=StrictUndefined,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def house_style(folder: Path | None) -> dict[str, Any]:
    """The house style sheet (embeddable as it is) and the logo as a data: URI; empty without."""
    found: dict[str, Any] = {"css": Markup(""), "logo": None}
    if folder is None:
        return found
    css = folder / HOUSE_CSS
    if css.is_file():
        found["css"] = Markup(_STYLE_END.sub(r"<\\/", _read(css).decode("utf-8", "replace")))
    for name, mime in HOUSE_LOGOS.items():
        if (folder / name).is_file():
            data = base64.b64encode(_read(folder / name)).decode("ascii")
            found["logo"] = f"data:{mime};base64,{data}"
            break
    return found


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise BadInput(t("err.template_unreadable", path=path, reason=reason)) from None


def rendered(env: Environment, name: str, folder: Path | None, **context: Any) -> str:
    """Template `name` rendered; a house template's fault becomes one line with its place."""
    try:
        return env.get_template(name).render(**context)
    except TemplateSyntaxError as error:
        if folder is None or not _inside(error.filename, folder):
            raise
        raise _fault(Path(error.filename or name), error.lineno, error.message) from None
    except UnicodeDecodeError as error:
        if folder is None:
            raise
        raise BadInput(t("err.template_not_utf8", folder=folder, detail=error)) from None
    except Exception as error:
        place = _house_frame(error.__traceback__, folder)
        if place is None:
            raise
        raise _fault(place[0], place[1], str(error) or type(error).__name__) from None


def _fault(path: Path, line: int | None, detail: str | None) -> BadInput:
    detail = " ".join((detail or "").split()).rstrip(".")
    return BadInput(t("err.template_broken", path=path, line=line or "?", detail=detail))


def _inside(filename: str | None, folder: Path) -> bool:
    if not filename:
        return False
    return Path(filename).resolve().is_relative_to(folder.resolve())


def _house_frame(tb: TracebackType | None, folder: Path | None) -> tuple[Path, int] | None:
    """The innermost line of a house template in a traceback (Jinja puts template frames in
    it with the template's file and line), or None when no house template is to blame."""
    if folder is None:
        return None
    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if _inside(filename, folder):
            found = (Path(filename), tb.tb_lineno)
        tb = tb.tb_next
    return found

"""A document's HTML page as PDF, through WeasyPrint: A4 pages, numbered in the footer.

WeasyPrint is the optional extra `pdf` (`pip install 'routing[pdf]'`): a Python package that
lays out with the system's Pango, so it installs from PyPI everywhere but needs Pango at run
time (Debian: libpango-1.0-0, libpangoft2-1.0-0). Without the package, or without Pango, `--format
pdf` is refused with what to install, exit 2; Markdown and HTML need neither. The page size, the
margins and the page numbers are the `@page` rules of `page.html.j2`.

The page may load nothing from outside: embedded data (the house logo) and files in the house
templates folder only, never a URL, so no template and no title can make a PDF fetch something.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from routing.errors import BadInput
from routing.i18n import t

__all__ = ["to_pdf"]

# WeasyPrint reports CSS it skips (screen-only rules) as warnings; they are not the user's.
for _name in ("weasyprint", "fontTools"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False


def to_pdf(html: str, folder: Path | None) -> bytes:
    """The HTML page as PDF bytes; `folder`: the house templates folder, where a relative
    file name in a house template is looked up."""
    try:
        import weasyprint  # noqa: PLC0415 -- heavy; only loaded when a PDF is made
    except ImportError as missing:  # the optional extra `pdf` is not installed
        raise BadInput(t("err.pdf_extra")) from missing
    except OSError as missing:  # the package is there, the system's Pango is not
        raise BadInput(t("err.pdf_pango", detail=missing)) from missing

    base = folder.resolve() if folder is not None else None

    class _Local(weasyprint.URLFetcher):  # type: ignore[misc]
        """Embedded data, and files in the house folder; nothing else."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("data:") and (base is None or not _inside(url, base)):
                raise ValueError(url)  # WeasyPrint leaves the resource out and goes on
            return super().fetch(url, headers)

    page = weasyprint.HTML(
        string=html,
        base_url=base.as_uri() + "/" if base else None,
        url_fetcher=_Local(allowed_protocols={"data", "file"}),
    )
    data: bytes = page.write_pdf()
    return data


def _inside(url: str, base: Path) -> bool:
    if not url.startswith("file:"):
        return False
    from urllib.parse import unquote, urlparse  # noqa: PLC0415 -- only for house files

    return Path(unquote(urlparse(url).path)).resolve().is_relative_to(base)

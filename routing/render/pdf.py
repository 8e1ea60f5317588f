"""A document's HTML page as PDF, through WeasyPrint: A4 pages, numbered in the footer.

WeasyPrint is the optional extra `pdf` (`pip install 'routing[pdf]'`): a Python package that
lays out with the system's Pango, so it installs from PyPI everywhere but needs Pango at run
time (Debian: libpango-1.0-0, libpangoft2-1.0-0). Without the package, or without Pango, `--format
pdf` is refused with what to install, exit 2; Markdown and HTML need neither. The page size, the
margins and the page numbers are the `@page` rules of `page.html.j2`.

The page may load nothing from outside: embedded data (the house logo) and files in the house
templates folder only, never a URL, so no template and no title can make a PDF fetch something.

WeasyPrint lays out in a process of its own (`python -m routing.render.pdf`, the page on stdin,
the PDF on stdout): the `diagrammen` extra's pygraphviz wheel brings its own copy of Pango, and
two copies of Pango in one process register the same GObject types and crash it (seen: a
segmentation fault in WeasyPrint's line breaking after a diagram was drawn in the same process).
A PDF costs the start of a Python process, a fraction of WeasyPrint's own import and layout.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

from routing.errors import BadInput
from routing.i18n import t

__all__ = ["to_pdf"]

# WeasyPrint reports CSS it skips (screen-only rules) as warnings; they are not the user's.
for _name in ("weasyprint", "fontTools"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False


# the worker's exit codes for what the user can mend
_NO_EXTRA = 3
_NO_PANGO = 4
# a page of a few hundred items lays out in seconds; a worker still busy after this is stuck
_TIMEOUT_S = 300


def to_pdf(html: str, folder: Path | None) -> bytes:
    """The HTML page as PDF bytes, laid out by a worker process; `folder`: the house templates
    folder, where a relative file name in a house template is looked up."""
    command = [sys.executable, "-m", "routing.render.pdf", str(folder or "")]
    done = subprocess.run(
        command, input=html.encode("utf-8"), capture_output=True, timeout=_TIMEOUT_S, check=False
    )
    if done.returncode == 0:
        return done.stdout
    said = done.stderr.decode("utf-8", "replace").strip().splitlines()
    detail = said[-1] if said else f"exit {done.returncode}"
    if done.returncode == _NO_EXTRA:  # the optional extra `pdf` is not installed
        raise BadInput(t("err.pdf_extra"))
    if done.returncode == _NO_PANGO:  # the package is there, the system's Pango is not
        raise BadInput(t("err.pdf_pango", detail=detail))
    raise RuntimeError(f"WeasyPrint: {detail}")  # a fault, not the user's: exit 3, one line


def _render(html: str, folder: Path | None) -> bytes:
    """The worker's part: lay the page out with WeasyPrint."""
    import weasyprint  # noqa: PLC0415 -- heavy; only loaded in the worker

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


def _worker() -> None:
    """`python -m routing.render.pdf [FOLDER]`: the page on stdin, the PDF on stdout."""
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] else None
    html = sys.stdin.buffer.read().decode("utf-8")
    try:
        import weasyprint  # noqa: F401, PLC0415 -- is it there, and can it load Pango?
    except ImportError:
        sys.exit(_NO_EXTRA)
    except OSError as missing:
        print(missing, file=sys.stderr)
        sys.exit(_NO_PANGO)
    sys.stdout.buffer.write(_render(html, folder))


if __name__ == "__main__":
    _worker()

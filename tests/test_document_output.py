"""How a meeting document leaves the program: the format from `-o`'s extension, PDF on A4
through WeasyPrint (read back with pypdfium2: page size, text, not blank), the house style's
templates, style sheet and logo from `[documents] templates`, and a broken house template named
with its line.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import InProcessCli
from tests.fuzzing import dump

NOW = ("--now", "2024-02-14T09:00")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
A4_POINTS = (595.28, 841.89)  # 210 x 297 mm
# the smallest valid PNG: one red pixel
RED_PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763"
    "f8cfc000000301010018dd8db00000000049454e44ae426082"
)


@pytest.fixture
def agenda(cli: InProcessCli) -> dict[str, str]:
    """Two items on the Regieteam of 20 Feb 2024, one confidential with a hostile title."""
    at = ("--now", "2024-02-05T09:00")
    ids = {
        "besluit": cli("new", "Regionaal Werkcentrum", "--flow", "agendapunt-stuurgroep",
                       "--kenmerk", "DOC-24003697", "--owner", "Kevin van Pernis",
                       "--voor", "besluitvorming", *at).stdout.strip(),
        "geheim": cli("new", "Geheim <b>dossier</b> & co", "--flow", "agendapunt-stuurgroep",
                      "--kenmerk", "DOC-9", "--vertrouwelijk", *at).stdout.strip(),
    }  # fmt: skip
    for item in ids.values():
        cli("move", item, "agenderen", *at)
    return ids


def _house(config: Path, **files: str | bytes) -> Path:
    """A house style folder next to routing.toml, named in [documents] templates."""
    folder = config.parent / "huisstijl"
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        path = folder / name.replace("__", ".")
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    text = config.read_text(encoding="utf-8")
    if '# templates = "huisstijl"' in text:
        config.write_text(text.replace('# templates = "huisstijl"', 'templates = "huisstijl"'))
    return folder


# --- the format follows the extension of -o --------------------------------------------------


@pytest.mark.parametrize(
    ("name", "starts"),
    [
        ("agenda.html", "<!DOCTYPE html>"),
        ("agenda.HTM", "<!DOCTYPE html>"),
        ("agenda.md", "# Agenda Regieteam Werk & Participatie"),
        ("agenda.json", "{"),
    ],
)
def test_the_format_follows_the_extension_of_the_output(
    cli: InProcessCli, agenda: dict[str, str], tmp_path: Path, name: str, starts: str
) -> None:
    target = tmp_path / name
    cli("agenda", "regieteam", "-o", str(target), *NOW)
    assert target.read_text(encoding="utf-8").startswith(starts)


def test_format_given_wins_over_the_extension(
    cli: InProcessCli, agenda: dict[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "agenda.html"
    cli("agenda", "regieteam", "--format", "md", "-o", str(target), *NOW)
    assert target.read_text(encoding="utf-8").startswith("# Agenda Regieteam")
    data = tmp_path / "agenda.txt"
    cli("agenda", "regieteam", "--format", "json", "-o", str(data), *NOW)
    assert json.loads(data.read_text(encoding="utf-8"))["kind"] == "agenda"


@pytest.mark.parametrize("name", ["agenda.txt", "agenda", "agenda.docx"])
def test_an_extension_that_names_no_format_is_refused_in_one_line(
    cli: InProcessCli, agenda: dict[str, str], config_path: Path, tmp_path: Path, name: str
) -> None:
    cli("agenda", "regieteam", *NOW)  # the calendar sync a read at this time does, done
    before = dump(config_path.parent / "routing.db")
    target = tmp_path / name
    refused = cli("agenda", "regieteam", "-o", str(target), *NOW, check=False)
    assert refused.returncode == 2
    assert refused.stderr == (
        f"routing: -o {target}: aan die naam is niet te zien welk formaat; eindig op .md, "
        ".html, .pdf, .json of geef --format (md, html, pdf, json, ori).\n"
    )
    assert not target.exists()
    assert dump(config_path.parent / "routing.db") == before


def test_a_pdf_goes_to_a_file(cli: InProcessCli, agenda: dict[str, str]) -> None:
    refused = cli("agenda", "regieteam", "--format", "pdf", *NOW, check=False)
    assert refused.returncode == 2
    assert refused.stderr == (
        "routing: --format pdf schrijft een bestand: geef ook -o, bijvoorbeeld -o BESTAND.pdf.\n"
    )


# --- PDF -------------------------------------------------------------------------------------


def _pdf_tools() -> object:
    try:
        import weasyprint  # noqa: F401
    except OSError as missing:  # pragma: no cover - .ci/run installs Pango
        pytest.skip(f"WeasyPrint finds no Pango here ({missing}); .ci/run installs it")
    import pypdfium2

    return pypdfium2


def _read_pdf(path: Path, shot: str) -> tuple[list[tuple[float, float]], str, float]:
    """Each page's size in points, the text of all pages, and the share of the first page's
    pixels that is not white; the first page kept as a PNG in test-artifacts/."""
    pdfium = _pdf_tools()
    doc = pdfium.PdfDocument(path)  # type: ignore[attr-defined]
    try:
        sizes = [doc[n].get_size() for n in range(len(doc))]
        text = "\n".join(doc[n].get_textpage().get_text_range() for n in range(len(doc)))
        text = text.replace("\r\n", "\n")
        image = doc[0].render(scale=1).to_pil().convert("L")
        ARTIFACTS.mkdir(exist_ok=True)
        image.save(ARTIFACTS / shot)
        histogram = image.histogram()
        inked = 1 - sum(histogram[245:]) / sum(histogram)
    finally:
        doc.close()
    return sizes, text, inked


def test_pdf_agenda_is_a4_with_the_title_page_numbers_and_ink(
    cli: InProcessCli, agenda: dict[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "agenda.pdf"
    cli("agenda", "regieteam", "-o", str(target), *NOW)
    assert target.read_bytes()[:5] == b"%PDF-"
    sizes, text, inked = _read_pdf(target, "agenda-regieteam-pdf.png")
    assert sizes and all(abs(w - A4_POINTS[0]) < 1 and abs(h - A4_POINTS[1]) < 1 for w, h in sizes)
    assert "Agenda Regieteam Werk & Participatie" in text
    lines = text.splitlines()
    assert lines[:2] == ["Agenda Regieteam Werk & Participatie", "Datum dinsdag 20 februari 2024"]
    assert "1. Opening" in lines and "6. Regionaal Werkcentrum" in lines
    assert "8. Rondvraag" in lines and "9. Sluiting" in lines
    assert "Geheim <b>dossier</b> & co" in text  # text, not markup
    assert f"Pagina 1 van {len(sizes)}" in text
    assert inked > 0.01, f"the page is (nearly) blank: {inked:.4f} of it is not white"


def test_pdf_openbaar_and_besluitenlijst(
    cli: InProcessCli, agenda: dict[str, str], tmp_path: Path
) -> None:
    public = tmp_path / "openbaar.pdf"
    cli("agenda", "regieteam", "--openbaar", "-o", str(public), *NOW)
    _, text, _ = _read_pdf(public, "agenda-openbaar-pdf.png")
    assert "Vertrouwelijk punt" in text and "Geheim" not in text
    assert "Stukken" not in text and "Kevin van Pernis" not in text
    cli("meeting", "close", "regieteam", "2024-02-20", "-o", f"{agenda['besluit']}=doorzetten",
        "-o", f"{agenda['geheim']}=aanhouden", "--now", "2024-02-20T12:00")  # fmt: skip
    decisions = tmp_path / "besluiten.pdf"
    cli("besluitenlijst", "regieteam", "--meeting", "2024-02-20", "-o", str(decisions),
        "--now", "2024-02-21")  # fmt: skip
    sizes, text, inked = _read_pdf(decisions, "besluitenlijst-regieteam-pdf.png")
    assert all(abs(w - A4_POINTS[0]) < 1 for w, _ in sizes)
    assert "Besluitenlijst Regieteam Werk & Participatie" in text
    assert "Regionaal Werkcentrum" in text and inked > 0.01


def _broken_weasyprint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str) -> None:
    """A `weasyprint` first on the PDF worker's path that fails to import as `failure` says:
    the worker is a process of its own, so it is broken the way a machine breaks it."""
    fake = tmp_path / "fake-packages"
    fake.mkdir()
    (fake / "weasyprint.py").write_text(f"raise {failure}\n", encoding="utf-8")
    paths = [str(fake), *filter(None, [os.environ.get("PYTHONPATH")])]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))


def test_pdf_without_weasyprint_names_the_extra(
    cli: InProcessCli, agenda: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _broken_weasyprint(tmp_path, monkeypatch, "ImportError('No module named weasyprint')")
    target = tmp_path / "agenda.pdf"
    refused = cli("agenda", "regieteam", "-o", str(target), *NOW, check=False)
    assert refused.returncode == 2
    assert refused.stderr == (
        "routing: Voor PDF is WeasyPrint nodig: installeer het met pip install "
        "'routing[pdf]' (HTML en Markdown kunnen zonder).\n"
    )
    assert not target.exists()
    cli("agenda", "regieteam", "-o", str(tmp_path / "agenda.html"), *NOW)


def test_pdf_without_pango_names_the_system_libraries(
    cli: InProcessCli, agenda: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # how WeasyPrint's import fails on a machine without Pango
    _broken_weasyprint(tmp_path, monkeypatch, "OSError(\"cannot load library 'libpango-1.0-0'\")")
    target = tmp_path / "agenda.pdf"
    refused = cli("agenda", "regieteam", "-o", str(target), *NOW, check=False)
    assert refused.returncode == 2
    assert refused.stderr == (
        "routing: WeasyPrint vindt de systeembibliotheek Pango niet (cannot load library "
        "'libpango-1.0-0'); installeer die (Debian: apt-get install libpango-1.0-0 "
        "libpangoft2-1.0-0).\n"
    )
    assert not target.exists()


def test_a_pdf_after_a_diagram_in_the_same_process(
    cli: InProcessCli, agenda: dict[str, str], tmp_path: Path
) -> None:
    """pygraphviz's wheel brings its own Pango; a diagram drawn in this process, then a PDF:
    WeasyPrint lays out in a worker of its own, so the two copies never meet (in one process
    they crashed it)."""
    pytest.importorskip("pygraphviz")
    cli("flows", "initiatief", "--diagram", str(tmp_path / "route.png"))
    target = tmp_path / "agenda.pdf"
    cli("agenda", "regieteam", "-o", str(target), *NOW)
    assert target.read_bytes().startswith(b"%PDF-")


# --- the house style -------------------------------------------------------------------------


def test_house_templates_style_and_logo_replace_the_shipped_ones(
    cli: InProcessCli, agenda: dict[str, str], config_path: Path, tmp_path: Path
) -> None:
    _house(
        config_path,
        agenda__html__j2=(
            '{% extends "page.html.j2" %}\n{% block points %}<ul id="huis">\n'
            '{% for item in doc["items"] %}<li>{{ item.number }} {{ item.title }}</li>\n'
            "{% endfor %}</ul>{% endblock %}\n"
        ),
        page__html__j2=(
            '{% extends "routing/page.html.j2" %}\n'
            "{% block footer %} · Regio Gooi en Vechtstreek{% endblock %}\n"
        ),
        huisstijl__css="h1 { color: #c8102e; } /* </style><script>x</script> */\n",
        logo__png=RED_PIXEL,
    )
    html = cli("agenda", "regieteam", "-f", "html", *NOW).stdout
    assert '<ul id="huis">' in html and '<li class="point"' not in html
    assert "<li>6 Regionaal Werkcentrum</li>" in html
    assert "<li>7 Geheim &lt;b&gt;dossier&lt;/b&gt; &amp; co</li>" in html  # still escaped
    assert "· Regio Gooi en Vechtstreek</footer>" in html  # the house page, on the shipped one
    assert "h1 { color: #c8102e; }" in html
    assert "<\\/style><script>" in html  # inert text inside the style sheet
    assert html.count("</style>") == 2  # the shipped sheet and the house sheet, nothing closed
    assert '<img class="logo" src="data:image/png;base64,' in html
    # Markdown has no house template: the shipped one
    assert cli("agenda", "regieteam", *NOW).stdout.startswith("# Agenda Regieteam")
    pdf = tmp_path / "huis.pdf"
    cli("agenda", "regieteam", "-o", str(pdf), *NOW)
    _, text, _ = _read_pdf(pdf, "agenda-huisstijl-pdf.png")
    assert "6 Regionaal Werkcentrum" in text and "Regio Gooi en Vechtstreek" in text


@pytest.mark.parametrize(
    ("template", "line", "detail"),
    [
        ('{% extends "page.html.j2" %}\n{% block points %}\n{% if %}{% endblock %}\n', 3,
         "Expected an expression, got 'end of statement block'"),
        ('{% extends "page.html.j2" %}\n{% block points %}{{ doc.nope.more }}{% endblock %}\n', 2,
         "'dict object' has no attribute 'nope'"),
        ('{% extends "page.html.j2" %}\n\n{% block points %}{{ doc.__class__ }}{% endblock %}\n', 3,
         "access to attribute '__class__' of 'dict' object is unsafe"),
    ],
)  # fmt: skip
def test_a_broken_house_template_is_named_with_its_line(
    cli: InProcessCli,
    agenda: dict[str, str],
    config_path: Path,
    tmp_path: Path,
    template: str,
    line: int,
    detail: str,
) -> None:
    cli("agenda", "regieteam", *NOW)  # the calendar sync a read at this time does, done
    folder = _house(config_path, agenda__html__j2=template)
    before = dump(config_path.parent / "routing.db")
    target = tmp_path / "agenda.html"
    refused = cli("agenda", "regieteam", "-o", str(target), *NOW, check=False)
    assert refused.returncode == 2
    assert refused.stderr == (
        f"routing: Sjabloon {folder / 'agenda.html.j2'}, regel {line}: {detail}. Herstel het, "
        "of haal het uit de map om het meegeleverde te gebruiken.\n"
    )
    assert not target.exists()
    assert dump(config_path.parent / "routing.db") == before


def test_a_missing_house_folder_is_named(
    cli: InProcessCli, agenda: dict[str, str], config_path: Path
) -> None:
    text = config_path.read_text(encoding="utf-8")
    config_path.write_text(text.replace('# templates = "huisstijl"', 'templates = "nergens"'))
    refused = cli("agenda", "regieteam", *NOW, check=False)
    assert refused.returncode == 2
    assert refused.stderr == (
        f"routing: documents.templates in routing.toml: de map {config_path.parent / 'nergens'} "
        "bestaat niet; maak hem aan of haal de sleutel weg.\n"
    )
    cli("list")  # the other commands do not mind

"""Papers: `routing stukken ID --link URL | --file PATH [--title]` records a link or a copy of a
file (with its SHA-256) in the papers folder; `show` and the agenda list them; `--remove` takes
one off. Bad input exits 2 with one Dutch line and leaves no row and no file behind.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import sqlite3
import urllib.parse
from contextlib import closing
from pathlib import Path

import pytest

from routing.config.file import load_config
from routing.config.schema import Problems
from routing.engine import papers as engine_papers
from routing.runtime import Runtime
from store.papers import papers_of
from tests.conftest import InProcessCli, starter_text

AT = ("--now", "2024-02-05T09:00")
LATER = ("--now", "2024-02-07T09:00")
AGENDA_AT = ("--now", "2024-02-14T09:00")
CONTENT = b"%PDF-1.4 notitie over het regionaal werkcentrum\n" * 100


def _dump(database: Path) -> list[str]:
    with closing(sqlite3.connect(database)) as db:
        return list(db.iterdump())


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


@pytest.fixture
def item(cmd: InProcessCli) -> str:
    """An item on the Regieteam of 20 February 2024, its papers due on the 13th."""
    made = cmd("new", "Regionaal Werkcentrum", "--flow", "agendapunt-stuurgroep", *AT)
    cmd("move", made.stdout.strip(), "agenderen", *AT)
    return made.stdout.strip()


@pytest.fixture
def folder(config_path: Path) -> Path:
    """The papers folder of the starter configuration: `stukken` next to routing.db."""
    return config_path.parent / "stukken"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "aan te leveren" / "Notitie werkcentrum (v2).pdf"
    path.parent.mkdir()
    path.write_bytes(CONTENT)
    return path


def _shown(cmd: InProcessCli, item: str) -> dict[str, object]:
    return json.loads(cmd("show", item, "--json", *LATER).stdout)  # type: ignore[no-any-return]


# --- recording --------------------------------------------------------------------------------


def test_a_file_is_copied_with_its_checksum_and_the_papers_are_in(
    cmd: InProcessCli, item: str, source: Path, folder: Path
) -> None:
    done = cmd("stukken", item, "--file", str(source), "--title", "Notitie", *LATER)
    assert f"Stuk #1 vastgelegd bij item {item}: Notitie" in done.stdout
    assert "2 termijnen afgehandeld" in done.stdout  # what `stukken` alone does, done too
    (paper,) = _shown(cmd, item)["papers"]  # type: ignore[misc]
    sha = hashlib.sha256(CONTENT).hexdigest()
    assert paper["file"] == f"{item}/{sha[:16]}-Notitie_werkcentrum_v2.pdf"
    copy = folder / paper["file"]
    assert paper["path"] == str(copy)
    # the copy is the file: its checksum read back from the copy, not from the source
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == paper["sha256"] == sha
    assert paper["size"] == copy.stat().st_size == len(CONTENT)
    assert source.read_bytes() == CONTENT  # copied, not moved
    assert paper["url"] is None and paper["actor"] and paper["added_at"].startswith("2024-02-07")
    assert _files(folder) == [item, paper["file"]]  # no temporary file left
    # the deadlines are met: `stukken` alone now says there is nothing open
    again = cmd("stukken", item, *LATER, check=False)
    assert again.returncode == 1


def test_a_link_is_recorded_and_the_title_defaults_to_the_name(
    cmd: InProcessCli, item: str, source: Path, folder: Path
) -> None:
    cmd("stukken", item, "--link", "https://example.nl/raadsvoorstel.pdf?versie=2", *LATER)
    cmd("stukken", item, "--file", str(source), *LATER)
    papers = _shown(cmd, item)["papers"]
    assert [(p["title"], p["url"], p["sha256"] is None) for p in papers] == [  # type: ignore[attr-defined]
        ("https://example.nl/raadsvoorstel.pdf?versie=2",
         "https://example.nl/raadsvoorstel.pdf?versie=2", True),
        ("Notitie werkcentrum (v2).pdf", None, False),
    ]  # fmt: skip


def test_the_same_file_twice_shares_one_copy_and_removing_keeps_it(
    cmd: InProcessCli, item: str, source: Path, folder: Path
) -> None:
    cmd("stukken", item, "--file", str(source), *LATER)
    cmd("stukken", item, "--file", str(source), "--title", "Nogmaals", *LATER)
    first, second = _shown(cmd, item)["papers"]  # type: ignore[misc]
    assert first["file"] == second["file"] and len(_files(folder)) == 2  # the folder, one copy
    removed = cmd("stukken", item, "--remove", str(first["id"]), "--note", "dubbel", *LATER)
    assert f"Stuk #{first['id']}" in removed.stdout and "blijft" in removed.stdout
    shown = _shown(cmd, item)
    assert [p["id"] for p in shown["papers"]] == [second["id"]]  # type: ignore[attr-defined]
    assert (folder / first["file"]).read_bytes() == CONTENT
    notes = [e["note"] for e in shown["history"] if e["trigger"] == "stukken"]  # type: ignore[attr-defined]
    assert notes[0].startswith(f"Stuk #{first['id']} toegevoegd: Notitie werkcentrum (v2).pdf")
    assert hashlib.sha256(CONTENT).hexdigest()[:12] in notes[0]
    assert notes[-1] == f"Stuk #{first['id']} verwijderd: Notitie werkcentrum (v2).pdf\ndubbel"
    assert cmd("audit", "verify").stdout.startswith("Audittrail intact: 5 events")


def test_removing_a_paper_of_another_item_or_none_changes_nothing(
    cmd: InProcessCli, item: str, config_path: Path
) -> None:
    other = cmd("new", "Ander punt", "--flow", "initiatief", *AT).stdout.strip()
    cmd("stukken", other, "--link", "https://example.nl/a.pdf", *LATER)
    before = _dump(config_path.parent / "routing.db")
    for args in (("--remove", "1"), ("--remove", "99")):
        refused = cmd("stukken", item, *args, *LATER, check=False)
        assert refused.returncode == 2
        assert refused.stderr.startswith("routing: Stuk ") and "bestaat niet" in refused.stderr
    assert _dump(config_path.parent / "routing.db") == before


# --- names that must not hurt -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("\x1b[31mrood\x1b[0m\nregel.pdf", "31mrood_0m_regel.pdf"),
        ("..verborgen", "verborgen"),
        ("één—rapport ✓.docx", "een_rapport.docx"),
        ("x" * 240 + ".pdf", "x" * 96 + ".pdf"),
        ("$(rm -rf ~);`id`.pdf", "rm_-rf_id.pdf"),
    ],
)
def test_hostile_file_names_are_stored_under_a_safe_name(
    cmd: InProcessCli, item: str, tmp_path: Path, folder: Path, name: str, stored: str
) -> None:
    path = tmp_path / "in" / name
    path.parent.mkdir()
    path.write_bytes(b"inhoud")
    cmd("stukken", item, "--file", str(path), *LATER)
    (paper,) = _shown(cmd, item)["papers"]  # type: ignore[misc]
    sha = hashlib.sha256(b"inhoud").hexdigest()
    assert paper["file"] == f"{item}/{sha[:16]}-{stored}"
    copy = (folder / paper["file"]).resolve()
    assert copy.parent == (folder / item).resolve() and copy.read_bytes() == b"inhoud"
    assert "\x1b" not in paper["title"] and "\n" not in paper["title"]


def test_a_path_that_climbs_is_copied_by_its_own_name_only(
    cmd: InProcessCli, item: str, tmp_path: Path, folder: Path
) -> None:
    target = tmp_path / "passwd"
    target.write_text("root:x:0:0\n")
    climbing = tmp_path / "a" / "b"
    climbing.mkdir(parents=True)
    cmd("stukken", item, "--file", str(climbing / ".." / ".." / "passwd"), *LATER)
    (paper,) = _shown(cmd, item)["papers"]  # type: ignore[misc]
    assert re.fullmatch(rf"{item}/[0-9a-f]{{16}}-passwd", paper["file"])
    assert (folder / paper["file"]).resolve().is_relative_to(folder.resolve())


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "a/../../b",
        "\x00x",
        "",
        ".",
        "..",
        "....",
        "~/.ssh/id_rsa",
        "\u202e.pdf",
    ],
)
def test_safe_name_never_leaves_the_folder(name: str) -> None:
    safe = engine_papers.safe_name(name)
    assert re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9._-]*", safe), safe
    assert "/" not in safe and ".." not in safe.split("/") and not safe.startswith(".")


# --- bad input: exit 2, one Dutch line, no row and no file ------------------------------------


def _bad_inputs(tmp_path: Path, source: Path) -> list[tuple[tuple[str, ...], str]]:
    fifo = tmp_path / "pijp"
    os.mkfifo(fifo)
    return [
        (("--file", str(tmp_path / "bestaat-niet.pdf")), "bestaat niet"),
        (("--file", str(tmp_path)), "is een map"),
        (("--file", str(fifo)), "geen gewoon bestand"),
        (("--link", "ftp://example.nl/a.pdf"), "Geen bruikbare link"),
        (("--link", "javascript:alert(1)"), "Geen bruikbare link"),
        (("--link", "https://"), "Geen bruikbare link"),
        (("--link", "https://example.nl/a b.pdf"), "Geen bruikbare link"),
        (("--link", "https://example.nl/\x1b[2J.pdf"), "Geen bruikbare link"),
        (("--link", "https://example.nl:poort/a.pdf"), "Geen bruikbare link"),
        (("--link", "https://piet:geheim@example.nl/a.pdf"), "wachtwoord"),
        (("--link", "https://example.nl/a.pdf", "--file", str(source)), "niet allebei"),
        (("--file", str(source), "--file", str(source)), "één stuk per opdracht"),
        (("--file", str(source), "--title", "a\x1bb"), "U+001B"),
        (("--file", str(source), "--title", "  "), "titel"),
        (("--title", "Alleen een titel"), "--title hoort bij een stuk"),
        (("--remove", "1", "--link", "https://example.nl/a.pdf"), "--remove gaat niet samen"),
    ]


def test_bad_input_exits_2_with_one_line_and_leaves_no_row_and_no_file(
    cmd: InProcessCli, item: str, tmp_path: Path, source: Path, folder: Path, config_path: Path
) -> None:
    database = config_path.parent / "routing.db"
    before = _dump(database)
    for args, said in _bad_inputs(tmp_path, source):
        refused = cmd("stukken", item, *args, *LATER, check=False)
        assert refused.returncode == 2, (args, refused.stdout, refused.stderr)
        assert refused.stderr.startswith("routing: ") and said in refused.stderr, refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
        assert refused.stdout == ""
        assert _dump(database) == before, args
        assert _files(folder) == [], args
    # an unknown item: not even a copy is made
    refused = cmd("stukken", "999", "--file", str(source), *LATER, check=False)
    assert refused.returncode == 2 and "Item 999 bestaat niet" in refused.stderr
    assert _dump(database) == before and _files(folder) == []


def test_an_unreadable_file_is_refused_without_a_copy(
    cmd: InProcessCli,
    item: str,
    source: Path,
    folder: Path,
    config_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Refused to be opened (chmod 000 does not stop root, so the refusal is the system's own
    error raised where the file is opened)."""
    opened = Path.open

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        if self == source:
            raise PermissionError(13, "Permission denied", str(self))
        return opened(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", refuse)
    before = _dump(config_path.parent / "routing.db")
    refused = cmd("stukken", item, "--file", str(source), *LATER, check=False)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        f"routing: Bestand {source} is niet te lezen: Permission denied."
    )
    assert _dump(config_path.parent / "routing.db") == before and _files(folder) == []


def test_a_transaction_that_fails_after_the_copy_removes_the_copy(
    rt: Runtime, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy is written first; when the row cannot be written it goes again (here the
    audit step fails, on SQLite and PostgreSQL)."""
    from routing.engine.items import ItemSpec, create_item

    made = create_item(rt, ItemSpec(title="Werkcentrum", flow="initiatief"))
    assert made.id is not None

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(engine_papers, "write_item", broken)
    with pytest.raises(OSError, match="disk full"):
        engine_papers.add_paper(rt, made.id, file=str(source))
    assert _files(rt.config.papers_folder) == []
    with rt.session(read=True) as db:
        assert papers_of(db, [made.id]) == []


# --- PostgreSQL and SQLite: the same rows ---------------------------------------------------


def test_papers_are_stored_and_read_back_on_both_stores(
    rt: Runtime, source: Path, backend: str
) -> None:
    from routing.engine.items import ItemSpec, create_item
    from routing.read.items import item_detail

    made = create_item(rt, ItemSpec(title="Werkcentrum", flow="initiatief"))
    assert made.id is not None
    added = engine_papers.add_paper(rt, made.id, file=str(source), title="Notitie")
    engine_papers.add_paper(rt, made.id, link="https://example.nl/rv.pdf")
    assert added.path is not None and added.path.read_bytes() == CONTENT
    if backend == "postgres":  # PostgreSQL has no database file: next to routing.toml
        assert added.path.is_relative_to(rt.config.path.parent / "stukken")
    papers = item_detail(rt, made.id)["papers"]
    assert [(p["title"], p["size"], p["url"]) for p in papers] == [
        ("Notitie", len(CONTENT), None),
        ("https://example.nl/rv.pdf", None, "https://example.nl/rv.pdf"),
    ]
    assert papers[0]["sha256"] == hashlib.sha256(CONTENT).hexdigest()
    engine_papers.remove_paper(rt, made.id, papers[1]["id"])
    assert [p["id"] for p in item_detail(rt, made.id)["papers"]] == [papers[0]["id"]]
    from routing.read.audit import verify

    assert verify(rt).report.intact


# --- show and the agenda ----------------------------------------------------------------------


def test_show_lists_the_papers(cmd: InProcessCli, item: str, source: Path) -> None:
    cmd("stukken", item, "--file", str(source), "--title", "Notitie", *LATER)
    cmd("stukken", item, "--link", "https://example.nl/rv.pdf", "--title", "Raadsvoorstel", *LATER)
    text = cmd("show", item, *LATER, env={"COLUMNS": "200"}).stdout
    section = text[text.index("Stukken") : text.index("Nu mogelijk")]
    sha = hashlib.sha256(CONTENT).hexdigest()
    assert "Notitie" in section and sha[:12] in section and "Raadsvoorstel" in section
    assert "https://example.nl/rv.pdf" in section and "7 feb 2024 09:00" in section
    assert f"{sha[:16]}-Notitie_werkcentrum_v2.pdf" in section


@pytest.fixture
def agenda_items(cmd: InProcessCli, item: str, source: Path) -> dict[str, str]:
    """The item with a file and a link; a confidential one and a not-to-be-distributed one,
    each with a link."""
    secret = cmd("new", "Geheim dossier", "--flow", "agendapunt-stuurgroep", "--kenmerk", "DOC-9",
                 "--vertrouwelijk", *AT).stdout.strip()  # fmt: skip
    kept = cmd("new", "Binnenskamers", "--flow", "agendapunt-stuurgroep", "--niet-verspreiden",
               *AT).stdout.strip()  # fmt: skip
    for other in (secret, kept):
        cmd("move", other, "agenderen", *AT)
    cmd("stukken", item, "--file", str(source), "--title", "Notitie [concept]", *LATER)
    cmd("stukken", item, "--link", "https://example.nl/rv.pdf?a=1&b=(2)", "--title", "RV", *LATER)
    cmd("stukken", secret, "--link", "https://example.nl/geheim.pdf", "--title", "Geheim", *LATER)
    cmd("stukken", kept, "--link", "https://example.nl/intern.pdf", "--title", "Intern", *LATER)
    return {"item": item, "secret": secret, "kept": kept}


def test_the_agenda_links_the_papers_relative_to_where_it_is_written(
    cmd: InProcessCli, agenda_items: dict[str, str], tmp_path: Path, folder: Path
) -> None:
    out = tmp_path / "vergadering"
    out.mkdir()
    cmd("agenda", "regieteam", "-f", "html", "-o", str(out / "agenda.html"), *AGENDA_AT)
    page = (out / "agenda.html").read_text(encoding="utf-8")
    hrefs = dict(
        (html.unescape(title), html.unescape(href))
        for href, title in re.findall(r'<a href="([^"]+)">([^<]+)</a>', page)
    )
    assert set(hrefs) == {"Notitie [concept]", "RV", "Geheim", "Intern"}  # the secretariat's
    relative = hrefs["Notitie [concept]"]
    assert not relative.startswith(("/", "file:"))
    found = (out / urllib.parse.unquote(relative)).resolve()
    assert found.read_bytes() == CONTENT and found.is_relative_to(folder.resolve())
    assert hrefs["RV"] == "https://example.nl/rv.pdf?a=1&b=%282%29"

    markdown = cmd("agenda", "regieteam", *AGENDA_AT).stdout  # to the terminal: absolute
    copy = next(folder.rglob("*-Notitie_werkcentrum_v2.pdf"))
    assert f"   - [Notitie \\[concept\\]](<{copy.as_uri()}>)" in markdown
    assert "   - [RV](<https://example.nl/rv.pdf?a=1&b=%282%29>)" in markdown
    shaped = json.loads(cmd("agenda", "regieteam", "-f", "json", *AGENDA_AT).stdout)
    point = next(p for p in shaped["items"] if p["id"] == int(agenda_items["item"]))
    assert point["papers"] == "in"  # the status stays what it was
    assert point["paper_links"] == [
        {"title": "Notitie [concept]", "href": copy.as_uri()},
        {"title": "RV", "href": "https://example.nl/rv.pdf?a=1&b=%282%29"},
    ]


def test_the_openbaar_agenda_does_not_link_confidential_or_undistributed_papers(
    cmd: InProcessCli, agenda_items: dict[str, str]
) -> None:
    for fmt in ("md", "html", "json"):
        text = cmd("agenda", "regieteam", "--openbaar", "-f", fmt, *AGENDA_AT).stdout
        assert "rv.pdf" in text, fmt  # a public item's papers are linked
        assert "geheim.pdf" not in text and "Geheim" not in text, fmt
        assert "intern.pdf" not in text and "Intern" not in text, fmt


# --- configuration ----------------------------------------------------------------------------


def test_the_papers_folder_is_configurable_relative_to_routing_toml(
    cmd: InProcessCli, item: str, source: Path, config_path: Path
) -> None:
    config_path.write_text(
        starter_text().replace('# folder = "stukken"', 'folder = "archief/stukken"'),
        encoding="utf-8",
    )
    assert load_config(config_path).papers_folder == config_path.parent / "archief" / "stukken"
    cmd("stukken", item, "--file", str(source), *LATER)
    assert len(list((config_path.parent / "archief" / "stukken" / item).iterdir())) == 1
    assert not (config_path.parent / "stukken").exists()


def test_the_default_folder_follows_the_database(tmp_path: Path) -> None:
    from routing.config.papers import papers_folder

    problems = Problems()
    elsewhere = f"sqlite:///{tmp_path}/data/routing.db"
    assert papers_folder({}, tmp_path / "conf", elsewhere, problems) == tmp_path / "data/stukken"
    postgres = "postgresql+psycopg://routing@localhost/routing"
    assert papers_folder({}, tmp_path / "conf", postgres, problems) == tmp_path / "conf/stukken"
    assert problems.found == []
    papers_folder({"folder": "a\x07b"}, tmp_path, elsewhere, problems)
    assert problems.found == ["papers.folder: 'a\x07b' is geen bruikbare map; geef een pad zonder "
                              "stuurtekens"]  # fmt: skip

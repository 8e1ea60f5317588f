"""`routing status --format html -o FILE`: the board as a printable page, opened in headless
Chromium: the bodies, their items with the next action, a late one marked, the coming two
weeks; hostile titles stay text; nothing is loaded from elsewhere; a bad format is refused.

On 14 February 2024 an initiative whose papers for the Regieteam (due 13 February 12:00) never
came is late; another one, registered with a hostile title, has its papers in.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import InProcessCli
from tests.fuzzing import dump
from tests.test_documents import _chromium, _headless

NOW = ("--now", "2024-02-14T09:00")
HOSTILE = '<script>alert("x")</script> & <img src="http://example.org/p.png">'


def _items(cmd: InProcessCli) -> None:
    cmd("new", "Laat initiatief", "--flow", "initiatief", "--now", "2024-02-01T09:00")
    cmd("new", HOSTILE, "--flow", "initiatief", "--now", "2024-02-01T09:00")
    for item in ("1", "2"):
        cmd("move", item, "agenderen", "--now", "2024-02-01T09:00")
    cmd("stukken", "2", "--now", "2024-02-05T09:00")
    cmd("daemon", "--once", "--now", "2024-02-13T13:00")


def test_the_page_renders_in_chromium_with_the_bodies_and_a_late_item_marked(
    cmd: InProcessCli, tmp_path: Path
) -> None:
    chromium = _chromium()
    _items(cmd)
    page = tmp_path / "status.html"
    said = cmd("status", "--format", "html", "-o", str(page), *NOW).stdout
    assert str(page) in said.replace("\n", "")
    html = page.read_text(encoding="utf-8")
    # nothing from elsewhere: no link, script, image, frame or style sheet outside the file
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html, re.IGNORECASE)
    assert not re.search(r"@import|url\(|<script|<link|<iframe", html, re.IGNORECASE)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img" in html
    assert "size: A4" in html and "@media print" in html
    dom = _headless(chromium, tmp_path / "profile", "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr
    sections = re.findall(r'<section class="body">\s*<h2>([^<]+)</h2>', dom.stdout)
    assert sections[0] == "Regieteam Werk &amp; Participatie"
    assert "PFHO Werk &amp; Participatie" in sections
    rows = re.findall(r'<tr class="(\w+)">\s*<td class="title">(.*?)</td>', dom.stdout, re.S)
    late = [title for status, title in rows if status == "late"]
    assert len(late) == 1 and "Laat initiatief" in late[0] and "te laat" in late[0]
    assert any("&lt;script&gt;" in title for status, title in rows if status != "late")
    assert "<script>" not in dom.stdout.split("<body>")[1]
    assert "stukken aanleveren bij Regieteam Werk &amp; Participatie" in dom.stdout
    assert "Komende twee weken" in dom.stdout and "20 februari 2024 10:00" in dom.stdout
    shot = tmp_path / "status.png"
    taken = _headless(chromium, tmp_path / "profile2", "--window-size=900,1300",
                      f"--screenshot={shot}", page.as_uri())  # fmt: skip
    assert taken.returncode == 0, taken.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_page_goes_to_stdout_without_o_and_the_terminal_board_stays(
    cmd: InProcessCli,
) -> None:
    _items(cmd)
    html = cmd("status", "--format", "html", *NOW).stdout
    assert html.startswith("<!DOCTYPE html>") and "Statusoverzicht" in html
    board = cmd("status", *NOW).stdout
    assert "<html" not in board and "Laat initiatief" in board


def test_a_bad_format_or_file_name_exits_2_with_one_line_and_changes_nothing(
    cmd: InProcessCli, migrated_store: Path, tmp_path: Path
) -> None:
    _items(cmd)
    before = dump(migrated_store)
    for args, said in [
        (("--format", "pdf"), "--format"),
        (("-o", str(tmp_path / "status.txt")), "status.txt"),
        (("-o", str(tmp_path / "nergens" / "status.html")), "nergens"),
    ]:
        result = cmd("status", *args, *NOW, check=False)
        assert result.returncode == 2, args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and said in lines[0], lines
    assert dump(migrated_store) == before
    assert not list(tmp_path.glob("status*"))

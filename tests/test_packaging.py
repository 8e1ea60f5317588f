"""The wheel holds what an installed `routing` needs: its packages, the starter routing.toml, the
document templates, the flow files and the migrations; and nothing of the tests.

The wheel is built once for this module from a clean copy of the sources, with this venv's
setuptools (`--no-build-isolation`: no network, a few seconds). Installing it into a bare
virtualenv and running `routing init` / `check` there is `.ci/run`'s job.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("routing", "flows", "store", "pyproject.toml", "README.md")


class Wheel:
    def __init__(self, path: Path, build_output: str) -> None:
        self.path = path
        self.build_output = build_output
        with zipfile.ZipFile(path) as archive:
            self.names = set(archive.namelist())
            metadata = next(n for n in self.names if n.endswith(".dist-info/METADATA"))
            self.metadata = HeaderParser().parsestr(archive.read(metadata).decode("utf-8"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Wheel:
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps"]
    command += ["--no-build-isolation", "--no-index", "-v", "-w", str(out)]
    built = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    (path,) = out.glob("routing-*.whl")
    return Wheel(path, built.stdout + built.stderr)


def in_repo(pattern: str) -> set[str]:
    return {p.relative_to(ROOT).as_posix() for p in ROOT.glob(pattern)}


def test_the_wheel_holds_the_data_an_installed_routing_reads(wheel: Wheel) -> None:
    expected = {
        "routing/starter.toml",
        "routing/py.typed",
        "flows/py.typed",
        "store/py.typed",
        "store/migrations/env.py",
        "store/migrations/script.py.mako",
        *in_repo("routing/render/templates/*.j2"),
        *in_repo("routing/i18n/locale/*/LC_MESSAGES/routing.*"),
        *in_repo("flows/*.toml"),
        *in_repo("store/migrations/versions/*.py"),
    }
    assert len(in_repo("routing/render/templates/*.j2")) >= 5
    assert len(in_repo("flows/*.toml")) >= 5
    assert len(in_repo("store/migrations/versions/0*.py")) >= 3
    assert expected <= wheel.names, f"missing from the wheel: {sorted(expected - wheel.names)}"


def test_the_wheel_holds_every_module_and_no_tests(wheel: Wheel) -> None:
    modules = in_repo("routing/**/*.py") | in_repo("flows/*.py") | in_repo("store/**/*.py")
    assert modules <= wheel.names, f"modules missing: {sorted(modules - wheel.names)}"
    ours = {n for n in wheel.names if ".dist-info/" not in n}
    assert not {n for n in ours if n.startswith("tests/") or "/tests/" in n}
    assert not {n for n in ours if "__pycache__" in n or n.endswith(".pyc")}
    # data is exactly what pyproject lists: nothing picked up by accident
    data = {n for n in ours if not n.endswith(".py")}
    kinds = (".toml", ".j2", "py.typed", ".mako", ".po", ".mo")
    assert data == {n for n in ours if n.endswith(kinds)}
    assert {n.split("/")[0] for n in ours} == {"routing", "flows", "store"}


def test_the_metadata_names_the_licence_entry_point_and_the_diagrammen_extra(
    wheel: Wheel,
) -> None:
    assert wheel.metadata["License-Expression"] == "EUPL-1.2"
    assert "diagrammen" in wheel.metadata.get_all("Provides-Extra", [])
    requires = wheel.metadata.get_all("Requires-Dist", [])
    graphviz = [r for r in requires if r.startswith("pygraphviz")]
    assert graphviz and all('extra == "diagrammen"' in r for r in graphviz)
    assert "pdf" in wheel.metadata.get_all("Provides-Extra", [])
    weasyprint = [r for r in requires if r.lower().startswith("weasyprint")]
    assert weasyprint and all('extra == "pdf"' in r for r in weasyprint)
    base = [r for r in requires if "extra ==" not in r]
    assert base and all("<" in r for r in base if not r.startswith("tzdata")), base
    (entry_points,) = [n for n in wheel.names if n.endswith(".dist-info/entry_points.txt")]
    with zipfile.ZipFile(wheel.path) as archive:
        assert "routing = routing.cli.app:main" in archive.read(entry_points).decode("utf-8")


def test_the_build_gives_no_setuptools_warnings(wheel: Wheel) -> None:
    warnings = [
        line
        for line in wheel.build_output.splitlines()
        if "SetuptoolsDeprecationWarning" in line
        or "SetuptoolsWarning" in line
        or "is absent from the `packages`" in line
        or "as data is deprecated" in line
    ]
    assert not warnings, "\n".join(warnings)

"""Crash safety, measured from outside (tests/crash_harness.py): real `routing daemon --once`
processes catching up on a backlog are killed with SIGKILL at least 50 times per database, some
inside the send window; one daemon on SQLite, two at the same time on PostgreSQL; mail goes to
a real SMTP server on loopback.

What must hold: no message of an uninterrupted reference run is lost, the store's effects are
those of the reference run, and a message arrives twice only after a kill inside its own send
window (accepted by the server, not yet marked sent), with the same Message-ID every time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import postgres
from tests.crash_harness import Figures, installation_message_ids, measure

KILLS = 50


def _assert_crash_safe(figures: Figures) -> None:
    print(figures.line())  # the figures, for whoever reads the test log (-s)
    assert figures.kills >= KILLS
    assert figures.lost == 0, figures.line()
    assert figures.store_identical, "\n".join(figures.differences[:20])
    assert figures.audit_chain_intact, "a kill left the audit trail's hash chain broken"
    assert not figures.unexpected, figures.unexpected
    assert not figures.unexplained_duplicates, (
        f"arrived twice without a kill in their send window: {figures.unexplained_duplicates}"
    )
    assert figures.same_message_id, "a message arrived again with another Message-ID"
    assert figures.window_kills >= 1, "no kill fell inside the send window"
    assert figures.duplicates <= figures.window_kills
    assert not figures.failures, figures.failures  # every run done or killed, never a fault


def test_sqlite_survives_50_kills_of_the_daemon(tmp_path: Path) -> None:
    _assert_crash_safe(measure("sqlite", KILLS, 20241, tmp_path))


@pytest.mark.postgres
def test_postgres_survives_50_kills_of_two_daemons(tmp_path: Path, postgres_server: str) -> None:
    figures = measure("postgres", KILLS, 20242, tmp_path, postgres_server)
    _assert_crash_safe(figures)
    for name in figures.databases:
        assert postgres.connections(postgres_server, name) == 0, name


def test_message_ids_differ_between_installations(tmp_path: Path) -> None:
    found = installation_message_ids(tmp_path)
    if found is None:
        pytest.skip("the store keeps no installation_id yet: Message-IDs are not per installation")
    one, two = found
    same_effects = set(one) & set(two)
    assert same_effects
    assert not [key for key in same_effects if one[key] == two[key]]

"""Nothing blocks the rest: one bad effect or message is recorded, retried or failed, and the
others go on in the same run; `routing outbox retry` re-queues; the heartbeat never races;
Message-IDs are unique per installation.

Faults are real: rows written straight into the database as an older version or a hand edit
would leave them, a database trigger that breaks every insert into the outbox, a real SMTP
server on loopback, two threads starting on a fresh PostgreSQL database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

import store
from routing.clock import FixedClock, parse_moment
from routing.effects import delivery
from routing.effects.sweep import record_installation, sweep
from routing.engine import items as engine
from routing.engine import notify
from routing.runtime import Runtime
from store import outbox as outbox_queries
from store.schedule_models import Deadline, Heartbeat, Outbox, Setting
from tests import postgres
from tests.conftest import InProcessCli, mail_through
from tests.smtp import Inbox, smtp_server


def _url(config_path: Path) -> str:
    """The database the commands of this test use (PostgreSQL when the backend says so)."""
    import os

    return os.environ.get("ROUTING_DATABASE_URL") or f"sqlite:///{config_path.parent}/routing.db"


def _execute(config_path: Path, sql: str, **params: object) -> None:
    """A change made behind the software's back, as an older version or a hand edit would."""
    db = store.make_engine(_url(config_path))
    try:
        with db.begin() as connection:
            connection.execute(sa.text(sql), params)
    finally:
        db.dispose()


def _queue(config_path: Path, key: str, **fields: object) -> None:
    """A message written straight into the outbox, as an older version would have left it."""
    at = dt.datetime(2024, 2, 1, tzinfo=dt.UTC)
    values: dict[str, object] = {
        "key": key, "message_id": f"<{key.replace(':', '.')}@test.routing>", "kind": "ei",
        "recipients": ["ei@regiogv.example"], "subject": "Ter informatie", "body": "tekst",
        "created_at": at, "next_attempt_at": at, **fields,
    }  # fmt: skip
    db = store.make_engine(_url(config_path))
    try:
        with store.session(db) as session:
            session.add(Outbox(**values))  # type: ignore[arg-type]
    finally:
        db.dispose()


def _rows(config_path: Path, sql: str, **params: object) -> list[sa.Row[tuple[object, ...]]]:
    db = store.make_engine(_url(config_path))
    try:
        with db.connect() as connection:
            return list(connection.execute(sa.text(sql), params).all())
    finally:
        db.dispose()


def _three_points(cmd: InProcessCli) -> list[str]:
    """Three agenda points planned on the Regieteam of 20 February (reminders due 8 Feb)."""
    ids = []
    for title in ("LLO-verkenning", "Talentfonds", "Werkcentrum"):
        item = cmd("new", title, "--flow", "agendapunt-supportteam", "--now", "2024-02-05T09:00")
        ids.append(item.stdout.strip())
        cmd("move", ids[-1], "agenderen", "--now", "2024-02-05T09:00")
    return ids


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def mailing(config_path: Path, smtp: tuple[Inbox, int]) -> Path:
    """routing.toml delivering over the loopback SMTP server."""
    _, port = smtp
    mail_through(config_path, port)
    return config_path


def test_an_unbuildable_message_fails_at_once_and_the_others_go_out(
    backend: str, mailing: Path, cmd: InProcessCli, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    first, second, third = _three_points(cmd)
    # an older version stored a title with a line break; and a recipient with one
    _execute(mailing, "UPDATE item SET title = :title WHERE id = :id",
             title="Talentfonds\nBcc: iedereen@example.org", id=int(second))  # fmt: skip
    _queue(mailing, "ei:oud", recipients=["ei@regiogv.example\nBcc: x@example.org"])

    run = cmd("daemon", "--once", "--json", "--now", "2024-02-08T12:00")

    report = json.loads(run.stdout)
    rows = {row["key"]: row for row in json.loads(cmd("outbox", "--json").stdout)}
    broken = rows["ei:oud"]
    assert (broken["status"], broken["attempts"]) == ("failed", 1), "failed at once, not retried"
    assert "ValueError" in broken["last_error"] and "\n" not in broken["last_error"]
    assert "SELECT" not in broken["last_error"] and "INSERT" not in broken["last_error"]
    # the title with a line break: failed at once like the other, or (once build_message
    # cleans the Subject) sent with the line break gone; never retried, never blocking
    titled = next(row for row in rows.values() if f"#{second} " in row["subject"])
    assert titled["status"] in ("failed", "sent") and titled["attempts"] == 1
    assert all("\n" not in str(m["Subject"]) for m in inbox.messages)
    sent = [row for row in rows.values() if row["status"] == "sent"]
    for item in (first, third):
        assert any(r["key"].startswith("reminder:") and f"#{item} " in r["subject"] for r in sent)
    assert len(inbox.messages) == len(sent) >= 2
    assert {str(m["Message-ID"]) for m in inbox.messages} == {r["message_id"] for r in sent}
    assert report["delivery"]["failed"] >= 1 and report["delivery"]["sent"] == len(sent)
    # visible where the secretary looks
    board = json.loads(cmd("status", "--json", "--now", "2024-02-08T12:00").stdout)
    assert broken["id"] in [m["id"] for m in board["outbox"]["failed"]]
    listing = cmd("outbox", "--status", "mislukt").stdout
    assert "ValueError" in listing


def test_a_deadline_of_a_vanished_body_fails_with_its_reason_and_the_rest_goes_on(
    backend: str, config_path: Path, cmd: InProcessCli
) -> None:
    # every message at once, so that this run's delivery shows (not the daily overview)
    config_path.write_text(
        config_path.read_text(encoding="utf-8").replace('mail = "dagelijks"', 'mail = "direct"'),
        encoding="utf-8",
    )
    _, second, _ = _three_points(cmd)
    # routing.toml no longer names the body this deadline belongs to
    (deadline_id,) = _rows(
        config_path,
        "SELECT id FROM deadline WHERE item_id = :id AND kind = 'reminder'",
        id=int(second),
    )[0]
    _execute(config_path, "UPDATE deadline SET body = 'opgeheven' WHERE id = :id", id=deadline_id)

    run = json.loads(cmd("daemon", "--once", "--json", "--now", "2024-02-08T12:00").stdout)

    assert run["counts"]["failed"] == 1 and "retry" not in run["counts"]
    (failure,) = run["failures"]
    assert failure.startswith(f"deadline:{deadline_id}: ") and "'opgeheven'" in failure
    assert "routing.toml" in failure and "routing outbox retry --failed" in failure
    assert run["counts"]["reminder"] == 2, "the other deadlines are handled in the same run"
    assert run["delivery"]["sent"] >= 2, "and delivery still runs"
    status, attempts, error = _rows(
        config_path,
        "SELECT status, attempts, last_error FROM deadline WHERE id = :id",
        id=deadline_id,
    )[0]
    assert (status, attempts) == ("failed", 1) and error in failure
    board = json.loads(cmd("status", "--json", "--now", "2024-02-08T12:00").stdout)
    assert [e["key"] for e in board["failed_effects"]] == [f"deadline:{deadline_id}"]
    assert board["failed_effects"][0]["item_id"] == int(second)
    listing = cmd("outbox").stdout
    assert f"deadline:{deadline_id}" in listing and "opgeheven" in listing
    again = json.loads(cmd("daemon", "--once", "--json", "--now", "2024-02-08T13:00").stdout)
    assert "failed" not in again["counts"], "a failed effect is not tried every tick"

    # fixed by hand, re-queued, handled by the next sweep
    _execute(config_path, "UPDATE deadline SET body = 'regieteam' WHERE id = :id", id=deadline_id)
    retried = json.loads(cmd("outbox", "retry", "--failed", "--json").stdout)
    assert retried == {"messages": [], "deadlines": [deadline_id], "effects": []}
    later = json.loads(cmd("daemon", "--once", "--json", "--now", "2024-02-08T14:00").stdout)
    assert later["counts"].get("reminder") == 1 and "failed" not in later["counts"]


# --- a transient fault: retried with back-off, then failed ---------------------------------


def _break_outbox(rt: Runtime) -> None:
    """Every insert into the outbox fails, as a full disk or a broken trigger would make it."""
    with rt.raw_engine().begin() as connection:
        if rt.raw_engine().dialect.name == "sqlite":
            connection.exec_driver_sql("CREATE TABLE spill (x INTEGER)")
            connection.exec_driver_sql(
                "CREATE TRIGGER outbox_broken BEFORE INSERT ON outbox"
                " BEGIN INSERT INTO spill (x) VALUES (1); END"
            )
            connection.exec_driver_sql("DROP TABLE spill")  # the trigger now fails every insert
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION outbox_broken() RETURNS trigger LANGUAGE plpgsql AS"
                " $$ BEGIN RAISE EXCEPTION 'no space left on device'; END $$"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER outbox_broken BEFORE INSERT ON outbox"
                " FOR EACH ROW EXECUTE FUNCTION outbox_broken()"
            )


def _mend_outbox(rt: Runtime) -> None:
    with rt.raw_engine().begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER outbox_broken" + (
            "" if rt.raw_engine().dialect.name == "sqlite" else " ON outbox"
        ))  # fmt: skip


def _at(rt: Runtime, moment: str | dt.datetime) -> dt.datetime:
    when = moment if isinstance(moment, dt.datetime) else parse_moment(moment, rt.config.timezone)
    rt.clock = FixedClock(when)
    return when


def test_a_transient_fault_is_retried_with_back_off_then_failed(
    rt: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    _at(rt, "2024-01-01T00:00")
    record_installation(rt)
    _at(rt, "2024-02-05T09:00")
    item = engine.create_item(rt, engine.ItemSpec(title="LLO", flow="agendapunt-supportteam"))
    assert item.id is not None
    engine.move(rt, item.id, "agenderen")
    with rt.session() as db:
        (reminder,) = db.exec(
            select(Deadline).where(Deadline.item_id == item.id, Deadline.kind == "reminder")
        ).all()
    assert reminder.id is not None
    key = f"deadline:{reminder.id}"
    _break_outbox(rt)
    # only the deadlines: no feedback items, no digest
    settings = dataclasses.replace(rt.config.daemon, feedback={}, digest_body=None)
    assert (settings.retry_max_attempts, settings.retry_backoff) == (5, dt.timedelta(minutes=5))

    moment = reminder.due_at + dt.timedelta(minutes=1)
    waits: list[float | None] = []
    for _ in range(10):  # bounded: five attempts, each also tried a minute too early
        if waits:  # a minute before the next attempt: left alone
            _at(rt, moment - dt.timedelta(minutes=1))
            assert not sweep(rt, settings).failures, "tried before its next attempt was due"
        _at(rt, moment)
        report = sweep(rt, settings)
        assert [line.split(": ")[0] for line in report.failures] == [key]
        with rt.session(read=True) as db:
            row = db.get(Deadline, reminder.id)
        assert row is not None and row.attempts == len(waits) + 1
        if row.next_attempt_at is None:
            waits.append(None)
            break
        waits.append((row.next_attempt_at - moment).total_seconds() / 60)
        moment = row.next_attempt_at
    assert waits == [5, 10, 20, 40, None], "doubling back-off, failed after five attempts"
    assert row.status == "failed" and report.counts == {"failed": 1}
    assert row.last_error and "\n" not in row.last_error and "INSERT" not in row.last_error
    logged = [r for r in caplog.records if r.name == "routing.effects.failures"]
    assert [r.levelname for r in logged] == ["WARNING"] * 4 + ["ERROR"]
    assert all(key in r.getMessage() for r in logged)
    _at(rt, moment + dt.timedelta(days=1))
    assert not sweep(rt, settings).failures, "a failed effect waits for a person"

    # the database mended and the effect re-queued: the reminder goes out after all
    _mend_outbox(rt)
    with rt.session() as db:
        assert store.deadlines.requeue_failed(db) == [reminder.id]
    report = sweep(rt, settings)
    assert report.counts == {"reminder": 1} and not report.failures
    with rt.session(read=True) as db:
        assert outbox_queries.written(db, f"reminder:{reminder.id}")


def test_a_failing_effect_without_a_row_of_its_own_is_recorded_by_its_key(rt: Runtime) -> None:
    """The feedback item after the UTA supportteam of 17 January, with the outbox broken."""
    _at(rt, "2024-01-01T00:00")
    record_installation(rt)
    _break_outbox(rt)
    settings = rt.config.daemon
    _at(rt, "2024-01-17T18:00")
    report = sweep(rt, settings)
    keys = [line.split(": ")[0] for line in report.failures]
    assert any(key.startswith("feedback:") for key in keys), report.failures
    with rt.session(read=True) as db:
        failing = {f.key: f for f in outbox_queries.effect_failures(db, failed_only=False)}
    feedback = next(k for k in failing if k.startswith("feedback:"))
    assert failing[feedback].attempts == 1 and failing[feedback].failed_at is None
    _mend_outbox(rt)
    _at(rt, "2024-01-17T18:10")
    report = sweep(rt, settings)
    assert report.counts.get("feedback") == 1
    with rt.session(read=True) as db:
        assert feedback not in {
            f.key for f in outbox_queries.effect_failures(db, failed_only=False)
        }


# --- routing outbox retry -------------------------------------------------------------------


def test_outbox_retry_requeues_a_failed_message_and_refuses_the_rest(
    backend: str, config_path: Path, cmd: InProcessCli
) -> None:
    for n, status in enumerate(("failed", "sent", "failed"), 1):
        _queue(config_path, f"ei:{n}", status=status, attempts=8,
               last_error="SMTPServerDisconnected: Connection unexpectedly closed")  # fmt: skip
    ids = {r.key: r.id for r in _rows(config_path, "SELECT key, id FROM outbox")}

    done = cmd("outbox", "retry", str(ids["ei:1"]), "--now", "2024-02-08T12:00", "--as", "anna")
    assert done.returncode == 0 and "1" in done.stdout
    (row,) = _rows(config_path, "SELECT status, attempts FROM outbox WHERE key = 'ei:1'")
    assert tuple(row) == ("pending", 0)
    refused = cmd("outbox", "retry", str(ids["ei:2"]), check=False)
    assert refused.returncode == 1 and f"#{ids['ei:2']}" in refused.stderr
    assert "verzonden" in refused.stderr or "verstuurd" in refused.stderr
    for bad in ("999999", "99999999999999999999999", "x", "-3"):
        result = cmd("outbox", "retry", bad, check=False)
        assert result.returncode == 2, (bad, result.stderr)
        assert "Traceback" not in result.stderr
    neither = cmd("outbox", "retry", check=False)
    both = cmd("outbox", "retry", "1", "--failed", check=False)
    assert (neither.returncode, both.returncode) == (2, 2)
    everything = json.loads(cmd("outbox", "retry", "--failed", "--json").stdout)
    assert everything == {"messages": [ids["ei:3"]], "deadlines": [], "effects": []}
    statuses = _rows(config_path, "SELECT key, status FROM outbox ORDER BY key")
    assert [tuple(r) for r in statuses] == [("ei:1", "pending"), ("ei:2", "sent"),
                                            ("ei:3", "pending")]  # fmt: skip
    listing = json.loads(cmd("outbox", "--json", "--status", "wacht").stdout)
    assert [r["key"] for r in listing] == ["ei:1", "ei:3"]


# --- the heartbeat: two daemons starting together on a fresh PostgreSQL ----------------------


def _together(jobs: Sequence[Callable[[threading.Barrier], object]]) -> list[object]:
    """Run the jobs in threads of their own, each waiting at one barrier before it races;
    returns what each returned or raised."""
    start = threading.Barrier(len(jobs), timeout=30)
    results: list[object] = [None] * len(jobs)

    def run(n: int) -> None:
        try:
            results[n] = jobs[n](start)
        except BaseException as error:
            results[n] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.postgres
def test_two_daemons_starting_together_never_collide_on_the_heartbeat(
    config_path: Path, postgres_server: str, postgres_template: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    def daemon(runtime: Runtime) -> Callable[[threading.Barrier], object]:
        def job(start: threading.Barrier) -> object:
            start.wait()
            return sweep(runtime, runtime.config.daemon).failures

        return job

    for n in range(20):  # seeded by the round: a fresh database each time
        url = postgres.create_database(postgres_server, f"routing_heartbeat_{n}",
                                       template=postgres_template)  # fmt: skip
        monkeypatch.setenv("ROUTING_DATABASE_URL", url)
        runtimes = [Runtime.open(str(config_path), now="2024-02-05T09:00") for _ in range(2)]
        try:
            for runtime in runtimes:
                runtime.engine.connect().close()  # both connected before the start signal
            results = _together([daemon(runtime) for runtime in runtimes])
            assert results == [[], []], (n, results)
            with runtimes[0].session(read=True) as db:
                beat = db.get(Heartbeat, "daemon")
                assert beat is not None and beat.sweeps == 2, n
        finally:
            for runtime in runtimes:
                runtime.close()


@pytest.mark.postgres
def test_the_heartbeat_upsert_itself_races_cleanly(
    postgres_server: str, postgres_template: str
) -> None:
    """The bare upsert from four transactions at one instant, on fresh databases."""
    now = dt.datetime(2024, 2, 5, 8, 0, tzinfo=dt.UTC)

    def beat(db_engine: sa.Engine, pid: int) -> Callable[[threading.Barrier], object]:
        def job(start: threading.Barrier) -> object:
            with store.session(db_engine) as db:
                db.exec(select(Setting)).all()  # the transaction is open: now race
                start.wait()
                outbox_queries.beat(db, "daemon", now, pid, "host", "")
            return "ok"

        return job

    for n in range(20):
        url = postgres.create_database(postgres_server, f"routing_beat_{n}",
                                       template=postgres_template)  # fmt: skip
        engines = [store.make_engine(url) for _ in range(4)]
        try:
            results = _together([beat(e, pid) for pid, e in enumerate(engines)])
            assert results == ["ok"] * len(engines), (n, results)
            with store.session(engines[0], write=False) as db:
                row = db.get(Heartbeat, "daemon")
                assert row is not None and row.sweeps == len(engines)
        finally:
            for db_engine in engines:
                db_engine.dispose()


# --- Message-IDs: stable per effect, unique per installation --------------------------------


def test_message_ids_are_stable_per_effect_and_unique_per_installation(
    rt: Runtime, tmp_path: Path
) -> None:
    record_installation(rt)
    with rt.session() as db:
        own = notify.installation_id(db)
        again = notify.installation_id(db)
    assert own == again and len(own) == 32
    mine = notify.message_id_for("reminder:7", "Gooi en Vecht", own)
    assert mine == notify.message_id_for("reminder:7", "Gooi en Vecht", own)
    assert own in mine and mine.startswith("<") and mine.endswith(">")
    other = store.make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        store.migrate(other)
        with store.session(other) as db:
            theirs = notify.installation_id(db)
    finally:
        other.dispose()
    assert theirs != own
    assert notify.message_id_for("reminder:7", "Gooi en Vecht", theirs) != mine


def test_the_upgrade_gives_an_installation_id_and_keeps_stored_message_ids(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    db_engine = store.make_engine(url)
    try:
        config = store.db._alembic_config(db_engine)
        with db_engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0003")
        with store.session(db_engine) as db:  # a row of that schema (no later columns)
            db.execute(
                sa.text(
                    "INSERT INTO outbox (key, message_id, kind, recipients, subject, body,"
                    " created_at, status, attempts, next_attempt_at) VALUES (:key, :mid, 'ei',"
                    " '[]', 'S', 'B', :at, 'failed', 8, :at)"
                ),
                {
                    "key": "ei:1",
                    "mid": "<old@gooi-en-vecht.routing>",
                    "at": "2024-02-01 00:00:00.000000",
                },
            )
        assert store.migrate(db_engine) == ("0003", store.db.code_head())
        with store.session(db_engine, write=False) as db:
            (row,) = db.exec(select(Outbox)).all()
            assert row.message_id == "<old@gooi-en-vecht.routing>" and row.status == "failed"
            setting = db.get(Setting, "installation_id")
            assert setting is not None and len(setting.value) == 32
            assert db.exec(select(Deadline).where(col(Deadline.attempts) != 0)).all() == []
    finally:
        db_engine.dispose()


def test_delivery_logs_each_failure_with_key_and_message_id_never_the_password(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from routing.config.notify import NotifySettings
    from tests.smtp import free_port

    monkeypatch.setenv("ROUTING_SMTP_USER", "routing")
    monkeypatch.setenv("ROUTING_SMTP_PASSWORD", "geheim-wachtwoord")
    db_engine = store.make_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    now = dt.datetime(2024, 3, 1, 8, 0, tzinfo=dt.UTC)
    try:
        store.migrate(db_engine)
        with store.session(db_engine) as db:
            db.add(Outbox(key="ei:1", message_id="<1@test.routing>", kind="ei", recipients=["a@b.nl"],
                          subject="S", body="B", created_at=now, next_attempt_at=now))  # fmt: skip
        closed = NotifySettings(channel="smtp", smtp_host="127.0.0.1", smtp_port=free_port(),
                                timeout_s=2, sender="routing@regiogv.example")  # fmt: skip
        report = delivery.deliver_due(db_engine, closed, now)
    finally:
        db_engine.dispose()
    assert (report.retried, report.sent) == (1, 0)
    (record,) = [r for r in caplog.records if r.name == "routing.effects.delivery"]
    assert record.levelname == "WARNING"
    assert "ei:1" in record.getMessage() and "<1@test.routing>" in record.getMessage()
    assert "geheim-wachtwoord" not in caplog.text

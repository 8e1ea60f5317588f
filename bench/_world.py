"""The simulated year behind bench/data.py: every item's life against the stored calendars.

The same meeting choice as `routing.engine.planning` (the next meeting whose papers deadline is
ahead; the next one after it on a deferral or roll-over), the sweep's reminders, escalations and
roll-overs, papers handed in, E&I decisions, meeting outcomes, edits; all as plain rows that
bench/data.py writes in bulk. Fixed seed: the same parameters give the same year.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

NOW = dt.datetime(2025, 2, 3, 8, 0, tzinfo=dt.UTC)  # Monday 3 February 2025, 09:00 in Amsterdam
START = NOW - dt.timedelta(days=365)  # the installation: a year of history
SEED = 20240205
ICS_BODIES = ("uta-supportteam", "uta-stuurgroep")

DAEMON = "routing-daemon"
SECRETARIES = ("Anouk Pols", "Kevin van Pernis", "Sander Bakker")
SUBJECTS = (
    "Regionaal werkgeversservicepunt", "Leven lang ontwikkelen in de zorg", "Talentfonds 2025",
    "Werkcentrum Gooi en Vechtstreek", "Arbeidsmarktregio-aanpak jongeren", "Participatiebanen",
    "Banenafspraak", "Inburgering en werk", "Scholingsvouchers techniek", "UWV-samenwerking",
    "Doorstroom beschut werk", "Loonkostensubsidie", "Regionale arbeidsmarktmonitor",
    "Statushouders aan het werk", "Praktijkleren mbo", "Tekortsectoren onderwijs en zorg",
    "Ontwikkeladvies 45-plus", "Sociaal ontwikkelbedrijf", "Perspectief op werk", "Jobcoaching",
)  # fmt: skip
KINDS = ("Voorstel", "Reactie op", "Notitie", "Evaluatie", "Uitvoeringsplan", "Advies over",
         "Voortgangsrapportage", "Subsidieaanvraag", "Raadsinformatiebrief")  # fmt: skip
TOPICS = ("werkgevers", "jongeren", "statushouders", "scholing", "zorg", "techniek", "uwv",
          "beschut-werk", "inburgering", "monitor")  # fmt: skip
EI_TOPICS = ("llo", "talentfonds", "werkcentrum", "arbeidsmarkt", "economie")
NOTES = (None, None, None, None, "Na overleg met UWV.", "Stukken volgen later.",
         "Op verzoek van de wethouder.", "Zie ook het vorige verslag.")  # fmt: skip


# --- the calendars, as planning sees them -------------------------------------------------------


@dataclass
class _BodyMeetings:
    """One body's meetings (a person: the hand-over view of the meetings she takes points to),
    with the lookups `routing.calendar.next_feasible` and `next_after` make."""

    meetings: list[Any]
    starts: list[dt.datetime] = field(init=False)
    papers: list[dt.datetime] = field(init=False)

    def __post_init__(self) -> None:
        self.starts = [m.start for m in self.meetings]
        self.papers = [m.papers_due for m in self.meetings]

    def next_feasible(self, now: dt.datetime, needs_papers: bool) -> Any | None:
        keys = self.papers if needs_papers else self.starts
        index = bisect.bisect_right(keys, now)
        return self.meetings[index] if index < len(self.meetings) else None

    def next_after(self, after: dt.datetime, now: dt.datetime, needs_papers: bool) -> Any | None:
        index = bisect.bisect_right(self.starts, after)
        keys = self.papers if needs_papers else self.starts
        while index < len(self.meetings) and keys[index] <= now:
            index += 1
        return self.meetings[index] if index < len(self.meetings) else None


def _meetings_by_body(rt: Any, calendars: Any) -> dict[str, _BodyMeetings]:
    """Every body's meetings from a month before START to NOW + 400 days; a person's are those
    of the body she hands over to, chosen by that body's papers deadline (as planning does)."""
    from routing import calendar

    low, high = START - dt.timedelta(days=60), NOW + dt.timedelta(days=400)
    found: dict[str, _BodyMeetings] = {}
    for key, body in rt.config.bodies.items():
        cal = calendars.for_body(key)
        if cal is None:
            continue
        if body.is_person:
            target = calendars.for_body(body.handover_to)
            own = {m.meeting_id: m for m in calendar.meetings_between(cal, low, high)}
            chosen = [own[m.meeting_id] for m in calendar.meetings_between(target, low, high)]
            view = _BodyMeetings(chosen)
            # chosen by the target body's papers deadline, shown with her own hand-over
            view.papers = [m.papers_due for m in calendar.meetings_between(target, low, high)]
            found[key] = view
        else:
            found[key] = _BodyMeetings(calendar.meetings_between(cal, low, high))
    return found


# --- the simulation -----------------------------------------------------------------------------


@dataclass
class _Deadline:
    created: dt.datetime
    item: int
    plan: int
    kind: str
    body: str
    meeting: Any
    due: dt.datetime
    status: str = "open"
    handled: dt.datetime | None = None
    id: int = 0
    mail: str | None = None  # the outbox kind the sweep sent for it (reminder, escalation, ...)
    mail_at: dt.datetime | None = None


@dataclass
class _Round:
    plan: int
    body: str
    meeting: Any
    rows: list[_Deadline]


class _World:
    """The simulated year: rows of every table as tuples, built item by item."""

    def __init__(self, rt: Any, meetings: dict[str, _BodyMeetings], seed: int) -> None:
        from routing import i18n

        self.rt = rt
        self.config = rt.config
        self.meetings = meetings
        self.random = random.Random(seed)
        self.flows = rt.catalog.current
        self.people = list(self.config.people)
        self.ei_topics = set(self.config.ei_topics)
        self.grace = self.config.daemon.rollover_grace
        self.t = i18n.t
        self.tn = i18n.tn
        self.items: list[list[Any]] = []
        self.events: list[tuple[Any, ...]] = []  # (at, item, from, to, trigger, actor, note)
        self.deadlines: list[_Deadline] = []
        self.mails: list[tuple[Any, ...]] = []  # (key, kind, item, at, subject)
        self.decisions: list[tuple[Any, ...]] = []
        self.outcomes: list[tuple[Any, ...]] = []
        self.effects: list[tuple[Any, ...]] = []
        self.rounds: dict[int, _Round] = {}  # open items' current round

    # one item's life -------------------------------------------------------------------------

    def item(self, item_id: int, created: dt.datetime, flow_name: str, **fixed: Any) -> None:
        rnd = self.random
        flow = self.flows[flow_name]
        path = self._walk(flow)
        kenmerk = fixed.get("kenmerk")
        if kenmerk is None and (any(t.guard for t in path) or rnd.random() < 0.7):
            kenmerk = f"GV/{created.year}/{item_id:06d}"
        topics = fixed.get("topics")
        if topics is None:
            topics = rnd.sample(TOPICS, rnd.randint(0, 2))
            if rnd.random() < 0.2:
                topics.append(rnd.choice(EI_TOPICS))
        owner = fixed.get("owner", rnd.choice(self.people))
        title = fixed.get("title") or f"{rnd.choice(KINDS)} {rnd.choice(SUBJECTS).lower()}"
        openbaar = rnd.random() < 0.9
        row = {
            "id": item_id, "title": title, "flow_name": flow_name, "state": flow.initial,
            "kenmerk": kenmerk, "topics": topics, "owner": owner,
            "asked": fixed.get("asked", rnd.choice(("besluitvorming", "bespreking", "informatie"))),
            "openbaar": openbaar, "verspreiden": openbaar and rnd.random() < 0.9,
            "created_at": created, "sender": fixed.get("sender"),
            "document_date": (created - dt.timedelta(days=rnd.randint(0, 14))).date()
            if rnd.random() < 0.5 else None,
            "origin": fixed.get("origin"), "plan": 0, "round": None,
            "target_body": None, "target_meeting": None,
        }  # fmt: skip
        actor = fixed.get("actor") or rnd.choice(SECRETARIES)
        self._event(created, item_id, None, flow.initial, "registreren", actor, fixed.get("note"))
        if rnd.random() < 0.05:
            self._target(row, flow, created)
        now = created
        self._enter(row, flow, flow.initial, now)
        for trigger in path:
            state = row["state"]
            now = self._stay(row, flow, state, now)
            if now is None:
                break
            dest = trigger.target_from(state)
            self._move(row, flow, trigger.name, dest, now)
        self._finish(row)

    def _walk(self, flow: Any) -> list[Any]:
        """A route to a final state: forward steps at random, now and then withdrawn."""
        rnd = self.random
        state, path = flow.initial, []
        for _ in range(12):  # bounded: a route back (terugverwijzen) may repeat a few times
            if flow.state(state).final:
                return path
            steps = [
                t for t in flow.triggers_from(state)
                if t.dest not in ("=", state) and t.name != "intrekken"
            ]  # fmt: skip
            withdraw = [t for t in flow.triggers_from(state) if t.name == "intrekken"]
            if withdraw and (not steps or rnd.random() < 0.04):
                path.append(withdraw[0])
                return path
            back = [t for t in steps if t.name == "terugverwijzen"]
            ahead = [t for t in steps if t not in back] or steps
            trigger = back[0] if back and rnd.random() < 0.1 else rnd.choice(ahead)
            path.append(trigger)
            state = trigger.target_from(state)
        return path

    def _target(self, row: dict[str, Any], flow: Any, created: dt.datetime) -> None:
        from routing.engine import planning

        for body in planning.bodies_by_depth(flow):
            if self.config.bodies[body].is_person or body not in self.meetings:
                continue
            later = self.meetings[body].next_feasible(
                created + dt.timedelta(days=self.random.randint(40, 160)), False
            )
            if later is not None:
                row["target_body"], row["target_meeting"] = body, later
            return

    def _enter(self, row: dict[str, Any], flow: Any, state: str, now: dt.datetime,
               after: Any | None = None) -> None:  # fmt: skip
        """Entering (or staying in) `state` at `now`: a new planning round."""
        self._leave_round(row, now, moved=True)
        row["state"] = state
        row["plan"] += 1
        definition = flow.state(state)
        body = definition.body
        if body is None or body not in self.meetings:
            return
        person = self.config.bodies[body].is_person
        cal = self.meetings[body]
        needs = definition.papers and not person
        select_papers = True if person else definition.papers
        meeting = (
            cal.next_feasible(now, select_papers)
            if after is None
            else cal.next_after(after, now, select_papers)
        )
        if meeting is None:
            return
        rows = []
        moments = [("reminder", meeting.remind_at), ("papers", meeting.papers_due)] if needs else []
        for kind, due in [*moments, ("meeting", meeting.start)]:
            if kind == "reminder" and due <= now:
                continue
            deadline = _Deadline(now, row["id"], row["plan"], kind, body, meeting, due)
            rows.append(deadline)
            self.deadlines.append(deadline)
        row["round"] = _Round(row["plan"], body, meeting, rows)

    def _leave_round(self, row: dict[str, Any], now: dt.datetime, *, moved: bool) -> None:
        current: _Round | None = row["round"]
        if current is None:
            return
        for deadline in current.rows:
            if deadline.status in ("open", "escalated"):
                deadline.status, deadline.handled = "superseded", now
        row["round"] = None

    def _settle_round(self, row: dict[str, Any], until: dt.datetime) -> None:
        """What happened to the round's reminder and papers before `until`: papers handed in
        (mostly before their deadline), the sweep's reminder and escalation mails."""
        rnd = self.random
        current: _Round | None = row["round"]
        if current is None:
            return
        by_kind = {d.kind: d for d in current.rows}
        papers = by_kind.get("papers")
        if papers is not None and papers.status == "open":
            handed = papers.created + (papers.due - papers.created) * rnd.uniform(0.2, 1.15)
            if rnd.random() < 0.75 and handed < until:
                reminder = by_kind.get("reminder")
                if reminder is not None and reminder.status == "open" and reminder.due <= handed:
                    self._mail_deadline(reminder, "reminder")
                for deadline in current.rows:
                    if deadline.kind != "meeting" and deadline.status == "open":
                        deadline.status, deadline.handled = "done", handed
                self._event(handed, row["id"], row["state"], row["state"], "stukken",
                            rnd.choice(SECRETARIES), None)  # fmt: skip
        for deadline in current.rows:
            if deadline.status != "open" or deadline.kind == "meeting" or deadline.due > until:
                continue
            if deadline.kind == "reminder":
                self._mail_deadline(deadline, "reminder")
            else:
                self._mail_deadline(deadline, "escalation", status="escalated")

    def _mail_deadline(self, deadline: _Deadline, kind: str, status: str = "done") -> None:
        at = deadline.due + dt.timedelta(minutes=self.random.randint(0, 5))
        deadline.status, deadline.handled = status, at
        deadline.mail, deadline.mail_at = kind, at

    def _stay(self, row: dict[str, Any], flow: Any, state: str, now: dt.datetime) -> Any:
        """How long the item stays in `state` from `now`; the moment of its next step (a move at
        its meeting), or None when that is after NOW (it is still there)."""
        rnd = self.random
        for _ in range(40):  # bounded: deferrals and roll-overs until a meeting decides
            current: _Round | None = row["round"]
            if current is None:  # no body (concept, ontvangen) or no meeting ahead
                step = now + dt.timedelta(days=rnd.uniform(1, 20))
                if rnd.random() < 0.15:
                    self._edit(row, now + (step - now) * rnd.random())
                return step if step < NOW else None
            meeting = current.meeting
            decided = meeting.start + dt.timedelta(hours=rnd.uniform(1, 30))
            roll = meeting.start + self.grace + dt.timedelta(minutes=rnd.randint(0, 5))
            chance = rnd.random()
            if chance < 0.12:  # no outcome recorded: the daemon rolls it over
                if roll >= NOW:
                    self._settle_round(row, NOW)
                    return None
                self._settle_round(row, roll)
                meeting_row = next(d for d in current.rows if d.kind == "meeting")
                self._mail_deadline(meeting_row, "rollover")
                self._event(roll, row["id"], state, state, "doorschuiven", DAEMON,
                            self.t("sweep.rollover_note", meeting=f"{meeting.start:%d-%m-%Y}",
                                   where=""))  # fmt: skip
                self._enter(row, flow, state, roll, after=meeting.start)
                now = roll
                continue
            if decided >= NOW:
                self._settle_round(row, NOW)
                return None
            self._settle_round(row, decided)
            if rnd.random() < 0.15:
                self._edit(row, now + (decided - now) * rnd.random())
            if chance < 0.22:  # deferred at the meeting
                self._outcome(row, current, "aanhouden", state, decided)
                self._event(decided, row["id"], state, state, "aanhouden",
                            rnd.choice(SECRETARIES), rnd.choice(NOTES))  # fmt: skip
                self._enter(row, flow, state, decided, after=meeting.start)
                now = decided
                continue
            return decided
        return None

    def _outcome(self, row: dict[str, Any], current: _Round, trigger: str, to_state: str,
                 at: dt.datetime) -> None:  # fmt: skip
        if self.config.bodies[current.body].is_person or self.random.random() < 0.5:
            return
        self.outcomes.append(
            (current.body, current.meeting.start, row["id"], trigger, to_state, None,
             self.random.choice(SECRETARIES), at)
        )  # fmt: skip

    def _move(self, row: dict[str, Any], flow: Any, trigger: str, dest: str,
              now: dt.datetime) -> None:  # fmt: skip
        current: _Round | None = row["round"]
        if current is not None:
            self._outcome(row, current, trigger, dest, now)
        rule = flow.inform_ei
        if rule is not None and trigger == rule.trigger:
            self._decide_ei(row, rule, now)
        from_state = row["state"]
        self._event(now, row["id"], from_state, dest, trigger, self.random.choice(SECRETARIES),
                    self.random.choice(NOTES))  # fmt: skip
        self._enter(row, flow, dest, now)

    def _decide_ei(self, row: dict[str, Any], rule: Any, now: dt.datetime) -> None:
        matched = sorted(set(row["topics"]) & self.ei_topics)
        reason = (
            self.tn("ei.reason_topics", len(matched), topics=", ".join(matched))
            if matched
            else self.t("ei.reason_no_topics")
        )
        key = None
        if matched:
            key = f"ei:{row['id']}:{rule.body}:{now.isoformat()}"
            self.mails.append((key, "ei", row["id"], now, f"E&I: {row['title']}", [rule.body]))
        self.decisions.append((row["id"], rule.body, bool(matched), "auto", reason, now, key))

    def _edit(self, row: dict[str, Any], at: dt.datetime) -> None:
        owner = self.random.choice(self.people)
        self._event(at, row["id"], row["state"], row["state"], "wijzigen",
                    self.random.choice(SECRETARIES), f"owner={owner}")  # fmt: skip
        row["owner"] = owner

    def _event(self, at: dt.datetime, item: int, from_state: str | None, to_state: str,
               trigger: str, actor: str, note: str | None) -> None:  # fmt: skip
        self.events.append((at, item, from_state, to_state, trigger, actor, note))

    def _finish(self, row: dict[str, Any]) -> None:
        current: _Round | None = row["round"]
        if current is not None:
            self.rounds[row["id"]] = current
        self.items.append(
            [row, current.body if current else None, current.meeting if current else None]
        )


def _simulate(rt: Any, meetings: dict[str, _BodyMeetings], calendars: Any, items: int,
              audit_events: int, seed: int) -> _World:  # fmt: skip
    """Every item's year, then edits added (or the last ones dropped) to make `audit_events`."""
    from routing import i18n

    world = _World(rt, meetings, seed)
    rnd = world.random
    feedback = _feedback_meetings(rt, calendars)
    span = (NOW - START).total_seconds() - 3600
    moments = sorted(START + dt.timedelta(seconds=rnd.uniform(0, span)) for _ in range(items))
    plain = [name for name in sorted(world.flows) if not name.startswith("terugkoppeling")]
    weights = [3 if name.startswith("agendapunt") else 2 for name in plain]
    queue = sorted(
        [(moment, None) for moment in moments[: max(0, items - len(feedback))]]
        + [(at, (body, flow, meeting)) for at, body, flow, meeting in feedback[:items]],
        key=lambda pair: pair[0],
    )
    for item_id, (created, origin) in enumerate(queue, start=1):
        if origin is None:
            world.item(item_id, created, rnd.choices(plain, weights)[0])
            continue
        body, flow_name, meeting = origin
        name = rt.config.bodies[body].name
        day = i18n.format_date(meeting.start.astimezone(rt.config.timezone))
        world.item(
            item_id, created, flow_name, title=i18n.t("sweep.feedback_title", body=name, day=day),
            owner=rt.config.daemon.feedback_owner, asked="informatie", sender=body, topics=[],
            origin=f"feedback:{meeting.key}", actor=DAEMON,
            note=i18n.t("sweep.feedback_note", body=name, day=day),
        )  # fmt: skip
        world.effects.append((f"feedback:{meeting.key}", "feedback", created, item_id, None))
        world.mails.append((f"feedback-mail:{meeting.key}", "feedback", item_id, created,
                            i18n.t("sweep.feedback_subject", title=world.items[-1][0]["title"]),
                            []))  # fmt: skip
    _fit_events(world, audit_events)
    _digests(rt, world)
    return world


def _feedback_meetings(rt: Any, calendars: Any) -> list[tuple[dt.datetime, str, str, Any]]:
    """The UTA meetings between the installation and NOW: each got its feedback item."""
    from routing import calendar

    found = []
    for body, flow_name in rt.config.daemon.feedback.items():
        cal = calendars.for_body(body)
        for meeting in calendar.meetings_between(cal, START, NOW):
            found.append((meeting.start + dt.timedelta(minutes=3), body, flow_name, meeting))
    return sorted(found, key=lambda entry: entry[0])


def _fit_events(world: _World, wanted: int) -> None:
    """Edits spread over the items' lives until there are `wanted` events (each in the state the
    item had then), or, with too many, the edits dropped: histories stay whole."""
    rnd = world.random
    missing = wanted - len(world.events)
    if missing < 0:
        edits = [n for n, event in enumerate(world.events) if event[4] == "wijzigen"]
        drop = set(edits[missing:]) if -missing <= len(edits) else set(edits)
        world.events = [e for n, e in enumerate(world.events) if n not in drop]
        return
    lives: dict[int, list[tuple[dt.datetime, str]]] = {}
    for at, item, _from, to_state, *_ in world.events:
        lives.setdefault(item, []).append((at, to_state))
    ids = list(lives)
    finals = {
        row["id"] for row, _, _ in world.items
        if world.flows[row["flow_name"]].state(row["state"]).final
    }  # fmt: skip
    added = []
    for _ in range(missing):
        item = rnd.choice(ids)
        life = lives[item]
        end = life[-1][0] if item in finals else NOW
        at = life[0][0] + (end - life[0][0]) * rnd.random()
        state = life[max(0, bisect.bisect_right(life, (at, "\uffff")) - 1)][1]
        owner = rnd.choice(world.people)
        added.append((at, item, state, state, "wijzigen", rnd.choice(SECRETARIES),
                      f"owner={owner}"))  # fmt: skip
    world.events.extend(added)


def _digests(rt: Any, world: _World) -> None:
    """The E&I digest of every whole period since the installation: done and mailed."""
    from routing.effects import digest

    settings = rt.config.daemon
    if settings.digest_body is None:
        return
    tz = rt.config.timezone
    moment = START
    seen = set()
    while moment < NOW:
        period = digest.digest_period(settings, moment.astimezone(tz), START)
        if period is not None and period[2] not in seen:
            seen.add(period[2])
            at = max(period[1].astimezone(dt.UTC) + dt.timedelta(minutes=2), START)
            if at < NOW:
                key = f"digest:{settings.digest_body}:{period[2]}"
                world.effects.append((key, "digest", at, None, None))
                world.mails.append((key, "digest", None, at, f"Voortgang {period[2]}",
                                    [settings.digest_body]))  # fmt: skip
        moment += dt.timedelta(days=7)

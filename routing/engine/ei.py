"""Informing Economie & Innovatie: a recorded decision, not a habit (rules 1 and 3).

Each flow names the E&I body to inform and the step at which it is decided. The decision is
taken in the transaction of that step: by the secretary (`--inform-ei ja|nee`), or else by the
flow's mode (`auto`: an item topic is one of the E&I topics of routing.toml). It is stored with
who decided and why; when the answer is yes, the notification goes into the outbox in the same
transaction. A confidential item's notification names only its reference.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from flows import FlowDefinition
from routing.config.file import Config
from routing.engine import notify
from routing.errors import BadInput
from routing.i18n import t, tn
from store import Item
from store.schedule_models import EiDecision

__all__ = ["decide", "parse_choice"]

_YES = {"ja": True, "yes": True, "j": True, "y": True, "nee": False, "no": False, "n": False}


def parse_choice(text: str | None) -> bool | None:
    if text is None:
        return None
    try:
        return _YES[text.strip().lower()]
    except KeyError:
        raise BadInput(t("err.inform_ei_choice", text=text)) from None


def decide(
    db: Session,
    config: Config,
    flow: FlowDefinition,
    item: Item,
    trigger: str,
    *,
    actor: str,
    now: dt.datetime,
    explicit: bool | None,
    note: str | None,
) -> EiDecision | None:
    rule = flow.inform_ei
    if rule is None or trigger != rule.trigger:
        if explicit is not None:
            if rule is None:
                raise BadInput(t("err.inform_ei_no_step", trigger=trigger))
            raise BadInput(t("err.inform_ei_step", step=rule.trigger, trigger=trigger))
        return None
    assert item.id is not None
    if explicit is not None:
        inform, decided_by = explicit, actor
        reason = t("ei.reason_secretary", choice=t("word.yes") if explicit else t("word.no"))
    elif rule.mode == "always":
        inform, decided_by, reason = True, "auto", t("ei.reason_always")
    elif rule.mode == "never":
        inform, decided_by, reason = False, "auto", t("ei.reason_never")
    elif rule.mode == "secretary":
        raise BadInput(t("err.inform_ei_needed", trigger=trigger, flow=flow.name, body=rule.body))
    else:
        matched = sorted(set(item.topics) & config.ei_topics)
        inform, decided_by = bool(matched), "auto"
        reason = (
            tn("ei.reason_topics", len(matched), topics=", ".join(matched))
            if matched
            else t("ei.reason_no_topics")
        )
    decision = db.exec(
        select(EiDecision).where(EiDecision.item_id == item.id, EiDecision.body == rule.body)
    ).first()
    if decision is None:
        decision = EiDecision(
            item_id=item.id, body=rule.body, inform=inform, decided_by=decided_by,
            reason=reason, at=now,
        )  # fmt: skip
    else:  # decided again (an item can pass the step twice): the latest decision counts
        decision.inform, decision.decided_by, decision.reason, decision.at = (
            inform, decided_by, reason, now,
        )  # fmt: skip
    db.add(decision)
    if inform:
        body = config.body(rule.body)
        label = notify.item_label(item, to_other_body=True)
        text = t(
            "mail.ei_body",
            body=body.name,
            label=label,
            flow=flow.title,
            # the step as the flow names it ("Doorzetten naar ..."), else its key
            step=next((x.title for x in flow.triggers if x.name == trigger and x.title), trigger),
            when=notify.local(now, config),
            region=config.region,
        )
        if note and note.strip():  # no feedback given: no empty "Terugkoppeling" field
            shown = note.strip() if item.openbaar else t("notify.confidential_note")
            text += t("mail.ei_feedback", note=shown)
        row = notify.enqueue(
            db,
            config,
            key=f"ei:{item.id}:{rule.body}:{now.isoformat()}",
            kind="ei",
            recipients=notify.recipients_for(config, [rule.body]),
            subject=t("ei.mail_subject", body=body.name, label=label),
            body=text,
            now=now,
            item_id=item.id,
        )
        db.flush()
        decision.outbox_id = row.id if row is not None else decision.outbox_id
    db.flush()
    return decision

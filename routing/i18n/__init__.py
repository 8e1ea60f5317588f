"""The one message catalogue: every user-facing sentence in Dutch (default) and English.

`t(key, **values)` formats the message in the current language. The language is chosen once per
process (`--lang`, else `language` in routing.toml, else Dutch). A test checks that every key has
both languages and the same placeholders in each. The base of every layer: imports nothing
of this project.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

__all__ = [
    "LANGUAGES",
    "MESSAGES",
    "current_language",
    "format_ago",
    "format_date",
    "set_language",
    "t",
    "tn",
]

LANGUAGES = ("nl", "en")
_state = {"lang": "nl"}

# Babel patterns: "14 maart 2024" / "March 14, 2024", with or without the weekday, and the
# narrow "do 14 mrt 2024" for tables
_PATTERNS = {
    "nl": {
        "date": "d MMMM y",
        "weekday": "EEEE d MMMM y",
        "short": "d MMM y",
        "short_weekday": "EEE d MMM y",
    },
    "en": {
        "date": "MMMM d, y",
        "weekday": "EEEE, MMMM d, y",
        "short": "d MMM y",
        "short_weekday": "EEE d MMM y",
    },
}


MESSAGES: dict[str, dict[str, str]] = {
    # errors
    "err.not_found": {"nl": "{what} {key} bestaat niet.", "en": "{what} {key} does not exist."},
    "err.config.one": {
        "nl": "{path}: {count} probleem:{problems}",
        "en": "{path}: {count} problem:{problems}",
    },
    "err.config.other": {
        "nl": "{path}: {count} problemen:{problems}",
        "en": "{path}: {count} problems:{problems}",
    },
    "err.trigger_from": {
        "nl": "'{trigger}' kan alleen vanuit {sources}",
        "en": "'{trigger}' is possible from {sources} only",
    },
    "err.trigger_unknown": {
        "nl": "de flow kent geen stap '{trigger}'",
        "en": "the flow has no trigger '{trigger}'",
    },
    "err.trigger_refused": {
        "nl": "'{trigger}' wordt geweigerd: {reasons}",
        "en": "'{trigger}' is refused: {reasons}",
    },
    "err.trigger": {
        "nl": "Item {id} staat in '{state}'; {where}. Nu mogelijk: {possible}.",
        "en": "Item {id} is in '{state}'; {where}. Possible now: {possible}.",
    },
    "err.nothing_possible": {
        "nl": "niets (het item is afgesloten)",
        "en": "nothing (the item is closed)",
    },
    "err.item_changed": {
        "nl": "Item {id} is gewijzigd sinds u het laadde (versie {version}); er is niets "
        "opgeslagen. Bekijk het opnieuw met 'routing show {id}' en herhaal uw stap.",
        "en": "Item {id} changed since you loaded it (version {version}); nothing was written. "
        "Look at it again with 'routing show {id}' and repeat your step.",
    },
    "err.db_newer": {
        "nl": "Database {url} is bijgewerkt door een nieuwere versie van routing (schema "
        "{revision}); werk routing bij naar die versie. 'routing init' helpt hier niet.",
        "en": "Database {url} was upgraded by a newer version of routing (schema {revision}); "
        "upgrade routing to that version. 'routing init' does not help here.",
    },
    "err.db_not_ready": {
        "nl": "Database {url} is niet klaar ({detail}); voer 'routing init' uit om haar aan "
        "te maken of bij te werken.",
        "en": "Database {url} is not ready ({detail}); run 'routing init' to create or upgrade it.",
    },
    "err.unexpected": {
        "nl": "Onverwachte fout: {error}. Dit is een fout in de software (exitcode 3); meld het "
        "met de uitvoer van dezelfde opdracht met 'routing --debug' ervoor.",
        "en": "Unexpected error: {error}. This is a fault in the software (exit code 3); report "
        "it with the output of the same command with 'routing --debug' in front.",
    },
    # cli
    "cli.created": {
        "nl": "Item {id} aangemaakt in '{state}'.",
        "en": "Item {id} created in '{state}'.",
    },
    "cli.moved": {
        "nl": "Item {id}: {from_state} → {to_state} ({trigger}).",
        "en": "Item {id}: {from_state} → {to_state} ({trigger}).",
    },
    "cli.edited": {"nl": "Item {id} bijgewerkt.", "en": "Item {id} updated."},
    "cli.init_config": {
        "nl": "Startconfiguratie geschreven: {path}",
        "en": "Starter configuration written: {path}",
    },
    "cli.init_config_kept": {
        "nl": "Configuratie bestaat al en blijft zoals ze is: {path}",
        "en": "Configuration exists and is left as it is: {path}",
    },
    "cli.init_db": {
        "nl": "Database {url}: schema {before} → {after}.",
        "en": "Database {url}: schema {before} → {after}.",
    },
    "cli.init_db_current": {
        "nl": "Database {url}: schema is actueel ({after}).",
        "en": "Database {url}: schema is up to date ({after}).",
    },
    "cli.check_ok": {
        "nl": "In orde: {config} ({bodies} organen, {flows} flows).",
        "en": "OK: {config} ({bodies} bodies, {flows} flows).",
    },
    "cli.no_items": {"nl": "Geen items.", "en": "No items."},
    # planning
    "plan.placed": {
        "nl": "Gepland: {body}, {meeting} (stukken uiterlijk {due}).",
        "en": "Planned: {body}, {meeting} (papers due {due}).",
    },
    "plan.handover": {
        "nl": "Overgedragen aan {body}, in te brengen in de vergadering van {meeting}.",
        "en": "Handed over to {body}, to be brought into the meeting of {meeting}.",
    },
    "plan.no_meeting": {
        "nl": "Geen vergadering van {body} in zicht: voeg de vergaderingen van {year} toe aan "
        "routing.toml of importeer ze ('routing meetings import {key} BESTAND.ics').",
        "en": "No meeting of {body} ahead: add the {year} meetings to routing.toml or import them "
        "('routing meetings import {key} FILE.ics').",
    },
    "plan.none_reachable": {
        "nl": "geen enkele vergadering binnen drie jaar",
        "en": "no meeting within three years",
    },
    # E&I
    "word.yes": {"nl": "ja", "en": "yes"},
    "word.no": {"nl": "nee", "en": "no"},
    "ei.reason_secretary": {
        "nl": "besluit van het secretariaat: {choice}",
        "en": "the secretariat's decision: {choice}",
    },
    "ei.reason_always": {"nl": "de flow informeert altijd", "en": "the flow always informs"},
    "ei.reason_never": {"nl": "de flow informeert nooit", "en": "the flow never informs"},
    "ei.reason_topics.one": {
        "nl": "onderwerp voor E&I: {topics}",
        "en": "topic for E&I: {topics}",
    },
    "ei.reason_topics.other": {
        "nl": "onderwerpen voor E&I: {topics}",
        "en": "topics for E&I: {topics}",
    },
    "ei.reason_no_topics": {
        "nl": "geen onderwerp voor E&I",
        "en": "no topic for E&I",
    },
    "ei.effect_yes": {
        "nl": "{body} wordt geïnformeerd ({reason}).",
        "en": "{body} will be informed ({reason}).",
    },
    "ei.effect_no": {
        "nl": "{body} wordt niet geïnformeerd ({reason}).",
        "en": "{body} is not informed ({reason}).",
    },
    "ei.mail_subject": {
        "nl": "Ter informatie voor {body}: {label}",
        "en": "For information of {body}: {label}",
    },
    "ei.mail_body": {
        "nl": "Aan: {body}\n\nTer informatie, volgens de afspraken over de UTA-vertegenwoordiging "
        "van {region}.\n\nItem: {label}\nRoute: {flow}\nStap: {step}, {when}\n\n"
        "Terugkoppeling:\n{note}\n",
        "en": "To: {body}\n\nFor information, under the arrangements for the UTA representation "
        "of {region}.\n\nItem: {label}\nRoute: {flow}\nStep: {step}, {when}\n\n"
        "Feedback:\n{note}\n",
    },
    "notify.confidential_label": {
        "nl": "vertrouwelijk stuk {kenmerk}",
        "en": "confidential document {kenmerk}",
    },
    "notify.confidential_note": {
        "nl": "(vertrouwelijk: de inhoud is op te vragen bij het secretariaat)",
        "en": "(confidential: ask the secretariat for the content)",
    },
    # sweep
    "sweep.nothing": {"nl": "niets te doen", "en": "nothing to do"},
    "mail.reminder": {"nl": "herinnering", "en": "reminder"},
    "mail.escalation": {"nl": "escalatie", "en": "escalation"},
    "mail.rollover": {"nl": "doorgeschoven", "en": "rolled over"},
    "mail.feedback": {"nl": "terugkoppeling", "en": "feedback"},
    "mail.ei": {"nl": "E&I", "en": "E&I"},
    "mail.digest": {"nl": "voortgang", "en": "digest"},
    "mail.slip": {"nl": "planning", "en": "plan"},
    "label.missed": {"nl": "gemist", "en": "missed"},
    "sweep.kind.reminder": {"nl": "herinneringen", "en": "reminders"},
    "sweep.kind.escalation": {"nl": "escalaties", "en": "escalations"},
    "sweep.kind.rollover": {"nl": "doorgeschoven", "en": "rolled over"},
    "sweep.kind.feedback": {"nl": "terugkoppelingen", "en": "feedback items"},
    "sweep.kind.digest": {"nl": "voortgangsberichten", "en": "digests"},
    "sweep.kind.slip": {"nl": "planningswaarschuwingen", "en": "plan warnings"},
    "sweep.reminder_subject": {
        "nl": "Herinnering: stukken voor {body} — {label}",
        "en": "Reminder: papers for {body} — {label}",
    },
    "sweep.reminder_body": {
        "nl": "De stukken voor {label} moeten uiterlijk {due} binnen zijn voor {body} "
        "({meeting}).\nZijn ze binnen: routing stukken {id}\n",
        "en": "The papers for {label} are due {due} for {body} ({meeting}).\n"
        "When they are in: routing stukken {id}\n",
    },
    "sweep.papers_late_subject": {
        "nl": "Termijn verstreken: stukken voor {body} — {label}",
        "en": "Deadline passed: papers for {body} — {label}",
    },
    "sweep.papers_late_body": {
        "nl": "De termijn voor de stukken van {label} voor {body} ({meeting}) is op {due} "
        "verstreken zonder dat ze binnen zijn.\nZijn ze alsnog binnen: routing stukken {id}; "
        "anders: routing move {id} aanhouden\n",
        "en": "The deadline for the papers of {label} for {body} ({meeting}) passed on {due} "
        "without them.\nIf they are in after all: routing stukken {id}; otherwise: "
        "routing move {id} aanhouden\n",
    },
    "sweep.handover_late_subject": {
        "nl": "Overdracht te laat: {label} bij {body}",
        "en": "Hand-over late: {label} at {body}",
    },
    "sweep.handover_late_body": {
        "nl": "{label} had uiterlijk {due} bij {body} moeten liggen voor de vergadering van "
        "{meeting}, zodat de regionale inbreng er is vóór de stukken (regel 6).\n"
        "Volgende stap: routing move {id} inbrengen\n",
        "en": "{label} had to reach {body} by {due} for the meeting of {meeting}, so that the "
        "regional input exists before the papers (rule 6).\nNext step: routing move {id} "
        "inbrengen\n",
    },
    "sweep.rollover_subject": {
        "nl": "Doorgeschoven: {label} ({body})",
        "en": "Rolled over: {label} ({body})",
    },
    "sweep.rollover_note": {
        "nl": "Vergadering van {meeting} voorbij zonder uitkomst; doorgeschoven. {where}",
        "en": "Meeting of {meeting} passed without an outcome; rolled over. {where}",
    },
    "sweep.feedback_title": {
        "nl": "Terugkoppeling {body} van {day}",
        "en": "Feedback from {body} of {day}",
    },
    "sweep.feedback_note": {
        "nl": "Automatisch aangemaakt na de vergadering van {body} op {day}.",
        "en": "Created automatically after the meeting of {body} on {day}.",
    },
    "sweep.feedback_created": {
        "nl": "Terugkoppelingsitem {id} aangemaakt: {title}",
        "en": "Feedback item {id} created: {title}",
    },
    "sweep.feedback_subject": {"nl": "Nieuw: {title}", "en": "New: {title}"},
    "sweep.feedback_body": {
        "nl": "Item {id}, '{title}', is aangemaakt. {where}\n",
        "en": "Item {id}, '{title}', was created. {where}\n",
    },
    "sweep.planned_on": {
        "nl": "Gepland op {body}, {meeting}.",
        "en": "Planned at {body}, {meeting}.",
    },
    "digest.subject": {
        "nl": "Voortgang Werk & Participatie / UTA, {period}, voor {body}",
        "en": "Progress Werk & Participatie / UTA, {period}, for {body}",
    },
    "slip.subject": {
        "nl": "Planning in gevaar: {label} haalt {target} niet meer",
        "en": "Plan at risk: {label} can no longer make {target}",
    },
    "slip.body": {
        "nl": "{label} kan de beoogde vergadering van {target} niet meer halen: de stap bij "
        "{step} had uiterlijk {due} moeten gebeuren.\nVroegst haalbaar: {alternative}.\n"
        "Bekijk de planning: routing plan {id}\n",
        "en": "{label} can no longer make the target meeting of {target}: the step at {step} "
        "was due by {due}.\nEarliest reachable: {alternative}.\nSee the plan: routing plan {id}\n",
    },
    # labels
    "label.id": {"nl": "Nr", "en": "Id"},
    "label.title": {"nl": "Titel", "en": "Title"},
    "label.flow": {"nl": "Flow", "en": "Flow"},
    "label.state": {"nl": "Status", "en": "State"},
    "label.body": {"nl": "Orgaan", "en": "Body"},
    "label.kenmerk": {"nl": "Kenmerk", "en": "Reference"},
    "label.owner": {"nl": "Eigenaar", "en": "Owner"},
    "label.topics": {"nl": "Onderwerpen", "en": "Topics"},
    "label.asked": {"nl": "Gevraagd", "en": "Asked"},
    "label.flags": {"nl": "Kenmerken", "en": "Flags"},
    "label.version": {"nl": "Versie", "en": "Version"},
    "label.created": {"nl": "Aangemaakt", "en": "Created"},
    "label.updated": {"nl": "Bijgewerkt", "en": "Updated"},
    "label.possible": {"nl": "Nu mogelijk", "en": "Possible now"},
    "label.history": {"nl": "Geschiedenis", "en": "History"},
    "label.when": {"nl": "Wanneer", "en": "When"},
    "label.step": {"nl": "Stap", "en": "Step"},
    "label.from": {"nl": "Van", "en": "From"},
    "label.to": {"nl": "Naar", "en": "To"},
    "label.actor": {"nl": "Door", "en": "By"},
    "label.note": {"nl": "Toelichting", "en": "Note"},
    "label.states": {"nl": "Statussen", "en": "States"},
    "label.triggers": {"nl": "Stappen", "en": "Triggers"},
    "label.final": {"nl": "eindstatus", "en": "final"},
    "label.guard": {"nl": "voorwaarde", "en": "guard"},
    "label.inform_ei": {"nl": "E&I informeren", "en": "Inform E&I"},
    "label.kind": {"nl": "Soort", "en": "Kind"},
    "label.name": {"nl": "Naam", "en": "Name"},
    "label.confidential": {"nl": "vertrouwelijk", "en": "confidential"},
    "label.public": {"nl": "openbaar", "en": "public"},
    "label.not_distributed": {"nl": "niet verspreiden", "en": "do not distribute"},
    "label.none": {"nl": "—", "en": "—"},
    "label.meeting": {"nl": "Vergadering", "en": "Meeting"},
    "label.latest": {"nl": "Uiterlijk", "en": "Latest"},
    "label.papers_due": {"nl": "Stukken uiterlijk", "en": "Papers due"},
    "label.items": {"nl": "Items", "en": "Items"},
    "label.subject": {"nl": "Onderwerp", "en": "Subject"},
    "label.status": {"nl": "Status", "en": "Status"},
    "label.deadlines": {"nl": "Termijnen", "en": "Deadlines"},
    "label.notifications": {"nl": "Berichten", "en": "Messages"},
    "label.planned": {"nl": "Gepland", "en": "Planned"},
    "label.target": {"nl": "Doel", "en": "Target"},
    "deadline.reminder": {"nl": "herinnering", "en": "reminder"},
    "deadline.papers": {"nl": "stukken", "en": "papers"},
    "deadline.handover": {"nl": "overdracht", "en": "hand-over"},
    "deadline.meeting": {"nl": "vergadering", "en": "meeting"},
    "plan.missed": {"nl": "gemist", "en": "missed"},
    "plan.to_target": {"nl": "Terugplanning naar {target}", "en": "Backward plan to {target}"},
    "plan.reachable": {"nl": "{target} is haalbaar.", "en": "{target} can be reached."},
    "plan.unreachable": {
        "nl": "{target} is niet meer haalbaar.",
        "en": "{target} can no longer be reached.",
    },
    "plan.earliest": {
        "nl": "Vroegst haalbaar: {target}",
        "en": "Earliest reachable: {target}",
    },
    "plan.no_target_meeting": {
        "nl": "Geen doelvergadering in zicht.",
        "en": "No target meeting ahead.",
    },
    "meetings.no_preparation": {
        "nl": "geen regionale voorbereiding mogelijk",
        "en": "no regional preparation possible",
    },
    "meetings.rule6_legend": {
        "nl": "⚠ = geen regionale voorbereiding mogelijk: geen PFHO W&P tussen stukken en "
        "vergadering (regel 6)",
        "en": "⚠ = no regional preparation possible: no PFHO W&P between papers and "
        "meeting (rule 6)",
    },
    "meetings.none": {
        "nl": "Geen vergaderingen in deze periode.",
        "en": "No meetings in this period.",
    },
    "daemon.never": {
        "nl": "daemon: nog nooit gedraaid (start 'routing daemon')",
        "en": "daemon: never ran (start 'routing daemon')",
    },
    "daemon.last_sweep": {
        "nl": "daemon: laatste ronde {ago} ({sweeps} rondes)",
        "en": "daemon: last sweep {ago} ({sweeps} sweeps)",
    },
    "daemon.silent": {"nl": "— de daemon is stil!", "en": "— the daemon is silent!"},
    "daemon.delivery": {
        "nl": "Berichten: {sent} verstuurd, {retried} opnieuw te proberen, {failed} mislukt.",
        "en": "Messages: {sent} sent, {retried} to retry, {failed} failed.",
    },
    "outbox.pending": {"nl": "wacht", "en": "pending"},
    "outbox.sent": {"nl": "verstuurd", "en": "sent"},
    "outbox.failed": {"nl": "mislukt", "en": "failed"},
    "outbox.empty": {"nl": "De outbox is leeg.", "en": "The outbox is empty."},
    "meeting.no_outcome": {"nl": "(geen uitkomst)", "en": "(no outcome)"},
    "meeting.empty": {
        "nl": "Geen items op deze vergadering.",
        "en": "No items on this meeting.",
    },
    "meeting.skip": {"nl": "overslaan", "en": "skip"},
    "meeting.ask": {"nl": "Uitkomst", "en": "Outcome"},
    "board.title": {"nl": "Stand van zaken, {now}", "en": "Status, {now}"},
    "board.days_left": {"nl": "nog {n} d", "en": "{n} d left"},
    "board.days_late": {"nl": "{n} d te laat", "en": "{n} d late"},
    "board.meeting_passed": {
        "nl": "vergadering voorbij, geen uitkomst",
        "en": "meeting passed, no outcome",
    },
    "board.unplaced": {"nl": "Nog te agenderen", "en": "Not yet on an agenda"},
    "board.upcoming": {"nl": "Komende twee weken", "en": "Coming two weeks"},
    "board.outbox": {
        "nl": "Berichten: {pending} wachten, {failed} mislukt",
        "en": "Messages: {pending} pending, {failed} failed",
    },
    "progress.import": {"nl": "Vergaderingen importeren", "en": "Importing meetings"},
    "progress.close": {"nl": "Uitkomsten vastleggen", "en": "Recording outcomes"},
    "progress.deadlines": {"nl": "Termijnen", "en": "Deadlines"},
    "cli.papers_in.one": {
        "nl": "Item {id}: stukken binnen ({count} termijn afgehandeld).",
        "en": "Item {id}: papers in ({count} deadline met).",
    },
    "cli.papers_in.other": {
        "nl": "Item {id}: stukken binnen ({count} termijnen afgehandeld).",
        "en": "Item {id}: papers in ({count} deadlines met).",
    },
    "cli.ics_written.one": {
        "nl": "{path}: {count} vergadering en de termijnen van open items geschreven.",
        "en": "{path}: {count} meeting and the deadlines of open items written.",
    },
    "cli.ics_written.other": {
        "nl": "{path}: {count} vergaderingen en de termijnen van open items geschreven.",
        "en": "{path}: {count} meetings and the deadlines of open items written.",
    },
    "asked.besluitvorming": {"nl": "ter besluitvorming", "en": "for decision"},
    "asked.bespreking": {"nl": "ter bespreking", "en": "for discussion"},
    "asked.informatie": {"nl": "ter informatie", "en": "for information"},
    # errors of engine, planning, meetings, calendars, configuration
    "what.item": {"nl": "Item", "en": "Item"},
    "err.option_choice": {
        "nl": "{option}: '{value}' kan niet; kies uit {choices}.",
        "en": "{option}: '{value}' is not possible; use one of {choices}.",
    },
    "err.no_folder": {
        "nl": "{option}: de map '{folder}' bestaat niet; maak hem eerst aan.",
        "en": "{option}: the folder '{folder}' does not exist; create it first.",
    },
    "err.diagram_needs_flow": {
        "nl": "--diagram: noem de flow die getekend moet worden, bijv. 'routing flows "
        "agendapunt-stuurgroep --diagram route.svg'.",
        "en": "--diagram: name the flow to draw, e.g. 'routing flows agendapunt-stuurgroep "
        "--diagram route.svg'.",
    },
    "err.not_pair": {
        "nl": "{option}: '{value}' heeft niet de vorm ID=WAARDE.",
        "en": "{option}: '{value}' is not ID=VALUE.",
    },
    "what.flow": {"nl": "Flow", "en": "Flow"},
    "what.flow_version": {"nl": "Flowversie", "en": "Flow version"},
    "hint.known_flows": {"nl": "Bekende flows: {names}.", "en": "Known flows: {names}."},
    "err.not_a_date": {
        "nl": "'{text}' is geen datum of tijdstip; schrijf het als 2024-03-14 of 2024-03-14T09:30.",
        "en": "'{text}' is not a date or date-time; write it as 2024-03-14 or 2024-03-14T09:30.",
    },
    "what.body": {"nl": "Orgaan", "en": "Body"},
    "what.calendar": {"nl": "De vergaderkalender van orgaan", "en": "The calendar of body"},
    "word.none": {"nl": "geen", "en": "none"},
    "hint.see_items": {
        "nl": "Bekijk de items met 'routing list'.",
        "en": "See the items with 'routing list'.",
    },
    "hint.known_bodies": {"nl": "Bekende organen: {bodies}.", "en": "Known bodies: {bodies}."},
    "hint.calendar": {
        "nl": "Geef het vergaderingen onder [bodies.{key}.calendar] in routing.toml, of importeer "
        "ze met 'routing meetings import {key} BESTAND.ics'.",
        "en": "Give it meetings under [bodies.{key}.calendar] in routing.toml or import them "
        "with 'routing meetings import {key} FILE.ics'.",
    },
    "err.topics_unusable.one": {
        "nl": "Onderwerp {topics} niet bruikbaar; een onderwerp bestaat uit kleine letters, "
        "cijfers en '-', beginnend met een letter of cijfer.",
        "en": "Topic {topics} not usable; a topic is lowercase letters, digits and '-', starting "
        "with a letter or digit.",
    },
    "err.topics_unusable.other": {
        "nl": "Onderwerpen {topics} niet bruikbaar; een onderwerp bestaat uit kleine letters, "
        "cijfers en '-', beginnend met een letter of cijfer.",
        "en": "Topics {topics} not usable; a topic is lowercase letters, digits and '-', starting "
        "with a letter or digit.",
    },
    "err.asked_unknown": {
        "nl": "'--voor {asked}' is niet mogelijk; kies uit: {choices}.",
        "en": "'--voor {asked}' is not possible; use one of: {choices}.",
    },
    "err.title_missing": {
        "nl": "Een item heeft een titel nodig; geef die als eerste argument, tussen "
        "aanhalingstekens.",
        "en": "An item needs a title; give it as the first argument, in quotes.",
    },
    "err.title_empty": {
        "nl": "De titel mag niet leeg zijn; geef een titel tussen aanhalingstekens.",
        "en": "A title cannot be empty; give a title in quotes.",
    },
    "err.nothing_to_change": {
        "nl": "Er is niets te wijzigen; geef ten minste één optie, zie 'routing edit --help'.",
        "en": "Nothing to change; give at least one option, see 'routing edit --help'.",
    },
    "err.target_needs_meeting": {
        "nl": "--target werkt alleen samen met --target-meeting DATUM; geef ook de datum van "
        "de doelvergadering.",
        "en": "--target needs --target-meeting DATE as well; give the date of the target "
        "meeting too.",
    },
    "err.no_route_meeting_on": {
        "nl": "Geen enkel orgaan op de route van '{flow}' vergadert op {date}; bekijk de "
        "vergaderingen met 'routing meetings' en kies een van die datums.",
        "en": "No body on the route of '{flow}' meets on {date}; see the meetings with "
        "'routing meetings' and pick one of their dates.",
    },
    "err.not_on_meeting.one": {
        "nl": "Item {ids} staat niet op de vergadering van {body} van {date}; op deze "
        "vergadering staan: {on_it}.",
        "en": "Item {ids} is not on the meeting of {body} of {date}; on it: {on_it}.",
    },
    "err.not_on_meeting.other": {
        "nl": "Items {ids} staan niet op de vergadering van {body} van {date}; op deze "
        "vergadering staan: {on_it}.",
        "en": "Items {ids} are not on the meeting of {body} of {date}; on it: {on_it}.",
    },
    "err.no_open_papers": {
        "nl": "Item {id} heeft geen openstaande termijn voor stukken (status '{state}'); er is "
        "niets vast te leggen.",
        "en": "Item {id} has no open papers deadline (state '{state}'); nothing to record.",
    },
    "err.route_not_leading": {
        "nl": "Vanuit '{state}' leidt de flow '{flow}' niet naar '{body}'; kies een orgaan op "
        "de route van het item (zie 'routing flows {flow}').",
        "en": "From '{state}' the flow '{flow}' does not lead to '{body}'; choose a body on the "
        "item's route (see 'routing flows {flow}').",
    },
    "err.no_target": {
        "nl": "Item {id} heeft geen doelvergadering; geef er een op met --target ORGAAN "
        "(bijvoorbeeld --target uta-stuurgroep) en eventueel --meeting DATUM.",
        "en": "Item {id} has no target meeting; give one with --target BODY "
        "(e.g. --target uta-stuurgroep) and optionally --meeting DATE.",
    },
    "err.inform_ei_choice": {
        "nl": "'--inform-ei {text}' is niet mogelijk; kies ja of nee.",
        "en": "'--inform-ei {text}' is not possible; use ja or nee.",
    },
    "err.inform_ei_step": {
        "nl": "--inform-ei hoort bij stap '{step}', niet bij '{trigger}'; laat het hier weg.",
        "en": "--inform-ei applies to step '{step}', not to '{trigger}'; leave it out here.",
    },
    "err.inform_ei_no_step": {
        "nl": "Deze flow kent geen besluit over E&I; laat --inform-ei weg bij '{trigger}'.",
        "en": "This flow has no E&I decision; leave out --inform-ei for '{trigger}'.",
    },
    "err.inform_ei_needed": {
        "nl": "Bij stap '{trigger}' van flow '{flow}' beslist het secretariaat of {body} wordt "
        "geïnformeerd: voeg --inform-ei ja of --inform-ei nee toe.",
        "en": "Step '{trigger}' of flow '{flow}' needs the secretary's decision whether {body} "
        "is informed: add --inform-ei ja or --inform-ei nee.",
    },
    "err.guard_kenmerk": {
        "nl": "er is eerst een kenmerk nodig (voorwaarde heeft_kenmerk): vul het in met "
        "'routing edit {id} --kenmerk DOC-...'",
        "en": "it needs a kenmerk first (guard heeft_kenmerk): set one with "
        "'routing edit {id} --kenmerk DOC-...'",
    },
    "err.guard_owner": {
        "nl": "er is eerst een eigenaar nodig (voorwaarde heeft_eigenaar): vul die in met "
        "'routing edit {id} --owner NAAM'",
        "en": "it needs an owner first (guard heeft_eigenaar): set one with "
        "'routing edit {id} --owner NAME'",
    },
    "err.import_person": {
        "nl": "'{body}' is een persoon en heeft geen eigen vergaderingen; importeer in plaats "
        "daarvan de kalender van '{target}'.",
        "en": "'{body}' is a person and has no meetings; import the calendar of '{target}' "
        "instead.",
    },
    "err.file_unreadable": {
        "nl": "{path}: het bestand kan niet worden gelezen ({reason}).",
        "en": "{path}: cannot be read ({reason}).",
    },
    "err.not_ics": {
        "nl": "Dit is geen iCalendar-bestand ({detail}); exporteer de kalender opnieuw als "
        "iCalendar-bestand (.ics).",
        "en": "Not an iCalendar file ({detail}); export the calendar again as an iCalendar "
        "(.ics) file.",
    },
    "err.lead_time": {
        "nl": "termijn '{text}' is niet duidelijk; schrijf bijvoorbeeld \"5 werkdagen\" of "
        '"7 dagen"',
        "en": 'lead time \'{text}\' is not understood; write e.g. "5 werkdagen" or "7 dagen"',
    },
    "config.file_not_found": {
        "nl": "bestand niet gevonden; voer hier 'routing init' uit om een eerste routing.toml "
        "te laten schrijven, of wijs er een aan met --config of ROUTING_CONFIG",
        "en": "file not found; run 'routing init' here to write a starter routing.toml, "
        "or point to one with --config or ROUTING_CONFIG",
    },
    "config.not_toml": {"nl": "geen geldige TOML: {detail}", "en": "not valid TOML: {detail}"},
    "config.at_line": {"nl": "(regel {line})", "en": "(line {line})"},
    "config.unknown_key": {
        "nl": "{where}: onbekende sleutel{line}; toegestaan: {allowed}",
        "en": "{where}: unknown key{line}; allowed: {allowed}",
    },
    "config.unknown_body": {
        "nl": "{where}: onbekend orgaan '{body}'{line}",
        "en": "{where}: unknown body '{body}'{line}",
    },
    "config.must_be_table": {
        "nl": "{where}: moet een tabel zijn{line}",
        "en": "{where}: must be a table{line}",
    },
    "config.must_be_named_table": {
        "nl": "{where}: moet een tabel [{where}] zijn{line}",
        "en": "{where}: must be a table [{where}]{line}",
    },
    "config.must_be_list": {
        "nl": "{where}: moet een lijst zijn{line}",
        "en": "{where}: must be a list{line}",
    },
    "config.must_be_bool": {
        "nl": "{where}: moet true of false zijn{line}",
        "en": "{where}: must be true or false{line}",
    },
    "config.not_text": {
        "nl": "{where}: moet een tekst tussen aanhalingstekens zijn, maar is {value}{line}",
        "en": "{where}: must be a text in quotes, got {value}{line}",
    },
    "config.not_texts": {
        "nl": "{where}: moet een lijst van teksten zijn, maar is {value}{line}",
        "en": "{where}: must be a list of texts, got {value}{line}",
    },
    "config.not_email": {
        "nl": "{where}: '{address}' is geen e-mailadres{line}",
        "en": "{where}: '{address}' is not an e-mail address{line}",
    },
    "config.timezone": {
        "nl": "region.timezone: onbekende tijdzone '{tz}'; gebruik bijvoorbeeld "
        "Europe/Amsterdam{line}",
        "en": "region.timezone: unknown time zone '{tz}'; use e.g. Europe/Amsterdam{line}",
    },
    "config.language": {
        "nl": "language: '{language}' wordt niet ondersteund; kies uit {choices}{line}",
        "en": "language: '{language}' is not supported; use one of {choices}{line}",
    },
    "config.bodies_missing": {
        "nl": "bodies: er is ten minste één tabel [bodies.SLEUTEL] nodig{line}",
        "en": "bodies: at least one [bodies.KEY] table is needed{line}",
    },
    "config.body_key": {
        "nl": "{where}: de sleutel van een orgaan bestaat uit kleine letters, cijfers en '-'{line}",
        "en": "{where}: a body key is lowercase letters, digits and '-'{line}",
    },
    "config.body_kind": {
        "nl": "{where}: '{kind}' is geen geldige soort; kies uit {kinds}{line}",
        "en": "{where}: '{kind}' is not one of {kinds}{line}",
    },
    "config.person_calendar": {
        "nl": "{where}: een persoon heeft geen eigen vergaderingen; verwijder [{where}.calendar] "
        "en vul handover_to en handover_lead in{line}",
        "en": "{where}: a person has no meetings of its own; remove [{where}.calendar] and set "
        "handover_to and handover_lead{line}",
    },
    "config.person_handover": {
        "nl": "{where}: een persoon heeft handover_to nodig (het orgaan waaraan de persoon "
        "overdraagt, bijvoorbeeld 'uta-stuurgroep'){line}",
        "en": "{where}: a person needs handover_to (the body it hands over to, e.g. "
        "'uta-stuurgroep'){line}",
    },
    "config.datetime": {
        "nl": "{where}: '{value}' is geen datum met tijd; schrijf 2024-03-14T14:00{line}",
        "en": "{where}: '{value}' is not a date-time; write 2024-03-14T14:00{line}",
    },
    "config.date": {
        "nl": "{where}: '{value}' is geen datum; schrijf 2024-12-24{line}",
        "en": "{where}: '{value}' is not a date; write 2024-12-24{line}",
    },
    "config.time": {
        "nl": '{where}: \'{value}\' is geen tijd; schrijf "12:00" of "meeting"{line}',
        "en": '{where}: \'{value}\' is not a time; write "12:00" or "meeting"{line}',
    },
    "config.rrule_missing": {
        "nl": '{where}: een herhaling heeft rrule = "FREQ=..." en start nodig{line}',
        "en": '{where}: a recurrence needs rrule = "FREQ=..." and start{line}',
    },
    "config.rrule_invalid": {
        "nl": "{where}: '{text}' is geen geldige RRULE ({detail}){line}",
        "en": "{where}: '{text}' is not a valid RRULE ({detail}){line}",
    },
    "config.recess_order": {
        "nl": "{where}: het reces eindigt ({end}) voordat het begint ({start}){line}",
        "en": "{where}: ends ({end}) before it starts ({start}){line}",
    },
    "config.cron_list": {
        "nl": "daemon.cron: moet een lijst van crontab-regels zijn, bijvoorbeeld {example}{line}",
        "en": "daemon.cron: a list of crontab lines, e.g. {example}{line}",
    },
    "config.cron_line": {
        "nl": "daemon.cron: '{entry}' is geen crontab-regel van vijf velden{line}",
        "en": "daemon.cron: '{entry}' is not a crontab line of five fields{line}",
    },
    "config.period": {
        "nl": "ei.digest.every: '{every}' is onbekend; kies uit {choices}{line}",
        "en": "ei.digest.every: '{every}' unknown; use one of {choices}{line}",
    },
    "config.whole_number": {
        "nl": "{where}: moet een geheel getal {bound} zijn, maar is {value}{line}",
        "en": "{where}: must be a whole number {bound}, got {value}{line}",
    },
    "config.secret": {
        "nl": "{where}: geheimen horen niet in routing.toml; zet de waarde in de "
        "omgevingsvariabele {variable}{line}",
        "en": "{where}: secrets do not belong in routing.toml; put it in {variable} instead{line}",
    },
    "config.wrong_type": {
        "nl": "{where}: {value} heeft het verkeerde type{line}; verwacht {expected}",
        "en": "{where}: {value} has the wrong type{line}; expected {expected}",
    },
    "config.channel": {
        "nl": "notify.channel: '{channel}' is onbekend; kies file of smtp{line}",
        "en": "notify.channel: '{channel}' unknown; use file or smtp{line}",
    },
    "config.port": {
        "nl": "notify.smtp_port: {port} is geen poortnummer{line}",
        "en": "notify.smtp_port: {port} is not a port number{line}",
    },
    "config.max_attempts": {
        "nl": "notify.max_attempts: moet ten minste 1 zijn{line}",
        "en": "notify.max_attempts: must be at least 1{line}",
    },
    # meeting documents (agenda, besluitenlijst)
    "err.no_meeting_on": {
        "nl": "{body} vergadert niet op {date}; zie 'routing meetings --body {key}'.",
        "en": "{body} does not meet on {date}; see 'routing meetings --body {key}'.",
    },
    "err.no_next_meeting": {
        "nl": "{body} heeft geen komende vergadering; zie 'routing meetings --body {key}'.",
        "en": "{body} has no meeting ahead; see 'routing meetings --body {key}'.",
    },
    "err.meeting_not_closed": {
        "nl": "De vergadering van {body} van {date} is nog niet afgesloten; leg de uitkomsten "
        "eerst vast met 'routing meeting close {key} {iso}'.",
        "en": "The meeting of {body} of {date} has not been closed; record its outcomes first "
        "with 'routing meeting close {key} {iso}'.",
    },
    # flow diagrams
    "err.diagram_state": {
        "nl": "Flow '{flow}' heeft geen status '{state}'; kies uit: {known}.",
        "en": "Flow '{flow}' has no state '{state}'; use one of its states: {known}.",
    },
    "err.diagram_suffix": {
        "nl": "Kan geen diagram schrijven naar '{path}': gebruik een bestandsnaam op {suffixes}.",
        "en": "Cannot write a diagram to '{path}': use a file name ending in {suffixes}.",
    },
    "err.diagram_folder": {
        "nl": "Kan geen diagram schrijven naar '{path}': de map '{folder}' bestaat niet.",
        "en": "Cannot write a diagram to '{path}': the folder '{folder}' does not exist.",
    },
    "err.diagram_extra": {
        "nl": "Voor een .svg- of .png-diagram is Graphviz nodig: installeer het met "
        "pip install 'routing[diagrammen]' (een .mmd-diagram kan zonder).",
        "en": "An .svg or .png diagram needs Graphviz: install it with "
        "pip install 'routing[diagrammen]' (an .mmd diagram works without it).",
    },
    "cli.diagram_written": {"nl": "Diagram geschreven: {path}", "en": "Diagram written: {path}"},
    # calendar export
    "ics.calendar_name": {
        "nl": "Vergaderingen en termijnen W&P",
        "en": "Meetings and deadlines W&P",
    },
    "ics.planned": {"nl": "Gepland ({count}):", "en": "Planned ({count}):"},
    "ics.rule6": {"nl": "(regel 6)", "en": "(rule 6)"},
    "ics.category_meeting": {"nl": "Vergadering", "en": "Meeting"},
    "ics.category_deadline": {"nl": "Termijn", "en": "Deadline"},
    "ics.deadline_reminder": {
        "nl": "Herinnering stukken: {label} voor {body}",
        "en": "Papers reminder: {label} for {body}",
    },
    "ics.deadline_papers": {
        "nl": "Stukken uiterlijk: {label} voor {body}",
        "en": "Papers due: {label} for {body}",
    },
    "ics.deadline_handover": {
        "nl": "Overdracht: {label} aan {body}",
        "en": "Hand-over: {label} to {body}",
    },
    "ics.deadline_for": {
        "nl": "Voor de vergadering van {body} op {date} (item {id}).",
        "en": "For the meeting of {body} on {date} (item {id}).",
    },
    "ics.missed": {"nl": "GEMIST", "en": "MISSED"},
    "doc.agenda": {"nl": "Agenda", "en": "Agenda"},
    "doc.besluitenlijst": {"nl": "Besluitenlijst", "en": "Decision list"},
    "doc.meeting": {"nl": "Vergadering van {date}", "en": "Meeting of {date}"},
    "doc.openbaar": {"nl": "Openbaar", "en": "Public"},
    "doc.niet_openbaar": {
        "nl": "Niet openbaar, niet verspreiden",
        "en": "Not public, do not distribute",
    },
    "doc.confidential_point": {"nl": "Vertrouwelijk punt", "en": "Confidential item"},
    "doc.confidential_mark": {"nl": "vertrouwelijk", "en": "confidential"},
    "doc.reference": {"nl": "Referentie", "en": "Reference"},
    "doc.item_number": {"nl": "nr. {id}", "en": "no. {id}"},
    "doc.kenmerk": {"nl": "Kenmerk", "en": "Reference"},
    "doc.owner": {"nl": "Trekker", "en": "Owner"},
    "doc.sender": {"nl": "Afzender", "en": "Sender"},
    "doc.document_date": {"nl": "Datum stuk", "en": "Document date"},
    "doc.papers": {"nl": "Stukken", "en": "Papers"},
    "doc.papers_in": {"nl": "binnen", "en": "in"},
    "doc.papers_open": {"nl": "nog niet binnen", "en": "not yet in"},
    "doc.papers_missed": {"nl": "te laat, niet binnen", "en": "late, not in"},
    "doc.papers_none": {"nl": "geen termijn", "en": "no deadline"},
    "doc.papers_due": {"nl": "Stukken uiterlijk {date}", "en": "Papers due {date}"},
    "doc.no_items": {
        "nl": "Er staan geen punten op deze vergadering.",
        "en": "There are no items on this meeting.",
    },
    "doc.outcome": {"nl": "Besluit", "en": "Decision"},
    "doc.note": {"nl": "Toelichting", "en": "Note"},
    "doc.composed": {"nl": "Opgesteld op {date}", "en": "Composed on {date}"},
    "doc.number": {"nl": "Nr.", "en": "No."},
    "doc.point": {"nl": "Punt", "en": "Item"},
    "doc.written": {"nl": "Geschreven: {path}", "en": "Written: {path}"},
    # closed days, Bevrijdingsdag and [people]
    "config.bevrijdingsdag": {
        "nl": "region.bevrijdingsdag: '{value}' is onbekend{line}; kies uit {choices}",
        "en": "region.bevrijdingsdag: '{value}' unknown{line}; use one of {choices}",
    },
    "config.person_name": {
        "nl": "{where}: een naam mag niet leeg zijn{line}",
        "en": "{where}: a name must not be empty{line}",
    },
    "config.person_twice": {
        "nl": "{where}: dezelfde naam als '{other}' (hoofdletters tellen niet){line}; houd er één",
        "en": "{where}: the same name as '{other}' (case does not count){line}; keep one",
    },
    "err.unknown_person": {
        "nl": "Onbekende persoon '{name}'. Bekende namen: {names}. Of geef een e-mailadres.",
        "en": "Unknown person '{name}'. Known names: {names}. Or give an e-mail address.",
    },
    "err.unknown_person_no_people": {
        "nl": "Onbekende persoon '{name}'. Er staan geen namen onder [people] in routing.toml; "
        "zet de persoon daar of geef een e-mailadres.",
        "en": "Unknown person '{name}'. routing.toml has no names under [people]; add the "
        "person there or give an e-mail address.",
    },
    # digest (rule 5): the periodic progress report to the PFHO E&I, see routing/digest.py
    "digest.intro": {
        "nl": "Aan: {body}\n\nVoortgang van de regionale inbreng in de Utrecht Talent Alliantie "
        "(UTA) van {region} over {period}, {span}. U ontvangt dit overzicht periodiek, volgens "
        "de afspraken over de UTA-vertegenwoordiging van de regio.",
        "en": "To: {body}\n\nProgress of the regional input into the Utrecht Talent Alliantie "
        "(UTA) of {region} for {period}, {span}. You receive this overview periodically, under "
        "the arrangements for the region's UTA representation.",
    },
    "digest.span": {
        "nl": "van {start} tot en met {end}",
        "en": "from {start} to {end} inclusive",
    },
    "digest.span_installed": {
        "nl": "sinds de ingebruikname op {start} tot en met {end}",
        "en": "since the system came into use on {start}, to {end} inclusive",
    },
    "digest.partial": {
        "nl": "Het systeem is in deze periode in gebruik genomen; wat daarvóór gebeurde, staat "
        "niet in dit overzicht.",
        "en": "The system came into use during this period; what happened before that is not "
        "in this overview.",
    },
    "digest.in_short": {
        "nl": "In het kort: nieuw {new}, onderweg {moving}, afgerond {finished}, "
        "terugkoppelingen {feedback}.",
        "en": "In short: new {new}, under way {moving}, closed {finished}, feedback {feedback}.",
    },
    "digest.nothing_happened": {
        "nl": "In deze periode is er niets gebeurd: geen nieuwe punten, geen besluiten en geen "
        "terugkoppelingen.",
        "en": "Nothing happened in this period: no new items, no decisions and no feedback.",
    },
    "digest.new_heading": {
        "nl": "Nieuw ingebracht ({count})",
        "en": "New items ({count})",
    },
    "digest.standing_heading": {
        "nl": "Waar de punten staan op {day}, met wat er is besloten",
        "en": "Where the items stand on {day}, with what was decided",
    },
    "digest.finished_heading": {
        "nl": "Afgerond in deze periode ({count})",
        "en": "Closed in this period ({count})",
    },
    "digest.note": {"nl": "Toelichting: {note}", "en": "Note: {note}"},
    "digest.moved_to": {"nl": "Verder naar: {state}", "en": "On to: {state}"},
    "digest.feedback_heading": {
        "nl": "Terugkoppelingen na vergaderingen",
        "en": "Feedback after meetings",
    },
    "digest.feedback_line": {
        "nl": "{body}: {new}; {closed}",
        "en": "{body}: {new}; {closed}",
    },
    "digest.feedback_one": {"nl": "{count} terugkoppeling", "en": "{count} feedback item"},
    "digest.feedback_many": {"nl": "{count} terugkoppelingen", "en": "{count} feedback items"},
    "digest.feedback_none_closed": {"nl": "nog geen afgerond", "en": "none closed yet"},
    "digest.confidential": {
        "nl": "Vertrouwelijke stukken staan hier alleen met hun kenmerk; de inhoud is op te "
        "vragen bij het secretariaat.",
        "en": "Confidential documents appear here by their reference only; ask the secretariat "
        "for the content.",
    },
    "digest.closing": {
        "nl": "Met vriendelijke groet,\n{secretariat}",
        "en": "Kind regards,\n{secretariat}",
    },
    "config.handover_at": {
        "nl": "{where}: '{value}' is geen orgaan waar de overdracht plaatsvindt en geen tijd "
        '(UU:MM){line}; geef bijvoorbeeld "pfho-wp" of "17:00".',
        "en": "{where}: '{value}' is neither a body where the hand-over takes place nor a time "
        '(HH:MM){line}; give e.g. "pfho-wp" or "17:00".',
    },
    "plan.no_papers": {
        "nl": "Gepland: {body}, {meeting} (geen stukken nodig).",
        "en": "Planned: {body}, {meeting} (no papers needed).",
    },
    "err.person_meetings": {
        "nl": "'{body}' is een persoon en heeft geen eigen vergaderingen; verplaats of voeg een "
        "vergadering toe bij '{target}'.",
        "en": "'{body}' is a person and has no meetings of its own; move or add a meeting of "
        "'{target}' instead.",
    },
    "err.meetings_same_day": {
        "nl": "Op {date} zijn er meer vergaderingen ({times}); geef datum en tijd, bv. "
        "2024-06-20T15:00.",
        "en": "There are several meetings on {date} ({times}); give date and time, e.g. "
        "2024-06-20T15:00.",
    },
    "err.meeting_exists": {
        "nl": "{body} vergadert die dag al ({when}); kies een andere dag of verplaats die "
        "vergadering.",
        "en": "{body} already meets that day ({when}); pick another day or move that meeting.",
    },
    "err.meeting_past": {
        "nl": "{what} ({when}) ligt niet in de toekomst; alleen komende vergaderingen kunnen "
        "veranderen.",
        "en": "{what} ({when}) is not in the future; only meetings to come can change.",
    },
    "err.meeting_same_moment": {
        "nl": "De vergadering staat al op dat moment; er is niets te verplaatsen.",
        "en": "The meeting is already at that moment; there is nothing to move.",
    },
    "word.meeting_to_move": {"nl": "De te verplaatsen vergadering", "en": "The meeting to move"},
    "word.meeting_to_cancel": {"nl": "De te annuleren vergadering", "en": "The meeting to cancel"},
    "word.new_moment": {"nl": "Het nieuwe moment", "en": "The new moment"},
    "word.new_meeting": {"nl": "De nieuwe vergadering", "en": "The new meeting"},
    "meeting.moved_note": {
        "nl": "Vergadering {body} verplaatst van {old} naar {new} (reden: {reason}); termijnen "
        "opnieuw berekend.",
        "en": "Meeting of {body} moved from {old} to {new} (reason: {reason}); deadlines "
        "recomputed.",
    },
    "meeting.replanned_note": {
        "nl": "Vergadering vervallen (reden: {reason}). {where}",
        "en": "Meeting cancelled (reason: {reason}). {where}",
    },
    "meeting.no_items": {"nl": "Er stonden geen items op.", "en": "No items were planned on it."},
    "meeting.moved_subject": {
        "nl": "Vergadering {body} verplaatst: {when} wordt {new}",
        "en": "Meeting of {body} moved: {when} becomes {new}",
    },
    "meeting.moved_body": {
        "nl": "De vergadering van {body} van {when} is verplaatst naar {new}.\nReden: "
        "{reason}\n\nItems op deze vergadering gaan mee; hun termijnen zijn opnieuw "
        "berekend:\n{items}\n",
        "en": "The meeting of {body} of {when} has moved to {new}.\nReason: {reason}\n\nItems on "
        "this meeting go along; their deadlines were recomputed:\n{items}\n",
    },
    "meeting.cancelled_subject": {
        "nl": "Vergadering {body} van {when} vervalt",
        "en": "Meeting of {body} of {when} is cancelled",
    },
    "meeting.cancelled_body": {
        "nl": "De vergadering van {body} van {when} vervalt.\nReden: {reason}\n\nDe items die "
        "erop stonden zijn opnieuw ingepland:\n{items}\n",
        "en": "The meeting of {body} of {when} is cancelled.\nReason: {reason}\n\nThe items "
        "planned on it were planned again:\n{items}\n",
    },
    "meeting.added_subject": {
        "nl": "Extra vergadering {body} op {when}",
        "en": "Extra meeting of {body} on {when}",
    },
    "meeting.added_body": {
        "nl": "Er is een vergadering van {body} toegevoegd op {when}.\nReden: {reason}\n{items}\n",
        "en": "A meeting of {body} was added on {when}.\nReason: {reason}\n{items}\n",
    },
    "meeting.reason_config": {"nl": "gewijzigd in routing.toml", "en": "changed in routing.toml"},
    "meeting.reason_import": {
        "nl": "gewijzigd in de geïmporteerde agenda",
        "en": "changed in the imported calendar",
    },
    "plan.status_reached": {
        "nl": "Doel bereikt: de vergadering van {target} is gehaald.",
        "en": "Target reached: the meeting of {target} was made.",
    },
    "plan.status_left_route": {
        "nl": "Het item ligt niet (meer) op de route naar de vergadering van {target}.",
        "en": "The item is not (or no longer) on the route to the meeting of {target}.",
    },
    "plan.on_target": {
        "nl": "Het item staat op de doelvergadering van {target}.",
        "en": "The item is planned on its target meeting of {target}.",
    },
    "err.meeting_needs_time": {
        "nl": "'{text}' heeft geen tijd; geef datum en tijd, bv. 2024-07-04T14:00.",
        "en": "'{text}' has no time; give date and time, e.g. 2024-07-04T14:00.",
    },
    "meetings.mark_moved": {"nl": "{mark} = verplaatst", "en": "{mark} = moved"},
    "meetings.mark_cancelled": {"nl": "{mark} = vervallen", "en": "{mark} = cancelled"},
    "meetings.mark_added": {"nl": "{mark} = extra vergadering", "en": "{mark} = extra meeting"},
    "import.summary": {
        "nl": "{body}: {added} toegevoegd, {moved} verplaatst, {cancelled} vervallen, {unchanged} "
        "ongewijzigd, {skipped} overgeslagen.",
        "en": "{body}: {added} added, {moved} moved, {cancelled} cancelled, {unchanged} "
        "unchanged, {skipped} skipped.",
    },
    "import.dry_run_summary": {
        "nl": "Proefimport (er is niets veranderd) {body}: {added} toe te voegen, {moved} te "
        "verplaatsen, {cancelled} te laten vervallen, {unchanged} ongewijzigd, {skipped} "
        "overgeslagen.",
        "en": "Dry run (nothing was changed) {body}: {added} to add, {moved} to move, {cancelled} "
        "to cancel, {unchanged} unchanged, {skipped} skipped.",
    },
    "import.skip.all-day": {"nl": "hele dag, geen vergadering", "en": "all-day, not a meeting"},
    "import.skip.cancelled": {"nl": "geannuleerd in het bestand", "en": "cancelled in the file"},
    "import.skip.no-start": {"nl": "zonder begintijd", "en": "without a start"},
    "import.skip.duplicate": {
        "nl": "staat al in de agenda (routing.toml of toegevoegd)",
        "en": "already in the calendar (routing.toml or added)",
    },
    "import.replanned": {
        "nl": "Opnieuw ingepland: {ids}.",
        "en": "Planned again: {ids}.",
    },
    "check.no_database": {
        "nl": "Agenda's niet vergeleken: {detail}",
        "en": "Calendars not compared: {detail}",
    },
    "check.calendars_ok": {
        "nl": "Vergaderingen komen overeen met routing.toml; geen agenda loopt binnenkort af.",
        "en": "Meetings match routing.toml; no calendar runs out soon.",
    },
    "calendar.ends": {
        "nl": "De agenda van {body} loopt af op {last}: voeg de vergaderingen van {year} toe aan "
        "routing.toml of importeer ze ('routing meetings import {key} BESTAND.ics').",
        "en": "The calendar of {body} ends on {last}: add the {year} meetings to routing.toml or "
        "import them ('routing meetings import {key} FILE.ics').",
    },
    "calendar.empty": {
        "nl": "{body} heeft geen vergaderingen meer in de agenda: voeg ze toe aan routing.toml of "
        "importeer ze ('routing meetings import {key} BESTAND.ics').",
        "en": "{body} has no meetings ahead in its calendar: add them to routing.toml or import "
        "them ('routing meetings import {key} FILE.ics').",
    },
    "calendar.end_subject": {
        "nl": "Agenda {body} loopt af: vul de vergaderdata aan",
        "en": "Calendar of {body} runs out: add the meeting dates",
    },
    "calendar.no_meeting_ahead": {
        "nl": "Geen vergadering van {body} in zicht: voeg de vergaderingen van {year} toe aan "
        "routing.toml of importeer ze ('routing meetings import {key} BESTAND.ics').",
        "en": "No meeting of {body} ahead: add the {year} meetings to routing.toml or import them "
        "('routing meetings import {key} FILE.ics').",
    },
    "calendar.replanned": {
        "nl": "Opnieuw ingepland (vergadering bestaat niet meer): {line}",
        "en": "Planned again (meeting no longer exists): {line}",
    },
    "calendar.change_moved.one": {
        "nl": "Vergadering {body} van {when} verplaatst naar {new}; {n} item gaat mee.",
        "en": "Meeting of {body} of {when} moved to {new}; {n} item goes along.",
    },
    "calendar.change_moved.other": {
        "nl": "Vergadering {body} van {when} verplaatst naar {new}; {n} items gaan mee.",
        "en": "Meeting of {body} of {when} moved to {new}; {n} items go along.",
    },
    "calendar.change_cancelled.one": {
        "nl": "Vergadering {body} van {when} vervallen; {n} item opnieuw ingepland.",
        "en": "Meeting of {body} of {when} cancelled; {n} item planned again.",
    },
    "calendar.change_cancelled.other": {
        "nl": "Vergadering {body} van {when} vervallen; {n} items opnieuw ingepland.",
        "en": "Meeting of {body} of {when} cancelled; {n} items planned again.",
    },
    "calendar.change_added": {
        "nl": "Vergadering {body} toegevoegd op {new}.",
        "en": "Meeting of {body} added on {new}.",
    },
    "sweep.kind.meeting": {"nl": "vergaderwijzigingen", "en": "meeting changes"},
    "sweep.kind.calendar": {"nl": "agenda's die aflopen", "en": "calendars running out"},
    "ics.cancelled": {"nl": "VERVALLEN", "en": "CANCELLED"},
    "plan.warn_lost": {
        "nl": "Let op: de doelvergadering van {target} is niet meer te halen; de vroegst haalbare "
        "is {earliest}.",
        "en": "Note: the target meeting of {target} can no longer be reached; the earliest "
        "reachable is {earliest}.",
    },
    "plan.warn_lost_none": {
        "nl": "Let op: de doelvergadering van {target} is niet meer te halen, en geen latere "
        "binnen de agenda.",
        "en": "Note: the target meeting of {target} can no longer be reached, nor any later one "
        "in the calendar.",
    },
    # .ics import (routing/ics_import.py)
    "ics.event": {"nl": "afspraak '{summary}' (UID {uid})", "en": "event '{summary}' (UID {uid})"},
    "ics.event_untitled": {
        "nl": "afspraak zonder titel (UID {uid})",
        "en": "untitled event (UID {uid})",
    },
    "ics.no_vcalendar": {"nl": "BEGIN:VCALENDAR ontbreekt", "en": "BEGIN:VCALENDAR is missing"},
    "ics.incomplete": {
        "nl": "het bestand houdt halverwege op, END:VCALENDAR ontbreekt",
        "en": "the file stops halfway, END:VCALENDAR is missing",
    },
    "err.ics_bad_value": {
        "nl": "In het iCalendar-bestand is {name} van {event} onleesbaar ({detail}); herstel die "
        "afspraak in de agenda en exporteer opnieuw.",
        "en": "In the iCalendar file, {name} of {event} cannot be read ({detail}); fix that event "
        "in the calendar and export again.",
    },
    "err.ics_bad_line": {
        "nl": "In het iCalendar-bestand bevat {event} een onleesbare regel ({detail}); herstel die "
        "afspraak in de agenda en exporteer opnieuw.",
        "en": "In the iCalendar file, {event} contains a line that cannot be read ({detail}); fix "
        "that event in the calendar and export again.",
    },
    "err.ics_unknown_tz": {
        "nl": "In het iCalendar-bestand gebruikt {event} tijdzone '{tzid}', die het bestand niet "
        "beschrijft en die geen bekende tijdzone is; exporteer de agenda opnieuw met tijdzones "
        "(VTIMEZONE) of gebruik een naam als Europe/Amsterdam.",
        "en": "In the iCalendar file, {event} uses time zone '{tzid}', which the file does not "
        "describe and which is not a known time zone; export the calendar again with time zones "
        "(VTIMEZONE) or use a name such as Europe/Amsterdam.",
    },
    "err.ics_calendar_tz": {
        "nl": "Het iCalendar-bestand geeft als tijdzone van de agenda '{tzid}' (X-WR-TIMEZONE), "
        "maar die tijdzone bestaat niet; kies in de agenda een tijdzone als Europe/Amsterdam en "
        "exporteer opnieuw.",
        "en": "The iCalendar file gives '{tzid}' as the calendar's time zone (X-WR-TIMEZONE), but "
        "that time zone does not exist; choose a time zone such as Europe/Amsterdam in the "
        "calendar and export again.",
    },
    "err.ics_too_frequent": {
        "nl": "In het iCalendar-bestand herhaalt {event} zich meerdere keren per dag ({rule}); een "
        "vergaderreeks herhaalt hoogstens dagelijks, dus pas de herhaling in de agenda aan en "
        "exporteer opnieuw.",
        "en": "In the iCalendar file, {event} repeats several times a day ({rule}); a meeting "
        "series repeats at most daily, so change the repetition in the calendar and export again.",
    },
    "err.ics_too_many": {
        "nl": "In het iCalendar-bestand levert {event} meer dan {limit} afspraken op tussen "
        "{start} en {end}; geef de reeks in de agenda een einddatum of importeer een kortere "
        "periode.",
        "en": "In the iCalendar file, {event} gives more than {limit} occurrences between {start} "
        "and {end}; give the series an end date in the calendar or import a shorter period.",
    },
    "err.ics_too_early": {
        "nl": "In het iCalendar-bestand begint {event} al op {date}, te lang vóór de gevraagde "
        "periode om door te rekenen; laat de reeks in de agenda later beginnen en exporteer "
        "opnieuw.",
        "en": "In the iCalendar file, {event} starts on {date}, too long before the requested "
        "period to work it out; let the series start later in the calendar and export again.",
    },
    "err.ics_unusable": {
        "nl": "In het iCalendar-bestand kan {event} niet worden uitgerekend ({detail}); herstel "
        "die afspraak in de agenda en exporteer opnieuw.",
        "en": "In the iCalendar file, {event} cannot be worked out ({detail}); fix that event in "
        "the calendar and export again.",
    },
    "err.lang_env": {
        "nl": "ROUTING_LANG='{value}' kan niet; kies uit {choices}.",
        "en": "ROUTING_LANG='{value}' is not possible; choose from {choices}.",
    },
    "usage.needs_value": {
        "nl": "De optie {option} heeft een waarde nodig.",
        "en": "The option {option} needs a value.",
    },
    "usage.missing": {"nl": "{param} ontbreekt.", "en": "{param} is missing."},
    "usage.no_such_option": {"nl": "Onbekende optie {option}.", "en": "Unknown option {option}."},
    "usage.did_you_mean": {"nl": "Bedoelt u: {options}?", "en": "Did you mean: {options}?"},
    "usage.bad_value": {
        "nl": "Ongeldige waarde voor {param}: {detail}.",
        "en": "Invalid value for {param}: {detail}.",
    },
    "usage.not_integer": {"nl": "dat is geen geheel getal", "en": "that is not a whole number"},
    "usage.extra": {"nl": "Overbodige invoer: {args}.", "en": "Unexpected extra input: {args}."},
    "usage.no_such_command": {
        "nl": "Onbekende opdracht '{name}'.",
        "en": "Unknown command '{name}'.",
    },
    "usage.see_help": {"nl": "Zie '{command} --help'.", "en": "See '{command} --help'."},
    # routing.toml checked in one place (routing/config/schema.py) and the database URL
    "config.missing_key": {
        "nl": "{where}: ontbreekt, maar is verplicht{line}",
        "en": "{where}: missing, but required{line}",
    },
    "config.table_like": {
        "nl": "{where}: moet een tabel zijn, bijvoorbeeld {example}{line}",
        "en": "{where}: must be a table, e.g. {example}{line}",
    },
    "config.expect_whole_number": {"nl": "een geheel getal", "en": "a whole number"},
    "config.expect_number": {"nl": "een getal, zoals 30 of 2.5", "en": "a number, like 30 or 2.5"},
    "config.lead": {"nl": "{where}: {problem}{line}", "en": "{where}: {problem}{line}"},
    "config.db_unparsable": {
        "nl": "{where}: '{url}' is geen database-URL{line}; schrijf bijvoorbeeld {postgres} of "
        "{sqlite}",
        "en": "{where}: '{url}' is not a database URL{line}; write e.g. {postgres} or {sqlite}",
    },
    "config.db_backend": {
        "nl": "{where}: '{url}': '{backend}' wordt niet ondersteund{line}; gebruik PostgreSQL of "
        "SQLite, bijvoorbeeld {postgres} of {sqlite}",
        "en": "{where}: '{url}': '{backend}' is not supported{line}; use PostgreSQL or SQLite, "
        "e.g. {postgres} or {sqlite}",
    },
    "config.db_folder": {
        "nl": "{where}: de map {folder} voor de SQLite-database bestaat niet{line}; maak haar aan "
        "of kies een bestaande, bijvoorbeeld {sqlite}",
        "en": "{where}: the folder {folder} for the SQLite database does not exist{line}; create "
        "it or choose an existing one, e.g. {sqlite}",
    },
    "config.db_driver": {
        "nl": "{where}: voor PostgreSQL is het pakket psycopg nodig{line}; installeer het met "
        "pip install 'routing[postgres]'",
        "en": "{where}: PostgreSQL needs the psycopg package{line}; install it with "
        "pip install 'routing[postgres]'",
    },
    "config.db_environment": {
        "nl": "ROUTING_DATABASE_URL (omgevingsvariabele)",
        "en": "ROUTING_DATABASE_URL (environment variable)",
    },
    # --help: the help of every command and option (keys used by routing.cli.help.localize)
    "help.click.usage": {"nl": "Gebruik: ", "en": "Usage: "},
    "help.click.options_metavar": {"nl": "[OPTIES]", "en": "[OPTIONS]"},
    "help.click.subcommand_metavar": {
        "nl": "OPDRACHT [ARGUMENTEN]...",
        "en": "COMMAND [ARGS]...",
    },
    "help.click.arguments": {"nl": "Argumenten", "en": "Arguments"},
    "help.click.options": {"nl": "Opties", "en": "Options"},
    "help.click.commands": {"nl": "Opdrachten", "en": "Commands"},
    "help.click.required": {"nl": "verplicht", "en": "required"},
    "help.click.default": {"nl": "standaard: {value}", "en": "default: {value}"},
    "help.click.help": {"nl": "Toon deze hulptekst en stop.", "en": "Show this message and exit."},
    "help.mv.id": {"nl": "ID", "en": "ID"},
    "help.mv.step": {"nl": "STAP", "en": "STEP"},
    "help.mv.body": {"nl": "ORGAAN", "en": "BODY"},
    "help.mv.date": {"nl": "DATUM", "en": "DATE"},
    "help.mv.date_or_none": {"nl": "DATUM|geen", "en": "DATE|none"},
    "help.mv.file": {"nl": "BESTAND", "en": "FILE"},
    "help.mv.ics_file": {"nl": "BESTAND.ics", "en": "FILE.ics"},
    "help.mv.text": {"nl": "TEKST", "en": "TEXT"},
    "help.mv.name": {"nl": "NAAM", "en": "NAME"},
    "help.mv.moment": {"nl": "MOMENT", "en": "MOMENT"},
    "help.mv.new_moment": {"nl": "NIEUW-MOMENT", "en": "NEW-MOMENT"},
    "help.mv.title": {"nl": "TITEL", "en": "TITLE"},
    "help.mv.flow": {"nl": "FLOW", "en": "FLOW"},
    "help.mv.topic": {"nl": "ONDERWERP", "en": "TOPIC"},
    "help.mv.state": {"nl": "STATUS", "en": "STATE"},
    "help.mv.purpose": {"nl": "DOEL", "en": "PURPOSE"},
    "help.mv.kenmerk": {"nl": "KENMERK", "en": "REFERENCE"},
    "help.mv.version": {"nl": "VERSIE", "en": "VERSION"},
    "help.mv.seconds": {"nl": "SECONDEN", "en": "SECONDS"},
    "help.mv.lang": {"nl": "TAAL", "en": "LANG"},
    "help.mv.format": {"nl": "VORM", "en": "FORMAT"},
    "help.mv.outbox_status": {"nl": "STATUS", "en": "STATUS"},
    "help.mv.outcome": {"nl": "ID=STAP", "en": "ID=STEP"},
    "help.mv.id_text": {"nl": "ID=TEKST", "en": "ID=TEXT"},
    "help.mv.id_yes_no": {"nl": "ID=ja|nee", "en": "ID=ja|nee"},
    "help.opt.lang": {
        "nl": "Taal van de uitvoer: nl (standaard) of en.",
        "en": "Language of the output: nl (default) or en.",
    },
    "help.opt.debug": {
        "nl": "Toon bij een fout in de software de volledige traceback.",
        "en": "On a fault in the software, show the full traceback.",
    },
    "help.opt.config": {
        "nl": "Pad naar routing.toml (anders $ROUTING_CONFIG, anders ./routing.toml).",
        "en": "Path to routing.toml (else $ROUTING_CONFIG, else ./routing.toml).",
    },
    "help.opt.now": {
        "nl": "Doe alsof het nu dit moment is (datum of datum en tijd, lokale tijd).",
        "en": "Act as if it is this moment (ISO date or date-time, local time).",
    },
    "help.opt.as": {
        "nl": "Wie dit doet (anders $ROUTING_ACTOR, anders uw inlognaam).",
        "en": "Who acts (else $ROUTING_ACTOR, else the login name).",
    },
    "help.opt.json": {
        "nl": "Schrijf JSON (vaste vorm, zie de README).",
        "en": "Print JSON (stable shape, see README).",
    },
    "help.opt.only_body": {"nl": "Alleen dit orgaan.", "en": "Only this body."},
    "help.opt.only_topic": {
        "nl": "Alleen items met dit onderwerp.",
        "en": "Only items with this topic.",
    },
    "help.opt.watch": {
        "nl": "Blijf het overzicht verversen tot Ctrl-C.",
        "en": "Refresh live until Ctrl-C.",
    },
    "help.opt.every": {
        "nl": "Aantal seconden tussen twee verversingen.",
        "en": "Seconds between refreshes.",
    },
    "help.opt.once": {
        "nl": "Doe één ronde, verstuur de berichten en stop.",
        "en": "Run one sweep, deliver, and exit.",
    },
    "help.opt.daemon_status": {
        "nl": "Toon de laatste hartslag van de daemon en stop.",
        "en": "Show the last heartbeat and exit.",
    },
    "help.opt.outbox_status": {
        "nl": "wacht | verzonden | mislukt (standaard: alle).",
        "en": "wacht | verzonden | mislukt (default: all).",
    },
    "help.opt.diagram": {
        "nl": "Teken de flow in BESTAND.svg, BESTAND.png of BESTAND.mmd.",
        "en": "Draw the flow to FILE.svg, FILE.png or FILE.mmd.",
    },
    "help.arg.flow_name": {
        "nl": "Een flow om volledig te tonen.",
        "en": "A flow to show in full.",
    },
    "help.arg.title": {
        "nl": "Titel van het agendapunt of initiatief.",
        "en": "Title of the agenda point or initiative.",
    },
    "help.opt.flow": {
        "nl": "De flow die het volgt (zie 'routing flows').",
        "en": "The flow it follows (see 'routing flows').",
    },
    "help.opt.topic": {
        "nl": "Een onderwerp; herhaal de optie voor meer.",
        "en": "A topic; repeat for more.",
    },
    "help.opt.kenmerk": {
        "nl": "Kenmerk van het document, bijvoorbeeld DOC-24003697.",
        "en": "Document reference, e.g. DOC-24003697.",
    },
    "help.opt.owner": {
        "nl": "Wie het item trekt: een naam uit [people] of een e-mailadres.",
        "en": "Who carries the item: a name from [people] or an address.",
    },
    "help.opt.voor": {
        "nl": "besluitvorming | bespreking | informatie.",
        "en": "besluitvorming (decision) | bespreking (discussion) | informatie (information).",
    },
    "help.opt.vertrouwelijk": {
        "nl": "Niet openbaar en niet verspreiden.",
        "en": "Not public, not distributed.",
    },
    "help.opt.niet_verspreiden": {
        "nl": "Openbaar, maar niet verspreiden.",
        "en": "Public, but not distributed.",
    },
    "help.opt.datum": {
        "nl": "Datum van het document (JJJJ-MM-DD).",
        "en": "Date of the document (YYYY-MM-DD).",
    },
    "help.opt.van": {
        "nl": "Het orgaan dat het stuk aanbiedt (een orgaansleutel).",
        "en": "The sending body (a body key).",
    },
    "help.opt.history_note": {
        "nl": "Een notitie voor de geschiedenis.",
        "en": "A note for the history.",
    },
    "help.opt.target_meeting": {
        "nl": "Datum van de vergadering die het moet halen (JJJJ-MM-DD).",
        "en": "Date of the meeting it must reach (YYYY-MM-DD).",
    },
    "help.opt.target": {
        "nl": "Orgaan van die vergadering, als er die dag meer vergaderen.",
        "en": "Body of that meeting, if several meet that day.",
    },
    "help.arg.item": {"nl": "Het item.", "en": "The item."},
    "help.arg.trigger": {
        "nl": "De stap, bijvoorbeeld agenderen (zie 'routing show ID').",
        "en": "The step, e.g. agenderen (see 'routing show ID').",
    },
    "help.opt.why": {
        "nl": "Waarom; wordt bewaard in de geschiedenis.",
        "en": "Why; kept in the history.",
    },
    "help.opt.if_version": {
        "nl": "Weiger als het item niet meer op deze versie staat.",
        "en": "Refuse if the item is no longer at this version.",
    },
    "help.opt.state": {"nl": "Alleen items met deze status.", "en": "Only items in this state."},
    "help.opt.list_body": {
        "nl": "Alleen items die nu bij dit orgaan liggen.",
        "en": "Only items now at this body.",
    },
    "help.opt.list_flow": {"nl": "Alleen items van deze flow.", "en": "Only items of this flow."},
    "help.opt.open": {"nl": "Laat afgesloten items weg.", "en": "Leave out closed items."},
    "help.opt.new_title": {"nl": "Een nieuwe titel.", "en": "A new title."},
    "help.opt.edit_kenmerk": {
        "nl": "Kenmerk van het document ('' wist het).",
        "en": "Document reference ('' clears it).",
    },
    "help.opt.edit_owner": {
        "nl": "Wie het item trekt: een naam uit [people] ('' wist het).",
        "en": "Who carries the item: a name from [people] ('' clears it).",
    },
    "help.opt.add_topic": {
        "nl": "Voeg een onderwerp toe; herhaal de optie voor meer.",
        "en": "Add a topic; repeat for more.",
    },
    "help.opt.remove_topic": {"nl": "Haal een onderwerp weg.", "en": "Remove a topic."},
    "help.opt.edit_target_meeting": {
        "nl": "De vergadering die het moet halen, of geen.",
        "en": "The meeting it must reach, or none.",
    },
    "help.opt.plan_target": {
        "nl": "Doelorgaan (standaard: het doel van het item).",
        "en": "Target body (default: the item's target).",
    },
    "help.opt.plan_meeting": {
        "nl": "Datum van de doelvergadering (standaard: de eerstvolgende).",
        "en": "Target meeting date (default: its next one).",
    },
    "help.opt.format": {
        "nl": "md (Markdown), html (pagina om te printen) of json.",
        "en": "md (Markdown), html (printable page) or json.",
    },
    "help.opt.openbaar": {
        "nl": "De openbare versie: van vertrouwelijke items staat alleen het kenmerk erin.",
        "en": "The public version: confidential items show only their reference.",
    },
    "help.opt.output": {
        "nl": "Schrijf naar dit bestand in plaats van naar het scherm.",
        "en": "Write to this file instead of the screen.",
    },
    "help.arg.agenda_body": {
        "nl": "Het orgaan dat vergadert, bijvoorbeeld regieteam.",
        "en": "The body that meets, e.g. regieteam.",
    },
    "help.opt.agenda_meeting": {
        "nl": "Datum van de vergadering (standaard: de eerstvolgende).",
        "en": "The meeting date (default: its next one).",
    },
    "help.arg.body_met": {"nl": "Het orgaan dat vergaderd heeft.", "en": "The body that met."},
    "help.opt.meeting_date": {
        "nl": "Datum van de vergadering (JJJJ-MM-DD).",
        "en": "The meeting date (YYYY-MM-DD).",
    },
    "help.opt.reason": {
        "nl": "Waarom; wordt bewaard en meegestuurd.",
        "en": "Why; kept and sent.",
    },
    "help.arg.meeting_date": {
        "nl": "Datum van de vergadering (JJJJ-MM-DD[TUU:MM]).",
        "en": "The meeting's date (YYYY-MM-DD[THH:MM]).",
    },
    "help.opt.from": {
        "nl": "Vanaf deze datum (standaard: vandaag).",
        "en": "From this date (default: today).",
    },
    "help.opt.to": {
        "nl": "Tot en met deze datum (standaard: over 3 maanden).",
        "en": "Up to this date (default: +3 months).",
    },
    "help.opt.ics": {
        "nl": "Schrijf de vergaderingen en de termijnen van alle open items als .ics-agenda.",
        "en": "Write the meetings and every open item's deadlines as an .ics calendar.",
    },
    "help.arg.import_body": {
        "nl": "Het orgaan van wie deze vergaderingen zijn.",
        "en": "The body whose meetings these are.",
    },
    "help.arg.ics_file": {"nl": "Een iCalendar-bestand.", "en": "An iCalendar file."},
    "help.opt.dry_run": {
        "nl": "Toon wat er zou veranderen; verander niets.",
        "en": "Show what would change; change nothing.",
    },
    "help.arg.body_meets": {"nl": "Het orgaan dat vergadert.", "en": "The body that meets."},
    "help.arg.new_moment": {
        "nl": "De nieuwe datum en tijd (alleen een datum houdt het uur).",
        "en": "Its new date and time (a date alone keeps the hour).",
    },
    "help.arg.moment": {
        "nl": "Datum en tijd (JJJJ-MM-DDTUU:MM).",
        "en": "Date and time (YYYY-MM-DDTHH:MM).",
    },
    "help.opt.location": {"nl": "Waar de vergadering is.", "en": "Where it meets."},
    "help.opt.outcome": {
        "nl": "ID=STAP voor één item; herhaal de optie voor meer.",
        "en": "ID=TRIGGER for one item; repeat for more.",
    },
    "help.opt.outcome_note": {
        "nl": "ID=TEKST: de notitie bij één item.",
        "en": "ID=TEXT: the note for one item.",
    },
    "help.opt.inform_ei": {
        "nl": "ID=ja|nee bij een terugkoppelstap.",
        "en": "ID=ja|nee for a feedback step.",
    },
    "help.cmd.routing": {
        "nl": "Routing van agendapunten en initiatieven langs Regieteam, PFHO W&P, wethouder en "
        'UTA.\n\n\b\nVoorbeeld: routing new "Regionaal Werkcentrum" --flow '
        "agendapunt-stuurgroep",
        "en": "Routing of agenda points and initiatives through Regieteam, PFHO W&P, wethouder "
        'and UTA.\n\n\b\nExample: routing new "Regionaal Werkcentrum" --flow '
        "agendapunt-stuurgroep",
    },
    "help.cmd.init": {
        "nl": "Schrijf een start-routing.toml (als die er nog niet is) en maak de database aan "
        "of werk die bij.\n\nVeilig om opnieuw te doen: een bestaande routing.toml blijft "
        "staan en de database wordt alleen bijgewerkt. Het moment van de eerste init (of --now) "
        "is het moment vanaf waar de daemon terugkoppelingen maakt.\n\n\b\n"
        "Voorbeeld: routing init",
        "en": "Write a starter routing.toml (if there is none) and create or upgrade the "
        "database.\n\nSafe to run again: an existing routing.toml is left alone and the schema "
        "is only upgraded. The moment of the first init (or --now) is when the daemon starts "
        "creating feedback items.\n\n\b\nExample: routing init",
    },
    "help.cmd.check": {
        "nl": "Controleer routing.toml en elk flowbestand; meldt alle problemen in één keer.\n\n"
        "Met een database worden ook de vergaderingen gelijkgetrokken met routing.toml (een "
        "vergadering die uit het bestand is verdwenen wordt geannuleerd, een verplaatste "
        "verplaatst, met hun items opnieuw gepland en gemeld) en staat erbij welke kalenders "
        "binnen de waarschuwingstermijn aflopen.\n\n\b\n"
        "Voorbeeld: routing check --config /etc/routing/routing.toml",
        "en": "Validate routing.toml and every flow file; report all problems at once.\n\n"
        "With a database, also brings its meetings in line with routing.toml (a meeting gone "
        "from the file is cancelled, a moved one moved, with their items re-planned and "
        "reported) and says which calendars run out within the warning period.\n\n\b\n"
        "Example: routing check --config /etc/routing/routing.toml",
    },
    "help.cmd.flows": {
        "nl": "Toon de flows, of één flow met haar statussen, stappen en organen; of teken "
        "haar.\n\n\b\nVoorbeeld: routing flows agendapunt-stuurgroep --diagram route.svg",
        "en": "List the flows, or show one: its states, triggers and bodies; or draw it.\n\n"
        "\b\nExample: routing flows agendapunt-stuurgroep --diagram route.svg",
    },
    "help.cmd.new": {
        "nl": "Zet een agendapunt of initiatief in het systeem; geeft het nummer terug.\n\n\b\n"
        'Voorbeeld: routing new "Regionaal Talentfonds" --flow agendapunt-stuurgroep '
        "--topic talentfonds --kenmerk DOC-24003697 --voor besluitvorming",
        "en": "Register an agenda point or initiative; prints its id.\n\n\b\n"
        'Example: routing new "Regionaal Talentfonds" --flow agendapunt-stuurgroep '
        "--topic talentfonds --kenmerk DOC-24003697 --voor besluitvorming",
    },
    "help.cmd.move": {
        "nl": "Zet een item één stap verder in zijn flow.\n\n\b\n"
        'Voorbeeld: routing move 12 agenderen --note "Besproken met UWV"',
        "en": "Move an item one step along its flow.\n\n\b\n"
        'Example: routing move 12 agenderen --note "Besproken met UWV"',
    },
    "help.cmd.list": {
        "nl": "Toon de items, eventueel alleen die met een status, bij een orgaan of van een "
        "flow.\n\n\b\nVoorbeeld: routing list --body pfho-wp",
        "en": "List items, optionally filtered by state, body or flow.\n\n\b\n"
        "Example: routing list --body pfho-wp",
    },
    "help.cmd.show": {
        "nl": "Toon één item: de gegevens, de stappen die nu kunnen en de hele geschiedenis.\n\n"
        "Met --diagram wordt de flow getekend, met de huidige status van het item "
        "gemarkeerd.\n\n\b\nVoorbeeld: routing show 12",
        "en": "Show one item: its details, the steps possible now, and its full history.\n\n"
        "With --diagram, draws its flow with the item's current state highlighted.\n\n\b\n"
        "Example: routing show 12",
    },
    "help.cmd.edit": {
        "nl": "Wijzig de gegevens van een item (titel, kenmerk, trekker, onderwerpen, "
        "doelvergadering); de wijziging komt in de geschiedenis.\n\n\b\n"
        "Voorbeeld: routing edit 12 --kenmerk DOC-24003697 --topic llo --target-meeting "
        "2024-12-12",
        "en": "Change an item's details (title, kenmerk, owner, topics, target meeting); kept "
        "in its history.\n\n\b\n"
        "Example: routing edit 12 --kenmerk DOC-24003697 --topic llo --target-meeting "
        "2024-12-12",
    },
    "help.cmd.status": {
        "nl": "Het overzicht: wat ligt waar, wat is te laat, wat komt eraan, de outbox en de "
        "daemon.\n\n\b\nVoorbeeld: routing status --body pfho-wp --watch",
        "en": "The board: what sits where, what is late, what comes next, the outbox and the "
        "daemon.\n\n\b\nExample: routing status --body pfho-wp --watch",
    },
    "help.cmd.plan": {
        "nl": "Plan terug vanaf een doelvergadering: de uiterste datum van elke stap van de "
        "route.\n\nZegt duidelijk wanneer het doel niet meer te halen is, en noemt de "
        "vroegste vergadering die wel haalbaar is.\n\n\b\n"
        "Voorbeeld: routing plan 12 --target uta-stuurgroep --meeting 2024-06-20",
        "en": "Plan backwards from a target meeting: the latest date of every step of the "
        "route.\n\nSays plainly when the target can no longer be reached, and names the "
        "earliest that can.\n\n\b\n"
        "Example: routing plan 12 --target uta-stuurgroep --meeting 2024-06-20",
    },
    "help.cmd.stukken": {
        "nl": "Leg vast dat de stukken van een item binnen zijn: de herinnering en de "
        "stukkentermijn zijn dan afgehandeld.\n\n\b\n"
        'Voorbeeld: routing stukken 12 --note "Notitie en raadsvoorstel ontvangen"',
        "en": "Record that an item's papers are in: its reminder and papers deadline are "
        'met.\n\n\b\nExample: routing stukken 12 --note "Notitie en raadsvoorstel ontvangen"',
    },
    "help.cmd.daemon": {
        "nl": "Laat de planner op de voorgrond draaien tot SIGTERM/SIGINT (of doe één ronde "
        "met --once).\n\nElke ronde stuurt herinneringen, escaleert verstreken termijnen, "
        "schuift items door, maakt de terugkoppelingen na UTA-vergaderingen, stuurt de "
        "E&I-samenvatting, waarschuwt bij planningen die uitlopen en verstuurt de outbox; "
        "alles precies één keer.\n\n\b\n"
        "Voorbeeld: routing daemon --once --now 2024-03-22T08:00",
        "en": "Run the scheduler in the foreground until SIGTERM/SIGINT (or one sweep with "
        "--once).\n\nEach sweep sends reminders, escalates passed deadlines, rolls items over, "
        "creates the feedback items after UTA meetings, sends the E&I digest, warns on "
        "slipping plans and delivers the outbox; each effect once.\n\n\b\n"
        "Example: routing daemon --once --now 2024-03-22T08:00",
    },
    "help.cmd.agenda": {
        "nl": "Stel de agenda van een vergadering samen uit de items die erop gepland "
        "staan.\n\nGenummerd, besluitpunten eerst, met kenmerk, trekker, wat er gevraagd "
        "wordt en hoe het met de stukken staat.\n\n\b\n"
        "Voorbeeld: routing agenda pfho-wp --meeting 2024-11-14 --format html -o agenda.html",
        "en": "Compose the agenda of a meeting from the items planned on it.\n\nNumbered, "
        "decisions first, with kenmerk, owner, what is asked and the state of the papers."
        "\n\n\b\nExample: routing agenda pfho-wp --meeting 2024-11-14 --format html "
        "-o agenda.html",
    },
    "help.cmd.besluitenlijst": {
        "nl": "De besluitenlijst van een afgesloten vergadering: per item de uitkomst en de "
        "notitie.\n\n\b\nVoorbeeld: routing besluitenlijst regieteam --meeting 2024-02-13 "
        "--format html -o besluiten.html",
        "en": "The decision list of a closed meeting: each item's outcome and note.\n\n\b\n"
        "Example: routing besluitenlijst regieteam --meeting 2024-02-13 --format html "
        "-o besluiten.html",
    },
    "help.cmd.outbox": {
        "nl": "Toon de berichten in de outbox: wachtend, verzonden en mislukt.\n\n\b\n"
        "Voorbeeld: routing outbox --status mislukt",
        "en": "List the messages in the outbox: pending, sent and failed.\n\n\b\n"
        "Example: routing outbox --status mislukt",
    },
    "help.cmd.meetings": {
        "nl": "De vergaderkalenders. Zonder opdracht: de vergaderingen met hun stukkentermijn "
        "en het aantal items dat erop gepland staat.\n\n\b\n"
        "Voorbeeld: routing meetings --body uta-stuurgroep --from 2024-01-01 --to 2024-12-31",
        "en": "The meeting calendars. Without a command: the meetings with their papers "
        "deadlines and the number of items planned on each.\n\n\b\n"
        "Example: routing meetings --body uta-stuurgroep --from 2024-01-01 --to 2024-12-31",
    },
    "help.cmd.meetings.import": {
        "nl": "Lees de vergaderingen van een orgaan in uit een .ics-bestand; opnieuw inlezen "
        "werkt ze bij.\n\nEen vergadering die in het nieuwe bestand ontbreekt of is "
        "geannuleerd, wordt hier geannuleerd; een verplaatste wordt verplaatst (de items gaan "
        "mee); een nieuwe wordt toegevoegd. Hele-dag-afspraken en dubbele worden met reden "
        "overgeslagen.\n\n\b\n"
        "Voorbeeld: routing meetings import uta-supportteam supportteam-2025.ics --dry-run",
        "en": "Import a body's meetings from an .ics file; importing again is a sync.\n\n"
        "A meeting gone or cancelled in the new file is cancelled here, a moved one is moved "
        "(its items follow), a new one is added; all-day events and duplicates are skipped "
        "with a reason.\n\n\b\n"
        "Example: routing meetings import uta-supportteam supportteam-2025.ics --dry-run",
    },
    "help.cmd.meeting": {
        "nl": "Eén vergadering: afsluiten met de uitkomsten, verplaatsen, annuleren of een "
        "extra vergadering toevoegen.\n\n\b\n"
        "Voorbeeld: routing meeting close regieteam 2024-02-13 -o 3=doorzetten",
        "en": "One meeting: close it with its outcomes, move it, cancel it, or add one.\n\n\b\n"
        "Example: routing meeting close regieteam 2024-02-13 -o 3=doorzetten",
    },
    "help.cmd.meeting.move": {
        "nl": "Verplaats een vergadering; alle items erop gaan mee, met opnieuw berekende "
        "termijnen.\n\n\b\nVoorbeeld: routing meeting move uta-stuurgroep 2024-06-20 "
        '2024-06-27T15:00 --reason "Zaal bezet"',
        "en": "Move a meeting; every item on it moves along with recomputed deadlines.\n\n\b\n"
        "Example: routing meeting move uta-stuurgroep 2024-06-20 2024-06-27T15:00 "
        '--reason "Zaal bezet"',
    },
    "help.cmd.meeting.cancel": {
        "nl": "Annuleer een vergadering; de items erop gaan naar de eerstvolgende haalbare "
        "vergadering van het orgaan.\n\n\b\n"
        "Voorbeeld: routing meeting cancel regieteam 2024-05-14 --reason "
        '"Te weinig agendapunten"',
        "en": "Cancel a meeting; its items go to the body's next feasible meeting.\n\n\b\n"
        "Example: routing meeting cancel regieteam 2024-05-14 --reason "
        '"Te weinig agendapunten"',
    },
    "help.cmd.meeting.add": {
        "nl": "Voeg een extra vergadering toe; vanaf nu worden er items op gepland.\n\n\b\n"
        "Voorbeeld: routing meeting add pfho-wp 2024-07-04T14:00 --reason "
        '"Extra overleg begroting"',
        "en": "Add an extra meeting; items are planned on it from now on.\n\n\b\n"
        "Example: routing meeting add pfho-wp 2024-07-04T14:00 --reason "
        '"Extra overleg begroting"',
    },
    "help.cmd.meeting.close": {
        "nl": "Leg de uitkomst van elk item van een vergadering vast en zet de stappen in één "
        "keer.\n\nZonder --outcome, en in een terminal, wordt per item gevraagd. Alles of "
        "niets: wordt één uitkomst geweigerd, dan wordt niets van de vergadering "
        "vastgelegd.\n\n\b\n"
        "Voorbeeld: routing meeting close regieteam 2024-02-13 -o 3=doorzetten -o 5=aanhouden",
        "en": "Record the outcome of every item on a meeting and fire the transitions, in one "
        "go.\n\nWithout --outcome, and in a terminal, asks per item. All or nothing: a refused "
        "outcome writes nothing of the meeting.\n\n\b\n"
        "Example: routing meeting close regieteam 2024-02-13 -o 3=doorzetten -o 5=aanhouden",
    },
}


def set_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} unknown; use one of {', '.join(LANGUAGES)}")
    _state["lang"] = lang


def current_language() -> str:
    return _state["lang"]


def t(message_id: str, /, **values: Any) -> str:
    entry = MESSAGES[message_id]
    return entry[_state["lang"]].format(**values) if values else entry[_state["lang"]]


def tn(message_id: str, count: int, /, **values: Any) -> str:
    """A message with a count: `<id>.one` for exactly one, `<id>.other` otherwise (the plural
    rule of both Dutch and English), never "termijn(en)"."""
    return t(f"{message_id}.{'one' if count == 1 else 'other'}", **values)


def format_date(
    moment: dt.date | dt.datetime,
    *,
    with_time: bool = False,
    weekday: bool = False,
    short: bool = False,
) -> str:
    """Dates the way a Dutch reader writes them: 14 maart 2024 (or March 14, 2024 in English).

    `short` is for narrow tables: "do 14 mrt 2024" / "Thu 14 Mar 2024". Names of months and
    weekdays come from Babel's CLDR data.
    """
    from babel.dates import format_date as babel_date  # noqa: PLC0415 - 18 ms, not for --help

    lang = _state["lang"]
    kind = (
        ("short_weekday" if weekday else "short") if short else ("weekday" if weekday else "date")
    )
    text = str(babel_date(moment, _PATTERNS[lang][kind], locale=lang))
    if with_time and isinstance(moment, dt.datetime):
        text += f" {moment:%H:%M}"
    return text


def format_ago(delta: dt.timedelta) -> str:
    """How long ago something happened, in words: "3 minuten geleden"; a moment after `now`
    (a --now in the past) reads "over 3 minuten", never a negative number."""
    from babel.dates import format_timedelta  # noqa: PLC0415 - 18 ms, not for --help

    return str(format_timedelta(-delta, add_direction=True, locale=_state["lang"], threshold=1.5))

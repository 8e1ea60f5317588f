"""Who may do what: the acting person, and the one rule for what they may do.

routing.toml names it (all optional; nothing named leaves everything open to every user, so a
first `routing init` works for whoever runs it):

- `[people]`: `"Anna de Vries" = { email = "...", login = "adevries" }` says which login is whom;
  the plain `name = "address"` form stays valid (that person then has no login).
- `[access] administrators`: people who may do everything, act for another (`--as`,
  `ROUTING_ACTOR`) and run the administrative commands.
- `[access] service_account`: the login the daemon runs as.
- `[bodies.X] closers`: who may close X's meetings, record X's outcomes (any step that takes an
  item out of a state of X, by `routing move` or `routing meeting close`) and move, cancel, add
  or import X's meetings. A body that names no closers is open to everyone.

The actor is the login name, recorded as its person's name when `[people]` maps it. `--as` and
`ROUTING_ACTOR` are honoured for an administrator, for the service account running the daemon
(for whoever runs it while no service account is named), for anyone naming themselves, and for
everyone while routing.toml names no administrator and no closer at all; anyone else is refused
(exit 1, naming who may). Rights are always those of the login that runs the command: the `--as`
name is what the audit trail records.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from routing.config.schema import Problems, dotted
from routing.errors import RefusedByRules
from routing.i18n import t

__all__ = [
    "ENVIRONMENT",
    "Access",
    "Identity",
    "NotAllowed",
    "identify",
    "login_name",
    "parse_access",
    "require_administrator",
    "require_body",
]

ENVIRONMENT = "ROUTING_ACTOR"
UNKNOWN_LOGIN = "onbekend"
# what a body's closers may do, as a message key naming the action
BODY_ACTIONS = {
    "close": "access.action_close",
    "record": "access.action_record",
    "meetings": "access.action_meetings",
}


class NotAllowed(RefusedByRules):
    """Someone asked for something routing.toml's `[access]` or a body's closers keep from them."""


@dataclass(frozen=True)
class Access:
    administrators: tuple[str, ...] = ()  # names as [people] spells them
    service_account: str | None = None  # a login
    closers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # body -> names
    logins: Mapping[str, str] = field(default_factory=dict)  # login -> name in [people]

    @property
    def configured(self) -> bool:
        """Whether routing.toml restricts anything at all."""
        return bool(self.administrators) or any(self.closers.values())


@dataclass(frozen=True)
class Identity:
    login: str
    person: str | None  # the [people] name of the login, when it has one
    name: str  # what the audit trail records: the honoured --as name, else person, else login
    administrator: bool  # may do everything (also: nobody is named administrator, nor closer)
    service: bool = False  # the daemon: its own steps are never refused

    @property
    def who(self) -> str:
        """The login, with its person's name when it has one: 'adevries (Anna de Vries)'."""
        return f"{self.login} ({self.person})" if self.person else self.login


def login_name() -> str:
    """The login name of whoever runs the command."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return UNKNOWN_LOGIN


def parse_access(clean: Mapping[str, Any], people: Mapping[str, str], problems: Problems) -> Access:
    """[access], every body's closers and the logins of [people], checked: every name must be
    a person of [people] who has a login (else nobody could ever use the right)."""
    logins = _logins(clean.get("people", {}), problems)
    with_login = set(logins.values())
    table = clean.get("access", {})

    def names(path: tuple[str, ...], given: Sequence[str]) -> tuple[str, ...]:
        found: list[str] = []
        for index, text in enumerate(given):
            where: tuple[str | int, ...] = (*path, index) if len(given) > 1 else path
            known = _person(people, text)
            if known is None:
                known_names = ", ".join(sorted(people, key=str.casefold)) or t("word.none")
                problems.add(path, "config.access_unknown", name=text, names=known_names,
                             where=dotted(where))  # fmt: skip
            elif known not in with_login:
                problems.add(path, "config.access_no_login", name=known, where=dotted(where))
            elif known not in found:
                found.append(known)
        return tuple(found)

    administrators = names(("access", "administrators"), table.get("administrators", []))
    account = table.get("service_account")
    if account is not None and (not account.strip() or any(c.isspace() for c in account)):
        problems.add(("access", "service_account"), "config.service_account", value=account)
        account = None
    closers = {
        key: names(("bodies", key, "closers"), body.get("closers", []))
        for key, body in clean.get("bodies", {}).items()
        if body.get("closers")
    }
    return Access(administrators, account, closers, logins)


def _logins(people: Mapping[str, Any], problems: Problems) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, entry in people.items():
        login = entry.get("login") if isinstance(entry, dict) else None
        if login is None:
            continue
        login = login.strip()
        where = ("people", name, "login")
        if not login or any(c.isspace() for c in login):
            problems.add(where, "config.login_bad", value=login)
        elif login in found:
            problems.add(where, "config.login_twice", login=login, other=found[login])
        else:
            found[login] = name
    return found


def _person(people: Mapping[str, str], text: str) -> str | None:
    wanted = text.strip().casefold()
    return next((name for name in people if name.casefold() == wanted), None)


def identify(
    access: Access,
    people: Mapping[str, str],
    explicit: str | None = None,
    *,
    daemon: bool = False,
    login: str | None = None,
) -> Identity:
    """Who runs this command, and under what name it is recorded; `--as`/`ROUTING_ACTOR`
    refused (NotAllowed) for whoever may not act for another."""
    login = login or login_name()
    person = access.logins.get(login)
    administrator = not access.configured or person in access.administrators
    service = daemon
    if daemon and access.service_account not in (None, login) and not administrator:
        raise NotAllowed(
            t("err.access_daemon", login=login, account=access.service_account,
              names=_listed(access.administrators))
        )  # fmt: skip
    wanted = explicit.strip() if explicit and explicit.strip() else None
    option = "--as"
    if wanted is None:
        wanted = os.environ.get(ENVIRONMENT, "").strip() or None
        option = ENVIRONMENT
    if daemon and wanted is None:
        wanted = "routing-daemon"  # the daemon's own steps are recorded under this name
    elif wanted is not None and not _self(wanted, login, person, people):
        # the daemon records its own steps under its own name whoever starts it; only a
        # configured service account keeps ROUTING_ACTOR (as a unit file sets it) to itself
        may = administrator or (daemon and access.service_account in (None, login))
        if not may:
            raise NotAllowed(
                t("err.access_as", option=option, name=wanted, login=login,
                  names=_listed(access.administrators))
            )  # fmt: skip
    name = (_person(people, wanted) or wanted) if wanted is not None else (person or login)
    return Identity(login, person, name, administrator, service)


def _self(wanted: str, login: str, person: str | None, people: Mapping[str, str]) -> bool:
    """Whether `wanted` names the one who runs the command (their login or their name)."""
    return wanted == login or (person is not None and _person(people, wanted) == person)


def require_body(
    access: Access, identity: Identity, body: str, body_name: str, action: str
) -> None:
    """Refuse `action` ('close', 'record', 'meetings') for `body` to whoever is not one of its
    closers nor an administrator; a body without closers is open to everyone."""
    closers = access.closers.get(body, ())
    if not closers or identity.service or identity.administrator:
        return
    if identity.person in closers:
        return
    may = [*closers, *(name for name in access.administrators if name not in closers)]
    raise NotAllowed(
        t("err.access_body", who=identity.who, action=t(BODY_ACTIONS[action], body=body_name),
          names=", ".join(may))
    )  # fmt: skip


def require_administrator(access: Access, identity: Identity, what: str) -> None:
    """Refuse an administrative command (`what`, as the user typed it) to whoever is not an
    administrator; while routing.toml names none, everyone administers."""
    if not access.administrators or identity.service or identity.administrator:
        return
    raise NotAllowed(
        t("err.access_admin", who=identity.who, what=what, names=_listed(access.administrators))
    )


def _listed(names: Sequence[str]) -> str:
    return ", ".join(names) if names else t("access.nobody")

"""Who may do what: the login as the actor, `--as` for administrators only, a body's closers,
the daemon's service account, and routing.toml's access keys checked like every other key.

Another login is pretended through LOGNAME, the first variable `getpass.getuser()` reads: the
mapping from login to person and the rules on it are what is tested."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from routing import i18n
from routing.config.access import NotAllowed, identify, require_administrator
from routing.config.file import parse_config
from routing.errors import ConfigError
from tests.conftest import InProcessCli, edited_config, starter_text

NOW = ("--now", "2024-02-05T09:00")
AFTER = ("--now", "2024-02-20T12:00")  # the Regieteam met on 20 February 2024 at 10:00
REGIETEAM = "Regieteam Werk & Participatie"
REGIETEAM_DESCRIPTION = (
    'description = "Voert het programma Werk & Participatie uit; beleidsadviseurs van gemeenten, '
    'Regio en UWV."\n'
)
LOGINS = (
    (
        '"Anouk Pols" = "a.pols@regiogv.example"',
        '"Anouk Pols" = { email = "a.pols@regiogv.example", login = "apols" }',
    ),
    (
        '"Sander Bakker" = "s.bakker@regiogv.example"',
        '"Sander Bakker" = { email = "s.bakker@regiogv.example", login = "sbakker" }',
    ),
    (
        '"Kevin van Pernis" = "k.vanpernis@regiogv.example"',
        '"Kevin van Pernis" = { email = "k.vanpernis@regiogv.example", login = "kpernis" }',
    ),
)
CONFIGURED = (
    *LOGINS,
    ('# administrators = ["Sander Bakker"]', 'administrators = ["Sander Bakker"]'),
    ('# service_account = "routing"', 'service_account = "routing"'),
    (REGIETEAM_DESCRIPTION, REGIETEAM_DESCRIPTION + 'closers = ["Anouk Pols"]\n'),
)
REFUSED_RECORD = (
    f"routing: Alleen Anouk Pols, Sander Bakker mogen een uitkomst van {REGIETEAM} vastleggen; "
    "u bent {who}.\n"
)


def edited_text(*edits: tuple[str, str]) -> str:
    text = starter_text()
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def as_login(login: str, **more: str) -> dict[str, str]:
    return {"LOGNAME": login, **more}


def new_item(cli: InProcessCli, login: str = "kpernis") -> str:
    """An initiatief in the Regieteam, planned on its meeting of 20 February 2024."""
    item = cli("new", "Regionaal Werkcentrum", "--flow", "initiatief", *NOW, env=as_login(login))
    cli("move", item.stdout.strip(), "agenderen", *NOW, env=as_login(login))
    return item.stdout.strip()


def history(cli: InProcessCli, item: str) -> list[tuple[str, str]]:
    shown = json.loads(cli("show", item, "--json").stdout)
    return [(event["trigger"], event["actor"]) for event in shown["history"]]


def state(cli: InProcessCli, item: str) -> str:
    return str(json.loads(cli("show", item, "--json").stdout)["state"])


@pytest.fixture
def configured(cli: InProcessCli, config_path: Path) -> InProcessCli:
    """The starter configuration with logins, an administrator, a service account and the
    Regieteam's closers; the store was made before, by `routing init`."""
    config_path.write_text(edited_text(*CONFIGURED), encoding="utf-8")
    return cli


# --- nothing named: everyone may do everything -----------------------------------------------


def test_the_starter_configuration_is_open_to_every_login(cli: InProcessCli) -> None:
    item = new_item(cli, "gast")
    closed = cli("meeting", "close", "regieteam", "2024-02-20", "-o", f"{item}=voorleggen",
                 *AFTER, env=as_login("gast"))  # fmt: skip
    assert closed.returncode == 0
    assert history(cli, item) == [("registreren", "gast"), ("agenderen", "gast"),
                                  ("voorleggen", "gast")]  # fmt: skip
    # and anyone may still act for another while nobody administers
    cli("move", item, "aanhouden", "--as", "secretaris", *AFTER, env=as_login("gast"))
    assert history(cli, item)[-1] == ("aanhouden", "secretaris")


# --- a body with closers ---------------------------------------------------------------------


def test_only_closers_and_administrators_record_a_configured_bodys_outcomes(
    configured: InProcessCli,
) -> None:
    cli = configured
    # a state of no body (ontvangen) is open: anyone registers and agendeert
    first, second = new_item(cli), new_item(cli)
    refused = cli("move", first, "voorleggen", *AFTER, env=as_login("kpernis"), check=False)
    assert (refused.returncode, refused.stderr) == (
        1, REFUSED_RECORD.format(who="kpernis (Kevin van Pernis)"),
    )  # fmt: skip
    stranger = cli("move", first, "aanhouden", *AFTER, env=as_login("gast"), check=False)
    assert (stranger.returncode, stranger.stderr) == (1, REFUSED_RECORD.format(who="gast"))
    closing = ("meeting", "close", "regieteam", "2024-02-20", "-o", f"{first}=voorleggen")
    not_a_closer = cli(*closing, *AFTER, env=as_login("kpernis"), check=False)
    assert not_a_closer.returncode == 1
    assert not_a_closer.stderr == (
        f"routing: Alleen Anouk Pols, Sander Bakker mogen de vergadering van {REGIETEAM} sluiten; "
        "u bent kpernis (Kevin van Pernis).\n"
    )
    assert state(cli, first) == "regieteam"  # refused: nothing changed
    cli(*closing, *AFTER, env=as_login("apols"))
    assert history(cli, first)[-1] == ("voorleggen", "Anouk Pols")
    cli("move", second, "voorleggen", *AFTER, env=as_login("sbakker"))  # the administrator
    assert history(cli, second)[-1] == ("voorleggen", "Sander Bakker")
    # the PFHO W&P names no closers: open to everyone
    cli("move", first, "aanhouden", *AFTER, env=as_login("kpernis"))
    assert history(cli, first)[-1] == ("aanhouden", "Kevin van Pernis")
    english = cli("--lang", "en", *closing, *AFTER, env=as_login("gast"), check=False)
    assert english.stderr == (
        f"routing: Only Anouk Pols, Sander Bakker may close the meeting of {REGIETEAM}; "
        "you are gast.\n"
    )


def test_a_bodys_meetings_are_changed_by_its_closers_and_administrators(
    configured: InProcessCli,
) -> None:
    cli = configured
    moving = ("meeting", "move", "regieteam", "2024-03-05", "2024-03-07T10:00", *NOW)
    refused = cli(*moving, env=as_login("kpernis"), check=False)
    assert refused.returncode == 1
    assert refused.stderr == (
        f"routing: Alleen Anouk Pols, Sander Bakker mogen de vergaderingen van {REGIETEAM} "
        "wijzigen; u bent kpernis (Kevin van Pernis).\n"
    )
    cancel = ("meeting", "cancel", "regieteam", "2024-03-19", *NOW)
    assert cli(*cancel, env=as_login("gast"), check=False).returncode == 1
    add = ("meeting", "add", "regieteam", "2024-03-14T10:00", *NOW)
    assert cli(*add, env=as_login("gast"), check=False).returncode == 1
    cli(*moving, env=as_login("apols"))
    cli(*cancel, env=as_login("sbakker"))
    cli(*add, env=as_login("apols"))
    # another body's meetings stay open
    cli("meeting", "cancel", "pfho-wp", "2024-03-14", *NOW, env=as_login("gast"))


# --- --as and ROUTING_ACTOR --------------------------------------------------------------------


def test_acting_for_another_is_for_administrators(configured: InProcessCli) -> None:
    cli = configured
    item = new_item(cli)
    refused = cli("move", item, "voorleggen", "--as", "Anouk Pols", *AFTER,
                  env=as_login("kpernis"), check=False)  # fmt: skip
    assert (refused.returncode, refused.stderr) == (
        1,
        "routing: --as 'Anouk Pols' is alleen voor beheerders; u bent ingelogd als 'kpernis'. "
        "Beheerders ([access] administrators): Sander Bakker.\n",
    )
    from_env = cli("list", env=as_login("kpernis", ROUTING_ACTOR="Anouk Pols"), check=False)
    assert from_env.returncode == 1
    assert from_env.stderr.startswith("routing: ROUTING_ACTOR 'Anouk Pols' is alleen voor")
    # naming oneself is no impersonation
    own = cli("new", "Eigen punt", "--flow", "initiatief", "--as", "kevin van pernis", *NOW,
              env=as_login("kpernis")).stdout.strip()  # fmt: skip
    assert history(cli, own) == [("registreren", "Kevin van Pernis")]
    # the administrator may, and the trail records the name acted for, as [people] spells it
    cli("move", item, "voorleggen", "--as", "anouk pols", *AFTER, env=as_login("sbakker"))
    cli("move", item, "aanhouden", *AFTER, env=as_login("sbakker", ROUTING_ACTOR="secretaris"))
    assert history(cli, item)[-2:] == [("voorleggen", "Anouk Pols"), ("aanhouden", "secretaris")]


def test_the_identity_rule_on_its_own() -> None:
    open_config = edited_config()
    anyone = identify(open_config.access, open_config.people, "iemand", login="gast")
    assert (anyone.name, anyone.administrator) == ("iemand", True)
    config = edited_config(*CONFIGURED)
    anouk = identify(config.access, config.people, login="apols")
    assert (anouk.login, anouk.person, anouk.name, anouk.administrator) == (
        "apols", "Anouk Pols", "Anouk Pols", False,
    )  # fmt: skip
    unknown = identify(config.access, config.people, login="gast")
    assert (unknown.person, unknown.name) == (None, "gast")
    # closers but no administrator: nobody acts for another
    closers_only = edited_config(
        *LOGINS, (REGIETEAM_DESCRIPTION, REGIETEAM_DESCRIPTION + 'closers = "Anouk Pols"\n')
    )
    assert closers_only.access.closers == {"regieteam": ("Anouk Pols",)}
    with pytest.raises(NotAllowed, match=r"Beheerders .*: niemand"):
        identify(closers_only.access, closers_only.people, "Anouk Pols", login="sbakker")


# --- the daemon ------------------------------------------------------------------------------


def test_the_daemon_runs_as_its_service_account_and_is_never_blocked(
    configured: InProcessCli,
) -> None:
    cli = configured
    item = new_item(cli)
    # two days after the Regieteam's meeting its items roll over: the daemon's own step,
    # on a body with closers, under the service account with ROUTING_ACTOR from its unit file
    later = ("daemon", "--once", "--now", "2024-02-23T08:00")
    env = as_login("routing", ROUTING_ACTOR="routing-daemon")
    cli(*later, env=env)
    assert history(cli, item)[-1] == ("doorschuiven", "routing-daemon")
    refused = cli(*later, env=as_login("kpernis"), check=False)
    assert (refused.returncode, refused.stderr) == (
        1,
        "routing: De daemon draait als 'routing' ([access] service_account); u bent ingelogd "
        "als 'kpernis'. Start hem als 'routing' of als beheerder: Sander Bakker.\n",
    )
    cli(*later, env=as_login("sbakker"))  # an administrator may run it by hand
    status = ("daemon", "--status", "--now", "2024-02-23T08:00")  # alive at the sweep's moment
    assert cli(*status, env=as_login("kpernis")).returncode == 0  # only reads
    # the service account acts for nobody outside the daemon
    other = cli("list", env=as_login("routing", ROUTING_ACTOR="Anouk Pols"), check=False)
    assert other.returncode == 1


# --- routing.toml ---------------------------------------------------------------------------


def test_access_names_must_be_people_with_a_login_all_reported_at_once() -> None:
    text = edited_text(
        *LOGINS[:2],
        (
            '"Kevin van Pernis" = "k.vanpernis@regiogv.example"',
            '"Kevin van Pernis" = { email = "k.vanpernis@regiogv.example", login = "apols" }',
        ),
        ('# administrators = ["Sander Bakker"]', 'administrators = ["Piet", "sander bakker"]'),
        ('# service_account = "routing"', 'service_account = "routing daemon"'),
        (REGIETEAM_DESCRIPTION, REGIETEAM_DESCRIPTION + 'closers = ["Annette Keates"]\n'),
    )
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("/tmp/routing.toml"))
    known = (
        "Anna de Vries, Annette Keates, Anouk Pols, Gemeente Hilversum, Kevin van Pernis, "
        "Sander Bakker"
    )
    twice, admins = line_of(text, 'login = "apols" }', 2), line_of(text, "administrators =")
    account, closers = line_of(text, "service_account ="), line_of(text, "closers =")
    assert caught.value.problems == [
        f"people.\"Kevin van Pernis\".login: login 'apols' hoort al bij 'Anouk Pols' "
        f"(regel {twice}); één login per persoon",
        f"access.administrators[0]: onbekende persoon 'Piet' (regel {admins}); bekend in "
        f"[people]: {known}",
        f"access.service_account: 'routing daemon' is geen inlognaam (regel {account}); "
        'schrijf één woord zonder spaties, bv. "routing"',
        f"bodies.regieteam.closers: 'Annette Keates' heeft geen login in [people] "
        f'(regel {closers}); schrijf daar "Annette Keates" = {{ email = "...", '
        f'login = "inlognaam" }}',
    ]


def test_a_person_is_an_address_or_a_table_with_one() -> None:
    config = edited_config(*LOGINS)
    assert config.people["Anouk Pols"] == "a.pols@regiogv.example"
    assert config.access.logins == {
        "apols": "Anouk Pols", "sbakker": "Sander Bakker", "kpernis": "Kevin van Pernis",
    }  # fmt: skip
    with pytest.raises(ConfigError) as caught:
        edited_config(('"Anouk Pols" = "a.pols@regiogv.example"',
                       '"Anouk Pols" = { login = "apols", e-mail = "x" }'))  # fmt: skip
    assert [p.split(" (")[0] for p in caught.value.problems] == [
        'people."Anouk Pols".e-mail: onbekende sleutel',
        'people."Anouk Pols".email: ontbreekt, maar is verplicht',
    ]


def test_an_smtp_password_in_the_file_is_sent_to_the_environment() -> None:
    with pytest.raises(ConfigError) as caught:
        edited_config(("starttls = false\n", 'starttls = false\nsmtp_password = "x"\n'))
    (problem,) = caught.value.problems
    assert problem.startswith("notify.smtp_password: geheimen horen niet in routing.toml")
    assert "ROUTING_SMTP_PASSWORD" in problem
    i18n.set_language("en")
    with pytest.raises(ConfigError, match="contains a password"):
        edited_config(('url = ""', 'url = "postgresql+psycopg://r:Pw-9z@db.example/r"'))


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The line of the `nth` uncommented row holding `needle`."""
    rows = enumerate(text.splitlines(), 1)
    return [n for n, row in rows if needle in row and not row.startswith("#")][nth - 1]


def test_outbox_retry_is_for_administrators(configured: InProcessCli) -> None:
    refused = configured("outbox", "retry", "--failed", env=as_login("apols"), check=False)
    assert (refused.returncode, refused.stderr) == (
        1,
        "routing: apols (Anouk Pols) mag 'routing outbox retry' niet; dat mogen de beheerders "
        "([access] administrators): Sander Bakker.\n",
    )
    assert configured("outbox", "retry", "--failed", env=as_login("sbakker")).returncode == 0


def test_administrative_commands_are_for_administrators_once_named() -> None:
    """The rule `outbox retry` and `audit` call (they live with their own commands)."""
    config = edited_config(*CONFIGURED)
    kevin = identify(config.access, config.people, login="kpernis")
    with pytest.raises(NotAllowed) as caught:
        require_administrator(config.access, kevin, "routing outbox retry")
    assert caught.value.exit_code == 1
    assert str(caught.value) == (
        "kpernis (Kevin van Pernis) mag 'routing outbox retry' niet; dat mogen de beheerders "
        "([access] administrators): Sander Bakker."
    )
    sander = identify(config.access, config.people, login="sbakker")
    require_administrator(config.access, sander, "routing outbox retry")
    daemon = identify(config.access, config.people, login="routing", daemon=True)
    require_administrator(config.access, daemon, "routing outbox retry")
    open_config = edited_config()
    anyone = identify(open_config.access, open_config.people, login="gast")
    require_administrator(open_config.access, anyone, "routing outbox retry")


def test_without_a_service_account_whoever_runs_the_daemon_may_name_it() -> None:
    config = edited_config(*CONFIGURED[:-3], CONFIGURED[-1], CONFIGURED[-3])
    assert config.access.service_account is None and config.access.administrators
    daemon = identify(config.access, config.people, "systeem", daemon=True, login="kpernis")
    assert (daemon.name, daemon.service) == ("systeem", True)
    with pytest.raises(NotAllowed):
        identify(config.access, config.people, "systeem", login="kpernis")


def test_audit_export_is_for_administrators_and_verify_for_everyone(
    configured: InProcessCli, tmp_path: Path
) -> None:
    """The export holds every note, confidential items' too; verifying proves, and shows none."""
    new_item(configured)
    target = tmp_path / "audit.jsonl"
    refused = configured("audit", "export", "-o", str(target), env=as_login("kpernis"), check=False)
    assert (refused.returncode, refused.stdout) == (1, "")
    assert "mag 'routing audit export' niet" in refused.stderr
    assert not target.exists()  # refused before the file was opened
    assert configured("audit", "verify", env=as_login("kpernis")).returncode == 0
    exported = configured("audit", "export", env=as_login("sbakker"))
    assert [json.loads(line)["trigger"] for line in exported.stdout.splitlines()] == [
        "registreren",
        "agenderen",
    ]


def test_a_name_given_with_as_is_checked_like_any_text(cli: InProcessCli) -> None:
    """The name goes into the audit trail: a control character in it is bad input, exit 2."""
    refused = cli(
        "new", "Werkcentrum", "--flow", "initiatief", "--as", "A\x1b]0;x\x07", check=False
    )
    assert refused.returncode == 2
    assert "U+001B" in refused.stderr and "\x1b" not in refused.stderr

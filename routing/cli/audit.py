"""Commands on the audit trail: verify its hash chain, export it with the hashes.

Like every command they only parse, call one function below them and render.
"""

import sys
from pathlib import Path
from typing import Annotated

import typer

from routing import i18n
from routing.cli.common import ConfigOpt, JsonOpt, emit_json, make_console, open_runtime

__all__ = ["audit_app"]

audit_app = typer.Typer(no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Recompute the audit trail's hash chain; name every event altered, removed or inserted.

    Exit 0 with the number of events and the head hash when the chain holds, exit 1 otherwise.

    Example: routing audit verify
    """
    from routing.read import audit

    rt = open_runtime(config)
    verified = audit.verify(rt)
    report = verified.report
    if as_json:
        emit_json(verified.as_dict())
        if not report.intact:
            raise SystemExit(1)  # the JSON says what is wrong; the exit code says that it is
        return
    if not report.intact:
        raise audit.TrailBroken(report)
    make_console().print(
        i18n.tn("audit.intact", report.events, count=report.events, hash=report.head_hash),
        markup=False,
        soft_wrap=True,  # the hash whole on one line, to compare and copy
    )


@audit_app.command("export")
def audit_export(
    output: Annotated[
        str | None, typer.Option("--output", "-o", metavar="help.mv.file", help="help.opt.output")
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Write the audit trail as JSON lines, one event each with prev_hash and hash.

    Example: routing audit export -o audit.jsonl
    """
    import json

    from routing.read import audit
    from routing.render.files import write_lines

    rt = open_runtime(config)
    rows = audit.export(rt)
    # ASCII with \u escapes: a note's control or bidi characters stay inert on a terminal
    lines = (json.dumps(row) + "\n" for row in rows)
    if output is None:
        sys.stdout.writelines(lines)
        return
    count = write_lines("--output", Path(output), lines)
    make_console().print(i18n.tn("audit.exported", count, count=count, path=output), markup=False)

"""`routing stats`: per body and per step, what passed in a period.

Like every command it only parses, calls one function below it and renders.
"""

from typing import Annotated

import typer

from routing.cli.common import ConfigOpt, JsonOpt, NowOpt, emit_json, make_console, open_runtime

__all__ = ["stats"]


def stats(
    date_from: Annotated[
        str | None, typer.Option("--from", metavar="help.mv.date", help="help.opt.stats_from")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", metavar="help.mv.date", help="help.opt.stats_to")
    ] = None,
    body: Annotated[
        str | None, typer.Option("--body", metavar="help.mv.body", help="help.opt.only_body")
    ] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Per body and per step: items passed, deferred, rolled over, papers late, median days
    per step and the share of targets reached, over a period (default: the last 12 months).

    Example: routing stats --from 2024-01-01 --to 2024-12-31 --body pfho-wp
    """
    from routing.clock import parse_moment
    from routing.read.stats import stats as figures

    rt = open_runtime(config, now)
    tz = rt.config.timezone
    start = parse_moment(date_from, tz) if date_from else None
    end = parse_moment(date_to, tz, end_of_day=True) if date_to else None
    data = figures(rt, start, end, body)
    if as_json:
        emit_json(data)
    else:
        from routing.render.stats import stats_view

        make_console().print(stats_view(data))

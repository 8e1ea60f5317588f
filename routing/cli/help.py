"""`--help` in the user's language: Dutch by default, English with `--lang en` / ROUTING_LANG=en.

typer builds the click command tree anew on every invocation from what is registered on the
app: the `CommandInfo` of each command, the `TyperInfo` of each group and the `OptionInfo` /
`ArgumentInfo` in each callback's signature. In the code every `help=` and `metavar=` of the CLI
is a key of the message catalogues (`routing/i18n/locale/*/LC_MESSAGES/routing.po`), and a
command's text is the key `help.cmd.<path>` (`help.cmd.new`, `help.cmd.meeting.move`,
`help.cmd.routing` for the root).
`localize(app)` puts the texts of the current language in their place right before typer builds
the tree; it remembers the keys, so it can run again in another language. A help text that is
not a key is an error here, so a new option cannot slip through in English.

click's own words ("Usage:", "Options", "[required]", "Show this message and exit.") are said
again by `LocalizedCommand` / `LocalizedGroup`, which `localize` installs as the click classes.
The docstrings of the command functions are for developers; users read the catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import typer
from typer import _click
from typer.core import TyperArgument, TyperCommand, TyperGroup
from typer.main import get_command_name
from typer.models import CommandInfo, TyperInfo

from routing import i18n
from routing.i18n import t

__all__ = ["LocalizedCommand", "LocalizedGroup", "lang_from_args", "localize"]


def _translate_params(command: _click.Command) -> None:
    """The help and metavar of each parameter, from its key to the current language: typer
    copies them out of the signature into the click parameter when it builds the command."""
    for param in command.params:
        for field in ("help", "metavar"):
            key = getattr(param, field, None)
            if key is None:
                continue
            if not i18n.has(key):
                raise KeyError(
                    f"'{command.name}' {param.name}: {field}={key!r} is not a key of the message "
                    "catalogue"
                )
            setattr(param, field, t(key))


def _command_key(path: str) -> str:
    key = f"help.cmd.{path}"
    if not i18n.has(key):
        raise KeyError(f"'{path.replace('.', ' ')}': no help text {key} in the catalogue")
    return key


def _walk(app: typer.Typer, path: str) -> Iterator[tuple[str, Any]]:
    """(catalogue path, callback) of the app's own callback, commands and groups, recursively."""
    for command in app.registered_commands:
        assert command.callback is not None
        name = command.name or get_command_name(command.callback.__name__)
        yield f"{path}.{name}", command
    for group in app.registered_groups:
        assert group.typer_instance is not None and isinstance(group.name, str)
        yield f"{path}.{group.name}", group
        yield from _walk(group.typer_instance, f"{path}.{group.name}")


def localize(app: typer.Typer) -> None:
    """Put every help text and metavar of `app` in the current language (see the module)."""
    app.info.help = t(_command_key("routing"))
    app.info.cls = LocalizedGroup
    for dotted, info in _walk(app, "routing"):
        path = dotted.removeprefix("routing.")
        info.help = t(_command_key(path))
        if isinstance(info, CommandInfo):
            info.cls = LocalizedCommand
        elif isinstance(info, TyperInfo):
            info.cls = LocalizedGroup


def lang_from_args(args: Sequence[str]) -> str | None:
    """The `--lang` among the root options (before the command name), if it is a known one:
    the root's own `--help` is written before its callback could set the language."""
    tokens = list(args)
    for index, token in enumerate(tokens):
        if token == "--lang" and index + 1 < len(tokens):
            value = tokens[index + 1]
        elif token.startswith("--lang="):
            value = token.partition("=")[2]
        elif token.startswith("-") or (index > 0 and tokens[index - 1] == "--lang"):
            continue
        else:
            return None  # the command name: what follows is not the root's
        return value if value in i18n.LANGUAGES else None
    return None


_EXTRA = re.compile(r"\[(?P<extra>[^\[\]]*)\]$")


def _said_again(help_text: str) -> str:
    """typer's trailing "[default: x; required]" in the current language."""
    match = _EXTRA.search(help_text)
    if match is None:
        return help_text
    parts = []
    for part in match["extra"].split("; "):
        if part == "required":
            parts.append(t("help.click.required"))
        elif part.startswith("default: "):
            parts.append(t("help.click.default", value=part.removeprefix("default: ")))
        else:
            parts.append(part)
    return f"{help_text[: match.start()]}[{'; '.join(parts)}]"


def _format_params(
    command: _click.Command, ctx: _click.Context, formatter: _click.HelpFormatter
) -> None:
    """Arguments and options as typer writes them, but in our words; an argument by its name
    alone (typer adds its Python type, `TITEL <str>`, which says nothing to a secretary)."""
    arguments: list[tuple[str, str]] = []
    options: list[tuple[str, str]] = []
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None:
            continue
        name, text = record
        if isinstance(param, TyperArgument):
            arguments.append((param._rich_display_name(), _said_again(text)))
        else:
            options.append((name, _said_again(text)))
    if arguments:
        with formatter.section(t("help.click.arguments")):
            formatter.write_dl(arguments)
    if options:
        with formatter.section(t("help.click.options")):
            formatter.write_dl(options)


def _format_usage(
    command: _click.Command, ctx: _click.Context, formatter: _click.HelpFormatter
) -> None:
    pieces = command.collect_usage_pieces(ctx)
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=t("help.click.usage"))


def _help_option(option: Any) -> Any:
    if option is not None:
        option.help = t("help.click.help")
    return option


class LocalizedCommand(TyperCommand):
    """A typer command whose help says click's own words in the current language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _translate_params(self)
        self.options_metavar = t("help.click.options_metavar")

    def format_usage(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        _format_usage(self, ctx, formatter)

    def format_options(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        _format_params(self, ctx, formatter)

    def get_help_option(self, ctx: _click.Context) -> Any:
        return _help_option(super().get_help_option(ctx))


class LocalizedGroup(TyperGroup):
    """A typer group whose help says click's own words in the current language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _translate_params(self)
        self.options_metavar = t("help.click.options_metavar")
        self.subcommand_metavar = t("help.click.subcommand_metavar")

    def format_usage(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        _format_usage(self, ctx, formatter)

    def format_options(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        _format_params(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        commands = [
            (name, command)
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None and not command.hidden
        ]
        if not commands:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in commands)
        rows = [(name, command.get_short_help_str(limit)) for name, command in commands]
        with formatter.section(t("help.click.commands")):
            formatter.write_dl(rows)

    def get_help_option(self, ctx: _click.Context) -> Any:
        return _help_option(super().get_help_option(ctx))

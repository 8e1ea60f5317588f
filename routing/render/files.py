"""Writing a file the user named (`--output`, `--ics`, `--diagram`): one rule for all of them,
and which format a command writes (`--format`, else the extension of `-o`).

The folder must exist and the name must not be a folder; whatever else the system refuses (no
permission, a name too long, a full disk) is bad input named with the option, never a traceback.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from pathlib import Path, PurePath

from routing.errors import BadInput
from routing.i18n import t

__all__ = ["check_output", "output_format", "write_lines", "write_output"]


def output_format(
    given: str | None,
    output: str | None,
    suffixes: Mapping[str, str],
    *,
    to_file: Collection[str] = (),
    default: str | None = None,
    named: Collection[str] = (),
) -> str | None:
    """The format a command writes: `--format` if given, else the one the extension of `-o`
    names (`suffixes`: extension to format, the first extension of a format the one to
    suggest), else `default`. An `-o` whose extension names no format needs `--format`; a
    format in `to_file` (PDF, xlsx: not for a terminal) needs `-o`; a format in `named` (ORI
    JSON: a .json file is plain JSON) is chosen only by `--format`."""
    first = {fmt: suffix for suffix, fmt in reversed(list(suffixes.items()))}
    formats = list(dict.fromkeys(suffixes.values())) + [f for f in named if f not in first]
    fmt = given.strip().lower() if given is not None else None
    if fmt is not None and fmt not in formats:
        raise BadInput(
            t("err.option_choice", option="--format", value=given, choices=", ".join(formats))
        )
    if fmt is None and output is not None:
        if Path(output).is_dir():
            raise BadInput(t("err.output_is_folder", option="--output", path=output))
        fmt = suffixes.get(PurePath(output).suffix.lower())
        if fmt is None:
            raise BadInput(
                t(
                    "err.output_suffix",
                    path=output,
                    formats=", ".join(formats),
                    suffixes=", ".join(first[f] for f in formats if f in first),
                )
            )
    if fmt is not None and fmt in to_file and output is None:
        raise BadInput(t("err.format_to_file", format=fmt, suffix=first[fmt]))
    return fmt or default


def _check(option: str, path: Path) -> None:
    if not path.parent.is_dir():
        raise BadInput(t("err.no_folder", option=option, folder=path.parent))
    if path.is_dir() or not path.name:
        raise BadInput(t("err.output_is_folder", option=option, path=path))


def check_output(option: str, path: Path) -> None:
    """Refuse a file name `write_output` would refuse for its folder, before any work."""
    _check(option, path)


def _unwritable(option: str, path: Path, exc: OSError) -> BadInput:
    reason = exc.strerror or type(exc).__name__
    return BadInput(t("err.output_unwritable", option=option, path=path, reason=reason))


def write_output(option: str, path: Path, data: bytes | str) -> Path:
    """Write `data` (text as UTF-8) to `path`, the value of `option`."""
    _check(option, path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        path.write_bytes(raw)
    except OSError as exc:
        raise _unwritable(option, path, exc) from None
    return path


def write_lines(option: str, path: Path, lines: Iterable[str]) -> int:
    """Write `lines` to `path` as they come (an export can be long); returns how many."""
    _check(option, path)
    count = 0
    try:
        with path.open("w", encoding="utf-8") as target:
            for line in lines:
                target.write(line)
                count += 1
    except OSError as exc:
        raise _unwritable(option, path, exc) from None
    return count

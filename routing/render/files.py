"""Writing a file the user named (`--output`, `--ics`, `--diagram`): one rule for all of them.

The folder must exist and the name must not be a folder; whatever else the system refuses (no
permission, a name too long, a full disk) is bad input named with the option, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

from routing.errors import BadInput
from routing.i18n import t

__all__ = ["write_output"]


def write_output(option: str, path: Path, data: bytes | str) -> Path:
    """Write `data` (text as UTF-8) to `path`, the value of `option`."""
    if not path.parent.is_dir():
        raise BadInput(t("err.no_folder", option=option, folder=path.parent))
    if path.is_dir() or not path.name:
        raise BadInput(t("err.output_is_folder", option=option, path=path))
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        path.write_bytes(raw)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise BadInput(
            t("err.output_unwritable", option=option, path=path, reason=reason)
        ) from None
    return path

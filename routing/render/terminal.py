"""The terminal: text that people and files gave us is shown, never interpreted.

Two layers, one rule (`routing.text.visible`):
- `user_text` wraps each terminal view: every string it is given (in mappings, sequences and
  dataclasses) passes through `visible` before the view lays it out, so widths and ellipses
  are measured on what will be shown;
- `console()` is the only way the CLI makes a rich console: markup, emoji codes and
  highlighting off (a title "[link=file:///etc/passwd]x[/link]" stays those characters), and a
  render hook that passes every segment of text through `visible` once more, so a string that
  reaches the screen by another path (a message, a warning, a dataclass in a report) cannot
  carry an escape sequence, a C1 code or a bidi override either. Rich's own control segments
  (cursor moves, styles) are left alone; links on styles are dropped: we make none.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar

from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderHook, RenderResult
from rich.segment import Segment

from routing.text import visible

__all__ = ["console", "shown", "user_text"]

P = ParamSpec("P")
R = TypeVar("R")


def shown(value: Any) -> Any:
    """`value` with every string in it (keys too) made visible; other values as they are."""
    if isinstance(value, str):
        return visible(value, keep="\n\t")  # rich expands a tab into spaces
    if isinstance(value, Mapping):
        return {shown(key): shown(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shown(item) for item in value]
    if isinstance(value, tuple):
        items = [shown(item) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [f.name for f in dataclasses.fields(value) if f.init]
        changes = {name: shown(getattr(value, name)) for name in fields}
        return dataclasses.replace(value, **changes)
    return value


def user_text(view: Callable[P, R]) -> Callable[P, R]:
    """A terminal view whose arguments' strings are made visible before it lays them out."""

    @functools.wraps(view)
    def safe_view(*args: P.args, **kwargs: P.kwargs) -> R:
        return view(*shown(args), **shown(kwargs))

    return safe_view


class _Visible:
    """A renderable whose text segments pass through `visible`: the last line of defence."""

    def __init__(self, inner: ConsoleRenderable | object) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.inner, options):  # type: ignore[arg-type]
            if segment.control:
                yield segment
                continue
            style = segment.style
            if style is not None and style.link:
                style = style.update_link(None)
            yield Segment(visible(segment.text), style)


class _ShowHook(RenderHook):
    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_Visible(renderable) for renderable in renderables]


def console(*, stderr: bool = False, soft_wrap: bool = False) -> Console:
    """A console that shows user text as text (see the module's docstring)."""
    made = Console(stderr=stderr, soft_wrap=soft_wrap, markup=False, emoji=False, highlight=False)
    made.push_render_hook(_ShowHook())
    return made

"""Where each key of routing.toml stands: the line of every key, table and array entry.

`tomllib` gives values without positions, so the text is scanned once more: table headers,
arrays of tables, `key = value` lines, and the keys and entries inside inline tables and arrays
(`recess = [{ name = ..., start = ... }]`). The text has already been read by `tomllib`, so it
is valid TOML; the scanner only has to follow it, not judge it. A path is a tuple of keys and
array indices, e.g. `("bodies", "regieteam", "calendar", "recess", 1, "end")`.
"""

from __future__ import annotations

import bisect
import contextlib
import json
from collections.abc import Sequence

__all__ = ["KeyLines", "Path"]

Path = tuple[str | int, ...]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_SCALAR_END = frozenset(",]}\n\r#")


class KeyLines:
    """The line of every path a TOML text gives; `line` falls back to the nearest table."""

    def __init__(self, text: str) -> None:
        self._found: dict[Path, int] = {}
        scanner = _Scanner(text, self._found)
        # never raises for text tomllib accepted; should it, the lines found so far are kept
        with contextlib.suppress(IndexError, ValueError):
            scanner.document()

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of `path` itself; else the first line inside it (a table only implied by
        `[bodies.x.calendar]`); else the line of the nearest enclosing table or key."""
        wanted = tuple(path)
        if wanted in self._found:
            return self._found[wanted]
        inside = [n for p, n in self._found.items() if p[: len(wanted)] == wanted]
        if inside:
            return min(inside)
        while wanted:
            wanted = wanted[:-1]
            if wanted in self._found:
                return self._found[wanted]
        return None


class _Scanner:
    def __init__(self, text: str, found: dict[Path, int]) -> None:
        self.text = text
        self.pos = 0
        self.found = found
        self.starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        self.arrays: dict[Path, int] = {}  # an array of tables and the index of its last entry

    def line_at(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos)

    def record(self, path: Path, pos: int) -> None:
        self.found.setdefault(path, self.line_at(pos))

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def blank(self, newlines: bool) -> None:
        """Skip spaces, tabs, comments and (when `newlines`) line ends."""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t" or (newlines and char in "\r\n"):
                self.pos += 1
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    def document(self) -> None:
        table: Path = ()
        while True:
            self.blank(newlines=True)
            if self.pos >= len(self.text):
                return
            start = self.pos
            if self.text.startswith("[[", self.pos):
                self.pos += 2
                keys = self.dotted_key()
                self.pos = self.text.index("]]", self.pos) + 2
                array = (*self.resolve(keys[:-1]), keys[-1])
                index = self.arrays.get(array, -1) + 1
                self.arrays[array] = index
                table = (*array, index)
                self.record(array, start)
                self.record(table, start)
            elif self.peek() == "[":
                self.pos += 1
                keys = self.dotted_key()
                self.pos = self.text.index("]", self.pos) + 1
                table = self.resolve(keys)
                self.record(table, start)
            else:
                self.key_value(table)

    def resolve(self, keys: Sequence[str]) -> Path:
        """A header's keys as a path: an array of tables on the way means its last entry."""
        path: Path = ()
        for key in keys:
            path = (*path, key)
            if path in self.arrays:
                path = (*path, self.arrays[path])
        return path

    def key_value(self, table: Path) -> None:
        start = self.pos
        keys = self.dotted_key()
        for depth in range(1, len(keys)):
            self.record((*table, *keys[:depth]), start)
        path = (*table, *keys)
        self.record(path, start)
        self.blank(newlines=False)
        if self.peek() != "=":
            raise ValueError("no '=' after a key")
        self.pos += 1
        self.blank(newlines=False)
        self.value(path)

    def value(self, path: Path) -> None:
        char = self.peek()
        if char in "\"'":
            self.string()
        elif char == "[":
            self.pos += 1
            index = 0
            while True:
                self.blank(newlines=True)
                if self.peek() in ("]", ""):
                    self.pos += 1
                    return
                self.record((*path, index), self.pos)
                self.value((*path, index))
                self.blank(newlines=True)
                if self.peek() == ",":
                    self.pos += 1
                index += 1
        elif char == "{":
            self.pos += 1
            while True:
                self.blank(newlines=True)
                if self.peek() in ("}", ""):
                    self.pos += 1
                    return
                self.key_value(path)
                self.blank(newlines=True)
                if self.peek() == ",":
                    self.pos += 1
        else:
            start = self.pos
            while self.pos < len(self.text) and self.text[self.pos] not in _SCALAR_END:
                self.pos += 1
            if self.pos == start:
                raise ValueError("no value")

    def dotted_key(self) -> list[str]:
        keys: list[str] = []
        while True:
            self.blank(newlines=False)
            if self.peek() and self.peek() in "\"'":
                keys.append(self.string())
            else:
                start = self.pos
                while self.pos < len(self.text) and self.text[self.pos] in _BARE:
                    self.pos += 1
                if self.pos == start:
                    raise ValueError("no key")
                keys.append(self.text[start : self.pos])
            self.blank(newlines=False)
            if self.peek() != ".":
                return keys
            self.pos += 1

    def string(self) -> str:
        """Skip a string of any of TOML's four kinds; the text of a one-line one (for keys)."""
        quote = self.peek()
        if self.text.startswith(quote * 3, self.pos):
            end = self.pos + 3
            while True:
                end = self.text.index(quote * 3, end)
                if quote == '"' and _escaped(self.text, end):
                    end += 1
                    continue
                break
            end += 3
            for _ in range(2):  # up to two quotes may end the content itself: """a"""""
                if self.text.startswith(quote, end):
                    end += 1
            self.pos = end
            return ""
        end = self.pos + 1
        while True:
            end = self.text.index(quote, end)
            if quote == '"' and _escaped(self.text, end):
                end += 1
                continue
            break
        body = self.text[self.pos + 1 : end]
        self.pos = end + 1
        if quote == "'":
            return body
        try:
            decoded: str = json.loads(f'"{body}"')
        except ValueError:  # a TOML-only escape (\e, \UXXXXXXXX): the raw text will do
            return body
        return decoded


def _escaped(text: str, index: int) -> bool:
    """Whether the character at `index` is escaped by an odd number of backslashes."""
    count = 0
    while index - count - 1 >= 0 and text[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1

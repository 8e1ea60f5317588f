"""A real SMTP server on loopback (aiosmtpd) that keeps every message it accepts.

`HoldingInbox` also knows which process sent each message and can hold its "250 OK": the message
has then arrived, but the client does not know it yet (the crash harness kills it right there).
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import os
import socket
import threading
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        self.arrived = threading.Condition(self._lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.arrived:
            self.messages.append(email.message_from_bytes(envelope.content))
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 30.0) -> bool:
        """Block until `count` messages arrived or the timeout passed (bounded)."""
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)

    def with_key(self, prefix: str) -> list[Message]:
        return [m for m in self.messages if str(m["X-Routing-Key"]).startswith(prefix)]


@dataclass(frozen=True)
class Arrival:
    key: str
    message_id: str
    pid: int | None  # the watched process that sent it (None: another client)


class HoldingInbox(Inbox):
    """Records who sent what; `hold_next(pid)` makes the next message of that process wait for
    its 250 reply until `release()` (bounded by `hold_limit_s`)."""

    def __init__(self, hold_limit_s: float = 20.0) -> None:
        super().__init__()
        self.arrivals: list[Arrival] = []
        self.watched: set[int] = set()
        self.hold_limit_s = hold_limit_s
        self._hold_for: int | None = None
        self.held = threading.Event()  # set while a reply is held; `held_pid` says whose
        self.held_pid: int | None = None
        self._release = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None  # the server's, once it runs

    def hold_next(self, pid: int) -> None:
        with self._lock:
            self._hold_for, self.held_pid = pid, None
            self.held.clear()
            self._release.clear()

    def release(self) -> None:
        with self._lock:
            self._hold_for = None
        self._release.set()

    def settle(self, server_port: int, pid: int, limit_s: float = 2.0) -> None:
        """With `pid` stopped: wait until the server has read all that it sent and its event loop
        has gone round a few times, so a message it finished sending is recorded (bounded)."""
        mine = _socket_inodes(pid)
        ports = {local for local, remote, _, inode in _tcp_sockets()
                 if inode in mine and remote == server_port}  # fmt: skip
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            if not any(unread for local, remote, unread, _ in _tcp_sockets()
                       if local == server_port and remote in ports):  # fmt: skip
                break
            time.sleep(0.002)
        for _ in range(4):  # the read, the line parsed, the handler called: a turn each
            turned = threading.Event()
            if self.loop is None:
                time.sleep(0.02)
                continue
            self.loop.call_soon_threadsafe(turned.set)
            turned.wait(max(deadline - time.monotonic(), 0.05))

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()
            self.arrivals.clear()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content)
        pid = _owner_of(int(session.peer[1]), self.watched)
        with self.arrived:
            self.messages.append(message)
            self.arrivals.append(
                Arrival(str(message["X-Routing-Key"]), str(message["Message-ID"]), pid)
            )
            hold = pid is not None and pid == self._hold_for
            if hold:
                self._hold_for, self.held_pid = None, pid
                self.held.set()
            self.arrived.notify_all()
        if hold:  # the message is in; the sender waits for this reply (polled: no extra thread)
            deadline = time.monotonic() + self.hold_limit_s
            while not self._release.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.002)
        return "250 OK"


def _tcp_sockets() -> list[tuple[int, int, int, str]]:
    """(local port, remote port, bytes not yet read, inode) of every TCP socket (Linux: /proc)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote = (int(a.rsplit(":", 1)[1], 16) for a in fields[1:3])
            found.append((local, remote, int(fields[4].split(":")[1], 16), fields[9]))
    return found


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in os.scandir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                link = os.readlink(fd.path)
                if link.startswith("socket:["):
                    inodes.add(link[8:-1])
    except OSError:
        pass
    return inodes


def _owner_of(port: int, pids: Collection[int]) -> int | None:
    """Which of `pids` has a TCP socket bound to local `port` (the client end of a session)."""
    inodes = {inode for local, _, _, inode in _tcp_sockets() if local == port}
    return next((pid for pid in pids if _socket_inodes(pid) & inodes), None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(port: int | None = None, inbox: Inbox | None = None) -> Iterator[tuple[Inbox, int]]:
    inbox = inbox or Inbox()
    port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    if isinstance(inbox, HoldingInbox):
        inbox.loop = controller.loop
    try:
        yield inbox, port
    finally:
        controller.stop()

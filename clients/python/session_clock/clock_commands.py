"""The clock commands a SessionClock has sent and awaits
(client/clock-commands.js). Answers carry no request id: CLOCK_CHANGED names
the session and the action, ERROR's ref the type and the session. The worker
answers one connection's commands for a session in order, so the oldest
pending request that matches is the one answered."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Optional

from .errors import RequestError

# Clock commands and the action their CLOCK_CHANGED answer names.
CLOCK_COMMANDS = {"START_CLOCK": "start", "PAUSE_CLOCK": "pause", "RESUME_CLOCK": "resume", "STOP_CLOCK": "stop"}


def is_clock_command(kind) -> bool:
    """A clock command's refusal is its future's business, not a subscription's."""
    return kind in CLOCK_COMMANDS


@dataclass
class _Pending:
    type: str
    action: str
    session_id: str
    future: asyncio.Future
    timer: Optional[asyncio.TimerHandle] = field(default=None)


class ClockCommands:
    def __init__(self, connection, options: dict):
        self._connection = connection
        self._options = options  # request_timeout_ms
        self._pending: list[_Pending] = []  # awaiting CLOCK_CHANGED or ERROR, oldest first

    async def send(self, kind: str, session_id: str, reason: Optional[str]) -> dict:
        """Sends the command; returns CLOCK_CHANGED's {'changed', 'version'}, raises RequestError."""
        if not isinstance(session_id, str) or session_id == "":
            raise TypeError("session_id must be a non-empty string")
        if reason is not None and not isinstance(reason, str):
            raise TypeError("reason must be a string")
        if self._connection.closed:
            raise RequestError("closed", "the client was closed")
        message = {"t": kind, "sessionId": session_id}
        if reason is not None:
            message["reason"] = reason
        if not self._connection.live or not self._connection.send(message):
            raise RequestError("offline", "not connected", {"t": kind, "sessionId": session_id})
        loop = asyncio.get_running_loop()
        entry = _Pending(kind, CLOCK_COMMANDS[kind], session_id, loop.create_future())

        def timed_out():
            self._settle(entry)
            if not entry.future.done():
                timeout = self._options["request_timeout_ms"]
                entry.future.set_exception(RequestError(
                    "timeout", f"no answer to {kind} in {timeout} ms", {"t": kind, "sessionId": session_id}))

        entry.timer = loop.call_later(self._options["request_timeout_ms"] / 1000, timed_out)
        self._pending.append(entry)
        return await entry.future

    def changed(self, m: dict) -> bool:
        """Resolves the command a CLOCK_CHANGED answers; False if it answers none."""
        entry = next((c for c in self._pending if c.session_id == m.get("sessionId") and c.action == m.get("action")), None)
        if entry is None:
            return False
        self._settle(entry)
        if not entry.future.done():
            entry.future.set_result({"changed": bool(m.get("changed")), "version": m.get("version")})
        return True

    def refused(self, code: str, message: str, ref) -> bool:
        """Rejects the command an ERROR answers; False if it answers none."""
        if not isinstance(ref, dict) or not is_clock_command(ref.get("t")):
            return False
        entry = next((c for c in self._pending if c.type == ref.get("t") and c.session_id == ref.get("sessionId")), None)
        if entry is None:
            return False
        self._settle(entry)
        if not entry.future.done():
            entry.future.set_exception(RequestError(code, message, ref))
        return True

    def fail_all(self, code: str, message: str) -> None:
        """Rejects every pending command: no answer can come any more."""
        pending, self._pending = self._pending, []
        for entry in pending:
            if entry.timer is not None:
                entry.timer.cancel()
            if not entry.future.done():
                entry.future.set_exception(RequestError(code, message, {"t": entry.type, "sessionId": entry.session_id}))

    def _settle(self, entry: _Pending) -> None:
        if entry.timer is not None:
            entry.timer.cancel()
        if entry in self._pending:
            self._pending.remove(entry)

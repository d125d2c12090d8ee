"""Callbacks: what the JS client's EventTarget events are here.

on(event, fn) registers fn(detail) and returns a function that removes it.
Callbacks run on the client's event loop (for BackgroundSessionClock: its
thread); one that raises is logged and the others still run, as an
EventTarget's listeners do. A callback may be a coroutine function: it is
scheduled as a task.
"""

import asyncio
import inspect
import logging
from typing import Any, Callable, Dict, List

log = logging.getLogger("session_clock")


class Emitter:
    def __init__(self) -> None:
        self._handlers: Dict[str, List[Callable[[Any], Any]]] = {}

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """Calls fn(detail) on each `event`; returns the function that stops it."""
        self._handlers.setdefault(event, []).append(fn)
        return lambda: self.off(event, fn)

    def off(self, event: str, fn: Callable[[Any], Any]) -> None:
        handlers = self._handlers.get(event, [])
        if fn in handlers:
            handlers.remove(fn)

    def _fire(self, event: str, detail: Any) -> None:
        for fn in list(self._handlers.get(event, ())):
            try:
                result = fn(detail)
                if inspect.isawaitable(result):
                    asyncio.ensure_future(result)
            except Exception:  # a listener's bug must not break the client
                log.exception("session_clock: a %r callback raised", event)

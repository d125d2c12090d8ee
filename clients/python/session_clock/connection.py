"""The one WebSocket a SessionClock talks through (client/connection.js),
reopened after every loss with a randomised backoff until close(). It
carries JSON objects and tells its owner how the connection fares; what the
messages mean is the owner's business.

Built on websockets' legacy asyncio API (websockets.connect and
websockets.client.WebSocketClientProtocol), the one Debian 12's
python3-websockets 10.4 has.
"""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any, Callable, Optional
from urllib.parse import urlsplit, urlunsplit

import websockets
import websockets.client
import websockets.exceptions

from .local_clock import local_now_ms

__all__ = ["Connection", "socket_url"]


def socket_url(url: str) -> str:
    """ws(s)://host/ws from a ws(s) URL or an http(s) origin or page URL."""
    u = urlsplit(str(url))
    scheme = {"http": "ws", "https": "wss"}.get(u.scheme, u.scheme)
    if scheme not in ("ws", "wss") or not u.netloc:
        raise ValueError(f"not a WebSocket or HTTP URL: {url}")
    path = u.path if u.path not in ("", "/") else "/ws"
    return urlunsplit((scheme, u.netloc, path, u.query, ""))


class _StampingProtocol(websockets.client.WebSocketClientProtocol):
    """Reads the local clock where the bytes meet the socket, for the
    time-sync samples.

    Received: websockets hands a frame to recv() through a reader task and a
    queue, one or two loop iterations after the socket was readable; a pong's
    receive time (t4) is taken here instead, where a browser's onmessage
    would have read it. The latest arrival is never earlier than any frame
    already received, so t4 stays an upper bound.

    Sent: json.dumps and websockets' send() (framing, masking in pure Python)
    take 70-130 us here before the bytes reach the transport; a ping's send
    time (t1) is read right before its frame's transport.write (websockets
    writes each frame in a single call), so none of that inflates the
    measured uplink and biases the estimate by half of it."""

    last_data_ms: Optional[float] = None
    before_write: Optional[Callable[[], None]] = None  # called once, right before the next write

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        write = transport.write

        def stamped_write(data) -> None:
            hook = self.before_write
            if hook is not None:
                self.before_write = None
                hook()
            write(data)

        transport.write = stamped_write

    def data_received(self, data: bytes) -> None:
        self.last_data_ms = local_now_ms()
        super().data_received(data)


class Connection:
    """`on` is an object with opened(), message(dict), dropped(),
    status(str) and failed(str), as in connection.js. Nothing happens until
    start() (on a running event loop)."""

    def __init__(self, url: str, options: dict, on: Any):
        self._url = url
        self._options = options  # min_backoff_ms, max_backoff_ms, open_timeout_ms
        self._on = on
        self._socket: Optional[websockets.client.WebSocketClientProtocol] = None
        self._outbox: Optional[asyncio.Queue] = None
        self._status = "offline"
        self._closed = False
        self._attempt = 0  # reconnect attempts since the last healthy connection
        self._wake: Optional[asyncio.Event] = None
        self._task: Optional[asyncio.Task] = None
        self.arrival_ms: Optional[float] = None  # when the message being handled arrived (local ms)
        self.last_connect_error: Optional[BaseException] = None

    @property
    def url(self) -> str:
        return self._url

    @property
    def status(self) -> str:
        """'live' while the WebSocket is open, 'offline' otherwise."""
        return self._status

    @property
    def live(self) -> bool:
        return self._status == "live"

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def writable(self) -> bool:
        """The socket takes messages now (already while opened() runs, before 'live')."""
        return self._socket is not None and self._socket.open

    def start(self) -> None:
        self._wake = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run())

    def send(self, message: dict, on_written: Optional[Callable[[], None]] = None) -> bool:
        """Queues a message; on_written() is called right before its frame
        reaches the transport (a ping's send time is read there). False, and
        nothing queued, without an open socket."""
        if not self.writable or self._outbox is None:
            return False
        self._outbox.put_nowait((message, on_written))
        return True

    def healthy(self) -> None:
        """The server answers: the next outage starts from the shortest backoff."""
        self._attempt = 0

    def abandon(self) -> None:
        """Gives up on a socket that stopped answering (half-open): dropped
        now, reopened after the backoff. No closing handshake: the peer is
        not answering; the transport is aborted."""
        socket = self._socket
        if socket is None:
            return
        self._drop()
        try:
            socket.transport.abort()
        except Exception:
            pass

    def reconnect_soon(self) -> None:
        """Now rather than after the backoff (the network came back)."""
        if self._closed or self._socket is not None:
            return
        self._attempt = 0
        if self._wake is not None:
            self._wake.set()

    async def close(self) -> None:
        """Closes for good: no reconnects."""
        if self._closed:
            return
        self._closed = True
        socket = self._socket
        if socket is not None:
            self._drop()
        if self._wake is not None:
            self._wake.set()
        if socket is not None:
            try:
                await asyncio.wait_for(socket.close(1000, "client closed"), 2)
            except Exception:
                pass
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass

    async def _run(self) -> None:
        while not self._closed:
            try:
                socket = await websockets.connect(
                    self._url,
                    create_protocol=_StampingProtocol,
                    # Our own TIME_PINGs find a dead connection (pong_timeout_ms),
                    # as in the browser, which has no protocol-level pings.
                    ping_interval=None,
                    # Small frames: deflate would only add time to each one.
                    compression=None,
                    open_timeout=self._options["open_timeout_ms"] / 1000,
                    close_timeout=2,
                    max_size=1 << 20,
                )
            except asyncio.CancelledError:
                raise
            except websockets.exceptions.InvalidURI as e:
                self._on.failed(str(e))
                await self._backoff()
                continue
            except Exception as e:  # refused, timed out, 401 at the upgrade, ...
                # A browser's socket fires close for these: dropped, offline, backoff.
                self.last_connect_error = e
                self._on.dropped()
                self._set_status("offline")
                await self._backoff()
                continue
            if self._closed:
                await socket.close(1000, "client closed")
                return
            self._socket = socket
            self._outbox = asyncio.Queue()
            writer = asyncio.get_running_loop().create_task(self._write(socket, self._outbox))
            self._on.opened()
            # Last: a 'status' callback may send at once, and the owner's greeting (AUTH) must precede it.
            self._set_status("live")
            try:
                async for data in socket:
                    if self._socket is not socket:
                        break
                    self.arrival_ms = socket.last_data_ms
                    self._received(data)
                    self.arrival_ms = None
            except websockets.exceptions.ConnectionClosed:
                pass
            finally:
                writer.cancel()
            if self._socket is socket:
                self._drop()  # lost: the server closed, or the network did
            await self._backoff()

    async def _write(self, socket, outbox: asyncio.Queue) -> None:
        while True:
            message, on_written = await outbox.get()
            text = json.dumps(message, separators=(",", ":"))
            socket.before_write = on_written
            try:
                await socket.send(text)
            except websockets.exceptions.ConnectionClosed:
                return
            finally:
                socket.before_write = None

    def _received(self, data) -> None:
        if not isinstance(data, str):
            return
        try:
            m = json.loads(data)
        except ValueError:
            return
        if isinstance(m, dict):
            self._on.message(m)

    # Forgets the socket without waiting for its close (a dead peer may take
    # minutes to produce one).
    def _drop(self) -> None:
        self._socket = None
        self._outbox = None
        self._on.dropped()
        self._set_status("offline")

    async def _backoff(self) -> None:
        if self._closed:
            return
        cap = min(self._options["max_backoff_ms"], self._options["min_backoff_ms"] * 2 ** min(self._attempt, 30))
        self._attempt += 1
        delay = random.random() * cap  # full jitter: reconnecting clients spread out
        self._wake.clear()
        try:
            await asyncio.wait_for(self._wake.wait(), delay / 1000)
        except asyncio.TimeoutError:
            pass

    def _set_status(self, status: str) -> None:
        if self._status == status:
            return
        self._status = status
        self._on.status(status)

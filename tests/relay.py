"""A TCP relay to the PostgreSQL test server that a test can cut and restore, on a thread of its own.

"Down" closes every relayed connection and refuses new ones, as a restarted or unreachable server
does; "up" listens again on the same port. "Freeze" stops forwarding but closes nothing, as a frozen
host or a network partition does: every socket stays open, new connections are accepted and get no
answer, and what either side sends waits (a close too) until "thaw" delivers it, as TCP retransmits
once a partition heals. The relay runs its own event loop in a thread, so its
sockets and tasks are never part of the bot's loop (SimCord counts the bot's tasks to know when the
bot is idle; a relay's endless pipes there would never settle).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

T = TypeVar("T")


class ThreadedRelay:
    """Relays 127.0.0.1:``listen_port`` to the server of ``url``; :meth:`down` / :meth:`up` from any thread."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._parts = parts
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 5432
        self.listen_port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._flowing = asyncio.Event()  # set: forwarding; clear: frozen (bound to the relay's loop on first use)
        self._flowing.set()
        self._thread = threading.Thread(target=self._loop.run_forever, name="pg-relay", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The server's URL, through the relay."""
        netloc = self._parts.netloc.rsplit("@", 1)
        host = f"127.0.0.1:{self.listen_port}"
        return urlunsplit(self._parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))

    @property
    def is_up(self) -> bool:
        return self._server is not None

    @property
    def is_frozen(self) -> bool:
        return not self._flowing.is_set()

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)

    def up(self) -> None:
        self._run(self._up())

    def down(self) -> None:
        self._run(self._down())

    def freeze(self) -> None:
        """Stop forwarding, in both directions and for new connections; close nothing."""
        self._run(self._set_flowing(False))

    def thaw(self) -> None:
        """Forward again, starting with what waited."""
        self._run(self._set_flowing(True))

    def close(self) -> None:
        self.thaw()
        if self._server is not None:
            self.down()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _up(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.listen_port)
        self.listen_port = self._server.sockets[0].getsockname()[1]

    async def _set_flowing(self, flowing: bool) -> None:
        if flowing:
            self._flowing.set()
        else:
            self._flowing.clear()

    async def _down(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()
        self._server = None

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(self.host, self.port)
        except OSError:
            client_w.close()
            return
        self._writers |= {client_w, server_w}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await src.read(65536):
                    await self._flowing.wait()  # frozen: held here, the rest waits in the socket
                    dst.write(data)
                    await dst.drain()
            await self._flowing.wait()  # a close, too, reaches the other side only once thawed
            dst.close()

        await asyncio.gather(pipe(client_r, server_w), pipe(server_r, client_w))
        self._writers -= {client_w, server_w}

"""The write-behind batch's own process: SQLite writes of a message flood without sharing the GIL.

Why a process and not the database thread: during a flood the event loop's thread is busy all the
time and releases the GIL at every selector poll, tens of thousands of times a second. A database
*thread* needs the GIL back after every SQLite call and loses that race again and again: measured,
a batch that takes 3 ms alone came back after 80–200 ms, batches piled up and the bot ingested at
0.4× a bare discord.py client. A child process has an interpreter (and a GIL) of its own; the loop
only pickles a batch, writes it to a pipe and reads the answer when it comes.

The child runs whatever statements it is given (``executemany`` each, in one ``BEGIN IMMEDIATE`` …
``COMMIT``) and answers; the SQL stays in the repositories. It is started on first use, exits when
its stdin closes (the bot closed or died), and is started afresh after any failure: the caller
keeps its batch and retries, and the batch's statements are idempotent (``ON CONFLICT``), so a batch
that was committed but not acknowledged does no harm when written again.

The child is :mod:`bot.store.ingest_child` (the protocol is described there), run as a script.
"""

from __future__ import annotations

import asyncio
import pickle
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.store import ingest_child
from bot.store.ingest_child import HEADER

Statements = Sequence[tuple[str, Sequence[Sequence[Any]]]]


#: Errors of the child that say the rows themselves were refused (a constraint, a value SQLite cannot
#: hold): the same rows fail the same way again.
_REJECTIONS = frozenset({"IntegrityError", "DataError", "UnicodeEncodeError", "OverflowError"})


class IngestError(sqlite3.OperationalError):
    """The child could not write a batch (its error's class and text), or the child itself failed."""

    def __init__(self, message: str, *, kind: str = "") -> None:
        super().__init__(f"{kind}: {message}" if kind else message)
        #: Whether the rows were refused for what they hold (:func:`bot.store.base.rejects_data`).
        self.rejected = kind in _REJECTIONS


class IngestProcess:
    """The parent's side: one request at a time, the child started on demand and after a failure."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._proc: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()
        #: Children started so far (tests check that a failed child is replaced).
        self.started = 0
        #: Set when no child could be started: the store then writes batches in its own thread.
        self.unavailable = False

    async def run(self, statements: Statements) -> None:
        """Run ``statements`` in one transaction in the child; raises :class:`IngestError` if not
        committed (then nothing of them was, unless the child died after its ``COMMIT``)."""
        payload = pickle.dumps(list(statements), protocol=pickle.HIGHEST_PROTOCOL)
        async with self._lock:
            proc = await self._child()
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write(HEADER.pack(len(payload)) + payload)
                await proc.stdin.drain()
                (size,) = HEADER.unpack(await proc.stdout.readexactly(HEADER.size))
                reply = pickle.loads(await proc.stdout.readexactly(size))  # our own child: trusted
            except BaseException as error:  # died, or we were cancelled mid-exchange: start afresh next time
                await self._discard()
                if isinstance(error, (OSError, asyncio.IncompleteReadError)):
                    raise IngestError(f"the ingest process stopped: {error!r}") from error
                raise
            if reply is not None:
                kind, text = reply
                raise IngestError(text, kind=kind)

    async def _child(self) -> asyncio.subprocess.Process:
        if self._proc is None or self._proc.returncode is not None:
            try:
                self._proc = await asyncio.create_subprocess_exec(
                    # -I -S: the standard library only, nothing of the environment; a quick start.
                    sys.executable, "-I", "-S", ingest_child.__file__, str(self.path),
                    stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                )
            except OSError as error:  # no interpreter to run, no process left to the user…
                self.unavailable = True
                raise IngestError(f"the ingest process cannot start: {error!r}") from error
            self.started += 1
        return self._proc

    async def _discard(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.returncode is None:
            proc.kill()
            await proc.wait()

    async def close(self) -> None:
        """Let the child finish what it holds and exit (end of input), then reap it."""
        async with self._lock:
            proc, self._proc = self._proc, None
            if proc is None:
                return
            assert proc.stdin is not None
            proc.stdin.close()
            try:
                await asyncio.wait_for(proc.wait(), timeout=10)
            except TimeoutError:
                proc.kill()
                await proc.wait()

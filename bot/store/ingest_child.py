"""The ingest process's side (see :mod:`bot.store.sqlite_ingest` for why it exists).

Protocol on stdin/stdout: frames of a 4-byte big-endian length and a pickle. A request is
``[(sql, rows), …]``: each statement runs with ``executemany`` over its rows, all in one
``BEGIN IMMEDIATE`` … ``COMMIT``. The reply is ``None`` (committed) or ``(error class name, text)`` (rolled back).
The loop ends at end of input: the bot closed its end, or died.

Run as a script (``python -I -S ingest_child.py PATH``): it imports only the standard library.
"""

from __future__ import annotations

import pickle
import signal
import sqlite3
import struct
import sys
from typing import BinaryIO

#: Pragmas of every connection to a Colloquy SQLite file (the bot's and this child's).
PRAGMAS = ("foreign_keys = ON", "busy_timeout = 5000", "synchronous = NORMAL")

#: A frame's length prefix.
HEADER = struct.Struct(">I")


def _read(stream: BinaryIO, size: int) -> bytes | None:
    data = stream.read(size)
    return data if len(data) == size else None


def serve(path: str, stdin: BinaryIO, stdout: BinaryIO) -> None:
    """The child's loop: a request in, its transaction, a reply out; until end of input."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:
        conn.execute(f"PRAGMA {pragma}")
    while (header := _read(stdin, HEADER.size)) is not None:
        (size,) = HEADER.unpack(header)
        body = _read(stdin, size)
        if body is None:
            break
        reply: tuple[str, str] | None = None
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for sql, rows in pickle.loads(body):  # our own parent: trusted
                    if rows:
                        conn.executemany(sql, rows)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except Exception as error:  # reported to the parent, which keeps the batch
            reply = (type(error).__name__, str(error))
        answer = pickle.dumps(reply)
        try:
            stdout.write(HEADER.pack(len(answer)) + answer)
            stdout.flush()
        except BrokenPipeError:
            break
    conn.close()


if __name__ == "__main__":
    # Ctrl-C in the bot's terminal reaches the whole process group: the bot decides when to stop, and
    # closes this process's input when it does (a batch in hand is finished first).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    serve(sys.argv[1], sys.stdin.buffer, sys.stdout.buffer)

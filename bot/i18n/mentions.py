"""Command mentions: ``/dialogue question add`` in a reply becomes ``</dialogue question add:ID>``.

Discord shows a command mention in each reader's own language and lets them click it, whereas the
command's English name in a Spanish or French sentence is not what their client shows. The catalogs
keep writing commands as ``/name sub``; :func:`link_commands` turns every known command path into a
mention once the command ids are known (from the synced tree), and leaves the text alone otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping


class CommandMentions:
    """The ids of the application's top-level commands and the paths of their leaves."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.paths: tuple[str, ...] = ()
        self._pattern: re.Pattern[str] | None = None

    def set_paths(self, paths: Iterable[str]) -> None:
        """Every command a member can run, by qualified name (``dialogue question add``, ``ask``)."""
        self.paths = tuple(sorted(set(paths), key=len, reverse=True))  # the longest path wins
        self._pattern = None

    def set_ids(self, ids: Mapping[str, int]) -> None:
        """Top-level command name → its id (a sync or fetch of the command tree)."""
        self.ids.update(ids)
        self._pattern = None

    def pattern(self) -> re.Pattern[str] | None:
        if self._pattern is None:
            known = [p for p in self.paths if p.split(" ", 1)[0] in self.ids]
            if not known:
                return None
            names = "|".join(re.escape(p) for p in known)
            # Not inside a URL or an existing mention (``</…``, ``…/profile``), not a prefix of a longer word.
            self._pattern = re.compile(rf"(?<![\w/<:.-])/({names})(?![\w-])")
        return self._pattern

    def link(self, text: str) -> str:
        """``text`` with each known command turned into a mention."""
        pattern = self.pattern()
        if pattern is None or "/" not in text:
            return text
        return pattern.sub(lambda m: f"</{m.group(1)}:{self.ids[m.group(1).split(' ', 1)[0]]}>", text)

"""When the write-behind timer derives stored text: not while messages pour in.

Deriving (language, links, keyword suggestions) is Python text work in a worker thread; it holds the
GIL that the event loop needs for every message, so deriving during a flood costs the flood about a
tenth of its speed (measured: ingest 0.71× → 0.79× a bare client without it). The timer derives one
chunk per tick, which keeps up with any pace below a chunk per interval (1,000 messages a second at
the defaults, far above a dialogue's busiest hour). An interval with at least that many arrivals is a
flood: the text waits until an interval passes below it, and, while the flood lasts, a chunk is still
derived every ``at_least_every`` seconds. Reads that need the text derive it themselves
(:meth:`~bot.contributions.service.ContributionService.flush`).
"""

from __future__ import annotations


class DerivePacing:
    """The timer's choice, tick by tick. The hot path counts ``arrivals``; nothing else is per message."""

    def __init__(self, flood: int, at_least_every: float) -> None:
        #: Arrivals in one interval that make a flood (the timer's derivation chunk).
        self.flood = flood
        self.at_least_every = at_least_every
        #: Messages queued so far (the cog's hot path adds one per message).
        self.arrivals = 0
        self._arrivals_at_tick = 0
        #: When the text was first left to wait for a flood (None: it is not waiting).
        self._deferred_since: float | None = None

    def may_derive(self, now: float) -> bool:
        """At a tick: whether to derive now (the last interval was no flood, or the text has waited for
        one ``at_least_every`` seconds). Call once per tick: it starts the next interval's count."""
        arrived, self._arrivals_at_tick = self.arrivals - self._arrivals_at_tick, self.arrivals
        if arrived < self.flood:
            self._deferred_since = None
            return True
        if self._deferred_since is None:
            self._deferred_since = now
        return now - self._deferred_since >= self.at_least_every

    def derived(self) -> None:
        """A derivation pass ran (or was tried): the wait starts afresh."""
        self._deferred_since = None

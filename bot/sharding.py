"""Which guilds a bot process serves when Colloquy runs as several shard processes (DESIGN.md "Scale path").

Discord puts a guild on shard ``(guild_id >> 22) % shard_count`` and sends its events only to the
connection for that shard. A process running ``shard_ids`` of ``shard_count`` therefore hears only its
guilds; it also runs the schedule, capture backfill and reports of those guilds only, so several
processes share one PostgreSQL without a leader. No discord import: the scheduler uses it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Config


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord puts ``guild_id`` on."""
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True)
class ShardScope:
    """The shards a process runs: ``count`` None means one unsharded process (every guild is its own)."""

    count: int | None = None
    ids: tuple[int, ...] | None = None

    @classmethod
    def of(cls, config: Config) -> ShardScope:
        return cls(config.bot.shard_count, config.bot.shard_ids)

    @property
    def sharded(self) -> bool:
        return self.count is not None

    @property
    def shard_ids(self) -> tuple[int, ...]:
        """The shards this process runs (all of them when no ids were given)."""
        if self.count is None:
            return (0,)
        return self.ids if self.ids is not None else tuple(range(self.count))

    def owns(self, guild_id: int | None) -> bool:
        """Whether this process serves ``guild_id`` (a direct message, ``None``, belongs to shard 0)."""
        if self.count is None:
            return True
        return shard_of(guild_id or 0, self.count) in self.shard_ids

"""Shard options: which guilds a process serves, and how the options are given and checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from discord.ext import commands

from bot.__main__ import _with_shards, parser
from bot.client import create_bot
from bot.config import ConfigError, for_database, parse
from bot.sharding import ShardScope, shard_of


def test_a_guild_is_on_the_shard_discord_puts_it_on() -> None:
    guild = 81384788765712384  # Discord's own example: (id >> 22) % 2 == 0
    assert shard_of(guild, 1) == 0
    assert shard_of((7 << 22) | 123, 4) == 3
    scope = ShardScope(4, (1, 3))
    assert scope.owns((5 << 22) | 9) and scope.owns(3 << 22) and not scope.owns(2 << 22)
    assert ShardScope().owns(12345) and not ShardScope().sharded
    assert ShardScope(3).shard_ids == (0, 1, 2)


def test_shards_in_the_config_file_are_checked(tmp_path: Path) -> None:
    config = parse({"bot": {"shard_count": 4, "shard_ids": [3, 1]}}, tmp_path / "c.toml")
    assert (config.bot.shard_count, config.bot.shard_ids) == (4, (1, 3))
    for bad, key in (
        ({"shard_count": 0}, "bot.shard_count"),
        ({"shard_count": 2, "shard_ids": [2]}, "bot.shard_ids"),
        ({"shard_ids": [0]}, "bot.shard_ids"),
    ):
        with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
            parse({"bot": bad}, tmp_path / "c.toml")


def test_the_command_line_wins_and_a_sharded_config_makes_an_auto_sharded_bot(tmp_path: Path) -> None:
    args = parser().parse_args(["run", "--shard-count", "2", "--shard-ids", "0,1"])
    config = _with_shards(for_database(tmp_path / "x.sqlite3"), args)
    assert (config.bot.shard_count, config.bot.shard_ids) == (2, (0, 1))
    bot = create_bot(config)
    assert isinstance(bot, commands.AutoShardedBot) and bot.shard_ids == [0, 1] and bot.shard_count == 2
    assert not isinstance(create_bot(for_database(tmp_path / "y.sqlite3")), commands.AutoShardedBot)
    with pytest.raises(ConfigError, match="shard numbers go from 0 to 1"):
        _with_shards(for_database(tmp_path / "x.sqlite3"), parser().parse_args(["run", "--shard-count", "2",
                                                                                "--shard-ids", "2"]))

"""A loopback gateway: raw Discord gateway frames fed through discord.py's own receive path.

``DiscordWebSocket.received_message`` is what discord.py runs for every frame its websocket reads:
it decodes the JSON (``orjson`` when ``discord.py[speed]`` is installed), finds the event's parser
(``ConnectionState.parse_message_create`` for a message), builds the ``Message`` and dispatches
it. Here the frames come from memory instead of a socket, so what is measured is discord.py and the
bot, not a network or a simulator. Nothing is sent back (no heartbeat, no identify).
"""

from __future__ import annotations

import json
from typing import Any

import discord
from discord.gateway import DiscordWebSocket

GUILD, CHANNEL, BOT_USER = 900_000_000_000_000_001, 900_000_000_000_000_010, 900_000_000_000_000_099
THREADS = (900_000_000_000_000_101, 900_000_000_000_000_102, 900_000_000_000_000_103, 900_000_000_000_000_104)
MEMBERS = 500
# The report benchmark's vocabulary (a keyword rule fires in most messages, as in a real discussion),
# with function words; one message in fifty shares a link.
_WORDS = " ".join((
    "training resistance gender equality transformation organisation power change process participants",
    "trainers funding institutions methods evaluation knowledge feminist politics practice tools learning",
    "the and of to in that we our is with for",
)).split()


def loopback(client: discord.Client) -> DiscordWebSocket:
    """A gateway websocket of ``client`` with no socket: frames are handed to ``received_message``."""
    ws = DiscordWebSocket(None, loop=client.loop)  # type: ignore[arg-type]
    ws.token = "loopback"  # type: ignore[attr-defined]
    ws._connection = client._connection  # type: ignore[attr-defined]
    ws._discord_parsers = client._connection.parsers  # type: ignore[attr-defined]
    ws._dispatch = client.dispatch
    ws.call_hooks = client._connection.call_hooks  # type: ignore[attr-defined]
    ws.shard_id = None
    client._connection.user = discord.ClientUser(
        state=client._connection,
        data={"id": str(BOT_USER), "username": "colloquy", "discriminator": "0", "avatar": None, "bot": True},
    )
    return ws


def frame(seq: int, event: str, data: dict[str, Any]) -> str:
    return json.dumps({"op": 0, "t": event, "s": seq, "d": data})


def guild_create() -> str:
    """The guild with the dialogue's channel and its question threads, as Discord sends it on joining."""
    thread = {
        "type": 11, "parent_id": str(CHANNEL), "owner_id": str(BOT_USER), "guild_id": str(GUILD),
        "member_count": 3, "message_count": 0, "rate_limit_per_user": 0, "flags": 0,
        "thread_metadata": {"archived": False, "auto_archive_duration": 10080, "locked": False,
                            "archive_timestamp": "2026-01-05T08:00:00+00:00"},
    }
    return frame(1, "GUILD_CREATE", {
        "id": str(GUILD), "name": "Benchmark community", "owner_id": "1", "unavailable": False,
        "member_count": MEMBERS, "large": False, "features": [], "emojis": [], "stickers": [],
        "roles": [{"id": str(GUILD), "name": "@everyone", "permissions": "1071698660929", "position": 0,
                   "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}],
        "channels": [{"id": str(CHANNEL), "type": 0, "name": "virtual-dialogue", "position": 0,
                      "permission_overwrites": [], "nsfw": False, "parent_id": None}],
        "threads": [{**thread, "id": str(t), "name": f"{i + 1}. Guiding question"} for i, t in enumerate(THREADS)],
        "members": [], "voice_states": [], "presences": [], "stage_instances": [], "guild_scheduled_events": [],
        "premium_tier": 0, "preferred_locale": "en-US", "system_channel_flags": 0, "verification_level": 0,
        "explicit_content_filter": 0, "default_message_notifications": 0, "mfa_level": 0, "nsfw_level": 0,
        "joined_at": "2026-01-01T00:00:00+00:00",
    })


def message_frames(n: int, *, first_id: int = 1_000_000_000_000_000_000, seq: int = 2) -> list[str]:
    """``n`` members' MESSAGE_CREATE frames in the question threads (8–40 words, some with a link)."""
    frames = []
    for i in range(n):
        user = 800_000_000_000_000_000 + i % MEMBERS
        words = [_WORDS[(i * 7 + k * 13) % len(_WORDS)] for k in range(8 + i % 33)]
        link = f" https://example.org/r/{i}" if i % 50 == 0 else ""
        frames.append(frame(seq + i, "MESSAGE_CREATE", {
            "id": str(first_id + i), "channel_id": str(THREADS[i % len(THREADS)]), "guild_id": str(GUILD),
            "author": {"id": str(user), "username": f"member{i % MEMBERS}", "discriminator": "0", "avatar": None,
                       "global_name": f"Member {i % MEMBERS}"},
            "member": {"roles": [], "joined_at": "2026-01-01T00:00:00+00:00", "deaf": False, "mute": False,
                       "flags": 0, "nick": None},
            "content": " ".join(words).capitalize() + "." + link, "timestamp": "2026-01-06T10:00:00.000000+00:00",
            "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [],
            "mention_roles": [], "attachments": [], "embeds": [], "pinned": False, "type": 0, "flags": 0,
            "components": [],
        }))
    return frames


def reaction_frames(message_ids: list[int], emojis: list[str], *, seq: int) -> list[str]:
    """MESSAGE_REACTION_ADD frames: each member in turn reacts to the messages."""
    frames = []
    for i, message_id in enumerate(message_ids):
        user = 800_000_000_000_000_000 + (i * 31 + 7) % MEMBERS
        frames.append(frame(seq + i, "MESSAGE_REACTION_ADD", {
            "user_id": str(user), "channel_id": str(THREADS[i % len(THREADS)]), "message_id": str(message_id),
            "guild_id": str(GUILD), "emoji": {"id": None, "name": emojis[i % len(emojis)]}, "burst": False,
            "type": 0,
            "member": {"user": {"id": str(user), "username": f"member{i}", "discriminator": "0", "avatar": None},
                       "roles": [], "joined_at": "2026-01-01T00:00:00+00:00", "deaf": False, "mute": False,
                       "flags": 0},
        }))
    return frames

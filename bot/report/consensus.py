"""Where participants agreed, and where they were divided: figures from agreement and disagreement
reactions (👍 / 👎 by default, set per dialogue with ``/report reactions``).

For a contribution or a group of similar ones, with ``a`` members agreeing and ``d`` disagreeing:

- **agreement** = a / (a + d);
- **divisiveness** = 2·min(a, d) / (a + d): 0 when everyone who reacted took one side, 1 when they
  split evenly. A pile-on of one side is not division; much agreement *and* much disagreement is.

Only items with at least :data:`MIN_VOTES` reactions are judged. "Agreed": agreement ≥ :data:`AGREED`;
"divided": divisiveness ≥ :data:`DIVIDED`. Each list is capped and ordered by the weight of the
figures (most agreeing members; largest minority).
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.report.model import Consensus, ConsensusItem, Group

MIN_VOTES = 3
AGREED = 0.8
DIVIDED = 0.5
SHOWN = 5


_SKIN_TONES = dict.fromkeys(range(0x1F3FB, 0x1F400))


def base_emoji(emoji: str) -> str:
    """👍🏽 → 👍: a skin tone is the same reaction."""
    return emoji.translate(_SKIN_TONES)


def reaction_kind(emoji: str, disagreement: bool, agree: str, disagree: str) -> str:
    """``agree``, ``disagree`` or ``support`` for one stored reaction, by the dialogue's emoji."""
    base = base_emoji(emoji)
    if disagreement or base == base_emoji(disagree):
        return "disagree"
    return "agree" if base == base_emoji(agree) else "support"


def agreement(agree: int, disagree: int) -> float:
    votes = agree + disagree
    return agree / votes if votes else 0.0


def divisiveness(agree: int, disagree: int) -> float:
    votes = agree + disagree
    return 2 * min(agree, disagree) / votes if votes else 0.0


def item(group: Group) -> ConsensusItem:
    return ConsensusItem(group, agreement(group.agree, group.disagree), divisiveness(group.agree, group.disagree))


def consensus(groups: Iterable[Group], agree_emoji: str = "👍", disagree_emoji: str = "👎") -> Consensus:
    judged = [item(g) for g in groups if g.agree + g.disagree >= MIN_VOTES]
    agreed = sorted(
        (i for i in judged if i.agreement >= AGREED),
        key=lambda i: (-i.group.agree, i.group.disagree, i.group.representative.contribution_id),
    )
    divided = sorted(
        (i for i in judged if i.divisiveness >= DIVIDED),
        key=lambda i: (-min(i.group.agree, i.group.disagree), -i.divisiveness,
                       i.group.representative.contribution_id),
    )
    return Consensus(agree_emoji, disagree_emoji, tuple(agreed[:SHOWN]), tuple(divided[:SHOWN]))

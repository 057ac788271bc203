"""A moderator leaves a panel question (and its answers) out of the report, and brings it back: the
panel's Q&A is quoted in the report as much as members' contributions are."""

from __future__ import annotations

from bot.errors import UserError
from tests.conftest import Community
from tests.e2e.test_dialogues_week import answer
from tests.e2e.test_panel import TITLE, ask, open_panel
from tests.e2e.test_report import last_answer

RELAYED = "Is the training of trainers a good way to start?"
UNANSWERED = "What does enabling debate mean for methodology?"


async def exported(community: Community) -> str:
    result = await community.moderator.slash(community.general, "report export", dialogue=TITLE, format="markdown")
    return (await last_answer(result).attachments[0].read()).decode()


async def test_a_panel_question_is_hidden_from_the_report_and_restored(community: Community) -> None:
    mod = community.moderator
    panel = await open_panel(community)
    await mod.slash(community.general, "panel panellist add", dialogue=TITLE, name="Lut Mergaert",
                    organisation="Yellow Window")
    await ask(community.alice, panel, RELAYED)
    await ask(community.bob, panel, UNANSWERED)
    relayed, unanswered = await panel.question_ids()
    for number in (relayed, unanswered):
        await mod.click(panel.review_post(number), label="Approve")
    await mod.slash(community.general, "panel relay", dialogue=TITLE, question=relayed)
    await mod.slash(community.general, "panel answer", dialogue=TITLE, question=relayed, panellist="Lut Mergaert",
                    text="Yes, within an organisation.")
    before = await exported(community)
    assert f"Q: {RELAYED}" in before and "Yes, within an organisation." in before and UNANSWERED in before

    # The item autocomplete offers the panel's questions beside members' contributions.
    choices = await mod.autocomplete(community.general, "report hide", "item", "training of trainers",
                                     dialogue=TITLE)
    assert [c["value"] for c in choices] == [f"q{relayed}"] and choices[0]["name"].startswith(f"Q{relayed} ")
    done = await mod.slash(community.general, "report hide", dialogue=TITLE, item=choices[0]["value"])
    assert "Left out of the report" in answer(done)
    await mod.slash(community.general, "report hide", dialogue=TITLE, item=f"q{unanswered}")
    after = await exported(community)
    assert RELAYED not in after and "Yes, within an organisation." not in after and UNANSWERED not in after

    # Hidden twice is refused; the restore list offers exactly the hidden ones.
    await mod.slash(community.general, "report hide", dialogue=TITLE, item=f"q{relayed}")
    assert isinstance(community.user_errors()[-1], UserError)
    community.env.errors.clear()
    hidden = await mod.autocomplete(community.general, "report restore", "item", "", dialogue=TITLE)
    assert sorted(c["value"] for c in hidden) == sorted([f"q{relayed}", f"q{unanswered}"])
    await mod.slash(community.general, "report restore", dialogue=TITLE, item=f"q{relayed}")
    restored = await exported(community)
    assert f"Q: {RELAYED}" in restored and "Yes, within an organisation." in restored and UNANSWERED not in restored

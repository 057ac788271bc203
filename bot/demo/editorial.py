"""The demo's report steps (issue 15): the moderators write the report's front matter (``report_edit``)
and review suggested key points in the preview (``suggestion``: accept, edit or dismiss); the review
queue's Merge takes the closest match it proposes (``merge_proposed`` in a ``review`` step).

A mixin of :class:`bot.demo.runner.DemoRun`, acting through the same slash commands, modals and
buttons a moderator uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.i18n import N_, t

if TYPE_CHECKING:
    import simcord

    from bot.demo.scenario import Step

PART_NAMES = {
    "introduction": N_("the introduction"),
    "about": N_("the text about the community"),
    "panel": N_("the panel's recording link and moderator"),
    "section": N_("a section"),
}


class EditorialSteps:
    """Report steps for the demo (see the module's docstring)."""

    async def do_report_edit(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        run: Any = self
        part = step.get("part")
        options: dict[str, Any] = {"dialogue": run.scenario.title, "part": part}
        if step.get("language"):
            options["language"] = step.get("language")
        shown = await run.slash(actor, run.mod_channel, "report edit", **options)
        values = {key: step.get(field) for key, field in (("title", "title"), ("body", "text"), ("link", "link"),
                                                          ("moderator", "moderator")) if step.get(field)}
        await actor.submit_modal(shown, values)
        run.check("/report edit")
        run.say("{name} writes {part} of the report", name=member.name, part=t(run.language, PART_NAMES[part]))

    async def do_suggestion(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        """Open /report preview, find question N's suggestions, and press Accept, Edit or Dismiss on one."""
        run: Any = self
        question, choice, number = step.get("question"), step.get("choice"), step.get("number") or 1
        preview = await run.slash(actor, run.mod_channel, "report preview", dialogue=run.scenario.title)
        heading = t(run.language, "Suggested key points for question {n}: accept, edit or dismiss each "
                                            "one. Only accepted ones are published.", n=question)
        found = [m for m in preview.followups if m.content.startswith(heading)]
        if not found:
            raise run.failure(t(run.language, "the preview suggests no key point for question {n}. To fix it, "
                                              "choose a question with contributions.", n=question))
        label = {"accept": N_("Accept"), "edit": N_("Edit"), "dismiss": N_("Dismiss")}[choice]
        pressed = await actor.click(found[0], label=f"{t(run.language, label)} {number}")
        run.check(label)
        if choice == "edit":
            await actor.submit_modal(pressed, {"text": step.get("text")})
            run.check("Edit")
        said = {
            "accept": N_("{name} accepts a suggested key point for question {n}"),
            "edit": N_("{name} rewords a suggested key point for question {n} and accepts it"),
            "dismiss": N_("{name} dismisses a suggested key point for question {n}"),
        }[choice]
        run.say(said, name=member.name, n=question)

    async def merge_proposed(self, actor: simcord.MemberActor, snippet: str) -> None:
        """Press Merge on the question's review post and take what the queue proposes (listed first)."""
        run: Any = self
        message, source_id = run._question_post(run.mod_channel, snippet, "colloquy:pq:merge:")
        picker = await actor.click(message, custom_id=f"colloquy:pq:merge:{source_id}")
        run.check("Merge")
        if picker.response is None:
            raise run.failure("Merge showed no choice of question")
        options = [item.get("options", []) for row in picker.response.components
                   for item in [row, *row.get("components", [])]
                   if str(item.get("custom_id", "")).startswith("colloquy:pq:mergeinto:")]
        if not options or not options[0]:
            raise run.failure("Merge showed no choice of question")
        proposed = str(options[0][0]["value"])
        await actor.select(picker.response.message, [proposed], custom_id=f"colloquy:pq:mergeinto:{source_id}")
        run.check("choosing the merge target")
        run.say("{name} merges a duplicate question into #{number}, as the queue proposed", name=actor.name,
                number=proposed)

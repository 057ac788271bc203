"""Errors a user can fix. Services raise them; the one app-command error handler renders them."""

from __future__ import annotations

from typing import Any

from bot.i18n import N_, t


class UserError(Exception):
    """Something the user can fix, as a catalog msgid with ``{named}`` parameters.

    ``UserError.many([...])`` carries several problems at once (``/dialogue schedule`` lists every
    problem in one answer); each is rendered on its own line.
    """

    def __init__(self, msgid: str, /, **params: Any) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params
        self.problems: tuple[UserError, ...] = ()

    @classmethod
    def many(cls, problems: list[UserError], heading: str | None = None, **params: Any) -> UserError:
        if len(problems) == 1 and heading is None:
            return problems[0]
        err = cls(heading or "", **params)
        err.problems = tuple(problems)
        return err

    def render(self, language: str | None) -> str:
        lines = [t(language, self.msgid, **self.params)] if self.msgid else []
        lines += [f"- {p.render(language)}" for p in self.problems]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render("en")


class NotModerator(UserError):
    def __init__(self) -> None:
        super().__init__(N_("Only moderators can do this (Manage Server permission or the moderator role)."))

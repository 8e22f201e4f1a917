"""The buttons of notices: messages another member's turn queued for this member (a
report to review, a request to reopen a month). Their tokens carry no prompt count
(tokens.encode_notice), so they are answered here whatever the conversation is doing;
the open question, if any, is shown again after the answer."""

from __future__ import annotations

from collections.abc import Callable

from handlers import texts

from . import review
from .state import Notify
from .steps import open_returned
from .tokens import Act, Token, encode_notice
from .turn import Turn


def notify(
    turn: Turn, member_id: int, key: str, text: str, buttons: tuple[tuple[str, Token], ...] = ()
) -> None:
    """Queue a message to another member, sent by the outbox once the turn is stored;
    `key` makes it once per (member, key), however often the turn runs."""
    choices = tuple((label, encode_notice(token)) for label, token in buttons)
    turn.effects.append(Notify(member_id, key, text, choices))


def answer_notice(turn: Turn, token: Token) -> None:
    """A notice's button was pressed. Each answer checks that the notice still means
    something (the report exists, the member may act on it); else NOTICE_GONE."""
    answer = _ANSWERS.get(token.act)
    if answer is None:
        turn.say(texts.NOTICE_GONE)
        return
    answer(turn, token)


# What each notice button does, by its act.
_ANSWERS: dict[Act, Callable[[Turn, Token], None]] = {
    Act.APPROVE: review.approve,
    Act.RETURN: review.start_return,
    Act.SHOW: review.show,
    Act.APPROVE_ALL: review.approve_all,
    Act.FIX: open_returned,
}

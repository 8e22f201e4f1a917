"""The buttons of notices: messages another member's turn queued for this member (a
report to review, a request to reopen a month). Their tokens carry no prompt count
(tokens.encode_notice), so they are answered here whatever the conversation is doing;
the open question, if any, is shown again after the answer."""

from __future__ import annotations

from collections.abc import Callable

from handlers import texts
from handlers.forms import FORM_FOR_KIND

from . import review
from .display import report_title
from .lock import last_open_day, open_until, unlock_subject
from .state import GrantUnlock
from .steps import open_returned
from .tokens import Act, Token
from .turn import Turn


def answer_notice(turn: Turn, token: Token) -> None:
    """A notice's button was pressed. Each answer checks that the notice still means
    something (the report exists, the member may act on it); else NOTICE_GONE."""
    answer = _ANSWERS.get(token.act)
    if answer is None:
        turn.say(texts.NOTICE_GONE)
        return
    answer(turn, token)


def _answer_unlock(turn: Turn, token: Token, grant: bool) -> None:
    """Buka (grant) or Tolak on a kader's request to reopen a month. Only a ketua of the
    unit's Kampung KB may answer; the token names the unit, the month and the kader, who
    must still report for that unit (Context.requester, loaded by the shell)."""
    ctx, member = turn.ctx, turn.ctx.member
    subject = unlock_subject(token)
    kader = ctx.requester
    if subject is None or kader is None or member is None or kader.id != subject[2]:
        turn.say(texts.NOTICE_GONE)
        return
    unit_id, period, kader_id = subject
    unit = next((u for u in kader.units if u.id == unit_id), None)
    if unit is None:
        turn.say(texts.NOTICE_GONE)
        return
    if member.role != "ketua" or member.kampung_id != unit.kampung_id:
        turn.say(texts.UNLOCK_NOT_ALLOWED)
        return
    named = {
        "kader": kader.name,
        "title": report_title(FORM_FOR_KIND[unit.kind], unit.name),
        "month": texts.month_name(period),
    }
    opened = next(
        (g for g in ctx.requester_grants if (g.unit_id, g.period) == (unit_id, period)), None
    )
    if not grant and opened is not None:
        # Another ketua (or this one) opened it already: a no now would contradict that.
        until = texts.short_date(last_open_day(opened.expires_at, member.timezone))
        turn.say(texts.UNLOCK_ALREADY_OPEN.format(**named, until=until))
        return
    if not grant:
        key = f"unlock-refused:{token.arg}:{ctx.today.isoformat()}"
        turn.notify(kader_id, key, texts.UNLOCK_DENIED_FOR_YOU.format(**named))
        turn.say(texts.UNLOCK_REFUSED.format(**named))
        return
    last_day, closes = open_until(ctx)
    turn.effects.append(GrantUnlock(unit_id, period, kader_id, member.id, closes))
    until = texts.short_date(last_day)
    key = f"unlocked:{token.arg}:{last_day.isoformat()}"
    turn.notify(kader_id, key, texts.UNLOCKED_FOR_YOU.format(**named, until=until))
    turn.say(texts.UNLOCK_GRANTED.format(**named, until=until))


# What each notice button does, by its act.
_ANSWERS: dict[Act, Callable[[Turn, Token], None]] = {
    Act.APPROVE: review.approve,
    Act.RETURN: review.start_return,
    Act.SHOW: review.show,
    Act.APPROVE_ALL: review.approve_all,
    Act.FIX: open_returned,
    Act.UNLOCK: lambda turn, token: _answer_unlock(turn, token, grant=True),
    Act.DENY: lambda turn, token: _answer_unlock(turn, token, grant=False),
}

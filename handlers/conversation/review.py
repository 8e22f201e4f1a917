"""The ketua's review of saved reports, from notice buttons: what a review message says
(key figures, warnings, and for a correction what changed), and Setujui, Kembalikan,
Periksa and Setujui semua. Pure, like the rest of the engine: the reports come in
`Context.reviews`, decisions leave as `Review` effects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers import texts
from handlers.forms import FORMS, FieldKind
from handlers.periods import is_locked
from storage.views import ReviewView

from .display import report_title, shown_value
from .lock import open_until
from .rules import answer_warnings
from .state import Context, GrantUnlock, Notify, Returning, Review, Step
from .tokens import Act, Token, encode_notice, revision_token
from .turn import Turn

REASON_MAX_LENGTH = 200
_FIGURE_TEXT_LIMIT = 40  # a typed note in the figures line is cut short


def title(view: ReviewView) -> str:
    return report_title(view.form, view.unit.name)


def when(view: ReviewView) -> str:
    if view.meeting_date is not None and FORMS[view.form].dated:
        return texts.short_date(view.meeting_date)
    return texts.month_name(view.period)


def figures(view: ReviewView) -> str:
    """The report's answers in one line ("S: 50, K: 48, D: 45 ..."), the date left out."""
    spec = FORMS[view.form]
    shown = []
    for field in spec.fields[1:]:
        if field.key in view.values:
            value = shown_value(spec, field.key, view.values[field.key])
            if field.kind is FieldKind.TEXT:
                value = texts.typed(value, _FIGURE_TEXT_LIMIT)
            shown.append(f"{texts.field_label(field.key)}: {value}")
    return ", ".join(shown)


def changes(view: ReviewView) -> list[str]:
    """What a correction changed, field by field: "D: 45 -> 47" ("-" for a skipped or
    absent answer); the date or month too."""
    if view.previous is None:
        return []
    spec = FORMS[view.form]
    lines = []
    first = spec.fields[0]
    before = (view.previous_meeting_date, view.previous_period)
    if before != (view.meeting_date, view.period):
        old = texts.short_date(before[0]) if before[0] else texts.month_name(before[1] or "")
        lines.append(f"{texts.field_label(first.key)}: {old} -> {when(view)}")
    for field in spec.fields[1:]:
        was, now = view.previous.get(field.key), view.values.get(field.key)
        if was != now:
            lines.append(
                f"{texts.field_label(field.key)}: {shown_value(spec, field.key, was)} -> "
                f"{shown_value(spec, field.key, now)}"
            )
    return lines


def warnings(view: ReviewView) -> list[str]:
    spec = FORMS[view.form]
    keys = [f.key for f in spec.fields[1:]]
    return answer_warnings(spec, dict(view.values), keys, view.unit.profile, view.last_month)


def review_message(view: ReviewView) -> tuple[str, tuple[tuple[str, Token], ...]]:
    """The message a ketua gets for one saved report, and its buttons."""
    template = texts.REVIEW_CORRECTED if view.previous is not None else texts.REVIEW_NEW
    lines = [
        template.format(
            title=title(view),
            when=when(view),
            revision=view.revision,
            reporter=view.reporter or "-",
        )
    ]
    changed = changes(view)
    if view.previous is not None:
        lines += [texts.REVIEW_CHANGED, *changed] if changed else [texts.REVIEW_UNCHANGED]
    lines.append(figures(view))
    found = warnings(view)
    if found:
        lines += [texts.REVIEW_WARNINGS, *(f"• {w}" for w in found)]
    if view.review == "approved":
        lines.append(texts.REVIEW_KEPT_APPROVAL)
        return "\n".join(lines), ()
    buttons = (
        (texts.REVIEW_APPROVE, revision_token(Act.APPROVE, view.id, view.revision)),
        (texts.REVIEW_RETURN, revision_token(Act.RETURN, view.id, view.revision)),
    )
    return "\n".join(lines), buttons


# A digest offers Setujui semua and one Periksa button per report, up to WhatsApp's ten.
DIGEST_BUTTONS = 9


def digest_message(
    views: list[ReviewView], hour: datetime
) -> tuple[str, tuple[tuple[str, Token], ...]]:
    """An hour's reports still waiting, in one message: each with its figures and
    warnings, Setujui semua, and Periksa N to review one on its own."""
    lines = [texts.REVIEW_DIGEST.format(count=len(views))]
    for number, view in enumerate(views, start=1):
        lines.append(
            texts.REVIEW_DIGEST_LINE.format(
                number=number,
                title=title(view),
                when=when(view),
                revision=view.revision,
                reporter=view.reporter or "-",
                figures=figures(view),
            )
        )
        changed = changes(view)
        if changed:
            lines.append(texts.REVIEW_DIGEST_CHANGED.format(changes="; ".join(changed)))
        found = warnings(view)
        if found:
            lines.append(texts.REVIEW_DIGEST_WARNED.format(warnings="; ".join(found)))
    lines.append(texts.REVIEW_DIGEST_HINT)
    if len(views) > DIGEST_BUTTONS:
        lines.append(texts.REVIEW_DIGEST_MORE.format(count=len(views) - DIGEST_BUTTONS))
    buttons = [(texts.REVIEW_APPROVE_ALL, hour_token(hour))]
    buttons += [
        (texts.REVIEW_SHOW.format(number=n), revision_token(Act.SHOW, v.id, v.revision))
        for n, v in enumerate(views[:DIGEST_BUTTONS], start=1)
    ]
    return "\n".join(lines), tuple(buttons)


def notice(member_id: int, key: str, text: str, buttons: tuple[tuple[str, Token], ...]) -> Notify:
    return Notify(member_id, key, text, tuple((label, encode_notice(t)) for label, t in buttons))


def _hour_of(arg: str) -> datetime | None:
    try:
        return datetime.strptime(arg, "%Y%m%d%H").replace(tzinfo=UTC)
    except ValueError:
        return None


def hour_token(hour: datetime) -> Token:
    return Token(Act.APPROVE_ALL, hour.astimezone(UTC).strftime("%Y%m%d%H"))


# --- answers to the buttons ------------------------------------------------------------


def _may_review(turn: Turn, view: ReviewView | None) -> bool:
    member = turn.ctx.member
    assert member is not None
    if view is None:
        turn.say(texts.NOTICE_GONE)
        return False
    if member.role != "ketua" or member.kampung_id != view.unit.kampung_id:
        turn.say(texts.REVIEW_ONLY_KETUA)
        return False
    return True


def _current(turn: Turn, token: Token) -> ReviewView | None:
    """The report the button names, if this member may review it and the button is for
    its latest revision; else the note says why (and a newer revision is sent)."""
    report_id, revision = token.revision
    view = next((v for v in turn.ctx.reviews if v.id == report_id), None)
    if not _may_review(turn, view):
        return None
    assert view is not None
    if revision != view.revision:
        turn.say(texts.REVIEW_STALE.format(title=title(view), revision=view.revision))
        _send_review(turn, view)
        return None
    return view


def _send_review(turn: Turn, view: ReviewView) -> None:
    """The review message of `view`, to this member, as a notice of its own."""
    member = turn.ctx.member
    assert member is not None
    text, buttons = review_message(view)
    key = f"review-show:{view.id}.{view.revision}@{turn.ctx.now.isoformat()}"
    turn.effects.append(notice(member.id, key, text, buttons))


def _decided(view: ReviewView) -> dict[str, str]:
    at = texts.short_date(view.decided_at.date()) if view.decided_at else "-"
    return {"title": title(view), "name": view.decided_by or "-", "at": at}


def _already_approved(view: ReviewView) -> str:
    return texts.REVIEW_ALREADY_APPROVED.format(**_decided(view))


def _already_returned(turn: Turn, view: ReviewView) -> bool:
    """A revision one ketua returned waits for the kader's correction: another ketua's
    Setujui or Kembalikan (both get every review) is told so, and changes nothing. Else
    the approval would quietly erase the return the kader is fixing, or the kader would
    get a second one."""
    if view.review != "returned":
        return False
    turn.say(texts.REVIEW_ALREADY_RETURNED.format(**_decided(view), reason=view.reason or "-"))
    return True


def approve(turn: Turn, token: Token) -> None:
    view = _current(turn, token)
    if view is None:
        return
    if view.review == "approved":
        turn.say(_already_approved(view))
        return
    if _already_returned(turn, view):
        return
    member = turn.ctx.member
    assert member is not None
    turn.effects.append(Review(view.id, view.revision, member.id, approved=True))
    turn.say(
        texts.REVIEW_APPROVED.format(title=title(view), when=when(view), revision=view.revision)
    )


def start_return(turn: Turn, token: Token) -> None:
    """Kembalikan: the reason is asked next (RETURN_REASON, see steps.py)."""
    view = _current(turn, token)
    if view is None or _already_returned(turn, view):
        return
    if turn.state.draft is not None:
        turn.say(texts.REVIEW_BUSY)
        return
    turn.state.returning = Returning(report_id=view.id, revision=view.revision)
    turn.state.step = Step.RETURN_REASON


def show(turn: Turn, token: Token) -> None:
    """Periksa N in a digest: that report's own message, with Setujui and Kembalikan."""
    view = _current(turn, token)
    if view is None:
        return
    _send_review(turn, view)


def approve_all(turn: Turn, token: Token) -> None:
    """Setujui semua: every report of the digest's hour that still waits (the service
    loads them; a report corrected since came later and is not among them)."""
    member = turn.ctx.member
    assert member is not None
    if _hour_of(token.arg) is None:
        turn.say(texts.NOTICE_GONE)
        return
    if member.role != "ketua":
        turn.say(texts.REVIEW_ONLY_KETUA)
        return
    waiting = [v for v in turn.ctx.reviews if v.unit.kampung_id == member.kampung_id]
    if not waiting:
        turn.say(texts.REVIEW_NOTHING_WAITING)
        return
    for view in waiting:
        turn.effects.append(Review(view.id, view.revision, member.id, approved=True))
    turn.say(texts.REVIEW_APPROVED_ALL.format(count=len(waiting)))


def digest_window(token: Token) -> tuple[datetime, datetime] | None:
    """The hour a Setujui semua button covers, for the service to load its reports."""
    start = _hour_of(token.arg)
    return None if start is None else (start, start + timedelta(hours=1))


# --- the reason, asked after Kembalikan --------------------------------------------------


def reason_prompt(ctx: Context, report_id: int) -> str:
    view = next((v for v in ctx.reviews if v.id == report_id), None)
    asked = texts.REVIEW_REASON_ASK.format(title=title(view) if view else "")
    if view is not None and view.review == "approved":  # by another ketua, or earlier
        return texts.REVIEW_RETURN_UNDOES_APPROVAL.format(**_decided(view)) + "\n" + asked
    return asked


def finish_return(turn: Turn, reason: str) -> None:
    """The reason is in: record the return, tell the kader who reported (with a button
    that opens the report in /ubah), and back to the menu."""
    returning = turn.state.returning
    assert returning is not None
    token = revision_token(Act.RETURN, returning.report_id, returning.revision)
    turn.reset()
    view = _current(turn, token)
    if view is None or _already_returned(turn, view):  # by another ketua meanwhile
        return
    member = turn.ctx.member
    assert member is not None
    turn.effects.append(Review(view.id, view.revision, member.id, approved=False, reason=reason))
    if view.reported_by is None:
        turn.say(texts.REVIEW_RETURNED_NOBODY.format(title=title(view)))
        return
    text = texts.REVIEW_TO_KADER.format(
        title=title(view), when=when(view), revision=view.revision, ketua=member.name, reason=reason
    )
    said = texts.REVIEW_RETURNED.format(title=title(view), kader=view.reporter, reason=reason)
    until = _reopen_for_fixing(turn, view)
    if until is not None:
        month = texts.month_name(view.period)
        text += "\n" + texts.REVIEW_RETURN_OPEN_FOR_YOU.format(month=month, until=until)
        said += "\n" + texts.REVIEW_RETURN_OPENED.format(
            month=month, kader=view.reporter, until=until
        )
    key = f"returned:{view.id}.{view.revision}@{turn.ctx.now.isoformat()}"
    fix = ((texts.REVIEW_FIX, Token(Act.FIX, str(view.id))),)
    turn.effects.append(notice(view.reported_by, key, text, fix))
    turn.say(said)


def _reopen_for_fixing(turn: Turn, view: ReviewView) -> str | None:
    """A report returned after its month's deadline would be locked for the kader asked
    to fix it: the return grants them what Buka would (that unit and month, for
    unlock_days). Returns the last day it is open, or None when the month is not locked."""
    ctx, member = turn.ctx, turn.ctx.member
    assert member is not None and view.reported_by is not None
    if view.reported_by == member.id or not is_locked(view.period, ctx.today, ctx.deadline_day):
        return None
    last_day, closes = open_until(ctx)
    turn.effects.append(GrantUnlock(view.unit.id, view.period, view.reported_by, member.id, closes))
    return texts.short_date(last_day)

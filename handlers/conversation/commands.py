"""Registration by invite code, and the commands (/lapor, /status, /ubah, /rekap ...)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from handlers import parse, texts
from handlers.periods import period_of
from storage.views import MemberView

from .display import pokja_unit, report_title, reportable_units
from .manage import show_members, start_invite
from .rules import correctable_reports
from .state import (
    AddUnit,
    CodeGuessing,
    CodeTries,
    RegisterMember,
    SendRecap,
    SetReminders,
    Step,
)
from .status import status_text
from .turn import Turn

# After this many wrong invite codes within the window, a chat waits one window.
WRONG_CODES_ALLOWED = 5
WRONG_CODE_WINDOW = timedelta(minutes=15)
_REMINDER_WORDS = {"on": True, "nyala": True, "hidup": True, "off": False, "mati": False}


def _minutes_until(now: datetime, until: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))


def register(turn: Turn, code: str, display_name: str, user_key: str) -> None:
    """/start CODE: a new member, a unit added to a kader, or why the code does not work."""
    ctx = turn.ctx
    invite, member = ctx.invite, ctx.member
    wait_until = turn.state.code_tries.wait_until
    if wait_until is not None and ctx.now < wait_until:
        turn.say(texts.INVITE_WAIT.format(minutes=_minutes_until(ctx.now, wait_until)))
    elif invite is None or invite.code != code:
        turn.say(texts.INVITE_UNKNOWN.format(code=code))
        _wrong_code(turn)
    elif invite.used:
        turn.say(texts.INVITE_USED.format(code=code))
        _wrong_code(turn)
    elif invite.expires_at <= ctx.now:
        turn.say(texts.INVITE_EXPIRED.format(code=code))
        _wrong_code(turn)
    elif member is None:
        name = display_name or user_key
        turn.effects.append(RegisterMember(invite.id, name))
        role = texts.ROLE_NAMES[invite.role]
        place = f"{invite.unit_name}, {invite.place}" if invite.unit_name else invite.place
        turn.say(texts.WELCOME.format(name=name, role=role, place=place))
        turn.say(texts.HELP[invite.role])
        turn.reset()
        return
    elif (
        invite.role == member.role == "kader"
        and invite.kampung_id == member.kampung_id
        and invite.unit_id is not None
        and invite.unit_id not in {unit.id for unit in member.units}
    ):
        turn.effects.append(AddUnit(invite.id, member.id))
        units = [unit.name for unit in member.units] + [invite.unit_name or ""]
        turn.say(texts.UNIT_ADDED.format(unit=invite.unit_name, units=", ".join(units)))
    elif invite.role == member.role and invite.place == member.place:
        turn.say(_already_registered(member))
    else:
        turn.say(
            texts.INVITE_OTHER_PLACE.format(role=texts.ROLE_NAMES[member.role], place=member.place)
        )
    if ctx.member is None:
        turn.show_prompt = False


def _wrong_code(turn: Turn) -> None:
    """Count a wrong code; the one that makes too many within the window starts a wait."""
    now = turn.ctx.now
    recent = [t for t in turn.state.code_tries.wrong_at if now - t < WRONG_CODE_WINDOW]
    recent.append(now)
    if len(recent) < WRONG_CODES_ALLOWED:
        turn.state.code_tries = CodeTries(wrong_at=recent)
        return
    until = now + WRONG_CODE_WINDOW
    turn.state.code_tries = CodeTries(wait_until=until)
    turn.say(texts.INVITE_WAIT.format(minutes=_minutes_until(now, until)))
    turn.effects.append(CodeGuessing(len(recent), until))


def _already_registered(member: MemberView) -> str:
    return texts.ALREADY_REGISTERED.format(role=texts.ROLE_NAMES[member.role], place=member.place)


def run_command(turn: Turn, name: str, argument: str = "") -> None:
    member = turn.ctx.member
    assert member is not None
    busy = turn.state.draft is not None
    if name == "rekap":
        _recap(turn, member, argument)
    elif name == "pengingat":
        _reminders(turn, member, argument)
    elif name == "batal":
        turn.say(texts.CANCELLED if turn.state.step is not Step.IDLE else texts.NOTHING_TO_CANCEL)
        turn.reset()
    elif name == "bantuan":
        turn.say(texts.HELP[member.role])
    elif name == "status":
        turn.say(status_text(turn.ctx))
    elif name == "start":
        turn.say(_already_registered(member))
    elif name == "menu":
        if not busy:
            turn.reset()
    elif name == "undang" and member.role == "kader":
        turn.say(texts.ONLY_KETUA_INVITES)
    elif name == "anggota" and member.role == "kader":
        turn.say(texts.ONLY_KETUA_MEMBERS)
    elif busy:
        busy_note(turn)
    elif name == "undang":
        start_invite(turn, member)
    elif name == "anggota":
        show_members(turn)
    elif name == "unduh":
        _unduh(turn, member)
    elif name == "lapor":
        _lapor(turn, member)
    elif name == "kegiatan":
        _kegiatan(turn, member)
    elif name == "ubah":
        if correctable_reports(turn.ctx):
            turn.state.step = Step.PICK_REPORT
        else:
            turn.say(texts.NO_REPORTS)
            turn.reset()


def _recap(turn: Turn, member: MemberView, argument: str) -> None:
    ctx = turn.ctx
    period = parse.parse_month(argument, ctx.today) if argument else period_of(ctx.today)
    if period is None:
        turn.say(texts.RECAP_BAD_MONTH)
        return
    scope = {"ketua": "kampung", "plkb": "district"}.get(member.role, "units")
    turn.effects.append(SendRecap(period, scope))


def _unduh(turn: Turn, member: MemberView) -> None:
    """/unduh: the month in a layout that goes upstream; the ketua's and the PLKB's."""
    if member.role not in ("ketua", "plkb"):
        turn.say(texts.UNDUH_ONLY_CHAIRS)
        return
    turn.state.step = Step.PICK_LAYOUT


def _reminders(turn: Turn, member: MemberView, argument: str) -> None:
    on = _REMINDER_WORDS.get(parse.normalise(argument))
    if on is None:
        turn.say(texts.REMINDERS_USAGE)
        return
    turn.effects.append(SetReminders(member.id, on))
    turn.say(texts.REMINDERS_ON if on else texts.REMINDERS_OFF)


def busy_note(turn: Turn) -> None:
    draft = turn.draft
    title = report_title(draft.form, turn.unit(draft.unit_id).name)
    turn.say(texts.BUSY_WITH_FORM.format(title=title))


def _kegiatan(turn: Turn, member: MemberView) -> None:
    unit = pokja_unit(member)
    if unit is None:
        turn.say(texts.NO_POKJA)
    else:
        turn.start_form(unit)


def _lapor(turn: Turn, member: MemberView) -> None:
    if member.role == "plkb":
        turn.say(texts.PLKB_NO_FORMS)
        return
    units = reportable_units(member)
    if not units:
        turn.say(texts.NO_UNITS)
    elif len(units) == 1:
        turn.start_form(units[0])
    else:
        turn.state.step = Step.PICK_UNIT

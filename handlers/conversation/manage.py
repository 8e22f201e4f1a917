"""/undang and /anggota: a ketua invites kader and ketua of their Kampung KB, and removes
members who left; a PLKB does the same for the ketua of their kecamatan. The steps that
ask and read are in steps.py; what they share is here."""

from __future__ import annotations

from datetime import timedelta

from handlers import parse, texts
from handlers.forms import POKJA_KIND
from storage.invites import INVITE_VALID_DAYS
from storage.roles import Role
from storage.views import MemberListing, MemberView, UnitView

from .state import Context, CreateInvite, Step
from .turn import Turn


def invitable_units(member: MemberView) -> list[UnitView]:
    """The units a ketua invites kader for: those of their Kampung KB but its pokja (every
    member reports kegiatan already)."""
    return [u for u in member.units if u.kampung_id == member.kampung_id and u.kind != POKJA_KIND]


def district_kampungs(member: MemberView) -> list[tuple[int, str]]:
    """The Kampung KB of a PLKB's kecamatan, as (id, name): every one has its pokja unit."""
    found: dict[int, str] = {}
    for unit in member.units:
        found.setdefault(unit.kampung_id, unit.kampung_name)
    return sorted(found.items(), key=lambda item: item[1])


def start_invite(turn: Turn, member: MemberView) -> None:
    """/undang of a ketua or PLKB (commands.run_command refuses a kader's)."""
    if member.role == "ketua":
        turn.state.step = Step.INVITE_ROLE
    elif district_kampungs(member):
        turn.state.step = Step.INVITE_KAMPUNG
    else:
        turn.say(texts.INVITE_NO_KAMPUNG)


def invite(turn: Turn, kampung: tuple[int, str], unit: UnitView | None = None) -> None:
    """An invite for a kader of `unit`, or (no unit) a ketua of `kampung` (id, name) is
    made; its message, alone, is the reply, ready to forward."""
    kampung_id, kampung_name = kampung
    role: Role = "kader" if unit is not None else "ketua"
    ctx = turn.ctx
    code = ctx.fresh_code
    turn.effects.append(CreateInvite(code, role, kampung_id, unit.id if unit else None))
    if ctx.bot_username:
        link = f"https://t.me/{ctx.bot_username}?start={code}"
        telegram = texts.INVITE_TELEGRAM_LINK.format(link=link)
    else:
        telegram = texts.INVITE_TELEGRAM_START.format(code=code)
    who = (
        texts.INVITE_WHO_KADER.format(unit=unit.name, kampung=kampung_name)
        if unit is not None
        else texts.INVITE_WHO_KETUA.format(kampung=kampung_name)
    )
    until = texts.short_date(ctx.today + timedelta(days=INVITE_VALID_DAYS))
    turn.say(texts.INVITE_MESSAGE.format(who=who, telegram=telegram, code=code, until=until))
    turn.reset()
    turn.show_prompt = False


def show_members(turn: Turn) -> None:
    """/anggota of a ketua or PLKB (commands.run_command refuses a kader's)."""
    turn.state.step = Step.PICK_MEMBER


def removable(ctx: Context) -> list[MemberListing]:
    """The listed members this member may remove: all but themself."""
    assert ctx.member is not None
    return [m for m in ctx.members if m.id != ctx.member.id]


def listed(ctx: Context, member_id: int | None) -> MemberListing | None:
    return next((m for m in removable(ctx) if m.id == member_id), None)


def names_self(ctx: Context, text: str) -> bool:
    assert ctx.member is not None
    return bool(text) and parse.label_words(text) == parse.label_words(ctx.member.name)


def _where(ctx: Context, listing: MemberListing) -> str:
    if listing.role == "kader" and listing.units:
        return " " + ", ".join(listing.units)
    if listing.role == "ketua" and ctx.member is not None and ctx.member.role == "plkb":
        return " " + listing.kampung_name
    return ""


def describe(ctx: Context, listing: MemberListing) -> dict[str, str]:
    """The fields a member's line and the removal question name them by."""
    return {
        "name": listing.name,
        "role": texts.ROLE_NAMES[listing.role],
        "where": _where(ctx, listing),
    }


def member_list(ctx: Context) -> tuple[str, list[tuple[str, int]]]:
    """The member list, and the buttons (label, member id) of those that can be removed:
    numbered as in the list, so that typing the number picks the same one."""
    member = ctx.member
    assert member is not None
    if member.role == "plkb":
        lines = [texts.MEMBERS_HEADER_PLKB.format(kecamatan=member.kecamatan or "")]
    else:
        lines = [texts.MEMBERS_HEADER.format(place=member.place)]
    others = removable(ctx)
    names = [m.name for m in others]
    buttons: list[tuple[str, int]] = []
    for listing in ctx.members:
        last = listing.last_period
        line = texts.MEMBERS_ENTRY.format(
            **describe(ctx, listing),
            channel=texts.CHANNEL_NAMES.get(listing.channel, listing.channel),
            last=texts.month_name(last) if last else texts.MEMBERS_NEVER,
        )
        if listing.id == member.id:
            lines.insert(1, texts.MEMBERS_SELF.format(line=line))
            continue
        number = len(buttons) + 1
        lines.append(texts.MEMBERS_LINE.format(number=number, line=line))
        label = listing.name if names.count(listing.name) == 1 else f"{listing.name} ({number})"
        buttons.append((label, listing.id))
    if not ctx.members:
        lines.append(texts.MEMBERS_NONE)
    lines.append("")
    lines.append(texts.MEMBERS_PICK if buttons else texts.MEMBERS_NOBODY_ELSE)
    return "\n".join(lines), buttons

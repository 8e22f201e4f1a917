"""The value a button carries: one typed token, one encoding, one decoding.

On the wire a token is "<prompt>.<act>" or "<prompt>.<act>:<arg>" ("7.u:12", "7.save"):
`prompt` counts the questions asked, so a button left over from an earlier question is
recognised as such. Telegram allows 64 bytes of callback data; tokens stay far below.

A button of a notice (a message another member's turn queued: a report to review, say)
stands on its own: "n.<act>:<arg>" carries no prompt count, since the recipient's
conversation moves on while the message waits in their chat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Act(StrEnum):
    COMMAND = "cmd"  # arg: a command name (the menu)
    UNIT = "u"  # arg: unit id
    REPORT = "r"  # arg: report id
    OPTION = "o"  # arg: index into the field's options
    FIELD = "f"  # arg: field key
    GROUP = "g"  # arg: method group ("aktif")
    PERIOD = "p"  # arg: "YYYY-MM"
    YES = "yes"
    NO = "no"
    SKIP = "skip"
    SAVE = "save"
    EDIT = "edit"
    CANCEL = "cancel"
    BACK = "back"
    TODAY = "today"
    YESTERDAY = "yesterday"
    DONE = "done"  # no more photos
    ROLE = "role"  # arg: the role to invite ("kader", "ketua")
    KAMPUNG = "k"  # arg: kampung id
    MEMBER = "m"  # arg: member id
    LAYOUT = "l"  # arg: an upstream layout ("portal")
    # Notice buttons (see notices.py); arg "<report id>.<revision>" unless said.
    APPROVE = "ap"
    RETURN = "rt"
    SHOW = "sh"  # a report of a digest, to review on its own
    APPROVE_ALL = "aa"  # arg: the digest's hour, "YYYYMMDDHH" in UTC
    FIX = "fx"  # the kader opens a returned report in /ubah; arg: report id
    UNLOCK = "ul"  # a notice's Buka; arg: "<unit id>_<YYYY-MM>_<kader id>"
    DENY = "dn"  # a notice's Tolak; arg as UNLOCK


@dataclass(frozen=True, slots=True)
class Token:
    act: Act
    arg: str = ""

    @property
    def number(self) -> int:
        """The id or index of a UNIT, REPORT, OPTION, KAMPUNG, MEMBER or FIX token."""
        return int(self.arg)

    @property
    def revision(self) -> tuple[int, int]:
        """(report id, revision) of an APPROVE, RETURN or SHOW token."""
        report, _, revision = self.arg.partition(".")
        return int(report), int(revision)


def revision_token(act: Act, report_id: int, revision: int) -> Token:
    return Token(act, f"{report_id}.{revision}")


def _is_revision(arg: str) -> bool:
    report, dot, revision = arg.partition(".")
    return bool(dot) and all(p.isascii() and p.isdigit() for p in (report, revision))


_NOTICE = "n"
# Ids are the database's 32-bit integers (PostgreSQL INTEGER); an hour "YYYYMMDDHH" fits too.
ID_MAX = 2**31 - 1
# Their arg is an id, an index or an hour (APPROVE_ALL: "YYYYMMDDHH").
_NUMBERED = (
    Act.UNIT,
    Act.REPORT,
    Act.OPTION,
    Act.KAMPUNG,
    Act.MEMBER,
    Act.FIX,
    Act.APPROVE_ALL,
)


def encode(prompt: int, token: Token) -> str:
    suffix = f":{token.arg}" if token.arg else ""
    return f"{prompt}.{token.act.value}{suffix}"


def encode_notice(token: Token) -> str:
    """The data of a notice's button, valid whatever the conversation is doing."""
    return encode(0, token).replace("0", _NOTICE, 1)


def is_notice(data: str) -> bool:
    return data.startswith(f"{_NOTICE}.")


def decode(data: str) -> Token | None:
    """The token of a button's data (a question's or a notice's), or None for data this
    bot never wrote."""
    head, dot, rest = data.partition(".")
    if not dot or not (head == _NOTICE or (head.isascii() and head.isdigit())):
        return None
    name, _, arg = rest.partition(":")
    try:
        act = Act(name)
    except ValueError:
        return None
    if act in _NUMBERED and not (arg.isascii() and arg.isdigit()):
        return None
    if act in (Act.APPROVE, Act.RETURN, Act.SHOW) and not _is_revision(arg):
        return None
    if any(int(digits) > ID_MAX for digits in re.findall(r"[0-9]+", arg)):
        return None  # no id this bot wrote; the database could not even look it up
    return Token(act, arg)

"""The value a button carries: one typed token, one encoding, one decoding.

On the wire a token is "<prompt>.<act>" or "<prompt>.<act>:<arg>" ("7.u:12", "7.save"):
`prompt` counts the questions asked, so a button left over from an earlier question is
recognised as such. Telegram allows 64 bytes of callback data; tokens stay far below.

A button of a notice (a message another member's turn queued: a report to review, say)
stands on its own: "n.<act>:<arg>" carries no prompt count, since the recipient's
conversation moves on while the message waits in their chat.
"""

from __future__ import annotations

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
    UNLOCK = "ul"  # a notice's Buka; arg: "<unit id>_<YYYY-MM>_<kader id>"
    DENY = "dn"  # a notice's Tolak; arg as UNLOCK


@dataclass(frozen=True, slots=True)
class Token:
    act: Act
    arg: str = ""

    @property
    def number(self) -> int:
        """The id or index of a UNIT, REPORT or OPTION token."""
        return int(self.arg)


_NOTICE = "n"


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
    if act in (Act.UNIT, Act.REPORT, Act.OPTION) and not (arg.isascii() and arg.isdigit()):
        return None
    return Token(act, arg)

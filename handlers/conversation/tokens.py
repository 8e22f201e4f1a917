"""The value a button carries: one typed token, one encoding, one decoding.

On the wire a token is "<prompt>.<act>" or "<prompt>.<act>:<arg>" ("7.u:12", "7.save"):
`prompt` counts the questions asked, so a button left over from an earlier question is
recognised as such. Telegram allows 64 bytes of callback data; tokens stay far below.
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
    LAYOUT = "l"  # arg: an upstream layout ("portal")


@dataclass(frozen=True, slots=True)
class Token:
    act: Act
    arg: str = ""

    @property
    def number(self) -> int:
        """The id or index of a UNIT, REPORT or OPTION token."""
        return int(self.arg)


def encode(prompt: int, token: Token) -> str:
    suffix = f":{token.arg}" if token.arg else ""
    return f"{prompt}.{token.act.value}{suffix}"


def decode(data: str) -> Token | None:
    """The token of a button's data, or None for data this bot never wrote."""
    head, dot, rest = data.partition(".")
    if not dot or not head.isascii() or not head.isdigit():
        return None
    name, _, arg = rest.partition(":")
    try:
        act = Act(name)
    except ValueError:
        return None
    if act in (Act.UNIT, Act.REPORT, Act.OPTION) and not (arg.isascii() and arg.isdigit()):
        return None
    return Token(act, arg)

"""The terminal channel: `kaderbot chat --user NAME` talks to the same engine.

Buttons are shown as numbered choices; a prompt that also takes typed answers shows its
buttons as words to type, so that a number typed there stays a number. Files (a recap's
chart and spreadsheet) are written to a folder and their paths printed. A line
`foto PATH` naming an image file sends that image, as a photo sent in a chat. Messages
queued for the user (a notice from another member's turn, a scheduled recap) are shown
between turns, since no outbox sender serves the terminal; typing the number (or the
label) of such a message's button presses it, as a tap on a phone would.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import sys
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from handlers import texts
from handlers.conversation.tokens import is_notice
from handlers.messages import PHOTO_MAX_BYTES, PHOTO_TOO_BIG, Choice, Incoming, Photo, Reply
from handlers.service import ConversationService

CHANNEL = "console"
log = logging.getLogger(__name__)


def render(reply: Reply) -> str:
    lines = [reply.text]
    if reply.choices and reply.free_text:
        lines.append(texts.CONSOLE_CHOICES + " · ".join(f"[{c.label}]" for c in reply.choices))
    elif reply.choices:
        lines.extend(f"  {number}. {c.label}" for number, c in enumerate(reply.choices, 1))
    return "\n".join(lines)


def write_files(reply: Reply, directory: Path) -> list[Path]:
    """Write the reply's attachments into `directory`; their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for attachment in reply.files:
        path = directory.resolve() / Path(attachment.filename).name
        path.write_bytes(attachment.data)
        paths.append(path)
    return paths


class _Pressable:
    """The buttons of the last notice shown, while it is the last thing with buttons on
    screen: a number or label typed then is a press of that button. A question's own
    buttons need no such help (the engine reads a typed label or number itself)."""

    def __init__(self) -> None:
        self.choices: tuple[Choice, ...] = ()

    def saw(self, replies: list[Reply]) -> None:
        for reply in replies:
            if reply.choices:
                notice = all(is_notice(choice.value) for choice in reply.choices)
                self.choices = reply.choices if notice else ()

    def pressed(self, line: str) -> str | None:
        typed = line.strip().rstrip(".").lower()
        for number, choice in enumerate(self.choices, 1):
            if typed in (str(number), choice.label.lower()):
                return choice.value
        return None


def _show(replies: list[Reply], stdout: TextIO, files: Path) -> None:
    for reply in replies:
        shown = [render(reply)]
        shown += [texts.CONSOLE_FILE.format(path=path) for path in write_files(reply, files)]
        stdout.write("\n".join(shown) + "\n\n")
    stdout.flush()


async def _show_queued(
    service: ConversationService, user: str, stdout: TextIO, files: Path, pressable: _Pressable
) -> None:
    try:
        for outbox_id, replies in await service.queued_for(CHANNEL, user):
            _show(replies, stdout, files)
            pressable.saw(replies)
            await service.mark_shown(outbox_id)
    except Exception:  # a message that cannot be shown must not end the session
        log.exception("queued messages for %s could not be shown", user)


def _with_photo(incoming: Incoming) -> Incoming:
    """`foto PATH` where PATH is a file: that image as a photo (else the line is text,
    "foto bersama" typed as a title, say)."""
    word, _, rest = incoming.text.partition(" ")
    path = Path(rest.strip()).expanduser()
    if word.lower() != "foto" or not rest.strip() or not path.is_file():
        return incoming
    photo = replace(incoming, text="", other="photo")
    if path.stat().st_size > PHOTO_MAX_BYTES:
        return replace(photo, other=PHOTO_TOO_BIG)
    mime = mimetypes.guess_type(path.name)[0] or "image/jpeg"
    return replace(photo, other=None, photo=Photo(path.read_bytes(), mime))


async def chat(
    service: ConversationService,
    user: str,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    files: Path = Path(),
) -> None:
    stdout.write(texts.CONSOLE_WELCOME.format(user=user) + "\n")
    # A form left open (the last session ended, or the process was killed) goes on here.
    pressable = _Pressable()
    resumed = await service.resume(CHANNEL, user)
    _show(resumed, stdout, files)
    pressable.saw(resumed)
    await _show_queued(service, user, stdout, files, pressable)
    while True:
        stdout.write("> ")
        stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line or line.strip().lower() in texts.CONSOLE_EXIT_WORDS:
            stdout.write("\n")
            return
        if not line.strip():
            continue
        incoming = _with_photo(
            Incoming(channel=CHANNEL, user_key=user, text=line.strip(), display_name=user)
        )
        pressed = pressable.pressed(line)
        if pressed is not None:
            incoming = Incoming(channel=CHANNEL, user_key=user, choice=pressed, display_name=user)
        try:
            replies = await service.handle(incoming)
        except Exception:  # as on the other channels: one sentence here, the trace in the log
            log.exception("turn failed in the terminal channel for %s", user)
            replies = [Reply(texts.SERVER_TROUBLE)]
        _show(replies, stdout, files)
        pressable.saw(replies)
        await _show_queued(service, user, stdout, files, pressable)

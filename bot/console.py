"""The terminal channel: `kaderbot chat --user NAME` talks to the same engine.

Buttons are shown as numbered choices; a prompt that also takes typed answers shows its
buttons as words to type, so that a number typed there stays a number.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from handlers import texts
from handlers.messages import Incoming, Reply
from handlers.service import ConversationService

CHANNEL = "console"


def render(reply: Reply) -> str:
    lines = [reply.text]
    if reply.choices and reply.free_text:
        lines.append(texts.CONSOLE_CHOICES + " · ".join(f"[{c.label}]" for c in reply.choices))
    elif reply.choices:
        lines.extend(f"  {number}. {c.label}" for number, c in enumerate(reply.choices, 1))
    return "\n".join(lines)


async def chat(
    service: ConversationService,
    user: str,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> None:
    stdout.write(texts.CONSOLE_WELCOME.format(user=user) + "\n")
    stdout.flush()
    while True:
        stdout.write("> ")
        stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line or line.strip().lower() in texts.CONSOLE_EXIT_WORDS:
            stdout.write("\n")
            return
        if not line.strip():
            continue
        replies = await service.handle(
            Incoming(channel=CHANNEL, user_key=user, text=line.strip(), display_name=user)
        )
        for reply in replies:
            stdout.write(render(reply) + "\n\n")
        stdout.flush()

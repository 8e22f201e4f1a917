"""Channel-neutral values that cross the boundary between channels and the engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal


@dataclass(frozen=True, slots=True)
class Choice:
    """One button. `value` is an opaque token that comes back as `Incoming.choice`."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a reply: a chart (`image`) or a spreadsheet (`document`)."""

    filename: str
    data: bytes
    kind: Literal["image", "document"]


@dataclass(frozen=True, slots=True)
class Photo:
    """A photo a user sent, as the channel downloaded it."""

    data: bytes
    mime_type: str


# Photos above this are refused before they are downloaded (where the platform says the
# size) or kept: a phone's photo is well below it.
PHOTO_MAX_BYTES = 5 * 1024 * 1024
# `Incoming.other` for a photo refused for its size (the engine says so at a photo question).
PHOTO_TOO_BIG = "photo-too-big"
# `Incoming.other` for a "photo" whose bytes are no image (a text file named .jpg).
PHOTO_NOT_AN_IMAGE = "photo-not-an-image"
_IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def image_type(data: bytes) -> str | None:
    """The image type the bytes themselves say (JPEG, PNG, GIF, WebP), or None: a file's
    name or a platform's label is not trusted for what is stored and exported."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((mime for magic, mime in _IMAGE_SIGNATURES if data.startswith(magic)), None)


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to the user, with its buttons.

    `free_text` says that the prompt also takes a typed answer besides its buttons (an
    optional number with a Lewati button, say); channels without buttons then show the
    choices as words to type rather than as numbers.
    """

    text: str
    choices: tuple[Choice, ...] = ()
    free_text: bool = False
    files: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class Incoming:
    """One thing a user did: typed `text` or pressed the button whose value is `choice`.

    `other` names what arrived when it was neither (a photo, a sticker, a location...): the
    engine asks for text and keeps the conversation where it was. `sent_at` is when the
    platform says the message was sent, where it says so in a signed body (WhatsApp).
    """

    channel: str
    user_key: str
    text: str = ""
    choice: str | None = None
    display_name: str = ""
    update_id: str | None = None
    other: str | None = None
    sent_at: datetime | None = None
    photo: Photo | None = None
    # A photo the platform holds, by its id, for the channel to fetch (WhatsApp media).
    media_id: str | None = None


def split_text(text: str, limit: int) -> list[str]:
    """Cut `text` into pieces of at most `limit` characters, at line breaks where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single overlong line: cut at a space, else hard
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:cut])
            line = line[cut:].lstrip(" ")
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces


@dataclass(frozen=True, slots=True)
class TextPart:
    text: str
    choices: tuple[Choice, ...] = ()
    free_text: bool = False


# One message as a platform sends it: a piece of text (with the buttons on the last piece),
# or a file.
Part = TextPart | Attachment


def reply_parts(reply: Reply, limit: int) -> list[Part]:
    pieces = split_text(reply.text, limit)
    parts: list[Part] = [TextPart(piece) for piece in pieces[:-1]]
    parts.append(TextPart(pieces[-1], reply.choices, reply.free_text))
    parts.extend(reply.files)
    return parts

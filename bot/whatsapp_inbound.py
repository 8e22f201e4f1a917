"""What a WhatsApp Cloud API webhook POST carries, read defensively.

Meta's webhook reference: `entry[].changes[].value` holds `contacts`, `messages`,
`statuses` and `errors`. The envelope must parse, or the whole body is refused (400). Each
message is then read on its own, so that one the bot cannot use never holds up the others
of the same POST:

- text, a pressed reply button or list row, a template's quick-reply button: handled;
- media, stickers, voice, locations, contacts, "unsupported" types and interactive
  messages without their reply (Meta's 131000 "unsupported webhook payload"): handled as
  "not text" (the member is asked to type, the form stays where it was);
- reactions, edits, deletions and system notices: ignored;
- a message without id, sender or timestamp, or a text without text: skipped, one log line.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from handlers.messages import Incoming

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
# Message types that need no answer.
_SILENT = frozenset({"reaction", "edit", "revoke", "system", "request_welcome"})


class MalformedWebhook(ValueError):
    """A body that is not a webhook payload at all."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Value(_Model):
    # Items are read one by one below, so that one bad item spoils nothing else.
    contacts: list[Any] = []
    messages: list[Any] = []
    statuses: list[Any] = []
    errors: list[Any] = []


class _Change(_Model):
    value: _Value = _Value()


class _Entry(_Model):
    changes: list[_Change] = []


class _Payload(_Model):
    entry: list[_Entry]


class _Profile(_Model):
    name: str = ""


class _Contact(_Model):
    wa_id: str
    profile: _Profile = _Profile()


class _Status(_Model):
    id: str = ""
    status: str = ""
    errors: list[Any] = []


class _Text(_Model):
    body: str


class _Reply(_Model):
    id: str


class _Interactive(_Model):
    button_reply: _Reply | None = None
    list_reply: _Reply | None = None


class _Button(_Model):
    text: str = ""
    payload: str = ""


class _Image(_Model):
    id: str = Field(min_length=1)


class _Message(_Model):
    id: str = Field(min_length=1)
    sender: str = Field(alias="from", min_length=1)
    timestamp: int = Field(ge=0, le=2**40)  # seconds since 1970, sent as a string
    type: str
    text: _Text | None = None
    interactive: _Interactive | None = None
    button: _Button | None = None
    image: _Image | None = None


def parse(body: bytes) -> list[Incoming]:
    """The messages of a webhook body worth a turn, in order; MalformedWebhook for a body
    that is not a webhook payload."""
    try:
        payload = _Payload.model_validate_json(body)
    except ValidationError as error:
        raise MalformedWebhook(_first_problem(error)) from None
    found: list[Incoming] = []
    for entry in payload.entry:
        for change in entry.changes:
            found += _read_value(change.value)
    return found


def _read_value(value: _Value) -> list[Incoming]:
    if value.errors:
        log.warning("WhatsApp reports errors: %s", _errors_text(value.errors))
    for raw in value.statuses:
        status = _valid(_Status, raw)
        if status is not None and status.status == "failed":
            log.warning(
                "WhatsApp reports a failed delivery of %s: %s",
                status.id,
                _errors_text(status.errors),
            )
    names = {
        contact.wa_id: contact.profile.name
        for contact in (_valid(_Contact, raw) for raw in value.contacts)
        if contact is not None
    }
    found = []
    for raw in value.messages:
        try:
            message = _Message.model_validate(raw)
        except ValidationError as error:
            # Its id and problem, not its content (a text may hold personal data).
            wamid = raw.get("id") if isinstance(raw, dict) else None
            log.warning("WhatsApp message %s skipped: %s", wamid, _first_problem(error))
            continue
        incoming = _incoming(message, names.get(message.sender, ""))
        if incoming is not None:
            found.append(incoming)
    return found


def _incoming(message: _Message, name: str) -> Incoming | None:
    kind = message.type
    base = Incoming(
        channel=CHANNEL,
        user_key=message.sender,
        display_name=name,
        update_id=message.id,
        sent_at=datetime.fromtimestamp(message.timestamp, UTC),
    )
    if kind in _SILENT:
        log.info("WhatsApp %s %s from %s ignored", kind, message.id, message.sender)
        return None
    if kind == "text":
        if message.text is None:
            log.warning("WhatsApp text message %s without text skipped", message.id)
            return None
        return replace(base, text=message.text.body)
    if kind == "interactive" and message.interactive is not None:
        picked = message.interactive.button_reply or message.interactive.list_reply
        if picked is not None:
            return replace(base, choice=picked.id)
    if kind == "button" and message.button is not None:  # a template's quick-reply button
        return replace(base, text=message.button.text or message.button.payload)
    if kind == "image" and message.image is not None:  # fetched by the channel
        return replace(base, other=kind, media_id=message.image.id)
    return replace(base, other=kind)


def _first_problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "body"
    return f"{where}: {first['msg']}"


_M = TypeVar("_M", bound=_Model)


def _valid(model: type[_M], raw: object) -> _M | None:
    try:
        return model.model_validate(raw)
    except ValidationError:
        return None


def _errors_text(errors: list[Any]) -> str:
    parts = []
    for error in errors:
        if not isinstance(error, dict):
            continue
        details = error.get("error_data", {})
        detail = details.get("details", "") if isinstance(details, dict) else ""
        parts.append(f"{error.get('code')} {error.get('title', '')} {detail}".strip())
    return "; ".join(parts) or "(no details)"

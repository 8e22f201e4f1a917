"""What a channel promises the outbox sender: send one part, or say why it could not."""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol, runtime_checkable

from handlers.messages import Part


class DeliveryError(Exception):
    """A send that failed: `permanent` ones are not retried; `retry_after` is the platform's
    own wait (429), otherwise the sender backs off."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, permanent: bool = False
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


class Deliverer(Protocol):
    message_limit: int

    async def deliver(self, user_key: str, part: Part) -> None: ...


@runtime_checkable
class TemplateDeliverer(Protocol):
    """A channel that may only send free-form messages within `session_window` of the
    member's last message, and approved templates outside it (WhatsApp)."""

    session_window: timedelta

    async def deliver_template(self, user_key: str, kind: str, variables: list[str]) -> None: ...

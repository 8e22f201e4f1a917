"""What a channel promises the outbox sender: send one part, or say why it could not."""

from __future__ import annotations

from typing import Protocol

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

"""GET /metrics in the Prometheus text format, on the webhook servers and, in polling mode,
on a listener of its own (`[telegram] metrics_listen`).

Turns handled and failed and the turn latency histogram are counted where turns run
(handlers/service.py); the outbox by kind and status is counted in the database when
scraped; the leader flag is set by the leader's duties (bot/app.py). The process
collectors of prometheus-client (memory, CPU, open files) come with them.
"""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Gauge, generate_latest

from bot.webserver import serve
from handlers.service import ConversationService
from storage import OutboxStatus

LEADER = Gauge(
    "kaderbot_leader", "1 while this worker leads (runs the schedule and the outbox sender)"
)
OUTBOX = Gauge("kaderbot_outbox_messages", "Outbox rows by kind and status", ["kind", "status"])


async def exposition(service: ConversationService) -> bytes:
    """Every metric of the process, the outbox counted now."""
    counts = await service.outbox_counts()
    kinds = {kind for kind, _ in counts}
    OUTBOX.clear()
    for kind in kinds:  # every status of a kind present, 0 included, so rates stay readable
        for status in OutboxStatus:
            OUTBOX.labels(kind, status.value).set(counts.get((kind, status.value), 0))
    return generate_latest(REGISTRY)


def add_metrics(app: web.Application, service: ConversationService) -> None:
    """GET /metrics on `app`."""

    async def metrics(request: web.Request) -> web.Response:
        body = await exposition(service)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/metrics", metrics)


async def serve_metrics(listen: str, service: ConversationService) -> tuple[web.AppRunner, int]:
    """A listener of its own for GET /metrics (polling mode has no web server)."""
    app = web.Application()
    add_metrics(app, service)
    return await serve(app, listen)

"""The small HTTP servers the bot runs (Telegram and WhatsApp webhooks), bound one way."""

from __future__ import annotations

from aiohttp import web

from handlers.service import ConversationService


async def serve(app: web.Application, listen: str) -> tuple[web.AppRunner, int]:
    """Bind `app` on "host:port" (port 0 picks a free one): the runner to clean up, and
    the port it got."""
    host, _, port = listen.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")  # [::1]:8443
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, int(port))
    await site.start()
    sockets = getattr(site._server, "sockets", None) or []
    return runner, int(sockets[0].getsockname()[1]) if sockets else int(port)


def add_health(app: web.Application, service: ConversationService) -> None:
    """GET /healthz: 200 while the database answers, 503 otherwise (for load balancers)."""

    async def health(request: web.Request) -> web.Response:
        if await service.healthy():
            return web.Response(text="ok")
        return web.Response(status=503, text="database down")

    app.router.add_get("/healthz", health)

"""Process assembly: the one place where config, database, service and channels meet."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import storage
from bot.config import Config
from bot.delivery import Deliverer
from bot.leader import lead
from bot.metrics import LEADER, serve_metrics
from bot.outbox import OutboxSender
from bot.scheduler import Schedule, rules_from
from bot.sole import sole_server
from bot.telegram import CHANNEL as TELEGRAM
from bot.telegram import TelegramChannel
from bot.whatsapp import CHANNEL as WHATSAPP
from bot.whatsapp import WhatsAppChannel
from handlers.service import PROCESSED_UPDATE_TTL, ConversationService, system_clock
from storage import Database, migrate

log = logging.getLogger(__name__)
PRUNE_EVERY_SECONDS = 6 * 3600


@dataclass
class Runtime:
    config: Config
    database: Database
    service: ConversationService


@asynccontextmanager
async def open_runtime(config: Config) -> AsyncIterator[Runtime]:
    """Database ready (schema, organisation from config) and the conversation service."""
    database = Database(config.database_url)
    try:
        # A SQLite file belongs to this process alone and is upgraded in place; a shared
        # PostgreSQL database is upgraded on purpose, with `kaderbot db upgrade`.
        await migrate.ensure_current(
            database.engine, upgrade_automatically=database.dialect == "sqlite"
        )
        async with database.write() as session:
            await storage.sync_organisation(session, config.seeds())
        service = ConversationService(
            database,
            deadline_day=config.schedule.report_deadline_day,
            bot_username=(config.telegram.bot_username or "").lstrip("@") or None,
            unlock_days=config.schedule.unlock_days,
        )
        yield Runtime(config, database, service)
    finally:
        await database.dispose()


async def run(config: Config, stop: asyncio.Event | None = None) -> None:
    """Serve Telegram and/or WhatsApp, the schedule and the outbox until SIGINT/SIGTERM.

    Telegram needs its token unless WhatsApp is configured; WhatsApp needs its secrets.
    On SQLite a second serving process refuses to start (bot.sole.DatabaseInUseError).
    """
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    telegram_token = (
        config.telegram_token() if config.whatsapp is None or config.has_telegram_token() else None
    )
    with sole_server(config.database_url):
        await _serve(config, stop, telegram_token)


async def _serve(config: Config, stop: asyncio.Event, telegram_token: str | None) -> None:
    async with open_runtime(config) as runtime:
        deliverers: dict[str, Deliverer] = {}
        telegram: TelegramChannel | None = None
        whatsapp: WhatsAppChannel | None = None
        if config.whatsapp is not None:
            whatsapp = WhatsAppChannel(runtime.service, config.whatsapp)
            await whatsapp.start()
            deliverers[WHATSAPP] = whatsapp
        if telegram_token is not None:
            telegram = TelegramChannel(
                runtime.service, telegram_token, config.telegram.api_base_url
            )
            webhook_url = config.telegram.webhook_url
            if webhook_url:
                await telegram.start_webhook(
                    webhook_url, config.telegram.webhook_listen, config.telegram_webhook_secret()
                )
            else:
                await telegram.start()
            deliverers[TELEGRAM] = telegram
            # Invite links made in the chat (/undang) name the bot Telegram says it is.
            runtime.service.bot_username = runtime.service.bot_username or telegram.app.bot.username
            log.info("KaderBot is running as @%s; Ctrl-C stops it", telegram.app.bot.username)

        async def duties(until: asyncio.Event) -> None:
            LEADER.set(1)
            try:
                await _lead(runtime, deliverers, until)
            finally:
                LEADER.set(0)

        metrics = None
        if config.telegram.metrics_listen is not None:
            metrics, port = await serve_metrics(config.telegram.metrics_listen, runtime.service)
            log.info("GET /metrics on %s (port %d)", config.telegram.metrics_listen, port)
        try:
            await lead(runtime.database, stop, duties)
        finally:
            if metrics is not None:
                await metrics.cleanup()
            if telegram is not None:
                await telegram.stop()
            if whatsapp is not None:
                await whatsapp.stop()


async def _lead(runtime: Runtime, deliverers: dict[str, Deliverer], until: asyncio.Event) -> None:
    """The leader's work: the schedule, the outbox sender and the update-id pruner."""
    config = runtime.config
    sender = OutboxSender(
        runtime.database,
        deliverers,
        clock=system_clock,
        deadline_day=config.schedule.report_deadline_day,
    )
    runtime.service.on_queued = sender.notify
    schedule = Schedule(runtime.database, rules_from(config.schedule), system_clock, sender.notify)
    schedule.start()
    tasks = [
        asyncio.create_task(_prune_forever(runtime.service, until)),
        asyncio.create_task(sender.run(until)),
    ]
    try:
        await until.wait()
    finally:
        schedule.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _prune_forever(service: ConversationService, stop: asyncio.Event) -> None:
    while not stop.is_set():
        removed = await service.prune()
        if removed:
            days = PROCESSED_UPDATE_TTL.days
            log.info("forgot %d update ids and non-members' chats, %d days old", removed, days)
        try:
            await asyncio.wait_for(stop.wait(), PRUNE_EVERY_SECONDS)
        except TimeoutError:
            continue

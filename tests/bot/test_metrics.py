"""GET /metrics: what an operator watches, in the Prometheus text format, on the webhook
servers and, in polling mode, on the `metrics_listen` listener."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from bot import app
from bot.app import open_runtime
from bot.config import load_config
from bot.telegram import TelegramChannel
from tests.bot.test_production import SECRET, WEBHOOK, deliver, free_port, update_json
from tests.bot.test_whatsapp import WhatsAppBot
from tests.conftest import NOW, TOKEN, make_invite, queue_texts, write_config
from tests.fakes.botapi import FakeBotApi


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def turns(found: dict[tuple[str, tuple[tuple[str, str], ...]], float], channel: str) -> float:
    return found.get(("kaderbot_turns_handled_total", (("channel", channel),)), 0.0)


async def test_webhook_server_counts_turns_and_the_outbox(
    tmp_path: Path, bot_api: FakeBotApi
) -> None:
    port = free_port()
    path = write_config(tmp_path, bot_api.base_url)
    path.write_text(
        path.read_text().replace(
            'bot_username = "KaderTestBot"\n',
            'bot_username = "KaderTestBot"' + WEBHOOK.format(port=port),
        )
    )
    config = load_config(path)
    assert config.telegram.webhook_url
    async with open_runtime(config) as runtime, httpx.AsyncClient() as http:
        runtime.service.clock = lambda: NOW
        channel = TelegramChannel(runtime.service, TOKEN, bot_api.base_url)
        await channel.start_webhook(config.telegram.webhook_url, f"127.0.0.1:{port}", SECRET)
        try:
            url = f"http://127.0.0.1:{port}/metrics"
            before = samples((await http.get(url)).text)
            await queue_texts(runtime, 3)
            code = await make_invite(runtime)
            assert await deliver(http, port, update_json(81, f"/start {code}")) == 200
            assert await deliver(http, port, update_json(81, "/status")) == 200
            response = await http.get(url)
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/plain")
            after = samples(response.text)
        finally:
            await channel.stop()
    assert turns(after, "telegram") == turns(before, "telegram") + 2
    assert after[("kaderbot_turn_seconds_count", ())] == (
        before.get(("kaderbot_turn_seconds_count", ()), 0.0) + 2
    )
    pending = (("kind", "text"), ("status", "pending"))
    assert after[("kaderbot_outbox_messages", pending)] == 3
    assert after[("kaderbot_outbox_messages", (("kind", "text"), ("status", "sent")))] == 0
    assert ("kaderbot_leader", ()) in after
    assert ("process_resident_memory_bytes", ()) in after


async def test_whatsapp_webhook_server_answers_metrics(wa: WhatsAppBot) -> None:
    response = await wa.http.get(wa.url.removesuffix("/whatsapp") + "/metrics")
    assert response.status_code == 200 and "kaderbot_turn_seconds" in response.text


async def test_polling_mode_serves_metrics_on_metrics_listen_and_shows_the_leader(
    tmp_path: Path, bot_api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KADERBOT_TEST_TOKEN", TOKEN)
    port = free_port()
    path = write_config(tmp_path, bot_api.base_url)
    path.write_text(
        path.read_text().replace(
            'bot_username = "KaderTestBot"\n',
            f'bot_username = "KaderTestBot"\nmetrics_listen = "127.0.0.1:{port}"\n',
        )
    )
    stop = asyncio.Event()
    running = asyncio.create_task(app.run(load_config(path), stop))
    try:
        async with httpx.AsyncClient() as http, asyncio.timeout(20):
            while True:
                try:
                    found = samples((await http.get(f"http://127.0.0.1:{port}/metrics")).text)
                    if found.get(("kaderbot_leader", ())) == 1:
                        break  # one process on a SQLite file: it leads
                except httpx.ConnectError:
                    pass
                await asyncio.sleep(0.1)
    finally:
        stop.set()
        await bot_api.release_polls()
        await running
    assert REGISTRY.get_sample_value("kaderbot_leader") == 0, "not leading once stopped"

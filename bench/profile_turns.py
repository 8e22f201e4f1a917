"""Where the time of the throughput benchmark goes, by package (cProfile's own time per
function, which is wall time: waiting in epoll shows as such)."""

from __future__ import annotations

import asyncio
import cProfile
import pstats
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any

from bench.throughput import Rate, echo_rate, kaderbot_rate

_GROUPS = (
    ("sqlalchemy", "SQLAlchemy"),
    ("sqlmodel", "SQLAlchemy"),
    ("aiosqlite", "aiosqlite + sqlite3"),
    ("sqlite3", "aiosqlite + sqlite3"),
    ("greenlet", "SQLAlchemy"),
    ("telegram", "python-telegram-bot"),
    ("httpx", "httpx / httpcore (PTB's HTTP)"),
    ("httpcore", "httpx / httpcore (PTB's HTTP)"),
    ("h11", "httpx / httpcore (PTB's HTTP)"),
    ("aiohttp", "fake Bot API server (aiohttp)"),
    ("tests/fakes", "fake Bot API server (aiohttp)"),
    ("pydantic", "pydantic (state JSON)"),
    ("/handlers/", "KaderBot handlers/"),
    ("/storage/", "KaderBot storage/"),
    ("/bot/", "KaderBot bot/"),
    ("asyncio", "asyncio event loop"),
    ("selectors", "asyncio event loop"),
)


def _group(filename: str, function: str) -> str:
    if filename == "~":  # built-ins: name them by what they are
        if "poll" in function:
            return "idle: waiting in epoll"
        if "acquire" in function or "SimpleQueue" in function or "Queue" in function:
            return "waiting on the SQLite thread (aiosqlite queue)"
        if "socket" in function:
            return "socket calls"
    for needle, name in _GROUPS:
        if needle in filename:
            return name
    return "other (stdlib, json, ...)"


def profile(
    run: Callable[[int], Coroutine[Any, Any, Rate]], users: int
) -> tuple[Rate, Counter[str], float]:
    profiler = cProfile.Profile()
    profiler.enable()
    rate = asyncio.run(run(users))
    profiler.disable()
    stats = pstats.Stats(profiler)
    groups: Counter[str] = Counter()
    total = 0.0
    for (filename, _, function), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        groups[_group(filename, function)] += own
        total += own
    return rate, groups, total


def per_update_table(users: int = 50) -> list[str]:
    lines = ["| where the time goes (ms per update) | echo bot | KaderBot |", "|---|---|---|"]
    echo, echo_groups, _ = profile(echo_rate, users)
    ours, our_groups, _ = profile(kaderbot_rate, users)
    names = sorted(set(echo_groups) | set(our_groups), key=lambda n: -our_groups[n])
    for name in names:
        mine = our_groups[name] * 1000 / ours.updates
        theirs = echo_groups[name] * 1000 / echo.updates
        if mine >= 0.05 or theirs >= 0.05:
            lines.append(f"| {name} | {theirs:.2f} | {mine:.2f} |")
    total_echo = sum(echo_groups.values()) * 1000 / echo.updates
    total_ours = sum(our_groups.values()) * 1000 / ours.updates
    lines.append(f"| **total** | **{total_echo:.2f}** | **{total_ours:.2f}** |")
    return lines


if __name__ == "__main__":
    print("\n".join(per_update_table()))

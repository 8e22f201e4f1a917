"""The deadline lock in the pure engine: no report of a locked month is ever saved by a
kader without an open grant, whatever the day and the date reported."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers import conversation as engine
from handlers.periods import is_locked
from storage import GrantView
from tests.handlers.test_conversation import MELATI, Chat, member

REPORT = "posyandu {day} S50 K48 D45 N40 BGM1 bumil6 kader5"


def chat_on(
    today: date,
    grants: tuple[GrantView, ...] = (),
    deadline_day: int = 3,
    ketua_ids: tuple[int, ...] = (1,),
) -> Chat:
    now = datetime.combine(today, time(3), UTC)  # 10:00 in Jakarta
    ctx = engine.Context(
        member(MELATI), today, now, deadline_day=deadline_day, grants=grants, ketua_ids=ketua_ids
    )
    return Chat(ctx)


def finish(conversation: Chat) -> None:
    """Press on as a kader who wants it saved: ask the ketua when locked, then Simpan."""
    for _ in range(4):
        labels = [c.label for c in conversation.replies[-1].choices]
        for wanted in ("Minta dibuka", "Simpan", "Ya, sudah benar"):
            if wanted in labels:
                conversation.press(wanted)
                break
        else:
            return


@settings(max_examples=150, deadline=None)
@given(
    today=st.dates(date(2026, 1, 1), date(2027, 12, 31)),
    back=st.integers(0, 40),
    granted=st.booleans(),
    deadline_day=st.integers(1, 28),
)
def test_no_locked_month_is_saved_without_a_grant(
    today: date, back: int, granted: bool, deadline_day: int
) -> None:
    day = today - timedelta(days=back)
    period = f"{day.year:04d}-{day.month:02d}"
    grants = (
        (GrantView(MELATI.id, period, 7, datetime.combine(today, time(23), UTC)),)
        if granted
        else ()
    )
    conversation = chat_on(today, grants, deadline_day)
    conversation.say(REPORT.format(day=day.strftime("%d/%m/%Y")))
    finish(conversation)
    locked = is_locked(period, today, deadline_day)
    if locked and not granted:
        assert conversation.saved == []
        assert any(isinstance(e, engine.Notify) for e in conversation.effects)
    else:
        assert [s.period for s in conversation.saved] == [period]


def test_the_lock_is_the_day_after_the_deadline() -> None:
    assert not is_locked("2026-10", date(2026, 11, 3), 3)
    assert is_locked("2026-10", date(2026, 11, 4), 3)
    assert is_locked("2026-09", date(2026, 11, 1), 3)
    assert not is_locked("2026-11", date(2026, 11, 30), 3)


def test_an_expired_grant_opens_nothing() -> None:
    today = date(2026, 11, 7)
    expired = GrantView(MELATI.id, "2026-10", 7, datetime(2026, 11, 6, 17, tzinfo=UTC))
    conversation = chat_on(today, (expired,))
    reply = conversation.say(REPORT.format(day="10/10"))
    assert "sudah dikunci" in reply.text


def test_the_ketua_is_not_held_to_the_deadline() -> None:
    ctx = engine.Context(
        member(MELATI, role="ketua"), date(2026, 11, 20), datetime(2026, 11, 20, 3, tzinfo=UTC)
    )
    reply = Chat(ctx).say(REPORT.format(day="28/10"))
    assert "Ringkasan laporan Posyandu Melati" in reply.text


def test_no_ketua_to_ask_says_so_and_keeps_the_question() -> None:
    conversation = chat_on(date(2026, 11, 20), ketua_ids=())
    conversation.say(REPORT.format(day="28/10"))
    reply = conversation.press("Minta dibuka")
    assert "Belum ada ketua" in reply.text and "sudah dikunci" in reply.text
    reply = conversation.press("Kembali")
    assert "Tanggal hari buka posyandu?" in reply.text

"""The deadline lock in the pure engine: no report of a locked month is ever saved by a
kader without an open grant, whatever the day and the date reported."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers import conversation as engine
from handlers.conversation.tokens import Act, encode_notice, revision_token
from handlers.messages import Incoming
from handlers.periods import is_locked
from storage import GrantView, ReviewView
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


# --- Kembalikan after the deadline reopens the month for the kader who reported -----------

KADER_ID = 9


def returning_ketua(today: date, period: str, meeting: date) -> Chat:
    """A ketua who pressed Kembalikan on a report of Posyandu Melati made by kader 9."""
    report = ReviewView(
        id=5,
        unit=MELATI,
        form="posyandu",
        period=period,
        meeting_date=meeting,
        revision=1,
        values={"s": 50, "k": 48, "d": 45},
        reported_at=datetime(2026, 11, 2, 3, tzinfo=UTC),
        reported_by=KADER_ID,
        reporter="Bu Rina",
    )
    now = datetime.combine(today, time(3), UTC)  # 10:00 in Jakarta
    ctx = engine.Context(member(MELATI, role="ketua"), today, now, reviews=(report,))
    conversation = Chat(ctx)
    pressed = encode_notice(revision_token(Act.RETURN, report.id, report.revision))
    reply = conversation._turn(Incoming("test", "u", choice=pressed))
    assert "Kenapa laporan Posyandu Melati dikembalikan?" in reply.text
    return conversation


def test_a_report_returned_after_the_deadline_is_reopened_for_its_kader() -> None:
    conversation = returning_ketua(date(2026, 11, 4), "2026-10", date(2026, 10, 10))
    reply = conversation.press("Angka tidak masuk akal")
    assert "dikembalikan ke Bu Rina" in reply.text
    assert "Oktober 2026 dibuka untuk Bu Rina sampai 6 Nov 2026" in reply.text
    [grant] = [e for e in conversation.effects if isinstance(e, engine.GrantUnlock)]
    # The same grant as Buka: that unit and month, that kader, until the end of the 6th.
    assert (grant.unit_id, grant.period, grant.member_id, grant.granted_by) == (
        MELATI.id,
        "2026-10",
        KADER_ID,
        7,
    )
    assert grant.expires_at == datetime(2026, 11, 6, 17, tzinfo=UTC)
    [told] = [e for e in conversation.effects if isinstance(e, engine.Notify)]
    assert told.member_id == KADER_ID
    assert "Laporan Oktober 2026 dibuka untuk Anda sampai 6 Nov 2026" in told.text
    assert [label for label, _ in told.choices] == ["Perbaiki"]


def test_a_report_returned_before_the_deadline_needs_no_reopening() -> None:
    conversation = returning_ketua(date(2026, 11, 3), "2026-10", date(2026, 10, 10))
    reply = conversation.say("D tidak sama dengan register")
    assert "dibuka" not in reply.text
    assert not [e for e in conversation.effects if isinstance(e, engine.GrantUnlock)]
    [told] = [e for e in conversation.effects if isinstance(e, engine.Notify)]
    assert "dibuka" not in told.text

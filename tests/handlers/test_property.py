"""Property: whatever is typed or pressed at any prompt, nothing raises and nothing saved
breaks a hard rule of its form."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers import conversation as engine
from handlers.forms import FORMS, FieldKind, balance_sides
from handlers.messages import Incoming
from storage import UnitView
from tests.handlers.test_conversation import CERIA, MELATI, NOW, PPKBD, TODAY, member, unit

BKR = unit(5, "bkr", "BKR Harapan")
BKL = unit(6, "bkl", "BKL Bahagia")
UNITS = (MELATI, CERIA, PPKBD, BKR, BKL)

typed = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-5, max_value=700).map(str),
    st.sampled_from(
        [
            "ya",
            "tidak",
            "lewati",
            "hari ini",
            "kemarin",
            "12/11",
            "31/02",
            "empat puluh lima",
            "spiral 20 susuk 40 suntik 200 pil 150 kondom 31",
            "iud 700",
            "/batal",
            "/lapor",
            "/ubah",
            "/status",
            "simpan",
            "0",
            "1",
            "2",
            "x" * 600,
            "²",
            "posyandu 10/11 S ²",
            "posyandu 10/11 S50 K48 D45 N40 BGM1 bumil6 kader5",
            "posyandu kemarin S5 K9 D7 N9 t2 3 catatan " + "y" * 600,
            "bkb hari ini anggota 5 hadir 9 penyaji kader materi",
            "kb oktober pus 5 spiral 9 baru spiral 12 hamil 1",
            "1" * 30,
            "9" * 5000,
            "empatpuluh lima",
            "l0",
            "4o",
            "10 nov",
            "32/11",
            "3000000000",
            "posyandu 10/11 S3000000000 K1 D1 N1 BGM0 bumil0 kader1",
            "posyandu 10/11 S50 K48 D45 N40 T40 BGM1 bumil6 kader5",
            "kb oktober pus 628 spiral 99999999999999999999",
            "mawar",
            "ubah",
            "/rekap 9999-12",
        ]
    ),
)
# Mostly plausible answers (small numbers, the first button), so that forms get finished and
# saved, mixed with anything at all.
action = st.one_of(
    st.integers(0, 60).map(lambda n: ("say", str(n))),
    st.integers(0, 60).map(lambda n: ("say", str(n))),
    st.just(("press", 0)),
    st.integers(0, 30).map(lambda i: ("press", i)),
    typed.map(lambda t: ("say", t)),
)


def check_saved(report: engine.SaveReport) -> None:
    spec = FORMS[report.form]
    values = report.values
    for field_spec in spec.fields[1:]:
        value = values.get(field_spec.key)
        if value is None:
            assert field_spec.optional, f"{field_spec.key} missing"
            continue
        if field_spec.kind is FieldKind.INT:
            assert isinstance(value, int) and 0 <= value <= (field_spec.maximum or -1)
            limit = values.get(field_spec.at_most) if field_spec.at_most else None
            if isinstance(limit, int):
                assert value <= limit, f"{field_spec.key}={value} > {field_spec.at_most}={limit}"
        else:
            assert isinstance(value, str) and value.strip()
            if field_spec.max_length:
                assert len(value) <= field_spec.max_length
            if field_spec.kind is FieldKind.CHOICE:
                assert value in field_spec.options
    for rule in spec.parts_at_most:
        parts = [v for key in rule.parts if isinstance(v := values.get(key), int)]
        assert sum(parts) <= int(values[rule.total]), f"{rule.parts} > {rule.total}"
    sides = balance_sides(spec, values)
    if spec.balance is not None:
        assert sides is not None and sides[0] == sides[1]
    if report.meeting_date is not None:
        assert (TODAY - report.meeting_date).days <= 40 and report.meeting_date <= TODAY


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(UNITS), st.lists(action, min_size=10, max_size=120))
def test_no_input_breaks_the_engine_or_the_rules(
    chosen: UnitView, actions: list[tuple[str, str | int]]
) -> None:
    ctx = engine.Context(member(chosen), TODAY, NOW)
    state = engine.State()
    outcome = engine.step(ctx, state, Incoming("t", "u", text="/lapor"))
    for kind, payload in actions:
        state = outcome.state
        reply = outcome.replies[-1]
        if kind == "press" and reply.choices:
            choice = reply.choices[int(payload) % len(reply.choices)]
            incoming = Incoming("t", "u", choice=choice.value)
        else:
            incoming = Incoming("t", "u", text=str(payload))
        outcome = engine.step(ctx, state, incoming)
        assert outcome.replies and all(r.text.strip() for r in outcome.replies)
        for effect in outcome.effects:
            assert isinstance(effect, engine.SaveReport | engine.SendRecap)
            if isinstance(effect, engine.SaveReport):
                check_saved(effect)
    assert isinstance(TODAY, date)

"""The conversation engine: a pure function of (context, state, input).

`step` reads a snapshot of what the database knows (`Context`), the user's conversation
`State` and one `Incoming`, and returns the replies, the new state and the effects to apply
(register a member, save a report). It does no I/O, so every channel runs the same bot and
tests need no server.

Buttons carry a token "<prompt>.<value>": `prompt` counts the questions asked, so a button
left over from an earlier question is recognised and answered with the current question.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from handlers import parse, texts
from handlers.forms import (
    FORM_FOR_KIND,
    FORMS,
    MAX_DAYS_BACK,
    METHOD_WORDS,
    FieldKind,
    FieldSpec,
    FormSpec,
    Value,
    balance_sides,
    first_rule_break,
    rule_error,
)
from handlers.meetings import MeetingRuleError, parse_meeting_rule
from handlers.messages import Choice, Incoming, Reply
from handlers.periods import period_of, shift_period
from handlers.quick import parse_quick_report
from storage.views import InviteView, MemberView, ReportView, UnitView

# --- state ------------------------------------------------------------------------------


class Step(StrEnum):
    IDLE = "idle"
    PICK_UNIT = "pick_unit"
    PICK_REPORT = "pick_report"
    ASK = "ask"
    WARN = "warn"
    METHODS_ZERO = "methods_zero"
    DUPLICATE = "duplicate"
    SUMMARY = "summary"
    PICK_FIELD = "pick_field"
    BALANCE = "balance"


class Draft(BaseModel):
    """A report being filled in; nothing of it is stored as a report before Simpan."""

    form: str
    unit_id: int
    answers: dict[str, int | str | None] = Field(default_factory=dict)
    field: str | None = None  # the field being asked
    stop_after: str | None = None  # when revising: back to the summary after this field
    correction_of: int | None = None  # report id when this draft is a correction
    base_revision: int = 0
    duplicate_of: int | None = None
    pending: dict[str, int] = Field(default_factory=dict)  # method list awaiting "missing = 0"
    zero_keys: list[str] = Field(default_factory=list)  # the methods left out: 0 if confirmed
    warned_after: str | None = None  # the field whose warnings await confirmation
    quick: bool = False  # filled from a one-message report: warnings shown in the summary
    # Last month's values of the same unit, kept once the date is known, so that later turns
    # of the form need no reports from the database (see needs_reports).
    previous: dict[str, int | str] | None = None


class QuickPending(BaseModel):
    """A one-message report waiting for the kader to pick which unit it is for."""

    form: str
    when: str
    values: dict[str, int | str]


class CodeTries(BaseModel):
    """The wrong invite codes of one chat, kept across resets: guessing is slowed down."""

    wrong_at: list[datetime] = Field(default_factory=list)  # within the last window
    wait_until: datetime | None = None


class State(BaseModel):
    step: Step = Step.IDLE
    prompt: int = 0
    draft: Draft | None = None
    quick: QuickPending | None = None
    code_tries: CodeTries = Field(default_factory=CodeTries)


# --- context and effects ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Context:
    """What the database knows that this turn may need. `today` is in the member's zone."""

    member: MemberView | None
    today: date
    now: datetime
    reports: tuple[ReportView, ...] = ()
    invite: InviteView | None = None
    deadline_day: int = 3


@dataclass(frozen=True, slots=True)
class RegisterMember:
    invite_id: int
    name: str


@dataclass(frozen=True, slots=True)
class AddUnit:
    invite_id: int
    member_id: int


@dataclass(frozen=True, slots=True)
class SaveReport:
    unit_id: int
    form: str
    slot: str  # what makes the report unique in its unit: the month, or the meeting date
    period: str
    meeting_date: date | None
    values: dict[str, int | str]
    revision: int
    correction_of: int | None


@dataclass(frozen=True, slots=True)
class SendRecap:
    """Show the recap of `period`: the kampung (ketua), the district (PLKB) or own units."""

    period: str
    scope: str  # kampung | district | units


@dataclass(frozen=True, slots=True)
class SetReminders:
    member_id: int
    on: bool


@dataclass(frozen=True, slots=True)
class CodeGuessing:
    """Too many wrong invite codes: the chat waits until `until` (for the operator log)."""

    wrong: int
    until: datetime


Effect = RegisterMember | AddUnit | SaveReport | SendRecap | SetReminders | CodeGuessing


@dataclass(frozen=True, slots=True)
class Outcome:
    replies: tuple[Reply, ...]
    state: State
    effects: tuple[Effect, ...] = ()


_STEPS_READING_REPORTS = (Step.IDLE, Step.PICK_UNIT, Step.PICK_REPORT, Step.DUPLICATE)


def needs_reports(state: State, incoming: Incoming) -> bool:
    """Whether this turn reads the member's recent reports (Context.reports).

    Most turns of a form do not: duplicates are checked, and last month's values kept,
    when the date is answered. Loading them only when read saves two queries a turn.
    """
    if state.step in _STEPS_READING_REPORTS or state.draft is None:
        return True
    if incoming.choice is None and parse.parse_command(incoming.text) is not None:
        return True  # /status, /ubah, /rekap ... at any step
    draft = state.draft
    return state.step is Step.ASK and draft.field == FORMS[draft.form].fields[0].key


def step(ctx: Context, state: State, incoming: Incoming) -> Outcome:
    if incoming.other is not None:
        return _not_text(ctx, state)
    turn = _Turn(ctx, state.model_copy(deep=True))
    turn.run(incoming)
    return turn.outcome()


def _not_text(ctx: Context, state: State) -> Outcome:
    """A photo, a sticker, a location...: ask for text, and the same question again.

    The state is returned as it was (the prompt count too), so the buttons already shown
    still work and nothing of an open form changes.
    """
    if ctx.member is None:
        return Outcome((Reply(texts.NOT_A_TEXT),), state)
    prompt = _render(ctx, state)
    body = f"{texts.NOT_A_TEXT}\n\n{prompt.text}"
    return Outcome((Reply(body, prompt.choices, prompt.free_text),), state)


def _minutes_until(ctx: Context, until: datetime) -> int:
    return max(1, math.ceil((until - ctx.now).total_seconds() / 60))


# --- periods ----------------------------------------------------------------------------


# --- the turn ---------------------------------------------------------------------------

_METHOD_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(word) for word, _ in METHOD_WORDS) + r")\b"
)
_METHOD_OF_WORD = dict(METHOD_WORDS)
# After this many wrong invite codes within the window, a chat waits one window.
WRONG_CODES_ALLOWED = 5
WRONG_CODE_WINDOW = timedelta(minutes=15)
_LIST_FILLER = {"dan", "orang", "org", "peserta", "akseptor", "pa", "pb", "kb", "metode"}
_MENU_VALUES = ("lapor", "status", "ubah", "bantuan")
_GREETINGS = frozenset(
    {"halo", "hallo", "hai", "hi", "assalamualaikum", "selamat pagi", "selamat siang",
     "selamat sore", "selamat malam", "pagi", "siang", "sore", "malam", "p"}
)  # fmt: skip


@dataclass
class _Turn:
    ctx: Context
    state: State
    notes: list[str] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    show_prompt: bool = True

    # -- entry -------------------------------------------------------------------------

    def run(self, incoming: Incoming) -> None:
        text = incoming.text.strip()
        if incoming.choice is None:
            code = parse.registration_code(text)
            if code is not None:
                self._register(code, incoming)
                return
            command = parse.parse_command(text)
        else:
            command = None
        if self.ctx.member is None:
            self.notes.append(texts.UNREGISTERED)
            self._reset()
            self.show_prompt = False
            return
        offered = _render(self.ctx, self.state)
        slashed = incoming.choice is None and text.startswith("/")
        # A plain word that names a button on screen ("ubah" at the summary) is that button;
        # with a slash it is the command.
        if command is not None and (slashed or _typed_choice(offered, text) is None):
            self._command(command.name, command.argument)
            return
        if slashed:
            self.notes.append(texts.UNKNOWN_COMMAND.format(command=texts.typed(text.split()[0])))
            return
        value = self._resolve_choice(incoming, text, offered)
        if isinstance(value, _Unresolved):
            self.notes.append(value.note)
            return
        if value is not None and value.startswith("cmd:"):
            self._command(value.removeprefix("cmd:"))
            return
        handler = getattr(self, f"_on_{self.state.step.value}")
        handler(text, value)

    def outcome(self) -> Outcome:
        self.state.prompt += 1
        replies: list[Reply] = []
        if self.show_prompt:
            prompt = _render(self.ctx, self.state)
            body = "\n\n".join([*self.notes, prompt.text])
            replies.append(Reply(body, prompt.choices, prompt.free_text))
        elif self.notes:
            replies.append(Reply("\n\n".join(self.notes)))
        return Outcome(tuple(replies), self.state, tuple(self.effects))

    def _resolve_choice(
        self, incoming: Incoming, text: str, offered: Reply
    ) -> str | _Unresolved | None:
        """The value of the button pressed, or typed: its label, its number, or a word that
        names only one of the buttons ("mawar", "simpan")."""
        if incoming.choice is not None:
            if incoming.choice not in {choice.value for choice in offered.choices}:
                return _Unresolved(texts.STALE_BUTTON)
            return incoming.choice.split(".", 1)[1]
        found = _typed_choice(offered, text)
        if isinstance(found, tuple):
            labels = ", ".join(choice.label for choice in found)
            return _Unresolved(
                texts.CHOICE_AMBIGUOUS.format(typed=texts.typed(text), options=labels)
            )
        return None if found is None else found.value.split(".", 1)[1]

    # -- registration and commands -----------------------------------------------------

    def _register(self, code: str, incoming: Incoming) -> None:
        invite, member = self.ctx.invite, self.ctx.member
        wait_until = self.state.code_tries.wait_until
        if wait_until is not None and self.ctx.now < wait_until:
            self.notes.append(
                texts.INVITE_WAIT.format(minutes=_minutes_until(self.ctx, wait_until))
            )
        elif invite is None or invite.code != code:
            self.notes.append(texts.INVITE_UNKNOWN.format(code=code))
            self._wrong_code()
        elif invite.used:
            self.notes.append(texts.INVITE_USED.format(code=code))
            self._wrong_code()
        elif invite.expires_at <= self.ctx.now:
            self.notes.append(texts.INVITE_EXPIRED.format(code=code))
            self._wrong_code()
        elif member is None:
            name = incoming.display_name or incoming.user_key
            self.effects.append(RegisterMember(invite.id, name))
            role = texts.ROLE_NAMES[invite.role]
            place = f"{invite.unit_name}, {invite.place}" if invite.unit_name else invite.place
            self.notes.append(texts.WELCOME.format(name=name, role=role, place=place))
            self.notes.append(texts.HELP[invite.role])
            self._reset()
            return
        elif (
            invite.role == member.role == "kader"
            and invite.kampung_id == member.kampung_id
            and invite.unit_id is not None
            and invite.unit_id not in {unit.id for unit in member.units}
        ):
            self.effects.append(AddUnit(invite.id, member.id))
            units = [unit.name for unit in member.units] + [invite.unit_name or ""]
            self.notes.append(
                texts.UNIT_ADDED.format(unit=invite.unit_name, units=", ".join(units))
            )
        elif invite.role == member.role and invite.place == member.place:
            self.notes.append(self._already_registered(member))
        else:
            self.notes.append(
                texts.INVITE_OTHER_PLACE.format(
                    role=texts.ROLE_NAMES[member.role], place=member.place
                )
            )
        if self.ctx.member is None:
            self.show_prompt = False

    def _wrong_code(self) -> None:
        """Count a wrong code; the one that makes too many within the window starts a wait."""
        now = self.ctx.now
        recent = [t for t in self.state.code_tries.wrong_at if now - t < WRONG_CODE_WINDOW]
        recent.append(now)
        if len(recent) < WRONG_CODES_ALLOWED:
            self.state.code_tries = CodeTries(wrong_at=recent)
            return
        until = now + WRONG_CODE_WINDOW
        self.state.code_tries = CodeTries(wait_until=until)
        self.notes.append(texts.INVITE_WAIT.format(minutes=_minutes_until(self.ctx, until)))
        self.effects.append(CodeGuessing(len(recent), until))

    @staticmethod
    def _already_registered(member: MemberView) -> str:
        return texts.ALREADY_REGISTERED.format(
            role=texts.ROLE_NAMES[member.role], place=member.place
        )

    def _command(self, name: str, argument: str = "") -> None:
        member = self.ctx.member
        assert member is not None
        busy = self.state.draft is not None
        if name == "rekap":
            self._recap(member, argument)
        elif name == "pengingat":
            self._reminders(member, argument)
        elif name == "batal":
            self.notes.append(
                texts.CANCELLED if self.state.step is not Step.IDLE else texts.NOTHING_TO_CANCEL
            )
            self._reset()
        elif name == "bantuan":
            self.notes.append(texts.HELP[member.role])
        elif name == "status":
            self.notes.append(status_text(self.ctx))
        elif name == "start":
            self.notes.append(self._already_registered(member))
        elif name == "menu":
            if not busy:
                self._reset()
        elif busy:
            self._busy_note()
        elif name == "lapor":
            self._lapor(member)
        elif name == "ubah":
            if self._correctable_reports():
                self.state.step = Step.PICK_REPORT
            else:
                self.notes.append(texts.NO_REPORTS)
                self._reset()

    def _recap(self, member: MemberView, argument: str) -> None:
        period = (
            parse.parse_month(argument, self.ctx.today) if argument else period_of(self.ctx.today)
        )
        if period is None:
            self.notes.append(texts.RECAP_BAD_MONTH)
            return
        scope = {"ketua": "kampung", "plkb": "district"}.get(member.role, "units")
        self.effects.append(SendRecap(period, scope))

    def _reminders(self, member: MemberView, argument: str) -> None:
        wanted = parse.normalise(argument)
        on = {"on": True, "nyala": True, "hidup": True, "off": False, "mati": False}.get(wanted)
        if on is None:
            self.notes.append(texts.REMINDERS_USAGE)
            return
        self.effects.append(SetReminders(member.id, on))
        self.notes.append(texts.REMINDERS_ON if on else texts.REMINDERS_OFF)

    def _busy_note(self) -> None:
        draft = self.state.draft
        assert draft is not None
        title = report_title(draft.form, self._unit(draft.unit_id).name)
        self.notes.append(texts.BUSY_WITH_FORM.format(title=title))

    def _lapor(self, member: MemberView) -> None:
        if member.role == "plkb":
            self.notes.append(texts.PLKB_NO_FORMS)
            return
        units = _reportable_units(member)
        if not units:
            self.notes.append(texts.NO_UNITS)
        elif len(units) == 1:
            self._start_form(units[0])
        else:
            self.state.step = Step.PICK_UNIT

    def _reset(self) -> None:
        self.state = State(prompt=self.state.prompt, code_tries=self.state.code_tries)

    # -- helpers -----------------------------------------------------------------------

    def _unit(self, unit_id: int) -> UnitView:
        return _member_unit(self.ctx, unit_id)

    @property
    def _draft(self) -> Draft:
        assert self.state.draft is not None
        return self.state.draft

    @property
    def _spec(self) -> FormSpec:
        return FORMS[self._draft.form]

    def _correctable_reports(self) -> list[ReportView]:
        return correctable_reports(self.ctx)

    def _start_form(self, unit: UnitView) -> None:
        form = FORM_FOR_KIND[unit.kind]  # only units with a form are offered
        spec = FORMS[form]
        self.notes.append(texts.FORM_START.format(title=report_title(form, unit.name)))
        self.state.draft = Draft(form=form, unit_id=unit.id, field=spec.fields[0].key)
        self.state.step = Step.ASK

    def _ask(self, key: str, stop_after: str | None = None) -> None:
        self._draft.field = key
        self._draft.stop_after = stop_after
        self.state.step = Step.ASK

    # -- steps -------------------------------------------------------------------------

    def _on_idle(self, text: str, value: str | None) -> None:
        if value is not None or not text:
            return
        parsed = parse_quick_report(text)
        if isinstance(parsed, str):
            self.notes.append(parsed)
        elif parsed is not None:
            self._quick(QuickPending(form=parsed.form, when=parsed.when, values=parsed.values))
        elif parse.normalise(text).strip(" !.,") in _GREETINGS:
            assert self.ctx.member is not None
            self.notes.append(texts.GREETING.format(name=self.ctx.member.name))
        else:
            self.notes.append(texts.NOT_UNDERSTOOD.format(typed=texts.typed(text)))

    def _quick(self, quick: QuickPending) -> None:
        member = self.ctx.member
        assert member is not None
        if member.role == "plkb":
            self.notes.append(texts.PLKB_NO_FORMS)
            return
        units = [u for u in _reportable_units(member) if FORM_FOR_KIND[u.kind] == quick.form]
        if not units:
            self.notes.append(texts.QUICK_NO_UNIT.format(form=texts.FORM_NAMES[quick.form]))
        elif len(units) == 1:
            self._apply_quick(units[0], quick)
        else:
            self.state.quick = quick
            self.state.step = Step.PICK_UNIT

    def _apply_quick(self, unit: UnitView, quick: QuickPending) -> None:
        self.state.quick = None
        self._start_form(unit)
        draft, spec = self._draft, self._spec
        draft.quick = True
        known = {f.key for f in spec.fields}
        for key, value in quick.values.items():
            field_spec = spec.field(key) if key in known else None
            if field_spec is None:
                self.notes.append(texts.QUICK_NOT_IN_FORM.format(key=key))
            elif (
                isinstance(value, str)
                and field_spec.max_length
                and len(value) > field_spec.max_length
            ):
                self.notes.append(
                    texts.TOO_LONG.format(length=len(value), limit=field_spec.max_length)
                )
            elif isinstance(value, str) and not value.strip():
                continue
            else:
                draft.answers[key] = value
        for field_spec in spec.fields:  # left out of one line on purpose: skipped, not asked
            if field_spec.optional:
                draft.answers.setdefault(field_spec.key, None)
        first = spec.fields[0].key
        draft.stop_after = first  # once the date is in, on to what is missing, then the summary
        if quick.when:
            self._on_ask(quick.when, None)

    def _on_pick_unit(self, text: str, value: str | None) -> None:
        assert self.ctx.member is not None
        if value is None or not value.startswith("u"):
            self.notes.append(texts.BAD_CHOICE)
            return
        unit = self._unit(int(value[1:]))
        if self.state.quick is not None:
            self._apply_quick(unit, self.state.quick)
        else:
            self._start_form(unit)

    def _on_pick_report(self, text: str, value: str | None) -> None:
        if value is None or not value.startswith("r"):
            self.notes.append(texts.BAD_CHOICE)
            return
        report = next(r for r in self.ctx.reports if r.id == int(value[1:]))
        self.state.draft = _draft_from_report(report)
        self.state.draft.previous = _previous_from_reports(self.ctx, self.state.draft) or {}
        self._to_summary()

    def _on_ask(self, text: str, value: str | None) -> None:
        spec = self._spec.field(self._draft.field or "")
        if spec.optional and (value == "skip" or (value is None and parse.is_skip(text))):
            self._draft.answers[spec.key] = None
            self._after_answer([spec.key])
            return
        if spec.kind is FieldKind.INT:
            self._answer_int(spec, text)
        elif spec.kind is FieldKind.DATE:
            self._answer_date(spec, text, value)
        elif spec.kind is FieldKind.PERIOD:
            self._answer_period(spec, text, value)
        elif spec.kind is FieldKind.TEXT:
            self._answer_text(spec, text, value)
        else:
            self._answer_choice(spec, value)

    def _answer_int(self, spec: FieldSpec, text: str) -> None:
        if spec.group is not None and _METHOD_PATTERN.search(parse.normalise(text)):
            self._answer_method_list(spec.group, text)
            return
        number = parse.read_count(text)
        if isinstance(number, parse.NumberProblem):
            self.notes.append(texts.NUMBER_PROBLEMS[number].format(typed=texts.typed(text)))
            return
        error = rule_error(self._spec, self._draft.answers, spec.key, number)
        if error:
            self.notes.append(error)
            return
        self._draft.answers[spec.key] = number
        self._after_answer([spec.key])

    def _answer_date(self, spec: FieldSpec, text: str, value: str | None) -> None:
        today = self.ctx.today
        if value == "today":
            day: date | None = today
        elif value == "yesterday":
            day = today - timedelta(days=1)
        else:
            read = parse.read_date(text, today)
            if read is parse.DateProblem.IMPOSSIBLE:
                self.notes.append(texts.DATE_IMPOSSIBLE.format(typed=texts.typed(text)))
                return
            day = None if isinstance(read, parse.DateProblem) else read
        if day is None:
            self.notes.append(texts.BAD_DATE)
            return
        if day > today:
            self.notes.append(texts.DATE_FUTURE.format(date=texts.short_date(day)))
            return
        if (today - day).days > MAX_DAYS_BACK:
            self.notes.append(
                texts.DATE_TOO_OLD.format(date=texts.short_date(day), days=MAX_DAYS_BACK)
            )
            return
        self._draft.answers[spec.key] = day.isoformat()
        self._after_answer([spec.key])

    def _answer_period(self, spec: FieldSpec, text: str, value: str | None) -> None:
        allowed = _kb_periods(self.ctx.today)
        period = value[1:] if value and value.startswith("p") else None
        if period is None:
            period = parse.parse_month(text, self.ctx.today)
        if period not in allowed:
            self.notes.append(texts.BAD_CHOICE)
            return
        self._draft.answers[spec.key] = period
        self._after_answer([spec.key])

    def _answer_text(self, spec: FieldSpec, text: str, value: str | None) -> None:
        answer = spec.options[int(value[1:])] if value and value.startswith("o") else text
        answer = " ".join(answer.split())
        if not answer:
            self.notes.append(texts.BAD_TEXT_EMPTY)
            return
        if spec.max_length is not None and len(answer) > spec.max_length:
            self.notes.append(texts.TOO_LONG.format(length=len(answer), limit=spec.max_length))
            return
        self._draft.answers[spec.key] = answer
        self._after_answer([spec.key])

    def _answer_choice(self, spec: FieldSpec, value: str | None) -> None:
        if value is None or not value.startswith("o"):
            self.notes.append(texts.BAD_CHOICE)
            return
        self._draft.answers[spec.key] = spec.options[int(value[1:])]
        self._after_answer([spec.key])

    def _answer_method_list(self, group: str, text: str) -> None:
        parsed = parse_method_list(text)
        if isinstance(parsed, str):
            self.notes.append(parsed)
            return
        form = self._spec
        values = {f"{group}_{method}": number for method, number in parsed.items()}
        trial = {**self._draft.answers, **values}
        for key, number in values.items():
            error = rule_error(form, trial, key, number)
            if error:
                self.notes.append(error)
                return
        missing = _unanswered(form.group_fields(group), {**self._draft.answers, **values})
        if missing:
            self._draft.pending = values
            self._draft.zero_keys = [f.key for f in missing]
            self.state.step = Step.METHODS_ZERO
            return
        self._draft.answers.update(values)
        self._after_answer(list(values))

    def _after_answer(self, keys: Sequence[str]) -> None:
        draft, spec = self._draft, self._spec
        if keys[0] == spec.fields[0].key:
            draft.previous = _previous_from_reports(self.ctx, draft) or {}
            duplicate = self._find_duplicate()
            if duplicate is not None:
                draft.duplicate_of = duplicate.id
                self.state.step = Step.DUPLICATE
                return
        ordered = sorted(keys, key=spec.index)
        if _warnings(self.ctx, draft, ordered):
            draft.warned_after = ordered[-1]
            self.state.step = Step.WARN
            return
        self._advance(ordered[-1])

    def _advance(self, after: str) -> None:
        draft, spec = self._draft, self._spec
        position = spec.index(after)
        if draft.stop_after is not None and position >= spec.index(draft.stop_after):
            self._to_summary()
            return
        if position + 1 < len(spec.fields):
            self._ask(spec.fields[position + 1].key, draft.stop_after)
        else:
            self._to_summary()

    def _to_summary(self) -> None:
        draft, spec = self._draft, self._spec
        draft.stop_after = None
        draft.pending = {}
        problem = first_rule_break(spec, draft.answers)
        left_out = _methods_left_out(spec, draft.answers)
        if draft.quick and left_out and problem is not None and not problem[1]:
            # A one-message report names the methods it has; the rest are 0 once confirmed,
            # in one question rather than one question each.
            draft.zero_keys = left_out
            self.state.step = Step.METHODS_ZERO
            return
        if problem is not None:
            key, message = problem
            if message:
                self.notes.append(message)
                # A refused value is no answer: the re-ask must not offer it as the old one.
                del draft.answers[key]
            self._ask(key, stop_after=key)
            return
        if _unbalanced(spec, draft.answers):
            self.state.step = Step.BALANCE
            return
        self.state.step = Step.SUMMARY

    def _find_duplicate(self) -> ReportView | None:
        draft = self._draft
        period, meeting = _period_and_meeting(self._spec, draft.answers)
        for report in self.ctx.reports:
            if report.unit_id != draft.unit_id or report.form != draft.form:
                continue
            if report.id == draft.correction_of:
                continue
            same = report.meeting_date == meeting if self._spec.per_meeting else True
            if report.period == period and same:
                return report
        return None

    def _on_warn(self, text: str, value: str | None) -> None:
        answer = _yes_no(text, value)
        draft, spec = self._draft, self._spec
        warned = draft.warned_after or ""
        if answer is True:
            draft.warned_after = None
            self._advance(warned)
        elif answer is False:
            group = spec.field(warned).group
            first = spec.group_fields(group)[0].key if group else warned
            draft.warned_after = None
            self._ask(first, draft.stop_after)
        else:
            self.notes.append(texts.BAD_CHOICE)

    def _on_methods_zero(self, text: str, value: str | None) -> None:
        answer = _yes_no(text, value)
        draft, spec = self._draft, self._spec
        first_missing = draft.zero_keys[0]
        if answer is True:
            values = {**draft.pending, **dict.fromkeys(draft.zero_keys, 0)}
            draft.answers.update(values)
            draft.pending, draft.zero_keys = {}, []
            if draft.quick:
                draft.stop_after = spec.fields[0].key  # then on to what is still missing
            self._after_answer(list(values))
        elif answer is False:
            draft.pending, draft.zero_keys = {}, []
            if draft.quick:  # ask what is missing, then back to the summary
                self._ask(first_missing, stop_after=first_missing)
            else:
                group = spec.field(first_missing).group or ""
                self._ask(spec.group_fields(group)[0].key, draft.stop_after)
        else:
            self.notes.append(texts.BAD_CHOICE)

    def _on_duplicate(self, text: str, value: str | None) -> None:
        answer = _yes_no(text, value)
        draft = self._draft
        if answer is True:
            report = next(r for r in self.ctx.reports if r.id == draft.duplicate_of)
            corrected = _draft_from_report(report)
            corrected.answers.update(draft.answers)  # what was just typed wins
            corrected.quick = draft.quick
            corrected.previous = draft.previous
            self.state.draft = corrected
            self._to_summary()
        elif answer is False:
            self.notes.append(texts.CANCELLED)
            self._reset()
        else:
            self.notes.append(texts.BAD_CHOICE)

    def _on_summary(self, text: str, value: str | None) -> None:
        if value == "save":
            self._save()
        elif value == "edit":
            self.state.step = Step.PICK_FIELD
        elif value == "cancel":
            self.notes.append(texts.CANCELLED)
            self._reset()
        else:
            self.notes.append(texts.BAD_CHOICE)

    def _save(self) -> None:
        draft, spec = self._draft, self._spec
        period, meeting = _period_and_meeting(spec, draft.answers)
        first = spec.fields[0].key
        values = {
            key: value for key, value in draft.answers.items() if value is not None and key != first
        }
        revision = draft.base_revision + 1 if draft.correction_of is not None else 1
        self.effects.append(
            SaveReport(
                unit_id=draft.unit_id,
                form=draft.form,
                slot=meeting.isoformat() if spec.per_meeting and meeting else period,
                period=period,
                meeting_date=meeting,
                values=values,
                revision=revision,
                correction_of=draft.correction_of,
            )
        )
        self.notes.append(
            texts.SAVED.format(
                title=report_title(draft.form, self._unit(draft.unit_id).name),
                when=_when(spec, draft.answers),
                revision=revision,
            )
        )
        self._reset()

    def _on_pick_field(self, text: str, value: str | None) -> None:
        if value == "back":
            self.state.step = Step.SUMMARY
        elif value is not None and value.startswith("f:"):
            key = value[2:]
            self._ask(key, stop_after=key)
        else:
            self.notes.append(texts.BAD_CHOICE)

    def _on_balance(self, text: str, value: str | None) -> None:
        spec = self._spec
        if value is not None and value.startswith("g:"):
            group = spec.group_fields(value[2:])
            self._ask(group[0].key, stop_after=group[-1].key)
        elif value is not None and value.startswith("f:"):
            self._ask(value[2:], stop_after=value[2:])
        else:
            self.notes.append(texts.BAD_CHOICE)


@dataclass(frozen=True, slots=True)
class _Unresolved:
    """A press or typed choice that selects nothing; `note` says why (an old button, or a
    word that names several buttons)."""

    note: str


def _label_words(text: str) -> list[str]:
    return re.sub(r"[^\w]+", " ", parse.normalise(text)).split()


def _typed_choice(offered: Reply, text: str) -> Choice | tuple[Choice, ...] | None:
    """The button a typed text names: its label in any case, its number (where the prompt
    takes no free text), or words found in one label only. Several: all of them."""
    choices = offered.choices
    wanted = _label_words(re.sub(r"^\s*\d+\s*[.)]\s+", "", text))  # "2. Mawar" as listed
    if not wanted:
        return None
    for choice in choices:
        if _label_words(choice.label) == wanted:
            return choice
    if offered.free_text:
        return None  # a typed answer: "gizi" at the materi prompt is not a suggestion
    number = parse.normalise(text).rstrip(".")
    if parse.is_plain_number(number) and len(number) <= 3 and 1 <= int(number) <= len(choices):
        return choices[int(number) - 1]
    named = tuple(c for c in choices if set(wanted) <= set(_label_words(c.label)))
    if len(named) == 1:
        return named[0]
    return named or None


# --- pure helpers -----------------------------------------------------------------------


def report_title(form: str, unit_name: str) -> str:
    """ "Posyandu Melati", or "KB – PPKBD Sukamaju" when the unit name does not say the form."""
    form_name = texts.FORM_NAMES[form]
    if unit_name.lower().startswith(form_name.lower()):
        return unit_name
    return f"{form_name} – {unit_name}"


def _unanswered(fields: Sequence[FieldSpec], answers: dict[str, Value]) -> list[FieldSpec]:
    return [f for f in fields if f.key not in answers]


def _methods_left_out(spec: FormSpec, answers: dict[str, Value]) -> list[str]:
    """The unanswered fields of the form's method lists (KB: PA and PB per method)."""
    groups = dict.fromkeys(f.group for f in spec.fields if f.group)
    return [f.key for g in groups if g for f in _unanswered(spec.group_fields(g), answers)]


def _reportable_units(member: MemberView) -> list[UnitView]:
    return [unit for unit in member.units if unit.kind in FORM_FOR_KIND]


def correctable_reports(ctx: Context) -> list[ReportView]:
    """The member's reports of this month and last, newest period first."""
    this_month = period_of(ctx.today)
    periods = {this_month, shift_period(this_month, -1)}
    member = ctx.member
    unit_ids = {unit.id for unit in member.units} if member else set()
    found = [r for r in ctx.reports if r.period in periods and r.unit_id in unit_ids]
    return sorted(found, key=lambda r: (r.period, r.meeting_date or date.min), reverse=True)


def _draft_from_report(report: ReportView) -> Draft:
    spec = FORMS[report.form]
    first = spec.fields[0].key
    answers: dict[str, int | str | None] = {f.key: None for f in spec.fields if f.optional}
    answers.update(report.values)
    answers[first] = (
        report.meeting_date.isoformat() if report.meeting_date and spec.dated else report.period
    )
    return Draft(
        form=report.form,
        unit_id=report.unit_id,
        answers=answers,
        correction_of=report.id,
        base_revision=report.revision,
    )


def _period_and_meeting(spec: FormSpec, answers: dict[str, Value]) -> tuple[str, date | None]:
    first = answers[spec.fields[0].key]
    assert isinstance(first, str)
    if spec.dated:
        day = date.fromisoformat(first)
        return period_of(day), day
    return first, None


def _when(spec: FormSpec, answers: dict[str, Value]) -> str:
    period, meeting = _period_and_meeting(spec, answers)
    return texts.short_date(meeting) if meeting else texts.month_name(period)


def _kb_periods(today: date) -> tuple[str, str]:
    this_month = period_of(today)
    return shift_period(this_month, -1), this_month


def _unbalanced(spec: FormSpec, answers: dict[str, Value]) -> bool:
    sides = balance_sides(spec, answers)
    return sides is not None and sides[0] != sides[1]


def _previous_values(ctx: Context, draft: Draft) -> dict[str, int | str] | None:
    """Last month's values for the change warnings: kept in the draft, else looked up."""
    if draft.previous is not None:
        return draft.previous
    return _previous_from_reports(ctx, draft)


def _previous_from_reports(ctx: Context, draft: Draft) -> dict[str, int | str] | None:
    """The same unit's report of the month before the draft's (its last meeting)."""
    spec = FORMS[draft.form]
    if spec.fields[0].key not in draft.answers:
        return None
    period, _ = _period_and_meeting(spec, draft.answers)
    before = shift_period(period, -1)
    candidates = [
        r
        for r in ctx.reports
        if r.unit_id == draft.unit_id and r.form == draft.form and r.period == before
    ]
    if not candidates:
        return None
    latest = max(candidates, key=lambda r: r.meeting_date or date.min)
    return dict(latest.values)


def _change_warning(key: str, value: int, previous: int) -> str | None:
    change = abs(value - previous)
    if change <= 5 or change <= previous * 0.5:
        return None
    percent = f"{(value - previous) / previous * 100:+.0f}%" if previous else "dari 0"
    return texts.WARN_CHANGE.format(
        label=texts.field_label(key), value=value, previous=previous, percent=percent
    )


def _warnings(ctx: Context, draft: Draft, keys: Sequence[str]) -> list[str]:
    spec = FORMS[draft.form]
    found = [
        message
        for rule in spec.warnings
        if rule.after in keys and (message := rule.check(draft.answers)) is not None
    ]
    profile = _member_unit(ctx, draft.unit_id).profile
    for key in keys:
        value, field_spec = draft.answers.get(key), spec.field(key)
        limit = profile.get(field_spec.profile or "", 0)
        if isinstance(value, int) and limit and value > limit:
            found.append(
                texts.WARN_PROFILE.format(
                    label=texts.field_label(key),
                    value=value,
                    profile=texts.PROFILE_NAMES[field_spec.profile or ""],
                    limit=limit,
                )
            )
    previous = _previous_values(ctx, draft) or {}
    for key in keys:
        value, before = draft.answers.get(key), previous.get(key)
        if isinstance(value, int) and isinstance(before, int):
            message = _change_warning(key, value, before)
            if message:
                found.append(message)
    return found


def _yes_no(text: str, value: str | None) -> bool | None:
    if value in ("yes", "no"):
        return value == "yes"
    return parse.parse_yes_no(text) if text else None


def parse_method_list(text: str) -> dict[str, int] | str:
    """ "spiral 20 susuk 40 suntik 200" -> {"iud": 20, "implan": 40, "suntik": 200}.

    Returns the message to show when the list cannot be read.
    """
    marked = _METHOD_PATTERN.sub(lambda m: f" #{_METHOD_OF_WORD[m[1]]} ", parse.normalise(text))
    tokens = [t.strip(",;:=") for t in marked.split()]
    tokens = [t for t in tokens if t and t not in _LIST_FILLER]
    found: dict[str, int] = {}
    method: str | None = None
    number: int | None = None
    position = 0
    while position < len(tokens):
        token = tokens[position]
        position += 1
        if token.startswith("#"):
            if method is not None:
                return texts.BAD_NUMBER
            method = token[1:]
        else:
            # A number is digits, or a run of number words ("empat puluh").
            words = [token]
            while (
                not token[0].isdigit()
                and position < len(tokens)
                and parse.is_number_word(tokens[position])
            ):
                words.append(tokens[position])
                position += 1
            parsed = parse.read_count(" ".join(words))
            if parsed is parse.NumberProblem.UNREADABLE:
                return texts.METHOD_LIST_UNKNOWN.format(word=texts.typed(token))
            if isinstance(parsed, parse.NumberProblem):
                return texts.NUMBER_PROBLEMS[parsed].format(typed=texts.typed(" ".join(words)))
            if number is not None:
                return texts.BAD_NUMBER
            number = parsed
        if method is not None and number is not None:
            if method in found:
                return texts.METHOD_LIST_TWICE.format(method=texts.METHOD_NAMES[method])
            found[method] = number
            method, number = None, None
    if method is not None or number is not None or not found:
        return texts.BAD_NUMBER
    return found


# --- rendering the current question -----------------------------------------------------


def _token(state: State, value: str) -> str:
    return f"{state.prompt}.{value}"


def _choices(state: State, pairs: Sequence[tuple[str, str]]) -> tuple[Choice, ...]:
    return tuple(Choice(label, _token(state, value)) for label, value in pairs)


def pending_prompt(ctx: Context, state: State) -> Reply | None:
    """The question a member left open, to show again when a channel starts without the
    chat's history (the terminal); None when nothing is open. Changes no state."""
    if ctx.member is None or state.step is Step.IDLE:
        return None
    prompt = _render(ctx, state)
    if state.draft is None:
        return prompt
    title = report_title(state.draft.form, _unit_name(ctx, state.draft.unit_id))
    text = texts.BUSY_WITH_FORM.format(title=title) + "\n\n" + prompt.text
    return Reply(text, prompt.choices, prompt.free_text)


def _render(ctx: Context, state: State) -> Reply:
    """The question the user is at, with its buttons (tokens for the current prompt)."""
    renderer = _RENDERERS[state.step]
    return renderer(ctx, state)


def _render_idle(ctx: Context, state: State) -> Reply:
    labels = (texts.MENU_LAPOR, texts.MENU_STATUS, texts.MENU_UBAH, texts.MENU_BANTUAN)
    pairs = [(label, f"cmd:{value}") for label, value in zip(labels, _MENU_VALUES, strict=True)]
    if ctx.member is not None and ctx.member.role == "plkb":
        pairs = [pairs[1], pairs[3]]
    return Reply(texts.MENU, _choices(state, pairs))


def _render_pick_unit(ctx: Context, state: State) -> Reply:
    assert ctx.member is not None
    units = _reportable_units(ctx.member)
    if state.quick is not None:
        units = [u for u in units if FORM_FOR_KIND[u.kind] == state.quick.form]
    return Reply(texts.PICK_UNIT, _choices(state, [(u.name, f"u{u.id}") for u in units]))


def _member_unit(ctx: Context, unit_id: int) -> UnitView:
    assert ctx.member is not None
    for unit in ctx.member.units:
        if unit.id == unit_id:
            return unit
    raise KeyError(unit_id)


def _unit_name(ctx: Context, unit_id: int) -> str:
    return _member_unit(ctx, unit_id).name


def _report_when(report: ReportView) -> str:
    """A meeting's date, or the month of a monthly report."""
    if FORMS[report.form].per_meeting and report.meeting_date:
        return texts.short_date(report.meeting_date)
    return texts.month_name(report.period)


def _render_pick_report(ctx: Context, state: State) -> Reply:
    pairs = []
    for report in correctable_reports(ctx):
        label = f"{_unit_name(ctx, report.unit_id)} – {_report_when(report)}"
        pairs.append((label, f"r{report.id}"))
    return Reply(texts.PICK_REPORT, _choices(state, pairs))


def _prompt_text(spec: FormSpec, field_spec: FieldSpec) -> str:
    template = texts.FIELD_PROMPTS[field_spec.prompt_key]
    if field_spec.method is not None:
        question = template.format(method=texts.METHOD_NAMES[field_spec.method])
        if field_spec.key == spec.group_fields(field_spec.group or "")[0].key:
            question += texts.METHOD_LIST_HINT
    else:
        question = template
    progress = texts.PROGRESS.format(index=spec.index(field_spec.key) + 1, total=len(spec.fields))
    return progress + question


def _render_ask(ctx: Context, state: State) -> Reply:
    draft = state.draft
    assert draft is not None and draft.field is not None
    spec = FORMS[draft.form]
    field_spec = spec.field(draft.field)
    text = _prompt_text(spec, field_spec)
    if draft.stop_after is not None and field_spec.key in draft.answers:
        previous = _display(spec, field_spec.key, draft.answers[field_spec.key])
        text += "\n" + texts.CURRENT_ANSWER.format(value=previous)
    pairs: list[tuple[str, str]] = []
    free_text = True
    if field_spec.kind is FieldKind.DATE:
        pairs = [(texts.TODAY, "today"), (texts.YESTERDAY, "yesterday")]
    elif field_spec.kind is FieldKind.PERIOD:
        pairs = [(texts.month_name(p), f"p{p}") for p in reversed(_kb_periods(ctx.today))]
        free_text = False
    elif field_spec.options:
        pairs = [(option, f"o{i}") for i, option in enumerate(field_spec.options)]
        free_text = field_spec.kind is FieldKind.TEXT
    if field_spec.optional:
        pairs.append((texts.SKIP, "skip"))
    return Reply(text, _choices(state, pairs), free_text=free_text)


def _yes_no_choices(state: State, yes: str, no: str) -> tuple[Choice, ...]:
    return _choices(state, [(yes, "yes"), (no, "no")])


def _render_warn(ctx: Context, state: State) -> Reply:
    draft = state.draft
    assert draft is not None and draft.warned_after is not None
    spec = FORMS[draft.form]
    group = spec.field(draft.warned_after).group
    keys = [f.key for f in spec.group_fields(group)] if group else [draft.warned_after]
    details = "\n".join(f"• {message}" for message in _warnings(ctx, draft, keys))
    return Reply(
        texts.WARNING_CONFIRM.format(details=details),
        _yes_no_choices(state, texts.WARNING_YES, texts.WARNING_FIX),
    )


def _render_methods_zero(ctx: Context, state: State) -> Reply:
    draft = state.draft
    assert draft is not None
    spec = FORMS[draft.form]
    by_group: dict[str, list[str]] = {}
    for key in draft.zero_keys:
        field_spec = spec.field(key)
        by_group.setdefault(field_spec.group or "", []).append(
            texts.METHOD_NAMES[field_spec.method or ""]
        )
    missing = "; ".join(
        f"{texts.METHOD_GROUP_NAMES[group]} {', '.join(names)}" for group, names in by_group.items()
    )
    text = texts.METHOD_LIST_MISSING.format(methods=missing)
    if draft.pending:
        read = ", ".join(f"{texts.field_label(k)} {v}" for k, v in draft.pending.items())
        text = texts.METHOD_LIST_READ.format(values=read) + "\n" + text
    choices = _yes_no_choices(state, texts.METHOD_LIST_ZERO_YES, texts.METHOD_LIST_ZERO_NO)
    return Reply(text, choices)


def _render_duplicate(ctx: Context, state: State) -> Reply:
    draft = state.draft
    assert draft is not None
    report = next(r for r in ctx.reports if r.id == draft.duplicate_of)
    when = _report_when(report)
    text = texts.DUPLICATE.format(
        title=report_title(draft.form, _unit_name(ctx, draft.unit_id)),
        when=when,
        revision=report.revision,
        sent=texts.short_date(report.reported_at.date()),
    )
    return Reply(text, _yes_no_choices(state, texts.DUPLICATE_YES, texts.DUPLICATE_NO))


def _display(spec: FormSpec, key: str, value: Value) -> str:
    if value is None:
        return texts.SKIPPED
    if spec.field(key).kind is FieldKind.DATE and isinstance(value, str):
        return texts.short_date(date.fromisoformat(value))
    if spec.field(key).kind is FieldKind.PERIOD and isinstance(value, str):
        return texts.month_name(value)
    return str(value)


def summary_lines(spec: FormSpec, answers: dict[str, Value]) -> list[str]:
    lines = []
    for field_spec in spec.fields:
        if field_spec.key in answers:
            shown = _display(spec, field_spec.key, answers[field_spec.key])
            lines.append(f"{texts.field_label(field_spec.key)}: {shown}")
    return lines


def _render_summary(ctx: Context, state: State) -> Reply:
    draft = state.draft
    assert draft is not None
    spec = FORMS[draft.form]
    text = texts.SUMMARY.format(
        title=report_title(draft.form, _unit_name(ctx, draft.unit_id)),
        correction=texts.SUMMARY_CORRECTION if draft.correction_of else "",
        lines="\n".join(summary_lines(spec, draft.answers)),
    )
    if draft.quick:
        warnings = _warnings(ctx, draft, [f.key for f in spec.fields])
        if warnings:
            text += "\n\n" + texts.QUICK_WARNINGS + "\n" + "\n".join(f"• {w}" for w in warnings)
    pairs = [
        (texts.SUMMARY_SAVE, "save"),
        (texts.SUMMARY_EDIT, "edit"),
        (texts.SUMMARY_CANCEL, "cancel"),
    ]
    return Reply(text, _choices(state, pairs))


def _render_pick_field(ctx: Context, state: State) -> Reply:
    draft = state.draft
    assert draft is not None
    spec = FORMS[draft.form]
    pairs = [(texts.field_label(f.key), f"f:{f.key}") for f in spec.fields]
    pairs.append((texts.BACK, "back"))
    return Reply(texts.PICK_FIELD, _choices(state, pairs))


def _render_balance(ctx: Context, state: State) -> Reply:
    draft = state.draft
    assert draft is not None and draft.form in FORMS
    spec = FORMS[draft.form]
    balance = spec.balance
    assert balance is not None
    sides = balance_sides(spec, draft.answers)
    assert sides is not None
    total, pus = sides
    answers = draft.answers
    aktif = sum(int(answers[f.key] or 0) for f in spec.group_fields("aktif"))
    text = texts.KB_BALANCE.format(
        aktif=aktif,
        hamil=answers["hamil"],
        ias=answers["ias"],
        iat=answers["iat"],
        tial=answers["tial"],
        total=total,
        pus=pus,
        difference=abs(total - pus),
    )
    pairs = [(texts.field_label(balance.total), f"f:{balance.total}")]
    pairs.append((texts.KB_BALANCE_AKTIF, "g:aktif"))
    pairs += [(texts.field_label(key), f"f:{key}") for key in balance.parts]
    return Reply(text, _choices(state, pairs))


_RENDERERS = {
    Step.IDLE: _render_idle,
    Step.PICK_UNIT: _render_pick_unit,
    Step.PICK_REPORT: _render_pick_report,
    Step.ASK: _render_ask,
    Step.WARN: _render_warn,
    Step.METHODS_ZERO: _render_methods_zero,
    Step.DUPLICATE: _render_duplicate,
    Step.SUMMARY: _render_summary,
    Step.PICK_FIELD: _render_pick_field,
    Step.BALANCE: _render_balance,
}


# --- status -----------------------------------------------------------------------------


def status_text(ctx: Context) -> str:
    """What is reported and what is still due this month, for the member's units."""
    member = ctx.member
    assert member is not None
    this_month = period_of(ctx.today)
    lines = [texts.STATUS_HEADER.format(month=texts.month_name(this_month))]
    units = _reportable_units(member)
    if not units:
        return texts.STATUS_NO_UNITS
    if member.role == "plkb":
        return "\n".join(lines + _kampung_status_lines(ctx, units, this_month))
    last_month = shift_period(this_month, -1)
    for unit in units:
        reports = [r for r in ctx.reports if r.unit_id == unit.id and r.period == this_month]
        if not reports:
            lines.append(texts.STATUS_MISSING.format(unit=unit.name))
        elif FORMS[FORM_FOR_KIND[unit.kind]].per_meeting:
            dates = sorted(r.meeting_date for r in reports if r.meeting_date)
            lines.append(
                texts.STATUS_DONE_MEETINGS.format(
                    unit=unit.name,
                    count=len(reports),
                    dates=", ".join(texts.short_date(d) for d in dates),
                )
            )
        else:
            report = reports[0]
            shown = report.meeting_date or report.reported_at.date()
            lines.append(
                texts.STATUS_DONE_MONTHLY.format(
                    unit=unit.name, date=texts.short_date(shown), revision=report.revision
                )
            )
        # Last month's report is still due until the deadline day of this month.
        due = ctx.today.day <= ctx.deadline_day
        if due and not any(r.unit_id == unit.id and r.period == last_month for r in ctx.reports):
            lines.append(
                texts.STATUS_LAST_MONTH_MISSING.format(
                    unit=unit.name,
                    month=texts.month_name(last_month),
                    deadline=ctx.deadline_day,
                )
            )
        if unit.meets:
            try:
                rule = parse_meeting_rule(unit.meets)
            except MeetingRuleError:
                continue
            upcoming = rule.next_on_or_after(ctx.today)
            lines.append(texts.STATUS_NEXT_MEETING.format(date=texts.long_date(upcoming)))
    return "\n".join(lines)


def _kampung_status_lines(ctx: Context, units: list[UnitView], period: str) -> list[str]:
    by_kampung: dict[str, list[UnitView]] = {}
    for unit in units:
        by_kampung.setdefault(unit.kampung_name, []).append(unit)
    reported = {r.unit_id for r in ctx.reports if r.period == period}
    return [
        texts.STATUS_KAMPUNG.format(
            kampung=name,
            done=sum(1 for unit in members if unit.id in reported),
            total=len(members),
        )
        for name, members in sorted(by_kampung.items())
    ]

"""Every step of a conversation: how it asks, and how it reads the answer, side by side.

`STEPS` maps each `Step` to its pair. `ask` draws the question from the state (pure, no
side effects); `read` takes the member's answer, a typed text and, when a button was
pressed or named, its token, and moves the turn on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from handlers import parse, texts
from handlers.forms import (
    FORM_FOR_KIND,
    FORMS,
    MAX_DAYS_BACK,
    PHOTOS_MAX,
    FieldKind,
    FieldSpec,
    FormSpec,
    balance_sides,
    photo_ids,
    rule_error,
)
from handlers.periods import period_of, shift_period
from handlers.quick import parse_quick_report
from storage.views import ReportView, UnitView

from .display import (
    period_and_meeting,
    report_label,
    report_title,
    report_when,
    reportable_units,
    shown_value,
    summary_lines,
    unit_name,
)
from .lock import deadline_passed, locked_period, unlock_token
from .manage import (
    describe,
    district_kampungs,
    invitable_units,
    invite,
    listed,
    member_list,
    names_self,
)
from .methods import names_a_method, parse_method_list
from .review import REASON_MAX_LENGTH, finish_return, reason_prompt
from .rules import correctable_reports, previous_from_reports, unanswered, warnings
from .state import Context, Draft, QuickPending, RemoveMember, SendLayout, State, Step
from .tokens import Act, Token
from .turn import Turn


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    options: tuple[tuple[str, Token], ...] = ()
    free_text: bool = False  # a typed answer is read too, besides the buttons


@dataclass(frozen=True, slots=True)
class Answer:
    text: str
    token: Token | None  # the button pressed, or named by the text
    photo: int | None = None  # the id of the photo sent, stored by the shell


@dataclass(frozen=True, slots=True)
class StepView:
    ask: Callable[[Context, State], Question]
    read: Callable[[Turn, Answer], None]


def _yes_no(answer: Answer) -> bool | None:
    if answer.token is not None and answer.token.act in (Act.YES, Act.NO):
        return answer.token.act is Act.YES
    return parse.parse_yes_no(answer.text) if answer.text else None


def _yes_no_options(yes: str, no: str) -> tuple[tuple[str, Token], ...]:
    return ((yes, Token(Act.YES)), (no, Token(Act.NO)))


def _draft_of(state: State) -> tuple[Draft, FormSpec]:
    assert state.draft is not None
    return state.draft, FORMS[state.draft.form]


# --- idle: the menu, and one-message reports ---------------------------------------------

_MENU = (
    (texts.MENU_LAPOR, "lapor"),
    (texts.MENU_STATUS, "status"),
    (texts.MENU_UBAH, "ubah"),
    (texts.MENU_KEGIATAN, "kegiatan"),
    (texts.MENU_UNDUH, "unduh"),
    (texts.MENU_BANTUAN, "bantuan"),
)
_PLKB_MENU = ("status", "unduh", "bantuan")
_CHAIRS_MENU = ("unduh",)  # the ketua's and the PLKB's only
_GREETINGS = frozenset(
    {"halo", "hallo", "hai", "hi", "assalamualaikum", "selamat pagi", "selamat siang",
     "selamat sore", "selamat malam", "pagi", "siang", "sore", "malam", "p"}
)  # fmt: skip


# What a ketua (or PLKB) adds to the menu, before Bantuan: inviting and the member list.
_MANAGER_MENU = ((texts.MENU_UNDANG, "undang"), (texts.MENU_ANGGOTA, "anggota"))


def ask_idle(ctx: Context, state: State) -> Question:
    role = _role(ctx)
    options = tuple(
        (label, Token(Act.COMMAND, name))
        for label, name in _MENU
        if (role != "plkb" or name in _PLKB_MENU)
        and (name not in _CHAIRS_MENU or role in ("ketua", "plkb"))
    )
    if role in ("ketua", "plkb"):
        managing = tuple((label, Token(Act.COMMAND, name)) for label, name in _MANAGER_MENU)
        options = (*options[:-1], *managing, options[-1])
    return Question(texts.MENU, options)


def _role(ctx: Context) -> str | None:
    """The member's role; on the turn that registers them (no member yet, the menu after
    the welcome), the role of the code they sent."""
    if ctx.member is not None:
        return ctx.member.role
    return ctx.invite.role if ctx.invite is not None else None


def read_idle(turn: Turn, answer: Answer) -> None:
    text = answer.text
    if answer.token is not None or not text:
        return
    parsed = parse_quick_report(text)
    if isinstance(parsed, str):
        turn.say(parsed)
    elif parsed is not None:
        _quick(turn, QuickPending(form=parsed.form, when=parsed.when, values=parsed.values))
    elif parse.normalise(text).strip(" !.,") in _GREETINGS:
        assert turn.ctx.member is not None
        turn.say(texts.GREETING.format(name=turn.ctx.member.name))
    else:
        turn.say(texts.NOT_UNDERSTOOD.format(typed=texts.typed(text)))


def _quick(turn: Turn, quick: QuickPending) -> None:
    member = turn.ctx.member
    assert member is not None
    if member.role == "plkb":
        turn.say(texts.PLKB_NO_FORMS)
        return
    units = [u for u in reportable_units(member) if FORM_FOR_KIND[u.kind] == quick.form]
    if not units:
        turn.say(texts.QUICK_NO_UNIT.format(form=texts.FORM_NAMES[quick.form]))
    elif len(units) == 1:
        _apply_quick(turn, units[0], quick)
    else:
        turn.state.quick = quick
        turn.state.step = Step.PICK_UNIT


def _apply_quick(turn: Turn, unit: UnitView, quick: QuickPending) -> None:
    """Fill a new draft from a one-message report; then the date, then what is missing."""
    turn.state.quick = None
    turn.start_form(unit)
    draft, spec = turn.draft, turn.spec
    draft.quick = True
    known = {f.key for f in spec.fields}
    for key, value in quick.values.items():
        field_spec = spec.field(key) if key in known else None
        if field_spec is None:
            turn.say(texts.QUICK_NOT_IN_FORM.format(key=key))
        elif (
            isinstance(value, str) and field_spec.max_length and len(value) > field_spec.max_length
        ):
            turn.say(texts.TOO_LONG.format(length=len(value), limit=field_spec.max_length))
        elif isinstance(value, str) and not value.strip():
            continue
        else:
            draft.answers[key] = value
    for field_spec in spec.fields:  # left out of one line on purpose: skipped, not asked
        if field_spec.optional:
            draft.answers.setdefault(field_spec.key, None)
    draft.stop_after = spec.fields[0].key  # once the date is in, on to what is missing
    if quick.when:
        read_ask(turn, Answer(quick.when, None))


# --- pick_unit ---------------------------------------------------------------------------


def ask_pick_unit(ctx: Context, state: State) -> Question:
    assert ctx.member is not None
    units = reportable_units(ctx.member)
    if state.quick is not None:
        units = [u for u in units if FORM_FOR_KIND[u.kind] == state.quick.form]
    return Question(texts.PICK_UNIT, tuple((u.name, Token(Act.UNIT, str(u.id))) for u in units))


def read_pick_unit(turn: Turn, answer: Answer) -> None:
    if answer.token is None or answer.token.act is not Act.UNIT:
        turn.say(texts.BAD_CHOICE)
        return
    unit = turn.unit(answer.token.number)
    if turn.state.quick is not None:
        _apply_quick(turn, unit, turn.state.quick)
    else:
        turn.start_form(unit)


# --- pick_report: /ubah ------------------------------------------------------------------


def ask_pick_report(ctx: Context, state: State) -> Question:
    options = tuple(
        (report_label(ctx, r), Token(Act.REPORT, str(r.id))) for r in correctable_reports(ctx)
    )
    return Question(texts.PICK_REPORT, options)


def read_pick_report(turn: Turn, answer: Answer) -> None:
    if answer.token is None or answer.token.act is not Act.REPORT:
        turn.say(texts.BAD_CHOICE)
        return
    report = next(r for r in turn.ctx.reports if r.id == answer.token.number)
    _open_correction(turn, report)


def open_returned(turn: Turn, token: Token) -> None:
    """Perbaiki, under a report the ketua returned: that report, opened as in /ubah."""
    if turn.state.draft is not None:
        turn.say(texts.REVIEW_BUSY)
        return
    report = next((r for r in correctable_reports(turn.ctx) if r.id == token.number), None)
    if report is None:
        turn.say(texts.NOTICE_GONE)
        return
    turn.reset()
    _open_correction(turn, report)


def _open_correction(turn: Turn, report: ReportView) -> None:
    turn.state.draft = draft_from_report(report)
    turn.state.draft.previous = previous_from_reports(turn.ctx, turn.state.draft) or {}
    if locked_period(turn.ctx, turn.state.draft) is not None:
        turn.state.step = Step.LOCKED
        return
    turn.to_summary()


def draft_from_report(report: ReportView) -> Draft:
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
        origin_period=report.period,
    )


# --- ask: one field of the form ---------------------------------------------------------


def _kb_periods(today: date) -> tuple[str, str]:
    this_month = period_of(today)
    return shift_period(this_month, -1), this_month


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


def ask_field(ctx: Context, state: State) -> Question:
    draft, spec = _draft_of(state)
    assert draft.field is not None
    field_spec = spec.field(draft.field)
    text = _prompt_text(spec, field_spec)
    if draft.stop_after is not None and field_spec.key in draft.answers:
        previous = shown_value(spec, field_spec.key, draft.answers[field_spec.key])
        text += "\n" + texts.CURRENT_ANSWER.format(value=previous)
    options: list[tuple[str, Token]] = []
    free_text = True
    if field_spec.kind is FieldKind.DATE:
        options = [(texts.TODAY, Token(Act.TODAY)), (texts.YESTERDAY, Token(Act.YESTERDAY))]
    elif field_spec.kind is FieldKind.PERIOD:
        options = [
            (texts.month_name(p), Token(Act.PERIOD, p)) for p in reversed(_kb_periods(ctx.today))
        ]
        free_text = False
    elif field_spec.kind is FieldKind.PHOTOS:
        options = [(texts.PHOTOS_DONE, Token(Act.DONE))]
        free_text = False
    elif field_spec.options:
        options = [(o, Token(Act.OPTION, str(i))) for i, o in enumerate(field_spec.options)]
        free_text = field_spec.kind is FieldKind.TEXT
    if field_spec.optional:
        options.append((texts.SKIP, Token(Act.SKIP)))
    return Question(text, tuple(options), free_text)


def read_ask(turn: Turn, answer: Answer) -> None:
    spec = turn.spec.field(turn.draft.field or "")
    token = answer.token
    skipped = (token is not None and token.act is Act.SKIP) or (
        token is None and parse.is_skip(answer.text)
    )
    if spec.optional and skipped:
        turn.draft.answers[spec.key] = None
        turn.after_answer([spec.key])
        return
    _FIELD_READERS[spec.kind](turn, spec, answer)


def draft_photo_ids(state: State) -> set[int]:
    """The photos an open draft names: they wait for Simpan, however long it takes."""
    draft = state.draft
    if draft is None:
        return set()
    spec = FORMS[draft.form]
    return {
        photo_id
        for f in spec.fields
        if f.kind is FieldKind.PHOTOS
        for photo_id in photo_ids(draft.answers.get(f.key))
    }


def wants_photo(state: State) -> bool:
    """Whether the conversation waits for a photo: the shell stores one only then."""
    draft = state.draft
    if state.step is not Step.ASK or draft is None or draft.field is None:
        return False
    field_spec = FORMS[draft.form].field(draft.field)
    return (
        field_spec.kind is FieldKind.PHOTOS
        and len(photo_ids(draft.answers.get(draft.field))) < PHOTOS_MAX
    )


def _read_photos(turn: Turn, spec: FieldSpec, answer: Answer) -> None:
    """A photo is kept and acknowledged (the fifth ends the question); Selesai goes on;
    text here is asked again, since a photo is what is waited for."""
    ids = photo_ids(turn.draft.answers.get(spec.key))
    if answer.photo is not None:
        ids.append(answer.photo)
        turn.draft.answers[spec.key] = ",".join(str(i) for i in ids)
        turn.say(texts.PHOTO_RECEIVED.format(count=len(ids), limit=PHOTOS_MAX))
        if len(ids) >= PHOTOS_MAX:
            turn.after_answer([spec.key])
    elif answer.token is not None and answer.token.act is Act.DONE:
        turn.draft.answers[spec.key] = ",".join(str(i) for i in ids) or None
        turn.after_answer([spec.key])
    else:
        turn.say(texts.PHOTO_EXPECTED)


def _keep(turn: Turn, spec: FieldSpec, value: int | str) -> None:
    turn.draft.answers[spec.key] = value
    turn.after_answer([spec.key])


def _read_int(turn: Turn, spec: FieldSpec, answer: Answer) -> None:
    if spec.group is not None and names_a_method(answer.text):
        _read_method_list(turn, spec.group, answer.text)
        return
    number = parse.read_count(answer.text)
    if isinstance(number, parse.NumberProblem):
        turn.say(texts.NUMBER_PROBLEMS[number].format(typed=texts.typed(answer.text)))
        return
    error = rule_error(turn.spec, turn.draft.answers, spec.key, number)
    if error:
        turn.say(error)
        return
    _keep(turn, spec, number)


def _read_date(turn: Turn, spec: FieldSpec, answer: Answer) -> None:
    today = turn.ctx.today
    act = answer.token.act if answer.token else None
    if act is Act.TODAY:
        day: date | None = today
    elif act is Act.YESTERDAY:
        day = today - timedelta(days=1)
    else:
        read = parse.read_date(answer.text, today)
        if read is parse.DateProblem.IMPOSSIBLE:
            turn.say(texts.DATE_IMPOSSIBLE.format(typed=texts.typed(answer.text)))
            return
        day = None if isinstance(read, parse.DateProblem) else read
    if day is None:
        turn.say(texts.BAD_DATE)
    elif day > today:
        turn.say(texts.DATE_FUTURE.format(date=texts.short_date(day)))
    elif (today - day).days > MAX_DAYS_BACK:
        turn.say(texts.DATE_TOO_OLD.format(date=texts.short_date(day), days=MAX_DAYS_BACK))
    else:
        _keep(turn, spec, day.isoformat())


def _read_period(turn: Turn, spec: FieldSpec, answer: Answer) -> None:
    token = answer.token
    if token is not None and token.act is Act.PERIOD:
        period: str | None = token.arg
    else:
        period = parse.parse_month(answer.text, turn.ctx.today)
    allowed = _kb_periods(turn.ctx.today)
    if period not in allowed:
        months = [texts.month_name(p) for p in reversed(allowed)]
        turn.say(texts.KB_PERIOD_ONLY.format(this=months[0], last=months[1]))
        return
    assert period is not None
    _keep(turn, spec, period)


def _read_text(turn: Turn, spec: FieldSpec, answer: Answer) -> None:
    token = answer.token
    typed = answer.text
    if token is not None and token.act is Act.OPTION:
        typed = spec.options[token.number]
    text = " ".join(typed.split())
    if not text:
        turn.say(texts.BAD_TEXT_EMPTY)
    elif spec.max_length is not None and len(text) > spec.max_length:
        turn.say(texts.TOO_LONG.format(length=len(text), limit=spec.max_length))
    else:
        _keep(turn, spec, text)


def _read_choice(turn: Turn, spec: FieldSpec, answer: Answer) -> None:
    if answer.token is None or answer.token.act is not Act.OPTION:
        turn.say(texts.BAD_CHOICE)
        return
    _keep(turn, spec, spec.options[answer.token.number])


_FIELD_READERS: dict[FieldKind, Callable[[Turn, FieldSpec, Answer], None]] = {
    FieldKind.INT: _read_int,
    FieldKind.DATE: _read_date,
    FieldKind.PERIOD: _read_period,
    FieldKind.TEXT: _read_text,
    FieldKind.CHOICE: _read_choice,
    FieldKind.PHOTOS: _read_photos,
}


def _read_method_list(turn: Turn, group: str, text: str) -> None:
    parsed = parse_method_list(text)
    if isinstance(parsed, str):
        turn.say(parsed)
        return
    form = turn.spec
    values = {f"{group}_{method}": number for method, number in parsed.items()}
    trial = {**turn.draft.answers, **values}
    for key, number in values.items():
        error = rule_error(form, trial, key, number)
        if error:
            turn.say(error)
            return
    missing = unanswered(form.group_fields(group), trial)
    if missing:
        turn.draft.pending = values
        turn.draft.zero_keys = [f.key for f in missing]
        turn.state.step = Step.METHODS_ZERO
        return
    turn.draft.answers.update(values)
    turn.after_answer(list(values))


# --- warn: an unusual answer to confirm -------------------------------------------------


def ask_warn(ctx: Context, state: State) -> Question:
    draft, spec = _draft_of(state)
    assert draft.warned_after is not None
    group = spec.field(draft.warned_after).group
    keys = [f.key for f in spec.group_fields(group)] if group else [draft.warned_after]
    details = "\n".join(f"• {message}" for message in warnings(ctx, draft, keys))
    return Question(
        texts.WARNING_CONFIRM.format(details=details),
        _yes_no_options(texts.WARNING_YES, texts.WARNING_FIX),
    )


def read_warn(turn: Turn, answer: Answer) -> None:
    confirmed = _yes_no(answer)
    draft, spec = turn.draft, turn.spec
    warned = draft.warned_after or ""
    if confirmed is True:
        draft.warned_after = None
        turn.advance(warned)
    elif confirmed is False:
        group = spec.field(warned).group
        fixed = spec.group_fields(group) if group else (spec.field(warned),)
        for field_spec in fixed:  # to be typed again: not offered as the previous answer
            draft.answers.pop(field_spec.key, None)
        draft.warned_after = None
        turn.ask(fixed[0].key, draft.stop_after)
    else:
        turn.say(texts.BAD_CHOICE)


# --- methods_zero: the methods left out of a list are 0? --------------------------------


def ask_methods_zero(ctx: Context, state: State) -> Question:
    draft, spec = _draft_of(state)
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
    return Question(text, _yes_no_options(texts.METHOD_LIST_ZERO_YES, texts.METHOD_LIST_ZERO_NO))


def read_methods_zero(turn: Turn, answer: Answer) -> None:
    confirmed = _yes_no(answer)
    draft, spec = turn.draft, turn.spec
    first_missing = draft.zero_keys[0]
    if confirmed is True:
        values = {**draft.pending, **dict.fromkeys(draft.zero_keys, 0)}
        draft.answers.update(values)
        draft.pending, draft.zero_keys = {}, []
        if draft.quick:
            draft.stop_after = spec.fields[0].key  # then on to what is still missing
        turn.after_answer(list(values))
    elif confirmed is False:
        draft.pending, draft.zero_keys = {}, []
        if draft.quick:  # ask what is missing, then back to the summary
            turn.ask(first_missing, stop_after=first_missing)
        else:
            group = spec.field(first_missing).group or ""
            turn.ask(spec.group_fields(group)[0].key, draft.stop_after)
    else:
        turn.say(texts.BAD_CHOICE)


# --- duplicate: a report of that unit and day exists ------------------------------------


def ask_duplicate(ctx: Context, state: State) -> Question:
    draft, _ = _draft_of(state)
    report = next(r for r in ctx.reports if r.id == draft.duplicate_of)
    text = texts.DUPLICATE.format(
        title=report_title(draft.form, unit_name(ctx, draft.unit_id)),
        when=report_when(report),
        revision=report.revision,
        sent=texts.short_date(report.reported_at.date()),
    )
    return Question(text, _yes_no_options(texts.DUPLICATE_YES, texts.DUPLICATE_NO))


def read_duplicate(turn: Turn, answer: Answer) -> None:
    confirmed = _yes_no(answer)
    draft = turn.draft
    if confirmed is True:
        report = next(r for r in turn.ctx.reports if r.id == draft.duplicate_of)
        corrected = draft_from_report(report)
        typed = draft.answers
        if draft.quick:  # a one-message report changes what it names, nothing else
            typed = {key: value for key, value in typed.items() if value is not None}
        corrected.answers.update(typed)  # what was just typed wins
        corrected.quick = draft.quick
        corrected.previous = draft.previous
        turn.state.draft = corrected
        turn.to_summary()
    elif confirmed is False:
        turn.say(texts.CANCELLED)
        turn.reset()
    else:
        turn.say(texts.BAD_CHOICE)


# --- summary: Simpan / Ubah / Batal -----------------------------------------------------


def ask_summary(ctx: Context, state: State) -> Question:
    draft, spec = _draft_of(state)
    text = texts.SUMMARY.format(
        title=report_title(draft.form, unit_name(ctx, draft.unit_id)),
        correction=texts.SUMMARY_CORRECTION if draft.correction_of else "",
        lines="\n".join(summary_lines(spec, draft.answers)),
    )
    if draft.quick:
        found = warnings(ctx, draft, [f.key for f in spec.fields])
        if found:
            text += "\n\n" + texts.QUICK_WARNINGS + "\n" + "\n".join(f"• {w}" for w in found)
    options = (
        (texts.SUMMARY_SAVE, Token(Act.SAVE)),
        (texts.SUMMARY_EDIT, Token(Act.EDIT)),
        (texts.SUMMARY_CANCEL, Token(Act.CANCEL)),
    )
    return Question(text, options)


def read_summary(turn: Turn, answer: Answer) -> None:
    act = answer.token.act if answer.token else None
    if act is None and answer.text:  # "Sudah benar?" answered in words: ya saves, tidak edits
        act = {True: Act.SAVE, False: Act.EDIT, None: None}[parse.parse_yes_no(answer.text)]
    if act is Act.SAVE:
        turn.save()
    elif act is Act.EDIT:
        turn.state.step = Step.PICK_FIELD
    elif act is Act.CANCEL:
        turn.say(texts.CANCELLED)
        turn.reset()
    else:
        turn.say(texts.BAD_CHOICE)


# --- pick_field: which answer to change -------------------------------------------------


def ask_pick_field(ctx: Context, state: State) -> Question:
    _, spec = _draft_of(state)
    options = [(texts.field_label(f.key), Token(Act.FIELD, f.key)) for f in spec.fields]
    options.append((texts.BACK, Token(Act.BACK)))
    return Question(texts.PICK_FIELD, tuple(options))


def read_pick_field(turn: Turn, answer: Answer) -> None:
    token = answer.token
    if token is not None and token.act is Act.BACK:
        turn.state.step = Step.SUMMARY
    elif token is not None and token.act is Act.FIELD:
        turn.ask(token.arg, stop_after=token.arg)
    else:
        turn.say(texts.BAD_CHOICE)


# --- balance: the parts do not add up to the total --------------------------------------


def ask_balance(ctx: Context, state: State) -> Question:
    draft, spec = _draft_of(state)
    balance = spec.balance
    sides = balance_sides(spec, draft.answers)
    assert balance is not None and sides is not None
    total, expected = sides
    parts = [
        (
            texts.METHOD_GROUP_NAMES[group],
            sum(int(draft.answers[f.key] or 0) for f in spec.group_fields(group)),
        )
        for group in balance.groups
    ]
    parts += [(texts.field_label(key), int(draft.answers[key] or 0)) for key in balance.parts]
    text = texts.BALANCE.format(
        parts=" + ".join(f"{label} {value}" for label, value in parts),
        sum=total,
        total_label=texts.field_label(balance.total),
        total=expected,
        difference=abs(total - expected),
    )
    options = [(texts.field_label(balance.total), Token(Act.FIELD, balance.total))]
    options += [(texts.GROUP_BUTTONS[group], Token(Act.GROUP, group)) for group in balance.groups]
    options += [(texts.field_label(key), Token(Act.FIELD, key)) for key in balance.parts]
    return Question(text, tuple(options))


def read_balance(turn: Turn, answer: Answer) -> None:
    token = answer.token
    if token is not None and token.act is Act.GROUP:
        group = turn.spec.group_fields(token.arg)
        turn.ask(group[0].key, stop_after=group[-1].key)
    elif token is not None and token.act is Act.FIELD:
        turn.ask(token.arg, stop_after=token.arg)
    else:
        turn.say(texts.BAD_CHOICE)


# --- /undang: whom to invite (a ketua: kader of a unit, or ketua; a PLKB: a ketua) ----------

_CANCEL_OPTION = (texts.SUMMARY_CANCEL, Token(Act.CANCEL))


def ask_invite_role(ctx: Context, state: State) -> Question:
    assert ctx.member is not None
    options = (
        (texts.INVITE_ROLE_KADER, Token(Act.ROLE, "kader")),
        (texts.INVITE_ROLE_KETUA, Token(Act.ROLE, "ketua")),
        _CANCEL_OPTION,
    )
    return Question(texts.INVITE_PICK_ROLE.format(kampung=ctx.member.place), options)


def _cancelled(turn: Turn, answer: Answer, note: str = texts.CANCELLED) -> bool:
    if answer.token is not None and answer.token.act is Act.CANCEL:
        turn.say(note)
        turn.reset()
        return True
    return False


def read_invite_role(turn: Turn, answer: Answer) -> None:
    member = turn.ctx.member
    assert member is not None and member.kampung_id is not None
    token = answer.token
    if _cancelled(turn, answer):
        return
    if token is None or token.act is not Act.ROLE:
        turn.say(texts.BAD_CHOICE)
    elif token.arg == "ketua":
        invite(turn, (member.kampung_id, member.place))
    elif invitable_units(member):
        turn.state.step = Step.INVITE_UNIT
    else:
        turn.say(texts.INVITE_NO_UNITS.format(kampung=member.place))
        turn.reset()


def ask_invite_unit(ctx: Context, state: State) -> Question:
    assert ctx.member is not None
    units = invitable_units(ctx.member)
    options = tuple((u.name, Token(Act.UNIT, str(u.id))) for u in units)
    return Question(texts.INVITE_PICK_UNIT, (*options, _CANCEL_OPTION))


def read_invite_unit(turn: Turn, answer: Answer) -> None:
    member = turn.ctx.member
    assert member is not None and member.kampung_id is not None
    token = answer.token
    if _cancelled(turn, answer):
        return
    if token is None or token.act is not Act.UNIT:
        turn.say(texts.BAD_CHOICE)
        return
    unit = next((u for u in invitable_units(member) if u.id == token.number), None)
    if unit is None:  # a unit no longer active: the list is asked again as it is now
        turn.say(texts.STALE_BUTTON)
        return
    invite(turn, (member.kampung_id, member.place), unit)


def ask_invite_kampung(ctx: Context, state: State) -> Question:
    assert ctx.member is not None
    kampungs = district_kampungs(ctx.member)
    options = tuple((name, Token(Act.KAMPUNG, str(kampung_id))) for kampung_id, name in kampungs)
    return Question(texts.INVITE_PICK_KAMPUNG, (*options, _CANCEL_OPTION))


def read_invite_kampung(turn: Turn, answer: Answer) -> None:
    member = turn.ctx.member
    assert member is not None
    token = answer.token
    if _cancelled(turn, answer):
        return
    if token is None or token.act is not Act.KAMPUNG:
        turn.say(texts.BAD_CHOICE)
        return
    kampung = next((k for k in district_kampungs(member) if k[0] == token.number), None)
    if kampung is None:
        turn.say(texts.STALE_BUTTON)
        return
    invite(turn, kampung)


# --- /anggota: the member list; removing a member ---------------------------------------


def ask_pick_member(ctx: Context, state: State) -> Question:
    text, buttons = member_list(ctx)
    options = tuple((label, Token(Act.MEMBER, str(member_id))) for label, member_id in buttons)
    return Question(text, (*options, (texts.MEMBERS_CLOSE, Token(Act.BACK))))


def _refuse_self(turn: Turn) -> None:
    assert turn.ctx.member is not None
    turn.say(texts.REMOVE_SELF.format(role=texts.ROLE_NAMES[turn.ctx.member.role]))


def read_pick_member(turn: Turn, answer: Answer) -> None:
    ctx, token = turn.ctx, answer.token
    assert ctx.member is not None
    if token is not None and token.act is Act.BACK:
        turn.reset()
    elif token is not None and token.act is Act.MEMBER:
        if token.number == ctx.member.id:
            _refuse_self(turn)
        elif listed(ctx, token.number) is None:
            # Removed or moved since the list was shown: the list as it is now.
            turn.say(texts.STALE_BUTTON)
        else:
            turn.state.removing = token.number
            turn.state.step = Step.CONFIRM_REMOVE
    elif token is None and names_self(ctx, answer.text):
        _refuse_self(turn)
    else:
        turn.say(texts.BAD_CHOICE)


def ask_confirm_remove(ctx: Context, state: State) -> Question:
    listing = listed(ctx, state.removing)
    fields = describe(ctx, listing) if listing else {"name": "?", "role": "", "where": ""}
    return Question(
        texts.REMOVE_CONFIRM.format(**fields),
        _yes_no_options(texts.REMOVE_YES, texts.REMOVE_NO),
    )


def read_confirm_remove(turn: Turn, answer: Answer) -> None:
    confirmed = _yes_no(answer)
    if confirmed is None:
        turn.say(texts.BAD_CHOICE)
        return
    listing = listed(turn.ctx, turn.state.removing)
    if not confirmed:
        turn.say(texts.REMOVE_CANCELLED)
        turn.reset()
    elif listing is None:
        # Removed or moved since the question (by another ketua, or the operator).
        turn.say(texts.STALE_BUTTON)
        turn.state.removing = None
        turn.state.step = Step.PICK_MEMBER
    else:
        turn.effects.append(RemoveMember(listing.id))
        turn.say(texts.REMOVED.format(name=listing.name))
        turn.reset()


# --- /unduh: a layout, then a month among those the bot holds -----------------------------

UNDUH_MONTHS_SHOWN = 6  # the newest months as buttons; an older one is typed


def ask_pick_layout(ctx: Context, state: State) -> Question:
    options = tuple(
        (label, Token(Act.LAYOUT, layout)) for layout, label in texts.UNDUH_LAYOUTS.items()
    )
    return Question(texts.UNDUH_PICK_LAYOUT, options)


def read_pick_layout(turn: Turn, answer: Answer) -> None:
    if answer.token is None or answer.token.act is not Act.LAYOUT:
        turn.say(texts.BAD_CHOICE)
        return
    turn.state.layout = answer.token.arg
    turn.state.step = Step.PICK_MONTH


def _months_offered(ctx: Context) -> list[str]:
    held = ctx.months
    if held is None:
        return []
    shown = [shift_period(held.last, -back) for back in range(UNDUH_MONTHS_SHOWN)]
    return [month for month in shown if month in held]


def ask_pick_month(ctx: Context, state: State) -> Question:
    options = tuple(
        (texts.month_name(month), Token(Act.PERIOD, month)) for month in _months_offered(ctx)
    )
    return Question(texts.UNDUH_PICK_MONTH, options, free_text=True)


def read_pick_month(turn: Turn, answer: Answer) -> None:
    ctx, layout = turn.ctx, turn.state.layout
    if answer.token is not None and answer.token.act is Act.PERIOD:
        period: str | None = answer.token.arg
    else:
        period = parse.parse_month(answer.text, ctx.today) if answer.text else None
    if period is None or ctx.months is None or period not in ctx.months or layout is None:
        turn.say(texts.UNDUH_BAD_MONTH)
        return
    assert ctx.member is not None
    scope = "district" if ctx.member.role == "plkb" else "kampung"
    turn.effects.append(SendLayout(layout, period, scope))
    turn.reset()


# --- return_reason: why the ketua returns a report --------------------------------------


def ask_return_reason(ctx: Context, state: State) -> Question:
    assert state.returning is not None
    options = [(reason, Token(Act.OPTION, str(i))) for i, reason in enumerate(texts.REVIEW_REASONS)]
    options.append((texts.SUMMARY_CANCEL, Token(Act.CANCEL)))
    return Question(reason_prompt(ctx, state.returning.report_id), tuple(options), free_text=True)


def read_return_reason(turn: Turn, answer: Answer) -> None:
    token = answer.token
    if token is not None and token.act is Act.CANCEL:
        turn.say(texts.CANCELLED)
        turn.reset()
        return
    typed = answer.text
    if token is not None and token.act is Act.OPTION:
        typed = texts.REVIEW_REASONS[token.number]
    reason = " ".join(typed.split())
    if not reason:
        turn.say(texts.BAD_TEXT_EMPTY)
    elif len(reason) > REASON_MAX_LENGTH:
        turn.say(texts.REVIEW_REASON_TOO_LONG.format(length=len(reason), limit=REASON_MAX_LENGTH))
    else:
        finish_return(turn, reason)


# --- locked: the draft's month is past its deadline -------------------------------------


def _shown_locked_period(ctx: Context, draft: Draft) -> str:
    """The locked month to name (the draft's own when a grant came meanwhile)."""
    found = locked_period(ctx, draft)
    if found is not None:
        return found
    spec = FORMS[draft.form]
    return draft.origin_period or period_and_meeting(spec, draft.answers)[0]


def ask_locked(ctx: Context, state: State) -> Question:
    draft, _ = _draft_of(state)
    period = _shown_locked_period(ctx, draft)
    text = texts.LOCKED.format(
        month=texts.month_name(period),
        deadline=texts.short_date(deadline_passed(period, ctx.deadline_day)),
        day=ctx.deadline_day,
    )
    return Question(text, ((texts.LOCKED_ASK, Token(Act.YES)), (texts.BACK, Token(Act.NO))))


def read_locked(turn: Turn, answer: Answer) -> None:
    """Ask the ketua (the draft is kept: fill on, save once reopened), or go back: to the
    date when it was the date that met the lock, else to the summary."""
    draft, spec = turn.draft, turn.spec
    first = spec.fields[0].key
    asked = _yes_no(answer)
    if asked is None:
        turn.say(texts.BAD_CHOICE)
        return
    if asked and locked_period(turn.ctx, draft) is not None:
        if not turn.ctx.ketua_ids:
            turn.say(texts.LOCKED_NO_KETUA)
            return
        _ask_ketua(turn, draft, _shown_locked_period(turn.ctx, draft))
        draft.unlock_asked = True
        turn.say(texts.LOCKED_ASKED)
    if draft.field == first:
        if asked:
            turn.after_answer([first])
        else:
            del draft.answers[first]  # another date: the locked one is not offered again
            turn.ask(first, draft.stop_after)
    else:
        turn.to_summary()


def _ask_ketua(turn: Turn, draft: Draft, period: str) -> None:
    member = turn.ctx.member
    assert member is not None
    unit = turn.unit(draft.unit_id)
    text = texts.UNLOCK_REQUEST.format(
        kader=member.name,
        title=report_title(draft.form, unit.name),
        month=texts.month_name(period),
    )
    buttons = (
        (texts.UNLOCK_OPEN, unlock_token(Act.UNLOCK, unit.id, period, member.id)),
        (texts.UNLOCK_REFUSE, unlock_token(Act.DENY, unit.id, period, member.id)),
    )
    # Once a day per request: asking again tomorrow reaches the ketua again.
    key = f"unlock:{unit.id}_{period}_{member.id}:{turn.ctx.today.isoformat()}"
    for ketua_id in turn.ctx.ketua_ids:
        turn.notify(ketua_id, key, text, buttons)


STEPS: dict[Step, StepView] = {
    Step.IDLE: StepView(ask_idle, read_idle),
    Step.PICK_UNIT: StepView(ask_pick_unit, read_pick_unit),
    Step.PICK_REPORT: StepView(ask_pick_report, read_pick_report),
    Step.ASK: StepView(ask_field, read_ask),
    Step.WARN: StepView(ask_warn, read_warn),
    Step.METHODS_ZERO: StepView(ask_methods_zero, read_methods_zero),
    Step.DUPLICATE: StepView(ask_duplicate, read_duplicate),
    Step.SUMMARY: StepView(ask_summary, read_summary),
    Step.PICK_FIELD: StepView(ask_pick_field, read_pick_field),
    Step.BALANCE: StepView(ask_balance, read_balance),
    Step.INVITE_ROLE: StepView(ask_invite_role, read_invite_role),
    Step.INVITE_UNIT: StepView(ask_invite_unit, read_invite_unit),
    Step.INVITE_KAMPUNG: StepView(ask_invite_kampung, read_invite_kampung),
    Step.PICK_MEMBER: StepView(ask_pick_member, read_pick_member),
    Step.CONFIRM_REMOVE: StepView(ask_confirm_remove, read_confirm_remove),
    Step.PICK_LAYOUT: StepView(ask_pick_layout, read_pick_layout),
    Step.PICK_MONTH: StepView(ask_pick_month, read_pick_month),
    Step.RETURN_REASON: StepView(ask_return_reason, read_return_reason),
    Step.LOCKED: StepView(ask_locked, read_locked),
}

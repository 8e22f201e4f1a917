"""One turn in progress: the state it changes, the notes it says, the effects it asks for,
and the moves of a form that every step shares (ask a field, go on, the summary, save)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from handlers import texts
from handlers.forms import FORM_FOR_KIND, FORMS, FieldKind, FormSpec, first_rule_break, photo_ids
from storage.views import UnitView

from .display import member_unit, period_and_meeting, report_title, when
from .lock import locked_period
from .rules import (
    duplicate_of,
    methods_left_out,
    previous_from_reports,
    unbalanced,
    warnings,
)
from .state import Context, Draft, Effect, Notify, SaveReport, State, Step
from .tokens import Token, encode_notice


@dataclass
class Turn:
    ctx: Context
    state: State
    notes: list[str] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    show_prompt: bool = True

    def notify(
        self, member_id: int, key: str, text: str, buttons: tuple[tuple[str, Token], ...] = ()
    ) -> None:
        """Queue a message to another member, sent by the outbox once the turn is stored;
        `key` makes it once per (member, key), however often the turn runs. Its buttons
        stand on their own (tokens.encode_notice; answered in notices.py)."""
        choices = tuple((label, encode_notice(token)) for label, token in buttons)
        self.effects.append(Notify(member_id, key, text, choices))

    @property
    def draft(self) -> Draft:
        assert self.state.draft is not None
        return self.state.draft

    @property
    def spec(self) -> FormSpec:
        return FORMS[self.draft.form]

    def unit(self, unit_id: int) -> UnitView:
        return member_unit(self.ctx, unit_id)

    def say(self, note: str) -> None:
        self.notes.append(note)

    def reset(self) -> None:
        """Back to the menu; what slows down invite guessing is kept."""
        self.state = State(prompt=self.state.prompt, code_tries=self.state.code_tries)

    def start_form(self, unit: UnitView) -> None:
        form = FORM_FOR_KIND[unit.kind]  # only units with a form are offered
        self.say(texts.FORM_START.format(title=report_title(form, unit.name)))
        self.state.draft = Draft(form=form, unit_id=unit.id, field=FORMS[form].fields[0].key)
        self.state.step = Step.ASK

    def ask(self, key: str, stop_after: str | None = None) -> None:
        self.draft.field = key
        self.draft.stop_after = stop_after
        self.state.step = Step.ASK

    def after_answer(self, keys: Sequence[str]) -> None:
        """The answers to `keys` are in: duplicates (after the date), warnings, then on."""
        draft, spec = self.draft, self.spec
        if keys[0] == spec.fields[0].key:
            if not draft.unlock_asked and locked_period(self.ctx, draft) is not None:
                self.state.step = Step.LOCKED  # say so and offer to ask the ketua first
                return
            # One activity is not the next one: no "last month" to compare with.
            last = None if spec.many_per_day else previous_from_reports(self.ctx, draft)
            draft.previous = last or {}
            duplicate = duplicate_of(self.ctx, draft)
            if duplicate is not None:
                draft.duplicate_of = duplicate.id
                self.state.step = Step.DUPLICATE
                return
        ordered = sorted(keys, key=spec.index)
        if warnings(self.ctx, draft, ordered):
            draft.warned_after = ordered[-1]
            self.state.step = Step.WARN
            return
        self.advance(ordered[-1])

    def advance(self, after: str) -> None:
        draft, spec = self.draft, self.spec
        position = spec.index(after)
        if draft.stop_after is not None and position >= spec.index(draft.stop_after):
            self.to_summary()
        elif position + 1 < len(spec.fields):
            self.ask(spec.fields[position + 1].key, draft.stop_after)
        else:
            self.to_summary()

    def to_summary(self) -> None:
        """The summary, once nothing is missing and no hard rule is broken; else the first
        field that needs an answer."""
        draft, spec = self.draft, self.spec
        draft.stop_after = None
        draft.pending = {}
        problem = first_rule_break(spec, draft.answers)
        left_out = methods_left_out(spec, draft.answers)
        if draft.quick and left_out and problem is not None and not problem[1]:
            # A one-message report names the methods it has; the rest are 0 once confirmed,
            # in one question rather than one question each.
            draft.zero_keys = left_out
            self.state.step = Step.METHODS_ZERO
            return
        if problem is not None:
            key, message = problem
            if message:
                self.say(message)
                # A refused value is no answer: the re-ask must not offer it as the old one.
                del draft.answers[key]
            self.ask(key, stop_after=key)
            return
        if unbalanced(spec, draft.answers):
            self.state.step = Step.BALANCE
            return
        self.state.step = Step.SUMMARY

    def _slot(self, spec: FormSpec, period: str, meeting: date | None) -> str:
        """What makes the report unique in its unit: the month, the meeting day, or (forms
        reported many times a day) the day and the moment of this turn."""
        if not spec.per_meeting or meeting is None:
            return period
        if spec.many_per_day:
            return f"{meeting.isoformat()}@{self.ctx.now.isoformat()}"
        return meeting.isoformat()

    def save(self) -> None:
        draft, spec = self.draft, self.spec
        if locked_period(self.ctx, draft) is not None:
            # Locked since the date was answered, or not yet reopened: nothing is saved,
            # and the draft waits (LOCKED goes back to the summary, see steps.read_locked).
            draft.field = None
            self.state.step = Step.LOCKED
            return
        period, meeting = period_and_meeting(spec, draft.answers)
        first = spec.fields[0].key
        values = {
            key: value for key, value in draft.answers.items() if value is not None and key != first
        }
        revision = draft.base_revision + 1 if draft.correction_of is not None else 1
        self.effects.append(
            SaveReport(
                unit_id=draft.unit_id,
                form=draft.form,
                slot=self._slot(spec, period, meeting),
                period=period,
                meeting_date=meeting,
                values=values,
                revision=revision,
                correction_of=draft.correction_of,
                photos=tuple(
                    i
                    for f in spec.fields
                    if f.kind is FieldKind.PHOTOS
                    for i in photo_ids(draft.answers.get(f.key))
                ),
            )
        )
        title = report_title(draft.form, self.unit(draft.unit_id).name)
        self.say(texts.SAVED.format(title=title, when=when(spec, draft.answers), revision=revision))
        self.reset()

"""The conversation engine: a pure function of (context, state, input).

`step` reads a snapshot of what the database knows (`Context`), the member's conversation
`State` and one `Incoming`, and returns the replies, the new state and the effects to apply
(register a member, save a report). It does no I/O, so every channel runs the same bot and
tests need no server.

One message's path: `understand` reads the text once (a command? an invite code?); a
press, or a typed label, is matched against the buttons the member was shown
(`State.offered`); a command runs, or the current step reads the answer (`steps.STEPS`);
then the next question is drawn once and its buttons kept in the state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from handlers import parse, texts
from handlers.forms import FORMS, FieldKind
from handlers.messages import (
    PHOTO_MAX_BYTES,
    PHOTO_NOT_AN_IMAGE,
    PHOTO_TOO_BIG,
    Choice,
    Incoming,
    Reply,
)

from .commands import WRONG_CODE_WINDOW, WRONG_CODES_ALLOWED, register, run_command
from .display import report_title, summary_lines, unit_name
from .lock import unlock_subject
from .methods import parse_method_list
from .notices import answer_notice
from .rules import correctable_reports
from .state import (
    AddUnit,
    CodeGuessing,
    Context,
    CreateInvite,
    Draft,
    Effect,
    GrantUnlock,
    Notify,
    Offered,
    Outcome,
    QuickPending,
    RegisterMember,
    RemoveMember,
    Review,
    SaveReport,
    SendLayout,
    SendRecap,
    SetReminders,
    State,
    Step,
)
from .status import status_text
from .steps import STEPS, Answer, Question, draft_photo_ids, wants_photo
from .tokens import Act, Token, decode, encode, is_notice
from .turn import Turn

__all__ = [
    "WRONG_CODES_ALLOWED",
    "WRONG_CODE_WINDOW",
    "AddUnit",
    "CodeGuessing",
    "Context",
    "CreateInvite",
    "Draft",
    "Effect",
    "GrantUnlock",
    "Notify",
    "Outcome",
    "QuickPending",
    "RegisterMember",
    "RemoveMember",
    "Review",
    "Said",
    "SaveReport",
    "SendLayout",
    "SendRecap",
    "SetReminders",
    "State",
    "Step",
    "correctable_reports",
    "draft_photo_ids",
    "needs_members",
    "needs_months",
    "needs_reports",
    "parse_method_list",
    "pending_prompt",
    "report_title",
    "status_text",
    "step",
    "summary_lines",
    "understand",
    "unlock_subject",
    "wants_photo",
]


@dataclass(frozen=True, slots=True)
class Said:
    """One incoming, read once: the invite code or the command it carries, if any."""

    incoming: Incoming
    code: str | None = None
    command: parse.Command | None = None
    photo_id: int | None = None  # the incoming photo, stored by the shell (see wants_photo)
    notice: Token | None = None  # a notice's button (see notices.py)

    @property
    def text(self) -> str:
        return self.incoming.text.strip()


# Control characters (NUL among them, which PostgreSQL refuses in text) and lone surrogates
# (which cannot be encoded) are never part of an answer.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Nor, in a name, direction overrides and isolates: a name is shown inside others' lines
# (the member list, "Hapus ... ?"), which one of them would turn around to the line's end.
_NOT_IN_NAMES = re.compile("[\u202a-\u202e\u2066-\u2069]")


def understand(incoming: Incoming) -> Said:
    incoming = replace(
        incoming,
        text=_UNPRINTABLE.sub("", incoming.text),
        display_name=_NOT_IN_NAMES.sub("", _UNPRINTABLE.sub("", incoming.display_name)),
    )
    if incoming.choice is not None and is_notice(incoming.choice):
        return Said(incoming, notice=decode(incoming.choice))
    if incoming.choice is not None or incoming.other is not None or incoming.photo is not None:
        return Said(incoming)
    code = parse.registration_code(incoming.text)
    if code is not None:
        return Said(incoming, code=code)
    return Said(incoming, command=parse.parse_command(incoming.text.strip()))


PHOTO_MAX_MB = PHOTO_MAX_BYTES // (1024 * 1024)
# LOCKED too: asking the ketua goes on with the date's checks (duplicates, last month).
_STEPS_READING_REPORTS = (
    Step.IDLE,
    Step.PICK_UNIT,
    Step.PICK_REPORT,
    Step.DUPLICATE,
    Step.LOCKED,
)


def needs_reports(state: State, said: Said) -> bool:
    """Whether this turn reads the member's recent reports (Context.reports).

    Most turns of a form do not: duplicates are checked, and last month's values kept,
    when the date is answered. Loading them only when read saves two queries a turn.
    """
    if state.step in _STEPS_READING_REPORTS or state.draft is None:
        return True
    if said.command is not None:
        return True  # /status, /ubah, /rekap ... at any step
    draft = state.draft
    return state.step is Step.ASK and draft.field == FORMS[draft.form].fields[0].key


_STEPS_READING_MEMBERS = (Step.PICK_MEMBER, Step.CONFIRM_REMOVE)
_LIST_MEMBERS = Token(Act.COMMAND, "anggota")


def needs_members(state: State, said: Said) -> bool:
    """Whether this turn reads the members a ketua or PLKB manages (Context.members): the
    member list and removing from it, read afresh each turn."""
    if state.step in _STEPS_READING_MEMBERS:
        return True
    if said.command is not None:
        return said.command.name == "anggota"
    # The menu's button, pressed or typed ("anggota", its number).
    if said.incoming.choice is not None:
        return decode(said.incoming.choice) == _LIST_MEMBERS
    if state.offered is None:
        return state.step is Step.IDLE  # a state from before buttons were kept
    typed = _typed_choice(state.offered, said.text)
    return isinstance(typed, tuple) and decode(typed[1]) == _LIST_MEMBERS


def needs_months(state: State) -> bool:
    """Whether this turn reads the months the bot holds (Context.months): /unduh's steps."""
    return state.step in (Step.PICK_LAYOUT, Step.PICK_MONTH)


def step(ctx: Context, state: State, incoming: Incoming | Said) -> Outcome:
    said = incoming if isinstance(incoming, Said) else understand(incoming)
    if said.photo_id is not None and ctx.member is not None and wants_photo(state):
        turn = Turn(ctx, state.model_copy(deep=True))
        STEPS[Step.ASK].read(turn, Answer("", None, said.photo_id))
        return _outcome(turn)
    if said.incoming.other is not None or said.incoming.photo is not None:
        return _not_text(ctx, state, said.incoming.other)
    turn = Turn(ctx, state.model_copy(deep=True))
    _run(turn, said)
    return _outcome(turn)


def pending_prompt(ctx: Context, state: State) -> Reply | None:
    """The question a member left open, to show again when a channel starts without the
    chat's history (the terminal); None when nothing is open. Changes no state."""
    if ctx.member is None or state.step is Step.IDLE:
        return None
    prompt = _reply(state, _question(ctx, state))
    if state.draft is None:
        return prompt
    title = report_title(state.draft.form, unit_name(ctx, state.draft.unit_id))
    text = texts.BUSY_WITH_FORM.format(title=title) + "\n\n" + prompt.text
    return Reply(text, prompt.choices, prompt.free_text)


def _not_text(ctx: Context, state: State, said_other: str | None) -> Outcome:
    """A photo, a sticker, a location...: ask for text, and the same question again.

    The state is returned as it was (the prompt count too), so the buttons already shown
    still work and nothing of an open form changes.
    """
    if ctx.member is None:
        return Outcome((Reply(texts.NOT_A_TEXT),), state)
    prompt = _reply(state, _question(ctx, state))
    note = texts.NOT_A_TEXT
    if wants_photo(state) and state.step is Step.ASK:
        # A photo the channel could not take (too big, not fetched) at the photo question.
        notes = {
            PHOTO_TOO_BIG: texts.PHOTO_TOO_BIG.format(limit=PHOTO_MAX_MB),
            PHOTO_NOT_AN_IMAGE: texts.PHOTO_NOT_AN_IMAGE,
        }
        note = notes.get(said_other or "", texts.PHOTO_UNREADABLE)
    body = f"{note}\n\n{prompt.text}"
    return Outcome((Reply(body, prompt.choices, prompt.free_text),), state)


# --- one turn -----------------------------------------------------------------------------


def _run(turn: Turn, said: Said) -> None:
    if _typing_text(turn.state) and " " in said.text and not said.text.startswith("/"):
        # A note, a topic or a return reason typed at a text question is the answer, even
        # when it starts with a command word ("daftar hadir ketinggalan", "rekap timbangan
        # belum selesai").
        said = Said(said.incoming)
    incoming = said.incoming
    if said.code is not None:
        register(turn, said.code, incoming.display_name, incoming.user_key)
        return
    if turn.ctx.member is None:
        turn.say(texts.UNREGISTERED)
        turn.reset()
        turn.show_prompt = False
        return
    if said.notice is not None:
        answer_notice(turn, said.notice)
        return
    offered = _offered(turn.ctx, turn.state)
    text = said.text
    slashed = incoming.choice is None and text.startswith("/")
    typed = None if incoming.choice is not None else _typed_choice(offered, text)
    if said.command is not None and (slashed or typed is None):
        # A plain word that names a button on screen ("ubah" at the summary) is that
        # button; with a slash it is the command.
        run_command(turn, said.command.name, said.command.argument)
        return
    if slashed:
        turn.say(texts.UNKNOWN_COMMAND.format(command=texts.typed(text.split()[0])))
        return
    token = _chosen(turn, incoming, offered, typed)
    if isinstance(token, _Nothing):
        return
    if token is not None and token.act is Act.COMMAND:
        run_command(turn, token.arg)
        return
    STEPS[turn.state.step].read(turn, Answer(text, token))


def _typing_text(state: State) -> bool:
    if state.step is Step.RETURN_REASON:
        return True  # "Daftar hadir belum ada" is the ketua's reason, not /daftar
    draft = state.draft
    if state.step is not Step.ASK or draft is None or draft.field is None:
        return False
    return FORMS[draft.form].field(draft.field).kind is FieldKind.TEXT


def _outcome(turn: Turn) -> Outcome:
    state = turn.state
    state.prompt += 1
    replies: list[Reply] = []
    if turn.show_prompt:
        question = _question(turn.ctx, state)
        reply = _reply(state, question)
        state.offered = _kept(reply)
        replies.append(
            Reply("\n\n".join([*turn.notes, reply.text]), reply.choices, reply.free_text)
        )
    else:
        state.offered = Offered()
        if turn.notes:
            replies.append(Reply("\n\n".join(turn.notes)))
    return Outcome(tuple(replies), state, tuple(turn.effects))


def _question(ctx: Context, state: State) -> Question:
    return STEPS[state.step].ask(ctx, state)


def _reply(state: State, question: Question) -> Reply:
    """The question with its buttons, which carry the number of this prompt."""
    choices = tuple(Choice(label, encode(state.prompt, t)) for label, t in question.options)
    return Reply(question.text, choices, question.free_text)


def _offered(ctx: Context, state: State) -> Offered:
    """The buttons the member saw with the last question. A state from before they were
    kept (or one that shows none yet) draws the question once to know them."""
    if state.offered is not None:
        return state.offered
    return _kept(_reply(state, _question(ctx, state)))


def _kept(reply: Reply) -> Offered:
    """The buttons of a question, as the state keeps them."""
    return Offered(choices=[(c.label, c.value) for c in reply.choices], free_text=reply.free_text)


# --- which button: pressed, or typed ------------------------------------------------------


class _Nothing:
    """A press or a typed word that selects nothing; a note already says why."""


_NOTHING = _Nothing()


def _chosen(
    turn: Turn,
    incoming: Incoming,
    offered: Offered,
    typed: tuple[str, str] | list[tuple[str, str]] | None,
) -> Token | _Nothing | None:
    """The token of the button pressed, or named by the text (`typed`: its label, its
    number, or a word that names only one of the buttons, "mawar", "simpan"). None: a
    typed answer."""
    if incoming.choice is not None:
        if incoming.choice not in {value for _, value in offered.choices}:
            turn.say(texts.STALE_BUTTON)
            return _NOTHING
        return decode(incoming.choice)
    if isinstance(typed, list):
        labels = ", ".join(label for label, _ in typed)
        turn.say(texts.CHOICE_AMBIGUOUS.format(typed=texts.typed(incoming.text), options=labels))
        return _NOTHING
    return None if typed is None else decode(typed[1])


def _typed_choice(offered: Offered, text: str) -> tuple[str, str] | list[tuple[str, str]] | None:
    """The button a typed text names: its label in any case, its number (where the question
    takes no typed answer), or words found in one label only. Several: all of them."""
    choices = offered.choices
    wanted = parse.label_words(re.sub(r"^\s*\d+\s*[.)]\s+", "", text))  # "2. Mawar" as listed
    if not wanted:
        return None
    for choice in choices:
        if parse.label_words(choice[0]) == wanted:
            return choice
    if offered.free_text:
        return None  # a typed answer: "gizi" at the materi prompt is not a suggestion
    number = parse.normalise(text).rstrip(".)")
    if parse.is_plain_number(number) and len(number) <= 3 and 1 <= int(number) <= len(choices):
        return choices[int(number) - 1]
    named = [c for c in choices if set(wanted) <= set(parse.label_words(c[0]))]
    if len(named) == 1:
        return named[0]
    return named or None

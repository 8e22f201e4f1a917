"""What a conversation remembers (State), what a turn may read (Context), and what it
returns (Outcome: replies, the new state and the effects for the shell to apply)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from handlers.messages import Reply
from handlers.periods import MonthRange
from storage.roles import Role
from storage.views import GrantView, InviteView, MemberListing, MemberView, ReportView, ReviewView


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
    # /undang and /anggota: a ketua (or PLKB) invites and removes members.
    INVITE_ROLE = "invite_role"
    INVITE_UNIT = "invite_unit"
    INVITE_KAMPUNG = "invite_kampung"
    PICK_MEMBER = "pick_member"
    CONFIRM_REMOVE = "confirm_remove"
    PICK_LAYOUT = "pick_layout"  # /unduh: which upstream layout
    PICK_MONTH = "pick_month"  # /unduh: which month
    RETURN_REASON = "return_reason"  # the ketua returns a report: why?
    LOCKED = "locked"  # the draft's month is past its deadline: ask the ketua to reopen?


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
    origin_period: str | None = None  # a correction's month as stored (it may be locked)
    unlock_asked: bool = False  # the ketua was asked to reopen its month: fill on, save later


class QuickPending(BaseModel):
    """A one-message report waiting for the kader to pick which unit it is for."""

    form: str
    when: str
    values: dict[str, int | str]


class CodeTries(BaseModel):
    """The wrong invite codes of one chat, kept across resets: guessing is slowed down."""

    wrong_at: list[datetime] = Field(default_factory=list)  # within the last window
    wait_until: datetime | None = None


class Offered(BaseModel):
    """The buttons shown with the last question, as (label, token): a press or a typed
    label is read against what the user saw, without drawing the question again."""

    choices: list[tuple[str, str]] = Field(default_factory=list)
    free_text: bool = False


class Returning(BaseModel):
    """The report revision the ketua is returning, while the reason is asked."""

    report_id: int
    revision: int


class State(BaseModel):
    step: Step = Step.IDLE
    prompt: int = 0  # counts the questions asked; buttons carry it, so old ones are known
    draft: Draft | None = None
    quick: QuickPending | None = None
    code_tries: CodeTries = Field(default_factory=CodeTries)
    offered: Offered | None = None  # None: not yet known (a state from an older version)
    removing: int | None = None  # the member id awaiting "Ya, hapus" (Step.CONFIRM_REMOVE)
    layout: str | None = None  # /unduh: the layout chosen, while the month is asked
    returning: Returning | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """What the database knows that this turn may need. `today` is in the member's zone."""

    member: MemberView | None
    today: date
    now: datetime
    reports: tuple[ReportView, ...] = ()
    invite: InviteView | None = None
    deadline_day: int = 3
    # For /anggota and /undang: the members this member manages (loaded when needs_members
    # says so), the code a new invite would get (made by the shell: the engine draws no
    # random numbers), and the Telegram bot's username for the link (None: not known).
    members: tuple[MemberListing, ...] = ()
    fresh_code: str = ""
    bot_username: str | None = None
    # The months the bot holds; loaded only for the steps that offer them (needs_months).
    months: MonthRange | None = None
    # The reports a review button (or the reason being asked) is about; loaded only then.
    reviews: tuple[ReviewView, ...] = ()
    unlock_days: int = 2
    grants: tuple[GrantView, ...] = ()  # the member's open unlock grants (see lock.py)
    ketua_ids: tuple[int, ...] = ()  # the Kampung KB's ketua, at the LOCKED step
    requester: MemberView | None = None  # the kader an unlock notice's button names
    requester_grants: tuple[GrantView, ...] = ()  # that kader's open unlock grants


# --- effects: what the shell applies, in the turn's transaction ---------------------------


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
    photos: tuple[int, ...] = ()  # the photos sent with it, for the shell to link to it


@dataclass(frozen=True, slots=True)
class SendRecap:
    """Show the recap of `period`: the kampung (ketua), the district (PLKB) or own units."""

    period: str
    scope: str  # kampung | district | units


@dataclass(frozen=True, slots=True)
class SendLayout:
    """Send `period` in an upstream layout (handlers/upstream) as a file: the Kampung KB
    (ketua) or every Kampung KB of the kecamatan (PLKB). Read-only, built after the turn."""

    layout: str
    period: str
    scope: str  # kampung | district


@dataclass(frozen=True, slots=True)
class SetReminders:
    member_id: int
    on: bool


@dataclass(frozen=True, slots=True)
class CodeGuessing:
    """Too many wrong invite codes: the chat waits until `until` (for the operator log)."""

    wrong: int
    until: datetime


@dataclass(frozen=True, slots=True)
class Notify:
    """A message to another member, queued in the outbox in this turn's transaction (so
    it leaves once, and only if the turn is stored). `key` is unique per recipient;
    `choices` are (label, notice token) pairs (see Turn.notify)."""

    member_id: int
    key: str
    text: str
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class CreateInvite:
    """A single-use code made in the chat: a kader of `unit_id`, or a ketua (unit None)."""

    code: str
    role: Role
    kampung_id: int
    unit_id: int | None


@dataclass(frozen=True, slots=True)
class RemoveMember:
    """Erase a member, as `kaderbot member remove` does; the shell re-checks that the
    member is still one this member may remove."""

    member_id: int


@dataclass(frozen=True, slots=True)
class Review:
    """The ketua approves or returns one revision of a report (by `member_id`)."""

    report_id: int
    revision: int
    member_id: int
    approved: bool
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class GrantUnlock:
    """The ketua reopened a unit's month for a kader until `expires_at`."""

    unit_id: int
    period: str
    member_id: int
    granted_by: int
    expires_at: datetime


Effect = (
    Review
    | RegisterMember
    | AddUnit
    | SaveReport
    | SendRecap
    | SendLayout
    | SetReminders
    | CodeGuessing
    | CreateInvite
    | RemoveMember
    | Notify
    | GrantUnlock
)


@dataclass(frozen=True, slots=True)
class Outcome:
    replies: tuple[Reply, ...]
    state: State
    effects: tuple[Effect, ...] = ()

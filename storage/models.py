"""All tables, in one module. Instants are stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    DateTime,
    Index,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlmodel import Column, Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend (SQLite has no zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc_column(*, nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


# The Kampung KB profile numbers (from config) that reports are measured against, one
# column each below; seeds and views carry them as one mapping by these keys.
PROFILE_KEYS = (
    "keluarga_balita",
    "keluarga_remaja",
    "keluarga_lansia",
    "keluarga",
    "remaja",
    "pus",
)


class Kampung(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    name: str
    kelurahan: str
    kecamatan: str = Field(index=True)
    kabupaten: str
    timezone: str
    pokja_meets: str | None = None
    keluarga_balita: int = 0
    keluarga_remaja: int = 0
    keluarga_lansia: int = 0
    keluarga: int = 0
    remaja: int = 0
    pus: int = 0
    kode_wilayah: str | None = None  # the desa/kelurahan's Kemendagri code (registers)


class Unit(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("kampung_id", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    kampung_id: int = Field(foreign_key="kampung.id", index=True)
    slug: str
    kind: str
    name: str
    rw: str = ""
    meets: str | None = None
    active: bool = True  # False once removed from config.toml; its reports stay
    kode_poktan: str | None = None  # the group's codes on the R/I registers (config)
    nomor_register: str | None = None


class Member(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("channel", "user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    user_key: str
    name: str
    role: str  # kader | ketua | plkb
    kampung_id: int | None = Field(default=None, foreign_key="kampung.id", index=True)
    kecamatan: str | None = None
    reminders_on: bool = True
    created_at: datetime = Field(sa_column=_utc_column())
    # The member's last message: WhatsApp allows free-form messages only within 24 hours.
    last_inbound_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    # Set by `kaderbot member remove`: the row stays (their reports point at it) but names
    # nobody, and an erased member is never a recipient again.
    erased_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class MemberUnit(SQLModel, table=True):
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)


class Invite(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_column=Column(String(32), unique=True, nullable=False))
    role: str
    kampung_id: int | None = Field(default=None, foreign_key="kampung.id")
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    kecamatan: str | None = None
    created_at: datetime = Field(sa_column=_utc_column())
    expires_at: datetime = Field(sa_column=_utc_column())
    used_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    used_by: int | None = Field(default=None, foreign_key="member.id")
    # The member who made it in the chat (/undang); None: the operator's CLI. Erasing
    # that member ends their unused codes.
    created_by: int | None = Field(default=None, foreign_key="member.id")


class Report(SQLModel, table=True):
    """One report: a unit's month (posyandu, kb) or a poktan meeting (`slot` = its date)."""

    __table_args__ = (
        UniqueConstraint("unit_id", "form", "slot"),
        Index("ix_report_period", "period", "form"),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    form: str
    slot: str
    period: str
    meeting_date: date | None = None
    latest_revision: int = 1


class ReportRevision(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("report_id", "revision"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    revision: int
    period: str
    meeting_date: date | None = None
    reported_by: int | None = Field(default=None, foreign_key="member.id")
    reported_at: datetime = Field(sa_column=_utc_column())
    # The ketua's review of this revision: approved, or returned with a reason (one of
    # the two at a time; neither: waiting). A correction is a new revision, reviewed anew,
    # except that an unchanged one keeps its approval.
    approved_by: int | None = Field(default=None, foreign_key="member.id")
    approved_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    returned_by: int | None = Field(default=None, foreign_key="member.id")
    returned_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    return_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class ReportValue(SQLModel, table=True):
    revision_id: int = Field(foreign_key="reportrevision.id", primary_key=True)
    field: str = Field(primary_key=True)
    value_int: int | None = None
    value_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Conversation(SQLModel, table=True):
    """The engine's state per user and channel, written in the turn's transaction."""

    channel: str = Field(primary_key=True)
    user_key: str = Field(primary_key=True)
    state: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(sa_column=_utc_column())


class ProcessedUpdate(SQLModel, table=True):
    """Update ids already handled, so that a redelivered update is handled once."""

    channel: str = Field(primary_key=True)
    update_id: str = Field(primary_key=True)
    processed_at: datetime = Field(sa_column=_utc_column(index=True))
    # The sender: a WhatsApp message id carries the phone number, so erasing a member
    # erases these rows too (the others expire after a week).
    user_key: str | None = None


class Inbox(SQLModel, table=True):
    """Updates fetched by long polling, stored before Telegram hears they arrived (the next
    getUpdates confirms them) and deleted once handled: what a crash interrupted is
    handled at the next start. `id` keeps the order of arrival."""

    __table_args__ = (UniqueConstraint("channel", "update_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    update_id: str
    user_key: str | None = None  # the sender: erasing a member erases what waits of theirs
    payload: str = Field(sa_column=Column(Text, nullable=False))
    received_at: datetime = Field(sa_column=_utc_column())


class Outbox(SQLModel, table=True):
    """Every scheduled or queued message, first as a row: unique per (kind, member, period).

    `parts_sent` counts the messages of the row already accepted by the platform (a recap is
    text, chart and spreadsheet), so a retry after a crash sends only the rest.
    """

    __table_args__ = (
        UniqueConstraint("kind", "member_id", "period"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    member_id: int = Field(foreign_key="member.id")
    period: str
    payload: str = Field(sa_column=Column(Text, nullable=False))
    status: str = "pending"  # pending | waiting | sent | dropped | failed
    path: str | None = None  # how it went out: "session" message or "template" (WhatsApp)
    attempts: int = 0
    parts_sent: int = 0
    created_at: datetime = Field(sa_column=_utc_column())
    next_attempt_at: datetime = Field(sa_column=_utc_column())
    sent_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    last_error: str | None = None


class Photo(SQLModel, table=True):
    """A photo sent at a form's photo question; `report_id` is set when the report is
    saved. Photos never linked (a cancelled draft) are pruned with the processed ids.
    Ids are never reused (AUTOINCREMENT on SQLite), so a draft's id cannot come to name
    another photo."""

    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    user_key: str  # the sender, so that erasing a member erases their unsaved photos
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    mime_type: str
    created_at: datetime = Field(sa_column=_utc_column(index=True))
    report_id: int | None = Field(default=None, foreign_key="report.id", index=True)


class UnlockGrant(SQLModel, table=True):
    """A ketua reopened a unit's month for one kader after the deadline, until `expires_at`.
    One row per (unit, month, kader): granting again moves the expiry, never shortens it."""

    __table_args__ = (UniqueConstraint("unit_id", "period", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    period: str
    member_id: int = Field(foreign_key="member.id", index=True)
    granted_by: int = Field(foreign_key="member.id")
    granted_at: datetime = Field(sa_column=_utc_column())
    expires_at: datetime = Field(sa_column=_utc_column())


class ViewVersion(SQLModel, table=True):
    """One row: a number that triggers (migration 0010) raise with every change to the
    kampung, unit and member_unit tables, by any worker or command. A worker keeps
    members' views (their units, their place) in memory with the number they were built
    at, and reads the number with the member on every turn, so a view is never served
    after what it was made of changed."""

    id: int = Field(primary_key=True)
    version: int = 0

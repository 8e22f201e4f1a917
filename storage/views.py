"""Read-only snapshots that queries return and the conversation engine reads.

Plain frozen dataclasses, so that the engine stays free of sessions and lazy loading.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from storage.roles import Role


@dataclass(frozen=True, slots=True)
class UnitView:
    id: int
    slug: str
    kind: str
    name: str
    rw: str
    meets: str | None
    kampung_id: int
    kampung_name: str
    # The Kampung KB's profile numbers (keluarga_balita, pus, ...) that a report's counts
    # are compared with; 0 or absent where config does not give one.
    profile: Mapping[str, int] = field(default_factory=dict)
    # The group's codes on the R/I registers (config); None where not given.
    kode_poktan: str | None = None
    nomor_register: str | None = None


@dataclass(frozen=True, slots=True)
class MemberView:
    id: int
    name: str
    role: Role
    place: str  # the Kampung KB name, or the kecamatan of a PLKB
    kampung_id: int | None
    timezone: str
    units: tuple[UnitView, ...] = ()
    kecamatan: str | None = None


@dataclass(frozen=True, slots=True)
class ReportView:
    """The latest revision of one report; `reported_at` is local time of its Kampung KB."""

    id: int
    unit_id: int
    form: str
    period: str
    meeting_date: date | None
    revision: int
    reported_at: datetime
    values: Mapping[str, int | str] = field(default_factory=dict)
    first_reported_at: datetime | None = None  # when revision 1 came in (timeliness)
    review: str = "waiting"  # the ketua's review of this revision: waiting|approved|returned


@dataclass(frozen=True, slots=True)
class InviteView:
    id: int
    code: str
    role: Role
    place: str
    kampung_id: int | None
    unit_id: int | None
    unit_name: str | None
    expires_at: datetime
    used: bool


@dataclass(frozen=True, slots=True)
class KampungView:
    id: int
    slug: str
    name: str
    kecamatan: str
    timezone: str
    profile: Mapping[str, int]  # the profile numbers from config, by PROFILE_KEYS
    pokja_meets: str | None = None
    kelurahan: str = ""
    kode_wilayah: str | None = None  # the desa/kelurahan's code (config), for the registers


@dataclass(frozen=True, slots=True)
class MemberListing:
    """A member as a ketua (or PLKB) sees them in the member list."""

    id: int
    name: str
    role: Role
    channel: str
    kampung_name: str
    units: tuple[str, ...] = ()  # the names of a kader's units
    last_period: str | None = None  # the latest month they reported for; None: never


@dataclass(frozen=True, slots=True)
class ReviewView:
    """One report's latest revision as the ketua reviews it: what it says, what the
    revision before said, and the review so far. Times in the kampung's zone."""

    id: int
    unit: UnitView
    form: str
    period: str
    meeting_date: date | None
    revision: int
    values: Mapping[str, int | str]
    reported_at: datetime
    reported_by: int | None  # the member; None once erased
    reporter: str
    previous: Mapping[str, int | str] | None = None  # the revision before, if any
    previous_period: str | None = None
    previous_meeting_date: date | None = None
    last_month: Mapping[str, int | str] | None = None  # the unit's report of the month before
    review: str = "waiting"  # waiting | approved | returned
    decided_by: str = ""  # who approved or returned it
    decided_at: datetime | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class GrantView:
    """A unit's month reopened for one kader until `expires_at` (UTC)."""

    unit_id: int
    period: str
    member_id: int
    expires_at: datetime
    unit_name: str = ""
    member_name: str = ""

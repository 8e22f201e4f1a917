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


@dataclass(frozen=True, slots=True)
class GrantView:
    """A unit's month reopened for one kader until `expires_at` (UTC)."""

    unit_id: int
    period: str
    member_id: int
    expires_at: datetime
    unit_name: str = ""
    member_name: str = ""

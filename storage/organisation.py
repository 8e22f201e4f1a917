"""The organisation: kampung and units, kept in step with config.toml, and their views."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.errors import NotFoundError
from storage.models import PROFILE_KEYS, Kampung, Unit
from storage.views import KampungView, UnitView

# The implicit unit every Kampung KB has for its kegiatan (handlers.forms.POKJA_KIND;
# storage does not import handlers).
POKJA_KIND = "pokja"
POKJA_SLUG = "pokja"

# --- organisation -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnitSeed:
    slug: str
    kind: str
    name: str
    rw: str
    meets: str | None
    kode_poktan: str | None = None
    nomor_register: str | None = None


@dataclass(frozen=True, slots=True)
class KampungSeed:
    slug: str
    name: str
    kelurahan: str
    kecamatan: str
    kabupaten: str
    timezone: str
    pokja_meets: str | None
    profile: Mapping[str, int]  # by PROFILE_KEYS; a key left out is 0
    units: tuple[UnitSeed, ...]
    kode_wilayah: str | None = None


async def sync_organisation(session: AsyncSession, seeds: Sequence[KampungSeed]) -> None:
    """Make the kampung and unit rows match config; units no longer listed become inactive."""
    existing = {k.slug: k for k in (await session.exec(select(Kampung))).all()}
    for seed in seeds:
        kampung = existing.get(seed.slug) or Kampung(
            slug=seed.slug,
            name=seed.name,
            kelurahan=seed.kelurahan,
            kecamatan=seed.kecamatan,
            kabupaten=seed.kabupaten,
            timezone=seed.timezone,
        )
        for attribute in (
            "name",
            "kelurahan",
            "kecamatan",
            "kabupaten",
            "timezone",
            "pokja_meets",
            "kode_wilayah",
        ):
            setattr(kampung, attribute, getattr(seed, attribute))
        for key in PROFILE_KEYS:
            setattr(kampung, key, seed.profile.get(key, 0))
        session.add(kampung)
        await session.flush()
        assert kampung.id is not None
        units = {
            u.slug: u
            for u in (await session.exec(select(Unit).where(Unit.kampung_id == kampung.id))).all()
        }
        # Every Kampung KB is also a unit of its own, which reports kegiatan (not in config).
        pokja = UnitSeed(POKJA_SLUG, POKJA_KIND, f"Pokja {seed.name}", "", None)
        for unit_seed in (*seed.units, pokja):
            unit = units.pop(unit_seed.slug, None) or Unit(
                kampung_id=kampung.id, slug=unit_seed.slug, kind=unit_seed.kind, name=""
            )
            unit.kind, unit.name = unit_seed.kind, unit_seed.name
            unit.rw, unit.meets, unit.active = unit_seed.rw, unit_seed.meets, True
            unit.kode_poktan, unit.nomor_register = unit_seed.kode_poktan, unit_seed.nomor_register
            session.add(unit)
        for gone in units.values():
            gone.active = False
            session.add(gone)
    await session.flush()


def unit_view(unit: Unit, kampung: Kampung) -> UnitView:
    assert unit.id is not None and kampung.id is not None
    return UnitView(
        id=unit.id,
        slug=unit.slug,
        kind=unit.kind,
        name=unit.name,
        rw=unit.rw,
        meets=unit.meets,
        kampung_id=kampung.id,
        kampung_name=kampung.name,
        profile=profile_of(kampung),
        kode_poktan=unit.kode_poktan,
        nomor_register=unit.nomor_register,
    )


def profile_of(kampung: Kampung) -> dict[str, int]:
    return {key: int(getattr(kampung, key)) for key in PROFILE_KEYS}


async def kampung_exists(session: AsyncSession, slug: str) -> bool:
    count = await session.exec(
        select(func.count()).select_from(Kampung).where(Kampung.slug == slug)
    )
    return bool(count.one())


def _kampung_view(kampung: Kampung) -> KampungView:
    assert kampung.id is not None
    return KampungView(
        id=kampung.id,
        slug=kampung.slug,
        name=kampung.name,
        kecamatan=kampung.kecamatan,
        timezone=kampung.timezone,
        profile=profile_of(kampung),
        pokja_meets=kampung.pokja_meets,
        kelurahan=kampung.kelurahan,
        kode_wilayah=kampung.kode_wilayah,
    )


async def kampung_views(
    session: AsyncSession,
    *,
    slug: str | None = None,
    kecamatan: str | None = None,
    kampung_id: int | None = None,
) -> list[KampungView]:
    """Kampung by slug, id or kecamatan, or all of them, ordered by name."""
    query = select(Kampung)
    if kampung_id is not None:
        query = query.where(Kampung.id == kampung_id)
    if slug is not None:
        query = query.where(Kampung.slug == slug)
    if kecamatan is not None:
        query = query.where(Kampung.kecamatan == kecamatan)
    rows = (await session.exec(query.order_by(col(Kampung.name)))).all()
    return [_kampung_view(k) for k in rows]


async def kampung_of_unit(session: AsyncSession, unit_id: int) -> int:
    """The Kampung KB a unit belongs to."""
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise NotFoundError(f"no unit with id {unit_id}")
    return unit.kampung_id


async def active_units(session: AsyncSession, kampung_ids: Sequence[int]) -> list[UnitView]:
    query = (
        select(Unit, Kampung)
        .join(Kampung)
        .where(col(Unit.kampung_id).in_(kampung_ids), col(Unit.active).is_(True))
        .order_by(col(Kampung.name), col(Unit.id))
    )
    return [unit_view(unit, kampung) for unit, kampung in (await session.exec(query)).all()]

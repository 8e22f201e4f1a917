"""The recap's numbers (DESIGN section 3): each form's figures per unit and per Kampung KB
(or district), last month's for the change, completeness and timeliness, and the trend.

Pure: no database, no channel, and no form or field named here; the figures are what the
form specs declare (see `tally`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from handlers.forms import FORM_FOR_KIND, FORMS, FieldKind, FormSpec, Rate, RecapSpec, photo_ids
from handlers.periods import report_deadline, shift_period
from handlers.recap.tally import Tally, add_rows, layout_of, pooled, ratio, unit_month
from storage import KampungView, ReportView, UnitView

TREND_MONTHS = 6


def recapped_forms() -> dict[str, FormSpec]:
    """Unit kind -> the form its units report with, for every kind that owes reports
    (kegiatan, reported at will, has its own listing: see `Recap.kegiatan`)."""
    return {kind: FORMS[name] for kind, name in FORM_FOR_KIND.items() if FORMS[name].expected}


@dataclass(frozen=True, slots=True)
class Missing:
    unit: str
    form: str
    kader: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Completeness:
    expected: Mapping[str, int]  # form -> units that should report
    reported: Mapping[str, int]  # form -> units that did
    missing: tuple[Missing, ...]
    on_time: int  # reports whose latest revision came by the deadline (none saved late)
    reports: int

    @property
    def share(self) -> float | None:
        return ratio(sum(self.reported.values()), sum(self.expected.values()))

    @property
    def timeliness(self) -> float | None:
        return ratio(self.on_time, self.reports)


@dataclass(frozen=True, slots=True)
class UnitReview:
    """The ketua's review of a unit's reports of the month (their latest revisions)."""

    unit: str
    approved: int
    waiting: int
    returned: int


def _reviews(
    period: str, units: Sequence[UnitView], indexed: Mapping[tuple[int, str], list[ReportView]]
) -> tuple[UnitReview, ...]:
    """Per unit with reports this month: approved / waiting / returned."""
    found = []
    for unit in units:
        own = indexed.get((unit.id, period), [])
        if own:
            states = [r.review for r in own]
            found.append(
                UnitReview(
                    unit.name,
                    states.count("approved"),
                    states.count("waiting"),
                    states.count("returned"),
                )
            )
    return tuple(found)


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One month of the chart: the charted rates by key, pooled over the forms."""

    period: str
    values: Mapping[str, float | None]
    targets: Mapping[str, float] = field(default_factory=dict)

    def __getattr__(self, name: str) -> float | None:
        if name.startswith("_") or name in TrendPoint.__slots__:
            raise AttributeError(name)
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True, slots=True)
class FormRecap:
    """A form's month in a Kampung KB: per unit, in total, and last month in total."""

    spec: FormSpec
    units: tuple[tuple[str, Tally], ...]
    total: Tally
    before: Tally

    @property
    def units_reported(self) -> int:
        return sum(1 for _, tally in self.units if tally.reports)

    @property
    def shown(self) -> bool:
        """Whether the recap shows the form: it has a RecapSpec (one without only counts
        as expected to report) and the Kampung KB has units of it, or reports."""
        return self.spec.recap != RecapSpec() and bool(self.units or self.total.reports)


@dataclass(frozen=True, slots=True)
class MonthLock:
    """A month past its deadline (the district recap shows it per Kampung KB): locked
    since `since`, and reopened for some kader: (unit, kader, last day open)."""

    since: date
    reopened: tuple[tuple[str, str, date], ...] = ()


@dataclass(frozen=True, slots=True)
class Recap:
    """All indicators of one Kampung KB (or a district) for one month."""

    kampung: KampungView
    period: str
    forms: Mapping[str, FormRecap]  # form name -> its figures, in the forms' order
    completeness: Completeness
    trend: tuple[TrendPoint, ...]
    # Forms reported at will (kegiatan): form name -> the month's reports, by date.
    listings: Mapping[str, tuple[ReportView, ...]] = field(default_factory=dict)
    reviews: tuple[UnitReview, ...] = ()  # the ketua's review, per unit with reports
    lock: MonthLock | None = None  # set by the district recap once the month is locked

    # Shorthands for the forms of today, as callers name them.
    @property
    def posyandu(self) -> tuple[tuple[str, Tally], ...]:
        return self.forms["posyandu"].units

    @property
    def posyandu_total(self) -> Tally:
        return self.forms["posyandu"].total

    @property
    def poktan_total(self) -> Mapping[str, Tally]:
        return {n: f.total for n, f in self.forms.items() if f.spec.recap.section == "poktan"}

    @property
    def kb_total(self) -> Tally:
        return self.forms["kb"].total

    def participation(self, form: str) -> float | None:
        return self.forms[form].total.rate("participation")


def _by_unit_and_month(
    reports: Sequence[ReportView],
) -> dict[tuple[int, str], list[ReportView]]:
    indexed: dict[tuple[int, str], list[ReportView]] = {}
    for report in reports:
        indexed.setdefault((report.unit_id, report.period), []).append(report)
    return indexed


def _completeness(
    period: str,
    units: Sequence[UnitView],
    forms: Mapping[str, FormSpec],
    indexed: Mapping[tuple[int, str], list[ReportView]],
    kader_by_unit: Mapping[int, Sequence[str]],
    deadline: datetime,
) -> Completeness:
    expected: dict[str, int] = {}
    reported: dict[str, int] = {}
    missing: list[Missing] = []
    month_reports: list[ReportView] = []
    for unit in units:
        spec = forms.get(unit.kind)
        if spec is None:
            continue
        own = indexed.get((unit.id, period), [])
        month_reports.extend(own)
        expected[spec.name] = expected.get(spec.name, 0) + 1
        if own:
            reported[spec.name] = reported.get(spec.name, 0) + 1
        else:
            missing.append(Missing(unit.name, spec.name, tuple(kader_by_unit.get(unit.id, ()))))
    # The figures recapped are the latest revision's: one saved after the deadline (the
    # ketua reopened the month) makes the report late, though its first came in time.
    on_time = sum(1 for r in month_reports if r.reported_at < deadline)
    return Completeness(expected, reported, tuple(missing), on_time, len(month_reports))


def build_recap(
    kampung: KampungView,
    period: str,
    units: Sequence[UnitView],
    reports: Sequence[ReportView],
    kader_by_unit: Mapping[int, Sequence[str]],
    deadline_day: int,
    forms: Mapping[str, FormSpec] | None = None,
) -> Recap:
    """`reports` are the latest revisions of the kampung's reports, the trend months included.

    `forms`: unit kind -> the form its units report with (default: `recapped_forms()`).
    """
    forms = recapped_forms() if forms is None else forms
    months = [shift_period(period, -back) for back in range(TREND_MONTHS - 1, -1, -1)]
    before = shift_period(period, -1)
    indexed = _by_unit_and_month(reports)  # a district has thousands of units: no scans

    specs: dict[str, FormSpec] = {}
    units_of: dict[str, list[UnitView]] = {}
    for spec in forms.values():
        specs.setdefault(spec.name, spec)
        units_of.setdefault(spec.name, [])
    for unit in units:
        spec_of_unit = forms.get(unit.kind)
        if spec_of_unit is not None:
            units_of[spec_of_unit.name].append(unit)

    layouts = {name: layout_of(spec) for name, spec in specs.items()}
    profile = {
        key: kampung.profile.get(key, 0) for layout in layouts.values() for key in layout.profile
    }
    by_form: dict[str, FormRecap] = {}
    totals: dict[str, dict[str, Tally]] = {}  # form -> month -> its total
    for name, layout in layouts.items():
        zero = (0,) * layout.width
        rows: dict[str, list[list[int]]] = {month: [] for month in months}
        own: list[tuple[str, Tally]] = []
        for unit in units_of[name]:
            for month in months:
                row = unit_month(layout, indexed.get((unit.id, month), ()))
                if row is not None:
                    rows[month].append(row)
                if month == period:
                    own.append((unit.name, Tally(layout, tuple(row) if row else zero, profile)))
        totals[name] = {
            month: Tally(layout, tuple(add_rows(rows[month], layout.width)), profile)
            for month in months
        }
        by_form[name] = FormRecap(
            spec=layout.spec,
            units=tuple(own),
            total=totals[name][period],
            before=totals[name][before],
        )

    targets: dict[str, float] = {}
    charted: list[str] = []
    for spec in specs.values():
        for figure in spec.recap.figures:
            if isinstance(figure, Rate) and figure.chart and figure.key not in charted:
                charted.append(figure.key)
                if figure.target is not None:
                    targets[figure.key] = figure.target
    trend = tuple(
        TrendPoint(
            month,
            {key: pooled((t[month] for t in totals.values()), key) for key in charted},
            targets,
        )
        for month in months
    )
    deadline = report_deadline(period, deadline_day, kampung.timezone)
    return Recap(
        kampung=kampung,
        period=period,
        forms=by_form,
        completeness=_completeness(period, units, forms, indexed, kader_by_unit, deadline),
        trend=trend,
        listings=_listings(period, units, indexed),
        reviews=_reviews(period, units, indexed),
    )


def listing_values(spec: FormSpec, report: ReportView) -> dict[str, object]:
    """One listed report's fields by key: the date first, a photo field as its count, a
    skipped answer as None."""
    values: dict[str, object] = {spec.fields[0].key: report.meeting_date}
    for key in spec.recap.listing:
        value = report.values.get(key)
        values[key] = len(photo_ids(value)) if spec.field(key).kind is FieldKind.PHOTOS else value
    return values


def _listings(
    period: str, units: Sequence[UnitView], indexed: Mapping[tuple[int, str], Sequence[ReportView]]
) -> dict[str, tuple[ReportView, ...]]:
    """The month's reports of every form the recap lists (its spec's `listing`), by date,
    where the Kampung KB has units of that form."""
    listed: dict[str, list[ReportView]] = {}
    for unit in units:
        name = FORM_FOR_KIND.get(unit.kind)
        if name is not None and FORMS[name].recap.listing:
            listed.setdefault(name, []).extend(indexed.get((unit.id, period), ()))
    return {
        name: tuple(sorted(found, key=lambda r: (r.meeting_date or date.min, r.id)))
        for name, found in listed.items()
    }

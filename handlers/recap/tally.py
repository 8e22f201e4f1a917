"""A form's figures, as its spec declares them (handlers/forms.py, RecapSpec).

A unit's month becomes a row of sums: per int field its total and how many reports gave
it, per `OverMeetings` field its sum over the meetings; a Kampung KB, a district or a
trend month adds rows up. Counts and rates are read from the sums when asked, since a sum
of fields over reports is the sum of their totals. Only a figure that reads an optional
answer gets sums of its own, taken over the reports that gave the answer: a skipped
answer is left out of both sides of its rate (2T/D over the posyandu that answered 2T).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from operator import add
from typing import Any

from handlers.forms import (
    Count,
    FieldKind,
    FormSpec,
    Group,
    Mix,
    OverMeetings,
    Profile,
    Rate,
    Reports,
    Term,
)
from storage import ReportView


def ratio(numerator: float, denominator: float) -> float | None:
    """A percentage, or None when the denominator is 0 (shown as "-")."""
    return None if not denominator else numerator * 100.0 / denominator


@dataclass(frozen=True, slots=True)
class Answered:
    """An optional count over the reports that answered it; a skipped answer is absent."""

    total: int = 0
    reports: int = 0

    @property
    def value(self) -> int | None:
        return self.total if self.reports else None


# --- a spec, compiled -------------------------------------------------------------------

_REPORTS, _SAMPLES = 0, 1  # every row starts with: reports (meetings), samples


@dataclass(frozen=True, slots=True)
class _Term:
    """A term of a figure: what it adds up, by field key and by position in a row."""

    keys: tuple[str, ...] = ()  # int fields
    optional: tuple[str, ...] = ()  # those of them a report may skip
    positions: tuple[int, ...] = ()  # the fields' totals in a row
    over_meetings: tuple[str, ...] = ()
    over_positions: tuple[int, ...] = ()
    reports: bool = False
    profile: tuple[str, ...] = ()  # Kampung KB profile numbers: added once, not per report

    @property
    def reads_reports(self) -> bool:
        return bool(self.keys or self.over_meetings)

    def total(self, sums: Sequence[int], profile: Mapping[str, int]) -> int:
        """The term over every report of the row (no optional field in it)."""
        value = sums[_REPORTS] if self.reports else 0
        for position in self.positions:
            value += sums[position]
        for position in self.over_positions:
            value += sums[position]
        for key in self.profile:
            value += profile.get(key, 0)
        return value

    def of_sample(
        self, values: Mapping[str, object], over: Mapping[str, object], reports: int
    ) -> int | None:
        """The term over one report (profile numbers aside), or None where it skipped one
        of the optional fields."""
        value = reports if self.reports else 0
        for key in self.keys:
            given = values.get(key)
            if isinstance(given, int):
                value += given
            elif key in self.optional:
                return None
        for key in self.over_meetings:
            given = over.get(key)
            value += given if isinstance(given, int) else 0
        return value


@dataclass(frozen=True, slots=True)
class _Figure:
    rate: bool
    terms: tuple[_Term, ...]  # a count's one, a rate's numerator and denominator
    # Where the figure's own sums sit (count: total, answered; rate: numerator,
    # denominator, answered) when it reads an optional answer; else None.
    own: int | None
    optional_field: bool = False  # an optional int field: read as `Answered`


@dataclass(frozen=True, slots=True)
class Layout:
    """A spec's figures as positions in a row of sums."""

    spec: FormSpec
    figures: Mapping[str, _Figure]
    width: int
    fields: tuple[tuple[str, int], ...]  # int field -> position of (total, answered)
    over_meetings: tuple[tuple[str, int], ...]
    own: tuple[tuple[int, _Figure], ...]  # figures with sums of their own
    stock: frozenset[str]
    profile: tuple[str, ...]


_LAYOUTS: dict[int, tuple[FormSpec, Layout]] = {}


def layout_of(spec: FormSpec) -> Layout:
    """The spec compiled; once per spec, since a district recap reads it thousands of times."""
    cached = _LAYOUTS.get(id(spec))
    if cached is not None and cached[0] is spec:
        return cached[1]
    layout = _compile_layout(spec)
    _LAYOUTS[id(spec)] = (spec, layout)
    return layout


def _sources(figure: Count | Rate) -> tuple[Term, ...]:
    return (figure.value,) if isinstance(figure, Count) else (figure.numerator, figure.denominator)


def _compile_term(
    spec: FormSpec, term: Term, fields: Mapping[str, int], over: Mapping[str, int]
) -> _Term:
    if isinstance(term, Profile):
        return _Term(profile=(term.key,))
    if isinstance(term, Reports):
        return _Term(reports=True)
    if isinstance(term, OverMeetings):
        return _Term(over_meetings=(term.key,), over_positions=(over[term.key],))
    if isinstance(term, Group):
        keys = tuple(
            f.key
            for f in spec.group_fields(term.name)
            if not term.methods or f.method in term.methods
        )
        if not keys:
            raise ValueError(f"{spec.name}: no fields in group {term.name!r}")
    else:
        keys = (term,) if isinstance(term, str) else term.keys
    if any(key not in fields for key in keys):
        raise ValueError(f"{spec.name}: {keys} are not all number fields")
    return _Term(
        keys=keys,
        optional=tuple(key for key in keys if spec.field(key).optional),
        positions=tuple(fields[key] for key in keys),
    )


def _compile_layout(spec: FormSpec) -> Layout:
    ints = [f for f in spec.fields if f.kind is FieldKind.INT]
    fields = {f.key: 2 + 2 * i for i, f in enumerate(ints)}
    width = 2 + 2 * len(ints)
    declared = [f for f in spec.recap.figures if not isinstance(f, Mix)]
    over: dict[str, int] = {}
    for figure in declared:
        for source in _sources(figure):
            if isinstance(source, OverMeetings) and source.key not in over:
                if source.key not in fields:
                    raise ValueError(f"{spec.name}: {source.key!r} is not a number field")
                over[source.key] = width
                width += 1
    figures = {
        f.key: _Figure(
            rate=False,
            terms=(_compile_term(spec, f.key, fields, over),),
            own=fields[f.key] if f.optional else None,
            optional_field=f.optional,
        )
        for f in ints
    }
    own: list[tuple[int, _Figure]] = []
    for figure in declared:
        if figure.key in figures:
            raise ValueError(f"{spec.name}: figure {figure.key!r} declared twice")
        rate = isinstance(figure, Rate)
        terms = tuple(_compile_term(spec, source, fields, over) for source in _sources(figure))
        if any(term.optional for term in terms):
            figures[figure.key] = _Figure(rate, terms, width)
            own.append((width, figures[figure.key]))
            width += 3 if rate else 2
        else:
            figures[figure.key] = _Figure(rate, terms, None)
    for view in (spec.recap.summary or (), spec.recap.units or (), spec.recap.district):
        for key in view:
            if key not in figures:
                raise ValueError(f"{spec.name}: the recap shows {key!r}, which it does not have")
    return Layout(
        spec=spec,
        figures=figures,
        width=width,
        fields=tuple(fields.items()),
        over_meetings=tuple(over.items()),
        own=tuple(own),
        stock=frozenset(spec.recap.stock),
        profile=tuple(
            dict.fromkeys(key for f in figures.values() for t in f.terms for key in t.profile)
        ),
    )


# --- rows -------------------------------------------------------------------------------


def _sample(
    layout: Layout, values: Mapping[str, object], over: Mapping[str, object], reports: int
) -> list[int]:
    """One sample's row: a report of a monthly form, a unit's month of a per-meeting one."""
    row = [0] * layout.width
    row[_REPORTS], row[_SAMPLES] = reports, 1
    for key, position in layout.fields:
        value = values.get(key)
        if isinstance(value, int):
            row[position], row[position + 1] = value, 1
    for key, position in layout.over_meetings:
        value = over.get(key)
        row[position] = value if isinstance(value, int) else 0
    for position, figure in layout.own:
        parts = [term.of_sample(values, over, reports) for term in figure.terms]
        given = [part for part in parts if part is not None]
        if len(given) == len(parts):  # else a skipped answer: out of both sides
            row[position : position + len(given) + 1] = [*given, 1]
    return row


def add_rows(rows: Iterable[Sequence[int]], width: int) -> list[int]:
    total = [0] * width
    for row in rows:
        total = list(map(add, total, row))
    return total


def unit_month(layout: Layout, reports: Sequence[ReportView]) -> list[int] | None:
    """A unit's month as one row, None without reports. A monthly form adds up its reports
    (one, normally). A per-meeting form counts its meetings, takes the stock fields from
    the last one and sums the others over the meetings that answered them."""
    if not reports:
        return None
    if not layout.spec.per_meeting:
        if len(reports) == 1:
            return _sample(layout, reports[0].values, reports[0].values, 1)
        return add_rows((_sample(layout, r.values, r.values, 1) for r in reports), layout.width)
    last = max(reports, key=lambda r: r.meeting_date or date.min).values
    values: dict[str, int] = {}
    for key, _ in layout.fields:
        if key in layout.stock:
            value = last.get(key)
            if isinstance(value, int):
                values[key] = value
        else:
            given = [v for r in reports if isinstance(v := r.values.get(key), int)]
            if given:
                values[key] = sum(given)
    over: dict[str, int] = {}
    for key, _ in layout.over_meetings:
        over[key] = sum(v for r in reports if isinstance(v := r.values.get(key), int))
    return _sample(layout, values, over, len(reports))


# --- figures ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tally:
    """One form's figures over some units' month, read by the keys of its spec.

    `value(key)` is what the recap shows: a count (None when no report gave it), a rate
    (None when its denominator is 0). For callers that name a figure, attribute access
    reads it as well: `tally.d_s`, `tally.s` (0 without reports), `tally.t2` (an optional
    field: `Answered`).
    """

    layout: Layout
    sums: tuple[int, ...]
    profile: Mapping[str, int]

    @property
    def spec(self) -> FormSpec:
        return self.layout.spec

    @property
    def reports(self) -> int:
        """Reports in; for a per-meeting form, meetings held."""
        return self.sums[_REPORTS]

    @property
    def samples(self) -> int:
        """What a skipped answer is counted against: reports, or units' months of meetings."""
        return self.sums[_SAMPLES]

    def figures(self) -> tuple[str, ...]:
        """Every figure: the form's int fields, then its declared counts and rates."""
        return tuple(self.layout.figures)

    def has(self, key: str) -> bool:
        return key in self.layout.figures

    def is_rate(self, key: str) -> bool:
        return self.layout.figures[key].rate

    def _profile(self, term: _Term) -> int:
        return sum(self.profile.get(key, 0) for key in term.profile)

    def answered(self, key: str) -> Answered:
        """A count's total over the samples that gave it."""
        figure = self.layout.figures[key]
        if figure.rate:
            raise KeyError(f"{key} is a rate")
        [term] = figure.terms
        if figure.own is None:
            return Answered(term.total(self.sums, self.profile), self.samples)
        own = figure.own
        return Answered(self.sums[own] + self._profile(term), self.sums[own + 1])

    def parts(self, key: str) -> tuple[int, int, int]:
        """A rate's numerator, denominator and the samples that gave both."""
        figure = self.layout.figures[key]
        if not figure.rate:
            raise KeyError(f"{key} is a count")
        numerator, denominator = figure.terms
        if figure.own is None:
            return (
                numerator.total(self.sums, self.profile),
                denominator.total(self.sums, self.profile),
                self.samples,
            )
        own = figure.own
        return (
            self.sums[own] + self._profile(numerator),
            self.sums[own + 1] + self._profile(denominator),
            self.sums[own + 2],
        )

    def rate(self, key: str) -> float | None:
        """The percentage, or None ("-") where the denominator is 0 or no report gave it:
        participation against a profile number is "-", not 0 %, in a month without one."""
        numerator, denominator, samples = self.parts(key)
        if not samples:
            return None
        return ratio(numerator, denominator)

    def count(self, key: str) -> int | None:
        """A count as the recap shows it: None when no report gave it."""
        answered = self.answered(key)
        if not self.layout.figures[key].terms[0].reads_reports:
            return answered.total  # meetings held, or a profile number: never "-"
        return answered.value

    def value(self, key: str) -> int | float | None:
        return self.rate(key) if self.layout.figures[key].rate else self.count(key)

    def __add__(self, other: Tally) -> Tally:
        if other.layout is not self.layout:
            raise ValueError("tallies of different forms do not add up")
        return Tally(self.layout, tuple(map(add, self.sums, other.sums)), self.profile)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in Tally.__slots__:
            raise AttributeError(name)
        figure = self.layout.figures.get(name)
        if figure is None:
            raise AttributeError(f"{self.layout.spec.name} has no figure {name!r}")
        if figure.rate:
            return self.rate(name)
        answered = self.answered(name)
        return answered if figure.optional_field else answered.total


def pooled(tallies: Iterable[Tally], key: str) -> float | None:
    """A rate over several forms that have it (attendance over every poktan): their
    numerators over their denominators."""
    numerator = denominator = 0
    for tally in tallies:
        if tally.has(key) and tally.is_rate(key):
            n, d, _ = tally.parts(key)
            numerator, denominator = numerator + n, denominator + d
    return ratio(numerator, denominator)

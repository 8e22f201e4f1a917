"""One Kampung KB's month as the upstream layouts read it: its recap (the figures) and its
reports (the meetings a register lists)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from handlers.forms import FORM_FOR_KIND, FORMS
from handlers.recap.indicators import Recap, build_recap
from handlers.recap.tally import Tally, layout_of, unit_month
from storage import KampungView, ReportView, UnitView


@dataclass(frozen=True, slots=True)
class KampungMonth:
    kampung: KampungView
    period: str
    units: tuple[UnitView, ...]
    reports: Mapping[int, tuple[ReportView, ...]]  # unit id -> the month's reports, by date
    recap: Recap

    def units_of(self, form: str) -> list[UnitView]:
        return [u for u in self.units if FORM_FOR_KIND.get(u.kind) == form]

    def unit_tally(self, unit: UnitView) -> Tally:
        """The unit's month, summed by the recap's own code (stock fields from the last
        meeting, the others over the meetings that answered them)."""
        layout = layout_of(FORMS[FORM_FOR_KIND[unit.kind]])
        row = unit_month(layout, self.reports.get(unit.id, ()))
        sums = tuple(row) if row is not None else (0,) * layout.width
        return Tally(layout, sums, self.kampung.profile)


def kampung_month(
    kampung: KampungView,
    period: str,
    units: Sequence[UnitView],
    reports: Sequence[ReportView],
    deadline_day: int,
) -> KampungMonth:
    """`reports`: the latest revisions of the kampung's reports of `period`."""
    own = [r for r in reports if r.period == period]
    by_unit: dict[int, list[ReportView]] = {}
    for report in own:
        by_unit.setdefault(report.unit_id, []).append(report)
    ordered = {
        unit_id: tuple(sorted(found, key=lambda r: (r.meeting_date or date.min, r.id)))
        for unit_id, found in by_unit.items()
    }
    recap = build_recap(kampung, period, units, own, {}, deadline_day)
    return KampungMonth(kampung, period, tuple(units), ordered, recap)

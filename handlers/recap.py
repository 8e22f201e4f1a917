"""The monthly recap: reports in, indicators (DESIGN section 3) and text, chart, XLSX out.

Pure: no database, no channel. The numbers are computed once into `Recap`; the text, the
chart and the spreadsheet are three views of it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import xlsxwriter
from babel.numbers import format_decimal

from handlers import texts
from handlers.forms import FORM_FOR_KIND, METHODS, MKJP_METHODS
from handlers.periods import shift_period
from handlers.sheets import new_workbook
from storage.views import KampungView, ReportView, UnitView

POKTAN = ("bkb", "bkr", "bkl")
TREND_MONTHS = 6
D_S_TARGET = 80.0


def ratio(numerator: float, denominator: float) -> float | None:
    """A percentage, or None when the denominator is 0 (shown as "-")."""
    return None if not denominator else numerator * 100.0 / denominator


def percent(value: float | None) -> str:
    if value is None:
        return "-"
    return format_decimal(round(value, 1), format="#,##0.0", locale=texts.LOCALE) + "%"


number = texts.number


def change(now: float | None, before: float | None) -> str:
    """ "(+2,1 poin)" against last month, or "" when either month has no figure."""
    if now is None or before is None:
        return ""
    delta = round(now - before, 1)
    sign = "+" if delta > 0 else ""
    shown = format_decimal(delta, format="#,##0.0", locale=texts.LOCALE)
    return texts.RECAP_CHANGE.format(change=f"{sign}{shown}")


def count(value: int | None) -> str:
    """A count, or "-" when nobody answered it (a skipped answer is absent, not 0)."""
    return "-" if value is None else number(value)


def _int(values: Mapping[str, int | str], key: str) -> int:
    value = values.get(key)
    return value if isinstance(value, int) else 0


def _answer(values: Mapping[str, int | str], key: str) -> int | None:
    value = values.get(key)
    return value if isinstance(value, int) else None


# --- indicators -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answered:
    """An optional count over the reports that answered it.

    A report that skipped the question is left out of both sides of its indicator: `total`
    sums the answers and `base` the denominator of the same reports (D for T, O, B and 2T),
    so 2T/D is taken over the posyandu that answered 2T only.
    """

    total: int = 0
    base: int = 0
    reports: int = 0

    def plus(self, value: int | None, base: int = 0) -> Answered:
        if value is None:
            return self
        return Answered(self.total + value, self.base + base, self.reports + 1)

    def __add__(self, other: Answered) -> Answered:
        return Answered(
            self.total + other.total, self.base + other.base, self.reports + other.reports
        )

    @property
    def value(self) -> int | None:
        return self.total if self.reports else None

    @property
    def share(self) -> float | None:
        return ratio(self.total, self.base) if self.reports else None


@dataclass(frozen=True, slots=True)
class Skdn:
    """SKDN counts summed over posyandu reports; T, O, B and 2T only where answered."""

    reports: int = 0
    s: int = 0
    k: int = 0
    d: int = 0
    n: int = 0
    bgm: int = 0
    t: Answered = Answered()
    o: Answered = Answered()
    b: Answered = Answered()
    t2: Answered = Answered()

    @classmethod
    def of(cls, reports: Iterable[ReportView]) -> Skdn:
        total = cls()
        for report in reports:
            v = report.values
            d = _int(v, "d")
            total = cls(
                total.reports + 1,
                total.s + _int(v, "s"),
                total.k + _int(v, "k"),
                total.d + d,
                total.n + _int(v, "n"),
                total.bgm + _int(v, "bgm"),
                total.t.plus(_answer(v, "t"), d),
                total.o.plus(_answer(v, "o"), d),
                total.b.plus(_answer(v, "b"), d),
                total.t2.plus(_answer(v, "t2"), d),
            )
        return total

    def counts(self) -> tuple[int | None, ...]:
        """S, K, D, N, BGM, or all None when no posyandu reported."""
        if not self.reports:
            return (None,) * 5
        return (self.s, self.k, self.d, self.n, self.bgm)

    @property
    def k_s(self) -> float | None:
        return ratio(self.k, self.s)

    @property
    def d_s(self) -> float | None:
        return ratio(self.d, self.s)

    @property
    def d_k(self) -> float | None:
        return ratio(self.d, self.k)

    @property
    def n_d(self) -> float | None:
        return ratio(self.n, self.d)

    @property
    def n_s(self) -> float | None:
        return ratio(self.n, self.s)

    @property
    def bgm_d(self) -> float | None:
        return ratio(self.bgm, self.d)

    @property
    def t2_d(self) -> float | None:
        return self.t2.share


@dataclass(frozen=True, slots=True)
class Poktan:
    """A poktan's month: its meetings, members (from its last meeting) and attendance.

    The BKL's lansia counts come from the last meeting too, and only where it answered them.
    """

    meetings: int = 0
    anggota: int = 0
    hadir: int = 0
    anggota_at_meetings: int = 0
    pus_anggota: int = 0
    pus_kb: int = 0
    lansia_mandiri: Answered = Answered()
    lansia_pendamping: Answered = Answered()

    @classmethod
    def of(cls, reports: Sequence[ReportView]) -> Poktan:
        if not reports:
            return cls()
        last = max(reports, key=lambda r: r.meeting_date or date.min).values
        return cls(
            meetings=len(reports),
            anggota=_int(last, "anggota"),
            hadir=sum(_int(r.values, "hadir") for r in reports),
            anggota_at_meetings=sum(_int(r.values, "anggota") for r in reports),
            pus_anggota=_int(last, "pus_anggota"),
            pus_kb=_int(last, "pus_kb"),
            lansia_mandiri=Answered().plus(_answer(last, "lansia_mandiri")),
            lansia_pendamping=Answered().plus(_answer(last, "lansia_pendamping")),
        )

    def __add__(self, other: Poktan) -> Poktan:
        return Poktan(
            self.meetings + other.meetings,
            self.anggota + other.anggota,
            self.hadir + other.hadir,
            self.anggota_at_meetings + other.anggota_at_meetings,
            self.pus_anggota + other.pus_anggota,
            self.pus_kb + other.pus_kb,
            self.lansia_mandiri + other.lansia_mandiri,
            self.lansia_pendamping + other.lansia_pendamping,
        )

    @property
    def attendance(self) -> float | None:
        return ratio(self.hadir, self.anggota_at_meetings)

    @property
    def pus_on_kb(self) -> float | None:
        return ratio(self.pus_kb, self.pus_anggota)


@dataclass(frozen=True, slots=True)
class Kb:
    pus: int = 0
    aktif: Mapping[str, int] = field(default_factory=dict)
    baru: Mapping[str, int] = field(default_factory=dict)
    hamil: int = 0
    iat: int = 0
    tial: int = 0
    reports: int = 0

    @classmethod
    def of(cls, reports: Iterable[ReportView]) -> Kb:
        total = cls()
        for report in reports:
            v = report.values
            total = cls(
                pus=total.pus + _int(v, "pus"),
                aktif={m: total.aktif.get(m, 0) + _int(v, f"aktif_{m}") for m in METHODS},
                baru={m: total.baru.get(m, 0) + _int(v, f"baru_{m}") for m in METHODS},
                hamil=total.hamil + _int(v, "hamil"),
                iat=total.iat + _int(v, "iat"),
                tial=total.tial + _int(v, "tial"),
                reports=total.reports + 1,
            )
        return total

    @property
    def aktif_total(self) -> int:
        return sum(self.aktif.values())

    @property
    def baru_total(self) -> int:
        return sum(self.baru.values())

    @property
    def cpr(self) -> float | None:
        return ratio(self.aktif_total, self.pus)

    @property
    def mkjp(self) -> float | None:
        return ratio(sum(self.aktif.get(m, 0) for m in MKJP_METHODS), self.aktif_total)

    @property
    def unmet_need(self) -> int:
        return self.iat + self.tial

    @property
    def unmet_need_share(self) -> float | None:
        return ratio(self.unmet_need, self.pus)


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
    on_time: int  # reports whose first revision came by the deadline
    reports: int

    @property
    def share(self) -> float | None:
        return ratio(sum(self.reported.values()), sum(self.expected.values()))

    @property
    def timeliness(self) -> float | None:
        return ratio(self.on_time, self.reports)


@dataclass(frozen=True, slots=True)
class TrendPoint:
    period: str
    d_s: float | None
    n_d: float | None
    attendance: float | None
    cpr: float | None


@dataclass(frozen=True, slots=True)
class Recap:
    """All indicators of one Kampung KB for one month."""

    kampung: KampungView
    period: str
    posyandu: tuple[tuple[str, Skdn], ...]  # per unit
    posyandu_total: Skdn
    posyandu_before: Skdn
    poktan: Mapping[str, tuple[tuple[str, Poktan], ...]]  # kind -> per unit
    poktan_total: Mapping[str, Poktan]
    poktan_units: Mapping[str, int]
    kb: tuple[tuple[str, Kb], ...]
    kb_total: Kb
    kb_before: Kb
    completeness: Completeness
    trend: tuple[TrendPoint, ...]

    def participation(self, kind: str) -> float | None:
        families = {
            "bkb": self.kampung.keluarga_balita,
            "bkr": self.kampung.keluarga_remaja,
            "bkl": self.kampung.keluarga_lansia,
        }[kind]
        return ratio(self.poktan_total[kind].anggota, families)


def _deadline(period: str, deadline_day: int, timezone: str) -> datetime:
    """The end of the deadline day of the month after `period`, in the kampung's zone."""
    year, month = (int(part) for part in shift_period(period, 1).split("-"))
    return datetime.combine(date(year, month, deadline_day), time.max, tzinfo=ZoneInfo(timezone))


def _by_unit_and_month(
    reports: Sequence[ReportView],
) -> dict[tuple[int, str], list[ReportView]]:
    indexed: dict[tuple[int, str], list[ReportView]] = {}
    for report in reports:
        indexed.setdefault((report.unit_id, report.period), []).append(report)
    return indexed


def build_recap(
    kampung: KampungView,
    period: str,
    units: Sequence[UnitView],
    reports: Sequence[ReportView],
    kader_by_unit: Mapping[int, Sequence[str]],
    deadline_day: int,
) -> Recap:
    """`reports` are the latest revisions of the kampung's reports, the trend months included."""
    before = shift_period(period, -1)
    indexed = _by_unit_and_month(reports)  # a district has thousands of units: no scans

    def _of_unit(unit: UnitView, month: str) -> list[ReportView]:
        return indexed.get((unit.id, month), [])

    by_kind: dict[str, list[UnitView]] = {}
    for unit in units:
        by_kind.setdefault(unit.kind, []).append(unit)
    posyandu_units = by_kind.get("posyandu", [])
    kb_units = by_kind.get("kb", [])

    def skdn(month: str, chosen: Sequence[UnitView]) -> Skdn:
        return Skdn.of(r for u in chosen for r in _of_unit(u, month))

    def kb(month: str, chosen: Sequence[UnitView]) -> Kb:
        return Kb.of(r for u in chosen for r in _of_unit(u, month))

    poktan_rows = {
        kind: tuple((u.name, Poktan.of(_of_unit(u, period))) for u in by_kind.get(kind, []))
        for kind in POKTAN
    }
    poktan_total = {kind: sum((p for _, p in rows), Poktan()) for kind, rows in poktan_rows.items()}

    expected: dict[str, int] = {}
    reported: dict[str, int] = {}
    missing: list[Missing] = []
    month_reports: list[ReportView] = []
    for unit in units:
        form = FORM_FOR_KIND.get(unit.kind)
        if form is None:
            continue
        own = _of_unit(unit, period)
        month_reports.extend(own)
        expected[form] = expected.get(form, 0) + 1
        if own:
            reported[form] = reported.get(form, 0) + 1
        else:
            missing.append(Missing(unit.name, form, tuple(kader_by_unit.get(unit.id, ()))))
    deadline = _deadline(period, deadline_day, kampung.timezone)
    on_time = sum(1 for r in month_reports if (r.first_reported_at or r.reported_at) <= deadline)

    trend = []
    for back in range(TREND_MONTHS - 1, -1, -1):
        month = shift_period(period, -back)
        month_poktan = sum(
            (Poktan.of(_of_unit(u, month)) for k in POKTAN for u in by_kind.get(k, [])),
            Poktan(),
        )
        trend.append(
            TrendPoint(
                month,
                skdn(month, posyandu_units).d_s,
                skdn(month, posyandu_units).n_d,
                month_poktan.attendance,
                kb(month, kb_units).cpr,
            )
        )

    return Recap(
        kampung=kampung,
        period=period,
        posyandu=tuple((u.name, skdn(period, [u])) for u in posyandu_units),
        posyandu_total=skdn(period, posyandu_units),
        posyandu_before=skdn(before, posyandu_units),
        poktan=poktan_rows,
        poktan_total=poktan_total,
        poktan_units={kind: len(by_kind.get(kind, [])) for kind in POKTAN},
        kb=tuple((u.name, kb(period, [u])) for u in kb_units),
        kb_total=kb(period, kb_units),
        kb_before=kb(before, kb_units),
        completeness=Completeness(expected, reported, tuple(missing), on_time, len(month_reports)),
        trend=tuple(trend),
    )


# --- text -------------------------------------------------------------------------------


def _none_line(form: str, period: str) -> str:
    return texts.RECAP_FORM_NONE.format(form=texts.FORM_NAMES[form], month=texts.month_name(period))


def _posyandu_lines(recap: Recap) -> list[str]:
    t = texts
    total, before = recap.posyandu_total, recap.posyandu_before
    lines = [t.RECAP_POSYANDU]
    if not total.reports:
        lines.append(_none_line("posyandu", recap.period))
    else:
        lines.append(
            t.RECAP_SKDN.format(
                s=number(total.s),
                k=number(total.k),
                d=number(total.d),
                n=number(total.n),
                bgm=number(total.bgm),
            )
        )
        lines.append(
            t.RECAP_TOB.format(
                t=count(total.t.value),
                o=count(total.o.value),
                b=count(total.b.value),
                t2=count(total.t2.value),
            )
        )
        lines.append(t.RECAP_K_S.format(value=percent(total.k_s)))
        lines.append(
            t.RECAP_D_S.format(
                value=percent(total.d_s),
                change=change(total.d_s, before.d_s),
                target=percent(D_S_TARGET),
            )
        )
        lines.append(
            t.RECAP_N_D.format(value=percent(total.n_d), change=change(total.n_d, before.n_d))
        )
        lines.append(t.RECAP_N_S.format(value=percent(total.n_s)))
        lines.append(t.RECAP_BGM_D.format(value=percent(total.bgm_d)))
        answered = total.t2.reports
        lines.append(
            t.RECAP_T2_D.format(
                value=percent(total.t2_d),
                answered=(
                    t.RECAP_ANSWERED.format(answered=answered, reports=total.reports)
                    if 0 < answered < total.reports
                    else ""
                ),
            )
        )
    if len(recap.posyandu) > 1:
        for name, unit in recap.posyandu:
            if not unit.reports:
                lines.append(t.RECAP_UNIT_NONE.format(unit=name))
                continue
            lines.append(
                t.RECAP_POSYANDU_UNIT.format(
                    unit=name,
                    d_s=percent(unit.d_s),
                    n_d=percent(unit.n_d),
                    bgm=number(unit.bgm),
                )
            )
    return lines


def _poktan_lines(recap: Recap, kind: str) -> list[str]:
    t = texts
    poktan = recap.poktan_total[kind]
    if not poktan.meetings:
        return [_none_line(kind, recap.period)]
    held = sum(1 for _, p in recap.poktan[kind] if p.meetings)
    lines = [
        t.RECAP_POKTAN.format(
            kind=t.FORM_NAMES[kind],
            held=held,
            units=recap.poktan_units[kind],
            meetings=poktan.meetings,
        ),
        t.RECAP_POKTAN_DETAIL.format(
            anggota=number(poktan.anggota),
            hadir=number(poktan.hadir),
            attendance=percent(poktan.attendance),
            pus_kb=percent(poktan.pus_on_kb),
            participation=percent(recap.participation(kind)),
        ),
    ]
    if kind == "bkl":
        lines.append(
            t.RECAP_BKL_LANSIA.format(
                mandiri=count(poktan.lansia_mandiri.value),
                pendamping=count(poktan.lansia_pendamping.value),
            )
        )
    return lines


def _kb_lines(recap: Recap) -> list[str]:
    t = texts
    kb, kb_before = recap.kb_total, recap.kb_before
    if not kb.reports:
        return [t.RECAP_KB, _none_line("kb", recap.period)]
    mix = ", ".join(
        f"{t.METHOD_SHORT[m]} {number(kb.aktif.get(m, 0))}" for m in METHODS if kb.aktif.get(m)
    )
    return [
        t.RECAP_KB,
        t.RECAP_KB_USERS.format(
            pus=number(kb.pus),
            aktif=number(kb.aktif_total),
            cpr=percent(kb.cpr),
            change=change(kb.cpr, kb_before.cpr),
        ),
        t.RECAP_KB_MIX.format(mix=mix or "-", mkjp=percent(kb.mkjp)),
        t.RECAP_KB_NEW.format(baru=number(kb.baru_total)),
        t.RECAP_KB_UNMET.format(unmet=number(kb.unmet_need), share=percent(kb.unmet_need_share)),
    ]


def recap_text(recap: Recap) -> str:
    """The recap as a message; a form nobody reported this month says so, never "0"."""
    t = texts
    lines = [
        t.RECAP_TITLE.format(kampung=recap.kampung.name, month=t.month_name(recap.period)),
        "",
    ]
    if recap.posyandu:
        lines += [*_posyandu_lines(recap), ""]
    for kind in POKTAN:
        if recap.poktan_units[kind]:
            lines += _poktan_lines(recap, kind)
    if any(recap.poktan_units.values()):
        lines.append("")
    if recap.kb:
        lines += [*_kb_lines(recap), ""]
    done = recap.completeness
    lines.append(
        t.RECAP_COMPLETENESS.format(
            reported=sum(done.reported.values()),
            expected=sum(done.expected.values()),
            share=percent(done.share),
            timeliness=percent(done.timeliness),
        )
    )
    if done.missing:
        lines.append(t.RECAP_MISSING)
        for item in done.missing:
            kader = ", ".join(item.kader) if item.kader else t.RECAP_NO_KADER
            lines.append(t.RECAP_MISSING_UNIT.format(unit=item.unit, kader=kader))
    else:
        lines.append(t.RECAP_ALL_IN)
    return "\n".join(lines)


# --- chart ------------------------------------------------------------------------------


def recap_chart(trend: Sequence[TrendPoint], title: str) -> bytes:
    """PNG of the last months of D/S, N/D, poktan attendance and CPR."""
    # Imported here: matplotlib (with numpy) is a third of the process's memory, and most
    # processes of a multi-worker deployment never draw (only the leader sends recaps).
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [texts.short_month(point.period) for point in trend]
    series = (
        (texts.CHART_D_S, [p.d_s for p in trend]),
        (texts.CHART_N_D, [p.n_d for p in trend]),
        (texts.CHART_ATTENDANCE, [p.attendance for p in trend]),
        (texts.CHART_CPR, [p.cpr for p in trend]),
    )
    plotted = False
    for label, values in series:
        points = [(x, v) for x, v in enumerate(values) if v is not None]
        if points:
            axes.plot([x for x, _ in points], [v for _, v in points], marker="o", label=label)
            plotted = True
    axes.axhline(D_S_TARGET, color="grey", linestyle=":", linewidth=1)
    axes.set_xticks(range(len(labels)), labels)
    axes.set_ylim(0, 105)
    axes.set_ylabel(texts.CHART_PERCENT)
    axes.set_title(title)
    axes.grid(alpha=0.3)
    if plotted:
        axes.legend(loc="lower left", fontsize=8)
    else:
        axes.text(0.5, 0.5, texts.CHART_NO_DATA, ha="center", transform=axes.transAxes)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


# --- spreadsheet ------------------------------------------------------------------------


def _sheet_rows(
    workbook: xlsxwriter.Workbook,
    name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
) -> None:
    sheet = workbook.add_worksheet(name)
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, header, bold)
    for number_, row in enumerate(rows, start=1):
        sheet.write_row(number_, 0, [_cell(v) for v in row])
    sheet.set_column(0, 0, 28)
    sheet.freeze_panes(1, 1)


def _cell(value: object) -> object:
    """A rounded percentage, or "-" for a figure nobody reported (never 0)."""
    if isinstance(value, float):
        return round(value, 1)
    return "-" if value is None else value


def _kb_counts(kb: Kb) -> tuple[int | None, int | None, int | None, int | None]:
    """PUS, active users, new users, unmet need; all None when no KB report came."""
    if not kb.reports:
        return None, None, None, None
    return kb.pus, kb.aktif_total, kb.baru_total, kb.unmet_need


_SKDN_COLUMNS = ("S", "K", "D", "N", "BGM", "T", "O", "B", "2T")


def _skdn_row(skdn: Skdn) -> tuple[object, ...]:
    return (
        *skdn.counts(),
        skdn.t.value,
        skdn.o.value,
        skdn.b.value,
        skdn.t2.value,
    )


def _summary_rows(recap: Recap) -> list[Sequence[object]]:
    t = texts
    total, kb, done = recap.posyandu_total, recap.kb_total, recap.completeness
    rows: list[Sequence[object]] = [
        (t.XLSX_KAMPUNG, recap.kampung.name),
        (t.XLSX_MONTH, t.month_name(recap.period)),
        *zip(_SKDN_COLUMNS, _skdn_row(total), strict=True),
        ("K/S %", total.k_s),
        ("D/S %", total.d_s),
        ("D/K %", total.d_k),
        ("N/D %", total.n_d),
        ("N/S %", total.n_s),
        ("BGM/D %", total.bgm_d),
        ("2T/D %", total.t2_d),
    ]
    for kind in POKTAN:
        poktan = recap.poktan_total[kind]
        name = t.FORM_NAMES[kind]
        rows += [
            (f"{name}: {t.XLSX_MEETINGS}", poktan.meetings),
            (f"{name}: {t.XLSX_ATTENDANCE} %", poktan.attendance),
            (f"{name}: {t.XLSX_PUS_KB} %", poktan.pus_on_kb),
            (f"{name}: {t.XLSX_PARTICIPATION} %", recap.participation(kind)),
        ]
        if kind == "bkl":
            rows += [
                (f"{name}: {t.field_label('lansia_mandiri')}", poktan.lansia_mandiri.value),
                (f"{name}: {t.field_label('lansia_pendamping')}", poktan.lansia_pendamping.value),
            ]
    pus, aktif, baru, unmet = _kb_counts(kb)
    rows += [
        ("PUS", pus),
        (t.XLSX_KB_ACTIVE, aktif),
        ("CPR %", kb.cpr),
        ("MKJP %", kb.mkjp),
        (t.XLSX_KB_NEW, baru),
        (t.XLSX_UNMET, unmet),
        (f"{t.XLSX_UNMET} %", kb.unmet_need_share),
        (t.XLSX_COMPLETENESS + " %", done.share),
        (t.XLSX_TIMELINESS + " %", done.timeliness),
    ]
    return rows


def _poktan_row(kind: str, name: str, p: Poktan) -> tuple[object, ...]:
    if not p.meetings:
        return (name, texts.XLSX_NOT_REPORTED)
    row: tuple[object, ...] = (name, p.meetings, p.anggota, p.hadir, p.attendance)
    row += (p.pus_anggota, p.pus_kb, p.pus_on_kb)
    if kind == "bkl":
        row += (p.lansia_mandiri.value, p.lansia_pendamping.value)
    return row


def _kb_row(name: str, k: Kb) -> tuple[object, ...]:
    if not k.reports:
        return (name, texts.XLSX_NOT_REPORTED)
    return (
        name,
        k.pus,
        *(k.aktif.get(m, 0) for m in METHODS),
        k.aktif_total,
        *(k.baru.get(m, 0) for m in METHODS),
        k.baru_total,
        k.cpr,
        k.mkjp,
        k.iat,
        k.tial,
    )


def recap_xlsx(recap: Recap) -> bytes:
    """A summary sheet and one sheet per form, units as rows.

    A unit without a report reads "belum lapor"; a skipped answer, or a figure of a form
    nobody reported, reads "-".
    """
    t = texts
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    _sheet_rows(workbook, t.XLSX_SUMMARY, (t.XLSX_INDICATOR, t.XLSX_VALUE), _summary_rows(recap))
    _sheet_rows(
        workbook,
        "Posyandu",
        (t.XLSX_UNIT, *_SKDN_COLUMNS, "K/S %", "D/S %", "N/D %", "BGM/D %", "2T/D %"),
        [
            (name, *_skdn_row(u), u.k_s, u.d_s, u.n_d, u.bgm_d, u.t2_d)
            if u.reports
            else (name, t.XLSX_NOT_REPORTED)
            for name, u in recap.posyandu
        ],
    )
    for kind in POKTAN:
        header: tuple[str, ...] = (
            t.XLSX_UNIT,
            t.XLSX_MEETINGS,
            t.XLSX_MEMBERS,
            t.XLSX_PRESENT,
            t.XLSX_ATTENDANCE + " %",
            t.XLSX_PUS_MEMBERS,
            t.XLSX_PUS_KB,
            t.XLSX_PUS_KB + " %",
        )
        if kind == "bkl":
            header += (t.field_label("lansia_mandiri"), t.field_label("lansia_pendamping"))
        _sheet_rows(
            workbook,
            t.FORM_NAMES[kind],
            header,
            [_poktan_row(kind, name, p) for name, p in recap.poktan[kind]],
        )
    _sheet_rows(
        workbook,
        "KB",
        (
            t.XLSX_UNIT,
            "PUS",
            *(f"PA {t.METHOD_SHORT[m]}" for m in METHODS),
            "PA",
            *(f"PB {t.METHOD_SHORT[m]}" for m in METHODS),
            "PB",
            "CPR %",
            "MKJP %",
            "IAT",
            "TIAL",
        ),
        [_kb_row(name, k) for name, k in recap.kb],
    )
    _sheet_rows(
        workbook,
        t.XLSX_MISSING_SHEET,
        (t.XLSX_UNIT, t.XLSX_FORM, t.XLSX_KADER),
        [(m.unit, t.FORM_NAMES[m.form], ", ".join(m.kader)) for m in recap.completeness.missing],
    )
    workbook.close()
    return buffer.getvalue()


# --- district ---------------------------------------------------------------------------


def district_text(kecamatan: str, period: str, recaps: Sequence[Recap]) -> str:
    t = texts
    lines = [t.DISTRICT_TITLE.format(kecamatan=kecamatan, month=t.month_name(period)), ""]
    for recap in recaps:
        total, done = recap.posyandu_total, recap.completeness
        reported, expected = sum(done.reported.values()), sum(done.expected.values())
        if expected and not reported:
            lines.append(t.DISTRICT_ROW_NONE.format(kampung=recap.kampung.name, expected=expected))
            continue
        attendance = sum((recap.poktan_total[k] for k in POKTAN), Poktan()).attendance
        lines.append(
            t.DISTRICT_ROW.format(
                kampung=recap.kampung.name,
                d_s=percent(total.d_s),
                n_d=percent(total.n_d),
                attendance=percent(attendance),
                cpr=percent(recap.kb_total.cpr),
                reported=reported,
                expected=expected,
            )
        )
    return "\n".join(lines)


def district_xlsx(recaps: Sequence[Recap]) -> bytes:
    t = texts
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    header = (
        t.XLSX_KAMPUNG,
        "S",
        "D",
        "N",
        "BGM",
        "D/S %",
        "N/D %",
        "BGM/D %",
        *(f"{t.FORM_NAMES[k]} {t.XLSX_ATTENDANCE} %" for k in POKTAN),
        "PUS",
        "PA",
        "CPR %",
        "MKJP %",
        "PB",
        t.XLSX_UNMET + " %",
        t.XLSX_COMPLETENESS + " %",
        t.XLSX_TIMELINESS + " %",
    )
    rows = []
    for r in recaps:
        s, kb, done = r.posyandu_total, r.kb_total, r.completeness
        s_, _, d, n, bgm = s.counts()
        pus, aktif, baru, _ = _kb_counts(kb)
        rows.append(
            (
                r.kampung.name,
                s_,
                d,
                n,
                bgm,
                s.d_s,
                s.n_d,
                s.bgm_d,
                *(r.poktan_total[k].attendance for k in POKTAN),
                pus,
                aktif,
                kb.cpr,
                kb.mkjp,
                baru,
                kb.unmet_need_share,
                done.share,
                done.timeliness,
            )
        )
    _sheet_rows(workbook, t.XLSX_SUMMARY, header, rows)
    workbook.close()
    return buffer.getvalue()

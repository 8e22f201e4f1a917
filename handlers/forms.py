"""The report forms as data: fields, rules and warnings. The engine runs any of them.

A new form is a FormSpec here (its fields and rules, the words of its one-message reports,
its recap figures, the unit kinds that report with it) and its sentences in `texts`
(FORM_NAMES, FIELD_PROMPTS, FIELD_LABELS, its options, RECAP_LINES): nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from handlers import texts

Value = int | str | None
Answers = Mapping[str, Value]


class FieldKind(StrEnum):
    INT = "int"
    DATE = "date"
    PERIOD = "period"
    TEXT = "text"
    CHOICE = "choice"
    PHOTOS = "photos"  # photos sent in the chat; the answer is their ids ("12,15")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    key: str
    kind: FieldKind
    prompt_key: str
    optional: bool = False
    at_most: str | None = None  # key of the field this value may not exceed
    max_length: int | None = None
    options: tuple[str, ...] = ()  # CHOICE: the allowed answers; TEXT: suggestions
    group: str | None = None  # "aktif" or "baru": a KB method list, fillable in one message
    method: str | None = None
    maximum: int | None = None  # INT: the hard upper bound; no village has more
    # The words that name this field in a one-message report ("S50", "kader 5", "penyaji
    # kader"); a TEXT field named there takes the rest of the line.
    words: tuple[str, ...] = ()
    # INT: the Kampung KB profile number (config) above which a value is only a warning
    profile: str | None = None


@dataclass(frozen=True, slots=True)
class WarningRule:
    """An unusual but possible combination, checked once `after` has been answered."""

    after: str
    check: Callable[[Answers], str | None]


@dataclass(frozen=True, slots=True)
class MethodGroup:
    """A list of per-method counts (KB: active users, new users) that can be sent in one
    message; `words` open the list in a one-message report ("aktif", "baru")."""

    name: str
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PartsAtMost:
    """A hard rule: the answered parts never add up to more than the total (SKDN: the
    balita weighed, D, are N + T + O + B; any of them answered may not exceed D)."""

    parts: tuple[str, ...]
    total: str


@dataclass(frozen=True, slots=True)
class Balance:
    """A hard rule that parts add up to a total (KB: aktif + hamil + ias + iat + tial = pus)."""

    total: str
    groups: tuple[str, ...]  # method groups whose sum is one part
    parts: tuple[str, ...]


# --- what the monthly recap shows of a form (DESIGN section 3) ---------------------------


@dataclass(frozen=True, slots=True)
class Group:
    """The sum of a method group's fields ("aktif": every active KB user), or of `methods`
    only (MKJP: iud, mow, mop, implan)."""

    name: str
    methods: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Sum:
    """The sum of some fields (unmet need = iat + tial)."""

    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Profile:
    """A Kampung KB profile number from config (keluarga_balita, pus, ...), not a report's."""

    key: str


@dataclass(frozen=True, slots=True)
class Reports:
    """How many reports came in: a poktan's meetings in the month."""


@dataclass(frozen=True, slots=True)
class OverMeetings:
    """A stock field summed over every meeting of the month instead of taken from the last
    one: attendance is hadir over the anggota of each meeting."""

    key: str


# A field key, or one of the above. A term over an optional field counts only the reports
# that answered it, on both sides of a rate (2T/D is taken over the posyandu that gave 2T).
Term = str | Group | Sum | Profile | Reports | OverMeetings


@dataclass(frozen=True, slots=True)
class Count:
    """A number the recap shows that is not one field's (PA = the sum of the aktif group).
    Every int field of the form is a count under its own key without being declared."""

    key: str
    label_key: str  # texts.RECAP_LABELS
    value: Term


@dataclass(frozen=True, slots=True)
class Rate:
    """A percentage with one decimal, "-" when the denominator is 0."""

    key: str
    label_key: str  # texts.RECAP_LABELS
    numerator: Term
    denominator: Term
    target: float | None = None  # shown in the text, and as a line on the chart
    chart: bool = False  # one of the trend chart's lines (rates of one key share a line)


@dataclass(frozen=True, slots=True)
class Mix:
    """The recap text's listing of a method group by method ("IUD 20, implan 40"), the
    methods nobody uses left out. The one figure that is a sentence, not a number."""

    key: str
    group: str


@dataclass(frozen=True, slots=True)
class RecapSpec:
    """What the recap computes and shows of a form; the recap code names no form or field.

    Monthly forms add up their reports. Per-meeting forms count their meetings (`Reports`),
    take the `stock` fields (what the group is: anggota, pus_kb) from a unit's last meeting
    of the month and sum the others (what happened: hadir) over its meetings; a Kampung KB
    adds up its units. The views list figure keys (a declared figure, or an int field) in
    the order they appear: `summary` on the summary sheet, `units` as the columns of the
    form's own sheet, one row per unit (both None: every declared figure), `district` as
    the columns of the district sheet, one row per Kampung KB. The sentences of the recap
    text are the form's entries in texts.RECAP_LINES; its labels, texts.RECAP_LABELS.
    """

    figures: tuple[Count | Rate | Mix, ...] = ()
    stock: tuple[str, ...] = ()
    summary: tuple[str, ...] | None = None
    units: tuple[str, ...] | None = None
    district: tuple[str, ...] = ()
    section: str = ""  # forms of one section make one paragraph of the text ("": its own)
    # A form reported at will (kegiatan) is listed instead: one line and one sheet row per
    # report of the month, with these fields (a PHOTOS field shows how many photos).
    listing: tuple[str, ...] = ()
    qualified: bool = False  # labels on shared sheets carry the form's name ("BKB: Pertemuan")


@dataclass(frozen=True, slots=True)
class FormSpec:
    name: str
    fields: tuple[FieldSpec, ...]
    per_meeting: bool  # True: one report per meeting date; False: one per month
    warnings: tuple[WarningRule, ...] = ()
    balance: Balance | None = None
    parts_at_most: tuple[PartsAtMost, ...] = ()
    groups: tuple[MethodGroup, ...] = ()  # in order; method words before any belong to the first
    unit_kinds: tuple[str, ...] = ()  # the kinds of unit (config) that report with it: its name
    recap: RecapSpec = RecapSpec()
    # False: reported at will, never due (kegiatan): no completeness, "belum lapor",
    # reminders or follow-ups, and reached by its own command rather than /lapor.
    expected: bool = True
    # True: any number of reports a day (kegiatan): no duplicate check, and every report
    # gets a slot of its own.
    many_per_day: bool = False
    quick: bool = True  # may be sent as a one-message report

    def field(self, key: str) -> FieldSpec:
        return self.fields[self.index(key)]

    def index(self, key: str) -> int:
        for position, spec in enumerate(self.fields):
            if spec.key == key:
                return position
        raise KeyError(key)

    def group_fields(self, group: str) -> tuple[FieldSpec, ...]:
        return tuple(spec for spec in self.fields if spec.group == group)

    @property
    def dated(self) -> bool:
        return self.fields[0].kind is FieldKind.DATE


METHODS = ("iud", "mow", "mop", "kondom", "implan", "suntik", "pil")
MKJP_METHODS = ("iud", "mow", "mop", "implan")
MAX_DAYS_BACK = 40
CATATAN_MAX = 500
MATERI_MAX = 200
# Hard upper bounds: well above any real posyandu, poktan or village, and far inside the
# database integer (32-bit on PostgreSQL).
BALITA_MAX = 2_000  # children 0-59 months at one posyandu
PEOPLE_AT_MEETING_MAX = 500  # pregnant women at a posyandu day
KADER_MAX = 100
FAMILIES_MAX = 5_000  # member families of one poktan
PUS_MAX = 50_000  # couples of child-bearing age in one desa/kelurahan
DATABASE_INT_MAX = 2**31 - 1


def _int(
    form: str, key: str, maximum: int, words: tuple[str, ...] | None = None, **kwargs: object
) -> FieldSpec:
    """A count; named by its key in one-message reports unless `words` says otherwise."""
    named = (key,) if words is None else words
    return FieldSpec(key, FieldKind.INT, f"{form}.{key}", maximum=maximum, words=named, **kwargs)  # type: ignore[arg-type]


def _given(answers: Answers, *keys: str) -> list[int] | None:
    values = [answers.get(key) for key in keys]
    if all(isinstance(value, int) for value in values):
        return [value for value in values if isinstance(value, int)]
    return None


def _skdn_sum(answers: Answers) -> str | None:
    """N + T + O + B not equal to D, when all four are answered."""
    values = _given(answers, "d", "n", "t", "o", "b")
    if values is None:
        return None
    d, n, t, o, b = values
    if n + t + o + b == d:
        return None
    return texts.WARN_SKDN_SUM.format(total=n + t + o + b, d=d)


def _d_over_k(answers: Answers) -> str | None:
    """D more than K: children weighed without a KMS / KIA book."""
    values = _given(answers, "d", "k")
    if values is None or values[0] <= values[1]:
        return None
    return texts.WARN_D_OVER_K.format(d=values[0], k=values[1])


_SKDN = ("s", "k", "d", "n", "bgm", "t", "o", "b", "t2")
_POSYANDU_RECAP = RecapSpec(
    figures=(
        Rate("k_s", "k_s", "k", "s"),
        Rate("d_s", "d_s", "d", "s", target=80.0, chart=True),
        Rate("d_k", "d_k", "d", "k"),
        Rate("n_d", "n_d", "n", "d", chart=True),
        Rate("n_s", "n_s", "n", "s"),
        Rate("bgm_d", "bgm_d", "bgm", "d"),
        Rate("t2_d", "t2_d", "t2", "d"),
    ),
    summary=(*_SKDN, "k_s", "d_s", "d_k", "n_d", "n_s", "bgm_d", "t2_d"),
    units=(*_SKDN, "k_s", "d_s", "n_d", "bgm_d", "t2_d"),
    district=("s", "d", "n", "bgm", "d_s", "n_d", "bgm_d"),
)

POSYANDU = FormSpec(
    name="posyandu",
    per_meeting=False,
    fields=(
        FieldSpec("tanggal", FieldKind.DATE, "posyandu.tanggal"),
        _int("posyandu", "s", BALITA_MAX, profile="keluarga_balita"),
        _int("posyandu", "k", BALITA_MAX, at_most="s"),
        _int("posyandu", "d", BALITA_MAX, at_most="s"),
        _int("posyandu", "n", BALITA_MAX, at_most="d"),
        _int("posyandu", "t", BALITA_MAX, optional=True, at_most="d"),
        _int("posyandu", "o", BALITA_MAX, optional=True, at_most="d"),
        _int("posyandu", "b", BALITA_MAX, optional=True, at_most="d"),
        _int("posyandu", "t2", BALITA_MAX, ("2t", "t2"), optional=True, at_most="t"),
        _int("posyandu", "bgm", BALITA_MAX, at_most="d"),
        _int("posyandu", "bumil", PEOPLE_AT_MEETING_MAX),
        _int("posyandu", "kader_hadir", KADER_MAX, ("kader",)),
        FieldSpec(
            "catatan",
            FieldKind.TEXT,
            "posyandu.catatan",
            optional=True,
            max_length=CATATAN_MAX,
            words=("catatan",),
        ),
    ),
    warnings=(WarningRule("d", _d_over_k), WarningRule("b", _skdn_sum)),
    parts_at_most=(PartsAtMost(parts=("n", "t", "o", "b"), total="d"),),
    recap=_POSYANDU_RECAP,
)


# Which profile number (config) a poktan's membership is compared with.
_POKTAN_PROFILE = {"bkb": "keluarga_balita", "bkr": "keluarga_remaja", "bkl": "keluarga_lansia"}


def _poktan_recap(name: str, extra: tuple[FieldSpec, ...]) -> RecapSpec:
    """A poktan's recap; its extra fields (BKL: lansia) follow on the summary and its sheet."""
    more = tuple(spec.key for spec in extra)
    return RecapSpec(
        figures=(
            Count("meetings", "meetings", Reports()),
            Rate("attendance", "attendance", "hadir", OverMeetings("anggota"), chart=True),
            Rate("pus_on_kb", "pus_on_kb", "pus_kb", "pus_anggota"),
            Rate("participation", "participation", "anggota", Profile(_POKTAN_PROFILE[name])),
        ),
        stock=("anggota", "pus_anggota", "pus_kb", *more),
        summary=("meetings", "attendance", "pus_on_kb", "participation", *more),
        units=(
            "meetings",
            "anggota",
            "hadir",
            "attendance",
            "pus_anggota",
            "pus_kb",
            "pus_on_kb",
            *more,
        ),
        district=("attendance",),
        section="poktan",
        qualified=True,
    )


def _poktan(name: str, extra: tuple[FieldSpec, ...] = ()) -> FormSpec:
    return FormSpec(
        name=name,
        per_meeting=True,
        fields=(
            FieldSpec("tanggal", FieldKind.DATE, "poktan.tanggal"),
            _int("poktan", "anggota", FAMILIES_MAX, profile=_POKTAN_PROFILE[name]),
            _int("poktan", "hadir", FAMILIES_MAX, at_most="anggota"),
            _int("poktan", "kader_hadir", KADER_MAX, ("kader",)),
            FieldSpec(
                "materi",
                FieldKind.TEXT,
                "poktan.materi",
                max_length=MATERI_MAX,
                options=texts.MATERI_TOPICS[name],
                words=("materi",),
            ),
            FieldSpec(
                "penyaji",
                FieldKind.CHOICE,
                "poktan.penyaji",
                options=texts.PENYAJI,
                words=("penyaji",),
            ),
            _int("poktan", "pus_anggota", FAMILIES_MAX, ("pus",), at_most="anggota"),
            _int("poktan", "pus_kb", FAMILIES_MAX, ("puskb", "kb"), at_most="pus_anggota"),
            *extra,
        ),
        recap=_poktan_recap(name, extra),
    )


BKB = _poktan("bkb")
BKR = _poktan("bkr")
BKL = _poktan(
    "bkl",
    (
        _int("poktan", "lansia_mandiri", FAMILIES_MAX, ("mandiri",), optional=True),
        _int("poktan", "lansia_pendamping", FAMILIES_MAX, ("pendamping",), optional=True),
    ),
)

_UNMET = Sum(("iat", "tial"))
_KB_RECAP = RecapSpec(
    figures=(
        Count("aktif_total", "aktif", Group("aktif")),
        Count("baru_total", "baru", Group("baru")),
        Count("unmet_need", "unmet_need", _UNMET),
        # PUS not on KB, by any reason (the portal's "ketidaksertaan ber-KB")
        Count("bukan_peserta", "bukan_peserta", Sum(("hamil", "ias", "iat", "tial"))),
        Rate("cpr", "cpr", Group("aktif"), "pus", chart=True),
        Rate("mkjp", "mkjp", Group("aktif", MKJP_METHODS), Group("aktif")),
        Rate("unmet_need_share", "unmet_need", _UNMET, "pus"),
        Mix("mix", "aktif"),
    ),
    summary=("pus", "aktif_total", "cpr", "mkjp", "baru_total", "unmet_need", "unmet_need_share"),
    units=(
        "pus",
        *(f"aktif_{m}" for m in METHODS),
        "aktif_total",
        *(f"baru_{m}" for m in METHODS),
        "baru_total",
        "cpr",
        "mkjp",
        "iat",
        "tial",
    ),
    district=("pus", "aktif_total", "cpr", "mkjp", "baru_total", "unmet_need_share"),
)

KB = FormSpec(
    name="kb",
    per_meeting=False,
    fields=(
        FieldSpec("periode", FieldKind.PERIOD, "kb.periode"),
        _int("kb", "pus", PUS_MAX, profile="pus"),
        *(
            FieldSpec(
                f"aktif_{m}", FieldKind.INT, "kb.aktif", group="aktif", method=m, maximum=PUS_MAX
            )
            for m in METHODS
        ),
        *(
            FieldSpec(
                f"baru_{m}",
                FieldKind.INT,
                "kb.baru",
                group="baru",
                method=m,
                at_most=f"aktif_{m}",
                maximum=PUS_MAX,
            )
            for m in METHODS
        ),
        _int("kb", "hamil", PUS_MAX),
        _int("kb", "ias", PUS_MAX),
        _int("kb", "iat", PUS_MAX),
        _int("kb", "tial", PUS_MAX),
    ),
    balance=Balance(total="pus", groups=("aktif",), parts=("hamil", "ias", "iat", "tial")),
    groups=(MethodGroup("aktif", ("aktif", "pa")), MethodGroup("baru", ("baru", "pb"))),
    recap=_KB_RECAP,
)


def _catatan(form: str) -> FieldSpec:
    return FieldSpec(
        "catatan",
        FieldKind.TEXT,
        f"{form}.catatan",
        optional=True,
        max_length=CATATAN_MAX,
        words=("catatan",),
    )


def _group_recap(participation_of: str, stock: tuple[str, ...], *more: Rate) -> RecapSpec:
    """A group that meets (UPPKA, PIK-R): meetings, attendance, participation against a
    profile number, and what else the form measures."""
    figures: tuple[Count | Rate, ...] = (
        Count("meetings", "meetings", Reports()),
        Rate("attendance", "attendance", "hadir", OverMeetings("anggota"), chart=True),
        *more,
        Rate("participation", "participation", "anggota", Profile(participation_of)),
    )
    shown = tuple(figure.key for figure in figures)
    return RecapSpec(
        figures=figures,
        stock=stock,
        summary=shown,
        units=("meetings", "anggota", "hadir", *shown[1:]),
        district=("attendance",),
        section="poktan",
        qualified=True,
    )


# UPPKA: income groups of acceptor families (R/I/UPPKA), one report per meeting.
UPPKA = FormSpec(
    name="uppka",
    per_meeting=True,
    fields=(
        FieldSpec("tanggal", FieldKind.DATE, "poktan.tanggal"),
        _int("uppka", "anggota", FAMILIES_MAX, profile="keluarga"),
        _int("uppka", "hadir", FAMILIES_MAX, at_most="anggota"),
        _int("uppka", "pus_anggota", FAMILIES_MAX, ("pus",), at_most="anggota"),
        _int("uppka", "pus_kb", FAMILIES_MAX, ("puskb", "kb"), at_most="pus_anggota"),
        FieldSpec(
            "jenis_usaha",
            FieldKind.CHOICE,
            "uppka.jenis_usaha",
            options=texts.JENIS_USAHA,
            words=("usaha",),
        ),
        FieldSpec("modal", FieldKind.CHOICE, "uppka.modal", options=texts.YES_NO, words=("modal",)),
        _catatan("uppka"),
    ),
    recap=_group_recap(
        "keluarga",
        ("anggota", "pus_anggota", "pus_kb"),
        Rate("pus_on_kb", "pus_on_kb", "pus_kb", "pus_anggota"),
    ),
)

# PIK-R: youth information and counselling centre, one report per meeting.
PIKR = FormSpec(
    name="pikr",
    per_meeting=True,
    fields=(
        FieldSpec("tanggal", FieldKind.DATE, "poktan.tanggal"),
        _int("pikr", "anggota", FAMILIES_MAX, profile="remaja"),
        _int("pikr", "hadir", FAMILIES_MAX, at_most="anggota"),
        FieldSpec(
            "materi", FieldKind.CHOICE, "pikr.materi", options=texts.PIKR_MATERI, words=("materi",)
        ),
        FieldSpec(
            "penyaji",
            FieldKind.CHOICE,
            "pikr.penyaji",
            options=texts.PIKR_PENYAJI,
            words=("penyaji",),
        ),
        _int("pikr", "konseling", FAMILIES_MAX),
        _catatan("pikr"),
    ),
    recap=_group_recap("remaja", ("anggota",)),
)

PHOTOS_MAX = 5
JUDUL_MAX = 100
TEMPAT_MAX = 100
URAIAN_MAX = 1000
SASARAN_MAX = 5_000  # people reached by one activity of a Kampung KB

# Kegiatan: an activity of the Kampung KB (the Kampung KB portal's "Kegiatan"), reported
# by any member for the kampung's implicit pokja unit, as often as they happen.
KEGIATAN = FormSpec(
    name="kegiatan",
    per_meeting=True,
    fields=(
        FieldSpec("tanggal", FieldKind.DATE, "kegiatan.tanggal"),
        FieldSpec("judul", FieldKind.TEXT, "kegiatan.judul", max_length=JUDUL_MAX),
        FieldSpec("tempat", FieldKind.TEXT, "kegiatan.tempat", max_length=TEMPAT_MAX),
        FieldSpec("kategori", FieldKind.CHOICE, "kegiatan.kategori", options=texts.KATEGORI),
        FieldSpec("sasaran", FieldKind.INT, "kegiatan.sasaran", maximum=SASARAN_MAX),
        FieldSpec(
            "uraian", FieldKind.TEXT, "kegiatan.uraian", optional=True, max_length=URAIAN_MAX
        ),
        FieldSpec("foto", FieldKind.PHOTOS, "kegiatan.foto", optional=True),
    ),
    unit_kinds=("pokja",),
    recap=RecapSpec(listing=("judul", "kategori", "tempat", "sasaran", "foto")),
    expected=False,
    many_per_day=True,
    quick=False,
)

FORMS: dict[str, FormSpec] = {
    spec.name: spec for spec in (POSYANDU, BKB, BKR, BKL, KB, UPPKA, PIKR, KEGIATAN)
}
# Which form a unit of each kind reports with; config accepts these kinds of unit.
FORM_FOR_KIND: dict[str, str] = {
    kind: spec.name for spec in FORMS.values() for kind in (spec.unit_kinds or (spec.name,))
}
# Every Kampung KB has one implicit unit of kind "pokja" (made by the organisation sync,
# not listed in config), which reports kegiatan.
POKJA_KIND = "pokja"
POKJA_SLUG = "pokja"
# The kinds config accepts.
UNIT_KINDS = tuple(kind for kind in FORM_FOR_KIND if kind != POKJA_KIND)


def expects_reports(kind: str) -> bool:
    """Whether units of `kind` owe reports (counted in completeness, reminded, followed
    up): they have a form, and it is not one reported at will."""
    form = FORM_FOR_KIND.get(kind)
    return form is not None and FORMS[form].expected


def photo_ids(value: Value) -> list[int]:
    """The photo ids of a PHOTOS answer ("12,15"); none when skipped."""
    if not isinstance(value, str) or not value:
        return []
    return [int(part) for part in value.split(",")]


# Colloquial method names kader use, longest first so that "steril wanita" wins over "steril".
METHOD_WORDS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        {
            "iud": "iud",
            "akdr": "iud",
            "spiral": "iud",
            "mow": "mow",
            "tubektomi": "mow",
            "steril wanita": "mow",
            "mop": "mop",
            "vasektomi": "mop",
            "steril pria": "mop",
            "kondom": "kondom",
            "implan": "implan",
            "implant": "implan",
            "susuk": "implan",
            "kb tanam": "implan",
            "suntik": "suntik",
            "suntikan": "suntik",
            "injeksi": "suntik",
            "pil": "pil",
        }.items(),
        key=lambda item: -len(item[0]),
    )
)


def balance_sides(spec: FormSpec, answers: Answers) -> tuple[int, int] | None:
    """(sum of the parts, total) when every number is in, else None."""
    if spec.balance is None:
        return None
    keys = [f.key for g in spec.balance.groups for f in spec.group_fields(g)]
    values = _given(answers, *keys, *spec.balance.parts, spec.balance.total)
    if values is None:
        return None
    return sum(values[:-1]), values[-1]


def _parts_text(pairs: list[tuple[str, int]]) -> str:
    return " + ".join(f"{texts.field_label(key)} {value}" for key, value in pairs)


def rule_error(spec: FormSpec, answers: Answers, key: str, value: int) -> str | None:
    """Why `value` for `key` breaks a hard rule of the form, given the other answers.

    Checks the field's upper bound, the field it may not exceed (K <= S), and the parts of
    a total (N + T + O + B never above D, counting only the parts answered). A change to
    the larger side (S, D) is checked by `first_rule_break`, which then asks again for the
    field that no longer fits. None when the value may be kept.
    """
    field_spec = spec.field(key)
    label = texts.field_label(key)
    if field_spec.maximum is not None and value > field_spec.maximum:
        return texts.TOO_BIG.format(label=label, maximum=texts.number(field_spec.maximum))
    trial = {**answers, key: value}
    bound = _answered_bound(spec, trial, field_spec.at_most)
    if bound is not None and value > bound[1]:
        other = texts.field_label(bound[0])
        return texts.AT_MOST.format(label=label, other=other, limit=bound[1], value=value)
    for rule in spec.parts_at_most:
        total = trial.get(rule.total)
        if key not in rule.parts or not isinstance(total, int):
            continue
        given = [(part, v) for part in rule.parts if isinstance(v := trial.get(part), int)]
        if sum(v for _, v in given) > total:
            return texts.PARTS_OVER.format(
                parts=_parts_text(given),
                sum=sum(v for _, v in given),
                total_label=texts.field_label(rule.total),
                total=total,
            )
    return None


def _answered_bound(spec: FormSpec, answers: Answers, key: str | None) -> tuple[str, int] | None:
    """The field a value may not exceed and its answer, following the chain past skipped
    answers: 2T may not exceed T, and when T is skipped, D."""
    while key is not None:
        value = answers.get(key)
        if isinstance(value, int):
            return key, value
        key = spec.field(key).at_most
    return None


def first_rule_break(spec: FormSpec, answers: Answers) -> tuple[str, str] | None:
    """The first field, in form order, that is missing ("" as reason) or breaks a hard rule
    given the answers before it (with the reason)."""
    before: dict[str, Value] = {}
    for field_spec in spec.fields:
        if field_spec.key not in answers:
            return field_spec.key, ""
        value = answers[field_spec.key]
        if isinstance(value, int):
            error = rule_error(spec, before, field_spec.key, value)
            if error:
                return field_spec.key, error
        before[field_spec.key] = value
    return None

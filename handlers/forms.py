"""The report forms as data: fields, rules and warnings. The engine runs any of them.

Adding a form (UPPKA, PIK-R) is a new FormSpec here and its prompts in `texts`.
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


@dataclass(frozen=True, slots=True)
class WarningRule:
    """An unusual but possible combination, checked once `after` has been answered."""

    after: str
    check: Callable[[Answers], str | None]


@dataclass(frozen=True, slots=True)
class Balance:
    """A hard rule that parts add up to a total (KB: aktif + hamil + ias + iat + tial = pus)."""

    total: str
    groups: tuple[str, ...]  # method groups whose sum is one part
    parts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FormSpec:
    name: str
    fields: tuple[FieldSpec, ...]
    per_meeting: bool  # True: one report per meeting date; False: one per month
    warnings: tuple[WarningRule, ...] = ()
    balance: Balance | None = None

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


def _int(form: str, key: str, **kwargs: object) -> FieldSpec:
    return FieldSpec(key, FieldKind.INT, f"{form}.{key}", **kwargs)  # type: ignore[arg-type]


def _given(answers: Answers, *keys: str) -> list[int] | None:
    values = [answers.get(key) for key in keys]
    if all(isinstance(value, int) for value in values):
        return [value for value in values if isinstance(value, int)]
    return None


def _skdn_sum(answers: Answers) -> str | None:
    values = _given(answers, "d", "n", "t", "o", "b")
    if values is None:
        return None
    d, n, t, o, b = values
    if n + t + o + b == d:
        return None
    return texts.WARN_SKDN_SUM.format(total=n + t + o + b, d=d)


def _d_over_k(answers: Answers) -> str | None:
    values = _given(answers, "d", "k")
    if values is None or values[0] <= values[1]:
        return None
    return texts.WARN_D_OVER_K.format(d=values[0], k=values[1])


POSYANDU = FormSpec(
    name="posyandu",
    per_meeting=False,
    fields=(
        FieldSpec("tanggal", FieldKind.DATE, "posyandu.tanggal"),
        _int("posyandu", "s"),
        _int("posyandu", "k", at_most="s"),
        _int("posyandu", "d", at_most="s"),
        _int("posyandu", "n", at_most="d"),
        _int("posyandu", "t", optional=True, at_most="d"),
        _int("posyandu", "o", optional=True, at_most="d"),
        _int("posyandu", "b", optional=True, at_most="d"),
        _int("posyandu", "t2", optional=True, at_most="t"),
        _int("posyandu", "bgm", at_most="d"),
        _int("posyandu", "bumil"),
        _int("posyandu", "kader_hadir"),
        FieldSpec(
            "catatan",
            FieldKind.TEXT,
            "posyandu.catatan",
            optional=True,
            max_length=CATATAN_MAX,
        ),
    ),
    warnings=(WarningRule("d", _d_over_k), WarningRule("b", _skdn_sum)),
)


def _poktan(name: str, extra: tuple[FieldSpec, ...] = ()) -> FormSpec:
    return FormSpec(
        name=name,
        per_meeting=True,
        fields=(
            FieldSpec("tanggal", FieldKind.DATE, "poktan.tanggal"),
            _int("poktan", "anggota"),
            _int("poktan", "hadir", at_most="anggota"),
            _int("poktan", "kader_hadir"),
            FieldSpec(
                "materi",
                FieldKind.TEXT,
                "poktan.materi",
                max_length=MATERI_MAX,
                options=texts.MATERI_TOPICS[name],
            ),
            FieldSpec("penyaji", FieldKind.CHOICE, "poktan.penyaji", options=texts.PENYAJI),
            _int("poktan", "pus_anggota", at_most="anggota"),
            _int("poktan", "pus_kb", at_most="pus_anggota"),
            *extra,
        ),
    )


BKB = _poktan("bkb")
BKR = _poktan("bkr")
BKL = _poktan(
    "bkl",
    (
        _int("poktan", "lansia_mandiri", optional=True),
        _int("poktan", "lansia_pendamping", optional=True),
    ),
)

KB = FormSpec(
    name="kb",
    per_meeting=False,
    fields=(
        FieldSpec("periode", FieldKind.PERIOD, "kb.periode"),
        _int("kb", "pus"),
        *(
            FieldSpec(f"aktif_{m}", FieldKind.INT, "kb.aktif", group="aktif", method=m)
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
            )
            for m in METHODS
        ),
        _int("kb", "hamil"),
        _int("kb", "ias"),
        _int("kb", "iat"),
        _int("kb", "tial"),
    ),
    balance=Balance(total="pus", groups=("aktif",), parts=("hamil", "ias", "iat", "tial")),
)

FORMS: dict[str, FormSpec] = {spec.name: spec for spec in (POSYANDU, BKB, BKR, BKL, KB)}
# Which form a unit of each kind reports with; uppka and pikr have none yet.
FORM_FOR_KIND: dict[str, str] = {
    "posyandu": "posyandu",
    "bkb": "bkb",
    "bkr": "bkr",
    "bkl": "bkl",
    "kb": "kb",
}
UNIT_KINDS = ("posyandu", "bkb", "bkr", "bkl", "kb", "uppka", "pikr")

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

"""One-message reports, as SMS-era systems allow:

    posyandu 10/11 S50 K48 D45 N40 BGM1 bumil6 kader5
    bkb kemarin anggota 30 hadir 25 kader 3 pus 20 puskb 15 penyaji kader materi gizi balita
    kb oktober pus 628 aktif spiral 20 susuk 40 suntik 200 pil 149 baru suntik 10 hamil 20

The first word names the form; the words up to the first key are the date (the month for
KB); then keys with numbers ("S50", "S 50", "S=50"). `catatan` and `materi` take the rest
of the line. The engine applies the same rules and warnings as in the guided form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from handlers import parse, texts
from handlers.forms import FORMS, METHOD_WORDS

_KEYS = {
    "posyandu": {
        "s": "s",
        "k": "k",
        "d": "d",
        "n": "n",
        "t": "t",
        "o": "o",
        "b": "b",
        "2t": "t2",
        "t2": "t2",
        "bgm": "bgm",
        "bumil": "bumil",
        "kader": "kader_hadir",
    },
    "poktan": {
        "anggota": "anggota",
        "hadir": "hadir",
        "kader": "kader_hadir",
        "pus": "pus_anggota",
        "puskb": "pus_kb",
        "kb": "pus_kb",
        "mandiri": "lansia_mandiri",
        "pendamping": "lansia_pendamping",
    },
    "kb": {"pus": "pus", "hamil": "hamil", "ias": "ias", "iat": "iat", "tial": "tial"},
}
_REST_OF_LINE = {"posyandu": {"catatan": "catatan"}, "poktan": {"materi": "materi"}}
_SECTIONS = {"aktif": "aktif", "pa": "aktif", "baru": "baru", "pb": "baru"}
_KEY_VALUE = re.compile(r"^([a-z2]+?)[:=]?(\d+)$")


@dataclass
class QuickReport:
    form: str
    when: str  # the date (or month) as typed, possibly empty
    values: dict[str, int | str] = field(default_factory=dict)


def _family(form: str) -> str:
    return "poktan" if form in ("bkb", "bkr", "bkl") else form


def keys_help(form: str) -> str:
    family = _family(form)
    words = [*_KEYS[family], *_REST_OF_LINE.get(family, {})]
    if family == "poktan":
        words.append("penyaji")
    if family == "kb":
        words += ["aktif", "baru", "spiral", "susuk", "suntik", "pil", "kondom", "mow", "mop"]
    return " ".join(word.upper() if len(word) <= 3 else word for word in words)


def parse_quick_report(text: str) -> QuickReport | str | None:
    """None when the text is not a one-message report; a message to show when it is one
    that cannot be read."""
    words = parse.normalise(text).split()
    if len(words) < 2 or words[0] not in FORMS:
        return None
    form, family = words[0], _family(words[0])
    keys = _KEYS[family]
    report = QuickReport(form, "")
    position = 1
    when: list[str] = []
    while position < len(words) and not _starts_value(words, position, family):
        when.append(words[position])
        position += 1
    report.when = " ".join(when)
    section = "aktif"
    while position < len(words):
        word = words[position]
        rest = _REST_OF_LINE.get(family, {})
        if word in rest:
            report.values[rest[word]] = " ".join(text.split()[position + 1 :])
            break
        if family == "poktan" and word == "penyaji" and position + 1 < len(words):
            choice = _penyaji(words[position + 1 :])
            if choice is None:
                return texts.QUICK_UNKNOWN.format(word=words[position + 1], keys=keys_help(form))
            report.values["penyaji"], taken = choice
            position += 1 + taken
            continue
        if family == "kb" and word in _SECTIONS:
            section = _SECTIONS[word]
            position += 1
            continue
        key, number, taken = _key_and_number(words, position, keys, family, section)
        if isinstance(number, parse.NumberProblem):
            reason = texts.NUMBER_PROBLEMS[number].format(typed=texts.typed(word))
            return texts.QUICK_BAD_NUMBER.format(word=texts.typed(word), reason=reason)
        if key is None or number is None:
            return texts.QUICK_UNKNOWN.format(word=word, keys=keys_help(form))
        if key in report.values:
            return texts.QUICK_TWICE.format(word=word)
        report.values[key] = number
        position += taken
    return report


def _penyaji(words: list[str]) -> tuple[str, int] | None:
    for option in sorted(texts.PENYAJI, key=len, reverse=True):
        option_words = option.lower().split()
        if words[: len(option_words)] == option_words:
            return option, len(option_words)
    return None


def _method(word: str) -> str | None:
    return dict(METHOD_WORDS).get(word)


def _starts_value(words: list[str], position: int, family: str) -> bool:
    word = words[position]
    keys = _KEYS[family]
    if word in _REST_OF_LINE.get(family, {}) or (family == "poktan" and word == "penyaji"):
        return True
    if family == "kb" and (word in _SECTIONS or _method(word)):
        return True
    match = _KEY_VALUE.match(word)
    if match and match[1] in keys:
        return True
    return word in keys and position + 1 < len(words) and parse.is_plain_number(words[position + 1])


def _key_and_number(
    words: list[str], position: int, keys: dict[str, str], family: str, section: str
) -> tuple[str | None, int | parse.NumberProblem | None, int]:
    word = words[position]
    match = _KEY_VALUE.match(word)
    name, attached = (match[1], parse.read_count(match[2])) if match else (word, None)
    if family == "kb" and _method(name):
        key: str | None = f"{section}_{_method(name)}"
    else:
        key = keys.get(name)
    if key is None:
        return None, None, 1
    if attached is not None:
        return key, attached, 1
    if position + 1 < len(words) and parse.is_plain_number(words[position + 1]):
        return key, parse.read_count(words[position + 1]), 2
    return key, None, 1

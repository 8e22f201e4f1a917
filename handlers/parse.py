"""Reading what kader type: Indonesian numbers, dates, yes/no, commands.

Every parser returns None for text it cannot read, so that the engine can re-ask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import dateparser

_DIGITS = re.compile(r"^\d{1,3}(?:\.\d{3})+$|^\d+$")
_TOKEN = re.compile(r"[a-z]+|\d[\d.,]*|[^\sa-z\d]")

_UNITS = {
    "nol": 0,
    "kosong": 0,
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
}
# Words with the "se-" (one) prefix stand for a whole value on their own.
_SE_WORDS = {"sepuluh": 10, "sebelas": 11, "seratus": 100, "seribu": 1000}
_MULTIPLIERS = {"puluh": 10, "ratus": 100}
_NUMBER_WORDS = {*_UNITS, *_SE_WORDS, *_MULTIPLIERS, "belas", "ribu"}
_NONE_WORDS = ("tidak ada", "tdk ada", "gak ada", "nggak ada", "ga ada", "belum ada")

_YES = {
    "ya",
    "iya",
    "y",
    "yes",
    "betul",
    "benar",
    "bener",
    "ok",
    "oke",
    "okay",
    "okey",
    "sip",
    "setuju",
    "lanjut",
    "yoi",
    "yup",
}
_NO = {
    "tidak",
    "tdk",
    "nggak",
    "ngga",
    "gak",
    "ga",
    "enggak",
    "engga",
    "no",
    "n",
    "bukan",
    "jangan",
}

_SKIP = {"lewati", "lewat", "skip", "-", "lewatkan", "kosongkan"}


def normalise(text: str) -> str:
    """Lower-case, trimmed, inner white space folded."""
    return " ".join(text.lower().split())


def _words_to_int(words: list[str]) -> int | None:
    total = 0  # thousands already closed
    current = 0  # the group below a thousand
    pending: int | None = None  # a unit word waiting for its multiplier
    for word in words:
        if word in _UNITS:
            if pending is not None:
                return None  # "lima lima" is not a number
            pending = _UNITS[word]
        elif word in _SE_WORDS:
            if pending is not None:
                return None
            if word == "seribu":
                if total or current:
                    return None
                total = 1000
            else:
                current += _SE_WORDS[word]
        elif word == "belas":
            if pending is None or pending == 0:
                return None
            current += 10 + pending
            pending = None
        elif word in _MULTIPLIERS:
            if pending is None or pending == 0:
                return None
            current += pending * _MULTIPLIERS[word]
            pending = None
        elif word == "ribu":
            group = current + (pending or 0)
            if group == 0 or total:
                return None
            total = group * 1000
            current, pending = 0, None
        else:
            return None
    return total + current + (pending or 0)


def is_plain_number(text: str) -> bool:
    """Only the digits 0-9 ("²".isdigit() is True, and int("²") fails)."""
    return text.isascii() and text.isdigit()


def is_number_word(word: str) -> bool:
    return word in _NUMBER_WORDS


def parse_int(text: str) -> int | None:
    """A whole number ≥ 0 from "45", "45 orang", "1.234", "empat puluh lima", "tidak ada".

    Words that are not numbers ("orang", "balita") are ignored; two numbers, a fraction or
    a minus sign make the text unreadable.
    """
    clean = normalise(text)
    if clean in _NONE_WORDS:
        return 0
    tokens = _TOKEN.findall(clean)
    digits = [t for t in tokens if t[0].isdigit()]
    words = [t for t in tokens if t in _NUMBER_WORDS]
    symbols = [t for t in tokens if not t[0].isdigit() and not t[0].isalpha()]
    if symbols and set(symbols) - {".", ":", "="}:
        return None
    if len(digits) == 1 and not words:
        number = digits[0].rstrip(".")
        if not _DIGITS.match(number):
            return None
        return int(number.replace(".", ""))
    if not digits and words:
        # The number words must stand together: "lima orang puluh" is not 50.
        first = tokens.index(words[0])
        run = tokens[first : first + len(words)]
        if run != words:
            return None
        return _words_to_int(words)
    return None


def parse_yes_no(text: str) -> bool | None:
    clean = normalise(text).strip(".!")
    if clean in _YES:
        return True
    if clean in _NO:
        return False
    first = clean.split(" ", 1)[0].strip(".,!") if clean else ""
    if first in _YES and first not in {"y", "n"}:
        return True
    if first in _NO and first not in {"y", "n"}:
        return False
    return None


def is_skip(text: str) -> bool:
    return normalise(text) in _SKIP


_DATE_PREFIX = re.compile(r"^(?:tgl\.?|tanggal|tangal|hari\s+buka)\s*")
_DATE_FIXES = {
    "kemaren": "kemarin",
    "kmrn": "kemarin",
    "kmarin": "kemarin",
    "hr ini": "hari ini",
    "hri ini": "hari ini",
    "td": "hari ini",
    "tadi": "hari ini",
    "barusan": "hari ini",
    "sekarang": "hari ini",
}
# dateparser reads "minggu" as a week ("minggu lalu" fails, dateparser #398); kader use it for
# Sunday, and the Indonesian "Ahad" too.
_WEEKDAY_FIXES = {"ahad": "minggu"}
_WEEKDAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")
_WEEKDAY_PHRASE = re.compile(rf"(?:hari\s+)?({'|'.join(_WEEKDAYS)})(?:\s+(?:lalu|kemarin))?")


def parse_date(text: str, today: date) -> date | None:
    """A calendar date from "hari ini", "kemarin", "12/11", "12-11-2026", "12 Nov", "Senin".

    Day-first, and a date without a year is the most recent one not after `today`.
    """
    clean = _DATE_PREFIX.sub("", normalise(text)).strip(" .,")
    clean = _DATE_FIXES.get(clean, clean)
    clean = " ".join(_WEEKDAY_FIXES.get(w, w) for w in clean.split())
    clean = clean.replace("jum'at", "jumat")
    if not clean or not re.search(r"[\d]|[a-z]{3,}", clean):
        return None
    if m := _WEEKDAY_PHRASE.fullmatch(clean):
        return _last_weekday(m[1], today)
    if re.fullmatch(r"\d{1,2}", clean):
        return _day_of_recent_month(int(clean), today)
    base = datetime(today.year, today.month, today.day, 12, 0)
    settings = {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": base,
        "REQUIRE_PARTS": ["day"],
        "PARSERS": ["relative-time", "absolute-time"],
    }
    parsed = dateparser.parse(clean, languages=["id"], settings=settings)
    if parsed is None:
        return None
    return parsed.date()


def _last_weekday(name: str, today: date) -> date:
    target = _WEEKDAYS.index(name)
    back = (today.weekday() - target) % 7
    return date.fromordinal(today.toordinal() - back)


def _day_of_recent_month(day: int, today: date) -> date | None:
    """Day `day` of this month, or of last month when that day is still to come."""
    year, month = today.year, today.month
    for _ in range(2):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate <= today:
            return candidate
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return None


_MONTHS = {
    "januari": 1,
    "jan": 1,
    "februari": 2,
    "feb": 2,
    "pebruari": 2,
    "maret": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "agustus": 8,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "nop": 11,
    "desember": 12,
    "des": 12,
}


def parse_month(text: str, today: date) -> str | None:
    """A report period "YYYY-MM" from "2026-10", "10/2026", "oktober", "okt 2026"."""
    clean = normalise(text)
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", clean):
        year, month = int(m[1]), int(m[2])
    elif m := re.fullmatch(r"(\d{1,2})[/-](\d{4})", clean):
        month, year = int(m[1]), int(m[2])
    elif m := re.fullmatch(r"([a-z]+)(?:\s+(\d{4}))?", clean):
        if m[1] not in _MONTHS:
            return None
        month = _MONTHS[m[1]]
        # A month without a year is the most recent such month.
        year = int(m[2]) if m[2] else (today.year if month <= today.month else today.year - 1)
    else:
        return None
    if not 1 <= month <= 12:
        return None
    return f"{year:04d}-{month:02d}"


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    argument: str


_COMMANDS = {
    "start": "start",
    "daftar": "start",
    "lapor": "lapor",
    "laporan": "lapor",
    "batal": "batal",
    "bantuan": "bantuan",
    "help": "bantuan",
    "tolong": "bantuan",
    "status": "status",
    "ubah": "ubah",
    "koreksi": "ubah",
    "menu": "menu",
    "rekap": "rekap",
    "pengingat": "pengingat",
}
# Plain words count as commands only when they are the whole message (or, for the two that
# take an argument, its first word), so that a note typed at a text prompt stays a note.
_ARGUMENT_COMMANDS = {"start", "daftar", "rekap", "pengingat"}


def parse_command(text: str) -> Command | None:
    """`/lapor`, `/start@KaderBot CODE`, or a plain command word such as "BATAL", "daftar X"."""
    clean = text.strip()
    if not clean:
        return None
    head, _, rest = clean.partition(" ")
    slash = head.startswith("/")
    word = head.lstrip("/").split("@", 1)[0].lower()
    if word not in _COMMANDS:
        return None
    if not slash and rest and word not in _ARGUMENT_COMMANDS:
        return None
    return Command(_COMMANDS[word], rest.strip())


_CODE = re.compile(r"^[A-Za-z0-9_-]{4,64}$")


def registration_code(text: str) -> str | None:
    """The invite code of "/start CODE" or "DAFTAR CODE", or None."""
    command = parse_command(text)
    if command is None or command.name != "start" or not _CODE.match(command.argument):
        return None
    return command.argument.upper()

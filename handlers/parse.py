"""Reading what kader type: Indonesian numbers, dates, yes/no, commands.

Every parser returns None for text it cannot read, so that the engine can re-ask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

import dateparser

_UNIT_VALUES = {
    "nol": 0,
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
_SE_WORDS = {"sepuluh": 10, "sebelas": 11, "seratus": 100, "seribu": 1000, "sejuta": 1_000_000}
_SCALES = {"ribu": 1000, "juta": 1_000_000}
_NUMBER_WORDS = frozenset({*_UNIT_VALUES, *_SE_WORDS, *_SCALES, "puluh", "belas", "ratus"})
_NONE_PHRASES = frozenset(
    {"tidak ada", "tdk ada", "gak ada", "nggak ada", "ga ada", "belum ada", "kosong", "nihil"}
)
# Words that may stand around a count without changing it: "ada 45", "45 orang", "45 KK".
_LEADING_FILLERS = frozenset(
    {"ada", "jumlah", "jumlahnya", "total", "totalnya", "sebanyak", "yaitu", "yang", "yg"}
)
_UNIT_WORDS = frozenset(
    {
        "orang", "org", "anak", "balita", "bayi", "kk", "keluarga", "kel", "ibu", "bumil",
        "hamil", "pasang", "pasangan", "pus", "peserta", "akseptor", "remaja", "lansia",
        "kader", "jiwa", "anggota", "kelompok", "kali", "saja", "aja", "sj",
    }
)  # fmt: skip
_APPROXIMATE_WORDS = frozenset(
    {"sekitar", "kira", "kira2", "kurang", "lebih", "hampir", "kurleb", "kisaran", "antara"}
)
_ROUGH_AMOUNTS = frozenset({"puluhan", "belasan", "ratusan", "ribuan", "jutaan"})
_MONTH_WORDS = frozenset(
    {
        "januari", "jan", "februari", "feb", "pebruari", "maret", "mar", "april", "apr", "mei",
        "juni", "jun", "juli", "jul", "agustus", "agu", "agt", "ags", "september", "sep",
        "sept", "oktober", "okt", "november", "nov", "nop", "desember", "des", "bulan", "tgl",
        "tanggal", "hari", "kemarin", "kemaren", "senin", "selasa", "rabu", "kamis", "jumat",
        "sabtu", "minggu",
    }
)  # fmt: skip
# A count above this many digits is not a count of people in a village; reading it would
# only risk Python's limit on long integer strings (4,300 digits).
_MAX_DIGITS = 9
_MAX_NUMBER_TEXT = 120
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_DIGIT_NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+|\d+")
_GLUED = re.compile(r"(\d[\d.,]*)([a-z]+)")


class NumberProblem(StrEnum):
    """Why an answer is not (certainly) one whole number ≥ 0; each has its own re-ask."""

    UNREADABLE = "unreadable"
    LETTERS_IN_DIGITS = "letters_in_digits"
    DATE = "date"
    TWO_NUMBERS = "two_numbers"
    DECIMAL = "decimal"
    NEGATIVE = "negative"
    APPROXIMATE = "approximate"
    PERCENT = "percent"
    TOO_LONG = "too_long"
    AMBIGUOUS_WORDS = "ambiguous_words"
    AMBIGUOUS_COMMA = "ambiguous_comma"


def normalise(text: str) -> str:
    """Lower-case, trimmed, inner white space folded."""
    return " ".join(text.lower().split())


def _split_joined(word: str) -> list[str] | None:
    """ "empatpuluhlima" -> ["empat", "puluh", "lima"]; None when it is not number words."""
    if word in _NUMBER_WORDS:
        return [word]
    for cut in range(len(word) - 1, 1, -1):
        head = word[:cut]
        if head in _NUMBER_WORDS and (rest := _split_joined(word[cut:])) is not None:
            return [head, *rest]
    return None


class _Words:
    """A cursor over number words, read by the grammar below."""

    def __init__(self, words: list[str]) -> None:
        self.words, self.at = words, 0

    def peek(self, offset: int = 0) -> str | None:
        position = self.at + offset
        return self.words[position] if position < len(self.words) else None

    def take(self, count: int = 1) -> None:
        self.at += count


def _digit_before(cursor: _Words, word: str) -> int | None:
    """A unit word 1-9 followed by `word` ("tiga ratus"): its value, consuming both."""
    first = cursor.peek()
    if first in _UNIT_VALUES and first != "nol" and cursor.peek(1) == word:
        cursor.take(2)
        return _UNIT_VALUES[first]
    return None


def _group(cursor: _Words) -> int | None:
    """1-999 in words: [hundreds] [tens] [unit], each at most once, in that order."""
    total, found = 0, False
    if cursor.peek() == "seratus":
        cursor.take()
        total, found = 100, True
    elif (hundreds := _digit_before(cursor, "ratus")) is not None:
        total, found = hundreds * 100, True
    word = cursor.peek()
    if word in ("sepuluh", "sebelas"):
        cursor.take()
        return total + _SE_WORDS[word]
    if (teen := _digit_before(cursor, "belas")) is not None:
        return total + 10 + teen
    if (tens := _digit_before(cursor, "puluh")) is not None:
        total, found = total + tens * 10, True
    word = cursor.peek()
    if word in _UNIT_VALUES and word != "nol":
        cursor.take()
        return total + _UNIT_VALUES[word]
    return total if found else None


def _words_to_int(words: list[str]) -> int | None:
    """The value of Indonesian number words, or None unless they are one number exactly."""
    if words == ["nol"]:
        return 0
    cursor = _Words(words)
    total = 0
    for scale, se_word in ((1_000_000, "sejuta"), (1000, "seribu")):
        if cursor.peek() == se_word:
            cursor.take()
            total += scale
            continue
        start = cursor.at
        group = _group(cursor)
        name = "juta" if scale == 1_000_000 else "ribu"
        if group is not None and cursor.peek() == name:
            cursor.take()
            total += group * scale
        else:
            cursor.at = start
    rest = _group(cursor)
    if rest is not None:
        total += rest
    elif cursor.at == 0:
        return None
    return total if cursor.at == len(words) else None


def _read_digits(token: str) -> int | NumberProblem:
    if "," in token:
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+", token):
            return NumberProblem.AMBIGUOUS_COMMA  # 1,000: a thousand, or one with decimals?
        return NumberProblem.DECIMAL
    if not _DIGIT_NUMBER.fullmatch(token):
        return NumberProblem.DECIMAL  # 4.5, 1.00, 12.3456
    digits = token.replace(".", "")
    if len(digits.lstrip("0")) > _MAX_DIGITS:
        return NumberProblem.TOO_LONG
    return int(digits)


def _tokens(clean: str) -> list[str] | NumberProblem:
    """Words and digit runs; a digit run glued to a unit word is split ("45orang")."""
    found: list[str] = []
    for raw in re.split(r"[\s]+", clean):
        token = raw.strip(":=")
        if not token:
            continue
        if token.isalpha():
            found.append(token)
            continue
        if re.fullmatch(r"[\d.,]+", token):
            found.append(token)
            continue
        glued = _GLUED.fullmatch(token)
        if glued and glued[2] in _UNIT_WORDS | _SCALES.keys():
            found += [glued[1], glued[2]]
        elif glued and glued[2] in _MONTH_WORDS:
            return NumberProblem.DATE
        elif re.search(r"\d", token) and re.search(r"[a-z]", token):
            return NumberProblem.LETTERS_IN_DIGITS
        elif re.fullmatch(r"\d+[/-]\d+(?:[/-]\d+)?", token):
            return NumberProblem.DATE if "/" in token else NumberProblem.TWO_NUMBERS
        else:
            return NumberProblem.UNREADABLE
    return found


def read_count(text: str) -> int | NumberProblem:
    """A whole number ≥ 0 when the whole answer is one, else why it is not.

    Reads digits ("45", "1.000"), digits with a unit word ("45 orang", "45 KK"), number
    words apart or joined ("empat puluh lima", "empatpuluh lima"), and the words for none.
    A letter inside digits, a date, two numbers, a decimal, a negative or an estimate is
    never turned into a number: the engine asks again, giving the reason.
    """
    # Only trailing punctuation goes: ".5" is a decimal, not 5.
    clean = normalise(text.translate(_FULLWIDTH_DIGITS)).rstrip(" .!?")
    if len(clean) > _MAX_NUMBER_TEXT:
        digits_only = re.fullmatch(r"[\d.\s]+", clean) is not None
        return NumberProblem.TOO_LONG if digits_only else NumberProblem.UNREADABLE
    if clean in _NONE_PHRASES:
        return 0
    if not clean.isascii():
        return NumberProblem.UNREADABLE  # "²", "٤٥": digits Python reads but people do not type
    if "%" in clean or "persen" in clean:
        return NumberProblem.PERCENT
    if re.match(r"(?:-|minus\b|min\b)\s*\S", clean):
        return NumberProblem.NEGATIVE
    if "±" in clean or "+-" in clean or "+/-" in clean:
        return NumberProblem.APPROXIMATE
    tokens = _tokens(clean)
    if isinstance(tokens, NumberProblem):
        return tokens
    return _read_tokens(tokens)


def _read_tokens(tokens: list[str]) -> int | NumberProblem:
    if any(t in _APPROXIMATE_WORDS or t in _ROUGH_AMOUNTS for t in tokens):
        return NumberProblem.APPROXIMATE
    if any(t in _MONTH_WORDS for t in tokens) and any(t[0].isdigit() for t in tokens):
        return NumberProblem.DATE
    position = 0
    while position < len(tokens) and tokens[position] in _LEADING_FILLERS:
        position += 1
    numbers: list[int] = []
    while position < len(tokens):
        token = tokens[position]
        if token[0].isdigit() or (token[0] in ".," and len(token) > 1):  # ".5" is a decimal
            value = _read_digits(token)
            if isinstance(value, NumberProblem):
                return value
            position += 1
            if position < len(tokens) and tokens[position] in _SCALES:  # "2 ribu"
                value *= _SCALES[tokens[position]]
                position += 1
            numbers.append(value)
        elif (words := _number_word_run(tokens, position)) is not None:
            run, position = words
            value_of_words = _words_to_int(run)
            if value_of_words is None:
                ambiguous = len(run) > 1 and all(w in _UNIT_VALUES for w in run)
                return NumberProblem.AMBIGUOUS_WORDS if ambiguous else NumberProblem.UNREADABLE
            numbers.append(value_of_words)
        elif token in _UNIT_WORDS and numbers:
            position += 1
        else:
            return NumberProblem.UNREADABLE
    if len(numbers) > 1:
        return NumberProblem.TWO_NUMBERS
    if not numbers:
        return NumberProblem.UNREADABLE
    if numbers[0] >= 10**_MAX_DIGITS:
        return NumberProblem.TOO_LONG
    return numbers[0]


def _number_word_run(tokens: list[str], start: int) -> tuple[list[str], int] | None:
    """The number words from `start` on (joined words split apart), and where they end."""
    run: list[str] = []
    position = start
    while position < len(tokens) and (parts := _split_joined(tokens[position])) is not None:
        run += parts
        position += 1
    return (run, position) if run else None


def parse_int(text: str) -> int | None:
    """A whole number ≥ 0, or None when `read_count` finds a problem."""
    value = read_count(text)
    return None if isinstance(value, NumberProblem) else value


def is_plain_number(text: str) -> bool:
    """Only the digits 0-9 ("²".isdigit() is True, and int("²") fails)."""
    return text.isascii() and text.isdigit()


def is_number_word(word: str) -> bool:
    return _split_joined(word) is not None


_YES = {
    "ya", "iya", "y", "yes", "betul", "benar", "bener", "ok", "oke", "okay", "okey", "sip",
    "setuju", "lanjut", "yoi", "yup",
}  # fmt: skip
_NO = {
    "tidak", "tdk", "nggak", "ngga", "gak", "ga", "enggak", "engga", "no", "n", "bukan",
    "jangan",
}  # fmt: skip
_SKIP = {"lewati", "lewat", "skip", "-", "lewatkan", "kosongkan"}


def label_words(text: str) -> list[str]:
    """The words of a button label or of an answer, without case and punctuation:
    "TRIAD KRR: HIV/AIDS" -> ["triad", "krr", "hiv", "aids"]."""
    return re.sub(r"[^\w]+", " ", normalise(text)).split()


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
_WEEKDAY_PHRASE = re.compile(rf"(?:hari\s+)?({'|'.join(_WEEKDAYS)})(?:\s+(lalu|kemarin|kemaren))?")
# "bulan lalu", "minggu lalu" (last week, or last Sunday?), "2 tahun lalu": no one day, so
# they are asked again rather than turned into a made-up date.
_VAGUE_DATE = re.compile(r"\b(?:bulan|tahun|pekan)\b|^minggu\s+(?:lalu|kemarin|kemaren)$")


class DateProblem(StrEnum):
    UNREADABLE = "unreadable"
    IMPOSSIBLE = "impossible"  # 32/11, 31/2: no such day in the calendar


_NUMERIC_DATE = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{2}|\d{4}))?")
_WORD_DATE = re.compile(r"(\d{1,2})\s*([a-z]+)\.?(?:\s+(\d{2}|\d{4}))?")
_MAX_DATE_TEXT = 40
_AHEAD_MEANS_THIS_YEAR = 31


def read_date(text: str, today: date) -> date | DateProblem:
    """A calendar date from "hari ini", "kemarin", "12/11", "12-11-2026", "12 Nov", "Senin".

    Day-first, and a date without a year is the most recent one not after `today`. Day and
    month in figures are read here, not by dateparser, which takes "32/11" for 11 Nov 1932.
    """
    clean = _DATE_PREFIX.sub("", normalise(text)).strip(" .,")
    clean = _DATE_FIXES.get(clean, clean)
    clean = " ".join(_WEEKDAY_FIXES.get(w, w) for w in clean.split())
    clean = clean.replace("jum'at", "jumat")
    if not clean or len(clean) > _MAX_DATE_TEXT or not re.search(r"[\d]|[a-z]{3,}", clean):
        return DateProblem.UNREADABLE
    if _VAGUE_DATE.search(clean):
        return DateProblem.UNREADABLE
    if m := _WEEKDAY_PHRASE.fullmatch(clean):
        return _last_weekday(m[1], today, strictly_before=m[2] is not None)
    if re.fullmatch(r"\d{1,2}", clean):
        return _day_of_recent_month(int(clean), today)
    if m := _NUMERIC_DATE.fullmatch(clean):
        return _calendar_date(int(m[1]), int(m[2]), m[3], today)
    if (m := _WORD_DATE.fullmatch(clean)) and m[2] in _MONTHS:
        return _calendar_date(int(m[1]), _MONTHS[m[2]], m[3], today)
    if re.search(r"\d", clean) and not re.search(r"[a-z]{3,}", clean):
        return DateProblem.UNREADABLE  # figures in a shape of no date: "1.2.3.4", "12/"
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
        return DateProblem.UNREADABLE
    return parsed.date()


def parse_date(text: str, today: date) -> date | None:
    found = read_date(text, today)
    return None if isinstance(found, DateProblem) else found


def _calendar_date(day: int, month: int, year_text: str | None, today: date) -> date | DateProblem:
    """The date day/month[/year]; without a year the most recent one not after `today`."""
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return DateProblem.IMPOSSIBLE
    if year_text is not None:
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        try:
            return date(year, month, day)
        except ValueError:
            return DateProblem.IMPOSSIBLE
    for year in (today.year, today.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return DateProblem.IMPOSSIBLE  # 31/2, or 29/2 in a year without it
        # A date a few weeks ahead is meant this year (and refused as still to come), not
        # taken for last year's.
        if candidate <= today or (candidate - today).days <= _AHEAD_MEANS_THIS_YEAR:
            return candidate
    return DateProblem.IMPOSSIBLE


def _last_weekday(name: str, today: date, strictly_before: bool) -> date:
    """The latest such weekday on or before today; "jumat lalu" on a Friday is a week ago."""
    target = _WEEKDAYS.index(name)
    back = (today.weekday() - target) % 7
    if back == 0 and strictly_before:
        back = 7
    return date.fromordinal(today.toordinal() - back)


def _day_of_recent_month(day: int, today: date) -> date | DateProblem:
    """Day `day` of this month, or of last month when that day is still to come."""
    if not 1 <= day <= 31:
        return DateProblem.IMPOSSIBLE
    year, month = today.year, today.month
    for _ in range(2):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate <= today:
            return candidate
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return DateProblem.IMPOSSIBLE


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
    "kegiatan": "kegiatan",
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
    "undang": "undang",
    "anggota": "anggota",
    "unduh": "unduh",
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

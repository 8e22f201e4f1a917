"""One-message reports, as SMS-era systems allow:

    posyandu 10/11 S50 K48 D45 N40 BGM1 bumil6 kader5
    bkb kemarin anggota 30 hadir 25 kader 3 pus 20 puskb 15 penyaji kader materi gizi balita
    kb oktober pus 628 aktif spiral 20 susuk 40 suntik 200 pil 149 baru suntik 10 hamil 20

The first word names the form; the words up to the first key are the date (the month for
KB); then keys with numbers ("S50", "S 50", "S=50"). Which words name which field comes
from the form spec (`FieldSpec.words`, `FormSpec.groups`); a text field named there
(`catatan`, `materi`) takes the rest of the line. The engine applies the same rules and
warnings as in the guided form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from handlers import parse, texts
from handlers.forms import FORMS, METHOD_WORDS, FieldKind, FieldSpec, FormSpec

_COUNTISH = re.compile(r"[.,]?\d\S*")  # what a count typed after its key looks like
_METHOD_OF_WORD = dict(METHOD_WORDS)


@dataclass
class QuickReport:
    form: str
    when: str  # the date (or month) as typed, possibly empty
    values: dict[str, int | str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    """What the words of one form's one-message report name, read from its spec."""

    counts: dict[str, str]  # word -> count field key
    rest_of_line: dict[str, str]  # word -> text field key
    choices: dict[str, FieldSpec]  # word -> choice field
    groups: dict[str, str]  # word -> method group

    @classmethod
    def of(cls, spec: FormSpec) -> _Vocabulary:
        def named(kind: FieldKind) -> dict[str, FieldSpec]:
            return {w: f for f in spec.fields if f.kind is kind for w in f.words}

        return cls(
            counts={w: f.key for w, f in named(FieldKind.INT).items()},
            rest_of_line={w: f.key for w, f in named(FieldKind.TEXT).items()},
            choices=named(FieldKind.CHOICE),
            groups={w: g.name for g in spec.groups for w in g.words},
        )

    def keys_help(self) -> str:
        words = [*self.counts, *self.rest_of_line, *self.choices]
        if self.groups:
            words += [*self.groups, *dict.fromkeys(_METHOD_OF_WORD.values())]
        return " ".join(word.upper() if len(word) <= 3 else word for word in words)


_VOCABULARIES = {name: _Vocabulary.of(spec) for name, spec in FORMS.items()}


def keys_help(form: str) -> str:
    return _VOCABULARIES[form].keys_help()


def parse_quick_report(text: str) -> QuickReport | str | None:
    """None when the text is not a one-message report; a message to show when it is one
    that cannot be read."""
    words = parse.normalise(text).split()
    if len(words) < 2 or words[0] not in FORMS or not FORMS[words[0]].quick:
        return None
    form = words[0]
    spec, vocabulary = FORMS[form], _VOCABULARIES[form]
    report = QuickReport(form, "")
    position = 1
    when: list[str] = []
    while position < len(words) and not _starts_value(words, position, vocabulary):
        when.append(words[position])
        position += 1
    report.when = " ".join(when)
    section = spec.groups[0].name if spec.groups else ""
    while position < len(words):
        word = words[position]
        if word in vocabulary.rest_of_line:
            report.values[vocabulary.rest_of_line[word]] = " ".join(text.split()[position + 1 :])
            break
        if word in vocabulary.choices:
            choice_field = vocabulary.choices[word]
            if choice_field.key in report.values:
                return texts.QUICK_TWICE.format(word=word)
            choice = _option(choice_field, words[position + 1 :])
            if choice is None:
                return texts.QUICK_UNKNOWN_OPTION.format(
                    word=word, options=", ".join(choice_field.options)
                )
            report.values[choice_field.key], taken = choice
            position += 1 + taken
            continue
        if word in vocabulary.groups:
            section = vocabulary.groups[word]
            position += 1
            continue
        key, number, taken = _key_and_number(words, position, vocabulary, section)
        if isinstance(key, list):
            return texts.QUICK_AMBIGUOUS_KEY.format(
                word=texts.typed(word), options=" atau ".join(key)
            )
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


def _option(choice_field: FieldSpec, words: list[str]) -> tuple[str, int] | None:
    """The one option the next words name, as in the guided form ("makanan", "napza",
    "triad krr: napza", "sub ppkbd"), and how many words that took. Words are taken while
    each is a word of the options and narrows what they name; a word that adds nothing
    ("kader kader 3": the second is the count's key) belongs to what follows."""
    labels = {option: set(parse.label_words(option)) for option in choice_field.options}
    known = set().union(*labels.values())
    wanted: set[str] = set()
    found: tuple[str, int] | None = None
    for taken, word in enumerate(words, start=1):
        these = set(parse.label_words(word))
        if not these or these <= wanted or not these <= known:
            break
        wanted |= these
        named = [option for option, label in labels.items() if wanted <= label]
        exact = [option for option in named if labels[option] == wanted]
        if not named:
            break
        if len(named) == 1 or len(exact) == 1:
            found = (exact or named)[0], taken
    return found


def _attached(word: str, vocabulary: _Vocabulary) -> list[tuple[str, str]]:
    """The ways `word` is a key with its count attached ("S50", "k=48", "2T1"): (the name,
    the count as typed). "T25" is both T 25 and T2 5: more than one way is asked again."""
    found = []
    for cut in range(1, len(word)):
        name, rest = word[:cut], word[cut:].lstrip(":=")
        known = name in vocabulary.counts or (vocabulary.groups and name in _METHOD_OF_WORD)
        if known and rest and _COUNTISH.fullmatch(rest):
            found.append((name, rest))
    return found


def _starts_value(words: list[str], position: int, vocabulary: _Vocabulary) -> bool:
    word = words[position]
    if word in vocabulary.rest_of_line or word in vocabulary.choices:
        return True
    if vocabulary.groups and (word in vocabulary.groups or word in _METHOD_OF_WORD):
        return True
    if _attached(word, vocabulary):
        return True
    follows = position + 1 < len(words) and _COUNTISH.fullmatch(words[position + 1]) is not None
    return word in vocabulary.counts and follows


def _key_and_number(
    words: list[str], position: int, vocabulary: _Vocabulary, section: str
) -> tuple[str | list[str] | None, int | parse.NumberProblem | None, int]:
    """The field a key names, its count (or why the count cannot be read), and how many
    words they took; several keys when the word can be split more than one way."""
    word = words[position]
    follows = position + 1 < len(words) and _COUNTISH.fullmatch(words[position + 1]) is not None
    # A whole word that is a key, followed by a count, is that key ("T2 5", "pus 1.200").
    attached = [] if word in vocabulary.counts and follows else _attached(word, vocabulary)
    if len(attached) > 1:
        return [f"{name.upper()} {count}" for name, count in attached], None, 1
    name, count = attached[0] if attached else (word, None)
    if vocabulary.groups and name in _METHOD_OF_WORD:
        key: str | None = f"{section}_{_METHOD_OF_WORD[name]}"
    else:
        key = vocabulary.counts.get(name)
    if key is None:
        return None, None, 1
    if count is not None:
        return key, parse.read_count(count), 1
    if follows:
        return key, parse.read_count(words[position + 1]), 2
    return key, None, 1

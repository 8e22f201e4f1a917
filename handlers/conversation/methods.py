"""Reading a whole KB method list in one message: "spiral 20 susuk 40 suntik 200"."""

from __future__ import annotations

import re

from handlers import parse, texts
from handlers.forms import METHOD_WORDS

METHOD_PATTERN = re.compile(r"\b(" + "|".join(re.escape(word) for word, _ in METHOD_WORDS) + r")\b")
_METHOD_OF_WORD = dict(METHOD_WORDS)
_LIST_FILLER = {"dan", "orang", "org", "peserta", "akseptor", "pa", "pb", "kb", "metode"}


def names_a_method(text: str) -> bool:
    return METHOD_PATTERN.search(parse.normalise(text)) is not None


def parse_method_list(text: str) -> dict[str, int] | str:
    """ "spiral 20 susuk 40 suntik 200" -> {"iud": 20, "implan": 40, "suntik": 200}.

    Returns the message to show when the list cannot be read.
    """
    marked = METHOD_PATTERN.sub(lambda m: f" #{_METHOD_OF_WORD[m[1]]} ", parse.normalise(text))
    tokens = [t.strip(",;:=") for t in marked.split()]
    tokens = [t for t in tokens if t and t not in _LIST_FILLER]
    found: dict[str, int] = {}
    method: str | None = None
    number: int | None = None
    position = 0
    while position < len(tokens):
        token = tokens[position]
        position += 1
        if token.startswith("#"):
            if method is not None:
                return texts.BAD_NUMBER
            method = token[1:]
        else:
            # A number is digits, or a run of number words ("empat puluh").
            words = [token]
            while (
                not token[0].isdigit()
                and position < len(tokens)
                and parse.is_number_word(tokens[position])
            ):
                words.append(tokens[position])
                position += 1
            parsed = parse.read_count(" ".join(words))
            if parsed is parse.NumberProblem.UNREADABLE:
                return texts.METHOD_LIST_UNKNOWN.format(word=texts.typed(token))
            if isinstance(parsed, parse.NumberProblem):
                return texts.NUMBER_PROBLEMS[parsed].format(typed=texts.typed(" ".join(words)))
            if number is not None:
                return texts.BAD_NUMBER
            number = parsed
        if method is not None and number is not None:
            if method in found:
                return texts.METHOD_LIST_TWICE.format(method=texts.METHOD_NAMES[method])
            found[method] = number
            method, number = None, None
    if method is not None or number is not None or not found:
        return texts.BAD_NUMBER
    return found

"""docs/forms.md, written from the form specs, so the reference can never drift from them.

`python -m handlers.forms_reference > docs/forms.md` (or `make docs`) writes it; a test
checks that the file in the repo is what the specs say.
"""

from __future__ import annotations

from handlers import texts
from handlers.forms import (
    FORM_FOR_KIND,
    FORMS,
    MAX_DAYS_BACK,
    PHOTOS_MAX,
    FieldKind,
    FieldSpec,
    FormSpec,
)

_KINDS = {
    FieldKind.INT: "count",
    FieldKind.DATE: "date",
    FieldKind.PERIOD: "month",
    FieldKind.TEXT: "text",
    FieldKind.CHOICE: "choice",
    FieldKind.PHOTOS: "photos",
}


def _prompt(spec: FieldSpec) -> str:
    prompt = texts.FIELD_PROMPTS[spec.prompt_key]
    return prompt.format(method=texts.METHOD_NAMES[spec.method]) if spec.method else prompt


def _rules(form: FormSpec, spec: FieldSpec) -> str:
    rules: list[str] = []
    if spec.kind is FieldKind.DATE:
        rules.append(f"in the last {MAX_DAYS_BACK} days, not in the future")
    if spec.kind is FieldKind.PERIOD:
        rules.append("this month or last month")
    if spec.maximum is not None:
        rules.append(f"at most {spec.maximum:,}".replace(",", "."))
    if spec.at_most:
        bound = form.field(spec.at_most)
        rule = f"≤ {texts.field_label(bound.key)}"
        if bound.optional and bound.at_most:
            rule += f" (when that is skipped: {texts.field_label(bound.at_most)})"
        rules.append(rule)
    if spec.max_length:
        rules.append(f"at most {spec.max_length} characters")
    if spec.options:
        shown = ", ".join(spec.options)
        rules.append(f"{'one of' if spec.kind is FieldKind.CHOICE else 'buttons'}: {shown}")
    if spec.kind is FieldKind.PHOTOS:
        rules.append(f"up to {PHOTOS_MAX} photos sent in the chat, then Selesai")
    if spec.profile:
        rules.append(f"warning above the profile's `{spec.profile}`")
    return "; ".join(rules)


def _form(form: FormSpec) -> list[str]:
    kinds = ", ".join(kind for kind, name in FORM_FOR_KIND.items() if name == form.name)
    once = "one report per meeting" if form.per_meeting else "one report per unit and month"
    if form.many_per_day:
        once = "any number of reports, several a day too"
    if not form.expected:
        once += "; never due (no completeness, reminders or follow-ups)"
    if not form.quick:
        once += "; not sent as one message"
    lines = [
        f"## {texts.FORM_NAMES[form.name]} (`{form.name}`)",
        "",
        f"Reported by units of kind `{kinds}`; {once}.",
        "",
        "| key | asks | type | rules | in one message |",
        "|---|---|---|---|---|",
    ]
    for spec in form.fields:
        kind = _KINDS[spec.kind] + (", optional" if spec.optional else "")
        words = ", ".join(f"`{w}`" for w in spec.words)
        if spec.group:
            group = next(g for g in form.groups if g.name == spec.group)
            words = f"after `{group.words[0]}`, by method name"
        lines.append(
            f"| `{spec.key}` | {_prompt(spec)} | {kind} | {_rules(form, spec)} | {words} |"
        )
    hard = [
        f"- {' + '.join(texts.field_label(p) for p in rule.parts)} (the parts answered) "
        f"≤ {texts.field_label(rule.total)}"
        for rule in form.parts_at_most
    ]
    if form.balance is not None:
        parts = [texts.GROUP_BUTTONS[g] for g in form.balance.groups]
        parts += [texts.field_label(p) for p in form.balance.parts]
        total = texts.field_label(form.balance.total)
        hard.append(f"- {' + '.join(parts)} = {total}; when not, the bot asks which to fix")
    if hard:
        lines += ["", "Hard rules besides the table (refused with the reason):", "", *hard]
    warnings = [f"- {(rule.check.__doc__ or '').strip()}" for rule in form.warnings]
    if not form.many_per_day:
        moved = "- a count that moves more than 50 % (and by more than 5) from last month"
        warnings.append(moved)
    if warnings:
        lines += ["", "Warnings (shown with the numbers, confirmed by the kader):", "", *warnings]
    return lines


def forms_markdown() -> str:
    lines = [
        "# Forms",
        "",
        "Written from `handlers/forms.py` by `make docs`; `tests/handlers/test_forms_reference.py`",
        "fails when this file and the specs disagree. Every form ends with a summary and",
        "Simpan / Ubah / Batal; nothing is stored before Simpan. A skipped optional answer is",
        "stored as absent, shown as `-`, and left out of both sides of its indicator.",
        "",
    ]
    for form in FORMS.values():
        lines += [*_form(form), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(forms_markdown(), end="")

"""docs/forms.md says what the form specs say."""

from __future__ import annotations

from pathlib import Path

from handlers.forms_reference import forms_markdown


def test_docs_forms_md_is_written_from_the_specs() -> None:
    written = (Path(__file__).parents[2] / "docs" / "forms.md").read_text(encoding="utf-8")
    assert written == forms_markdown(), "run `make docs` and commit docs/forms.md"

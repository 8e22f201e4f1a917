"""The monthly recap (DESIGN section 3): reports in; text, chart and spreadsheet out.

`tally` reads a form's figures as its spec declares them (handlers/forms.py, RecapSpec);
`indicators` computes them once into a `Recap`; `text`, `chart` and `sheets` are three
views of it, their words from handlers/texts.py; `load` reads a month from storage and
builds the replies.
A new form is a spec and its sentences in the catalogue: no code here names a form.
"""

from handlers.recap.chart import recap_chart
from handlers.recap.indicators import (
    TREND_MONTHS,
    Completeness,
    FormRecap,
    Missing,
    Recap,
    TrendPoint,
    build_recap,
    recapped_forms,
)
from handlers.recap.load import (
    district_recaps,
    district_reply,
    held,
    kampung_recap,
    kampung_reply,
    out_of_range_reply,
)
from handlers.recap.sheets import district_xlsx, recap_xlsx
from handlers.recap.tally import Answered, Tally, pooled, ratio
from handlers.recap.text import change, count, district_text, number, percent, recap_text

__all__ = [
    "TREND_MONTHS",
    "Answered",
    "Completeness",
    "FormRecap",
    "Missing",
    "Recap",
    "Tally",
    "TrendPoint",
    "build_recap",
    "change",
    "count",
    "district_recaps",
    "district_reply",
    "district_text",
    "district_xlsx",
    "held",
    "kampung_recap",
    "kampung_reply",
    "number",
    "out_of_range_reply",
    "percent",
    "pooled",
    "ratio",
    "recap_chart",
    "recap_text",
    "recap_xlsx",
    "recapped_forms",
]

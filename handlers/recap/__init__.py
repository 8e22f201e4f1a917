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
from handlers.recap.status import (
    KampungStatus,
    UnitStatus,
    district_status,
    district_status_text,
    kampung_status,
    status_text,
)
from handlers.recap.tally import Answered, Tally, pooled, ratio
from handlers.recap.text import change, count, district_text, number, percent, recap_text

__all__ = [
    "TREND_MONTHS",
    "Answered",
    "Completeness",
    "FormRecap",
    "KampungStatus",
    "Missing",
    "Recap",
    "Tally",
    "TrendPoint",
    "UnitStatus",
    "build_recap",
    "change",
    "count",
    "district_recaps",
    "district_reply",
    "district_status",
    "district_status_text",
    "district_text",
    "district_xlsx",
    "held",
    "kampung_recap",
    "kampung_reply",
    "kampung_status",
    "number",
    "out_of_range_reply",
    "percent",
    "pooled",
    "ratio",
    "recap_chart",
    "recap_text",
    "recap_xlsx",
    "recapped_forms",
    "status_text",
]

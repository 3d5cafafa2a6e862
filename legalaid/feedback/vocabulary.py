"""The questions of the feedback form and their coded answers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from legalaid.vocabulary import Vocabulary

SATISFACTION = Vocabulary(
    "satisfaction",
    (
        ("5", _l("5 — very satisfied")),
        ("4", _l("4 — satisfied")),
        ("3", _l("3 — neither satisfied nor dissatisfied")),
        ("2", _l("2 — dissatisfied")),
        ("1", _l("1 — very dissatisfied")),
    ),
)
YES_PARTLY_NO = Vocabulary(
    "yes_partly_no",
    (("yes", _l("Yes")), ("partly", _l("Partly")), ("no", _l("No"))),
)
RECOMMEND = Vocabulary(
    "recommend",
    (("yes", _l("Yes")), ("not_sure", _l("Not sure")), ("no", _l("No"))),
)

#: (column, question, answers): the order of the form and of the results page.
QUESTIONS = (
    (
        "satisfaction",
        _l("Overall, how satisfied are you with the help you received?"),
        SATISFACTION,
    ),
    ("respected", _l("Were you treated with respect?"), YES_PARTLY_NO),
    ("felt_safe", _l("Did you feel safe with the clinic?"), YES_PARTLY_NO),
    (
        "would_recommend",
        _l("Would you recommend the clinic to someone in your situation?"),
        RECOMMEND,
    ),
)

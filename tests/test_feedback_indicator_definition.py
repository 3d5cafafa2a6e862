"""LA11 means what the feedback policy counts: question, satisfied answers, denominator.

The catalogue's LA11 declares the question and the answers it counts; start-up refuses a
catalogue and a feedback policy that disagree, and its definition (the words the task
force read) quotes the question and names the satisfied answers in every language.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from legalaid.errors import StartupError
from legalaid.factory import create_app
from legalaid.feedback.policy import FeedbackPolicy
from legalaid.indicators.catalogue import MEASURES, IndicatorCatalogue
from legalaid.policy.loader import SHIPPED_POLICY_DIR, load_policy
from tests.conftest import make_settings

LANGUAGES = ("en", "az", "ru")


def _shipped() -> tuple[IndicatorCatalogue, FeedbackPolicy]:
    return (
        load_policy(None, "indicators.toml", IndicatorCatalogue),
        load_policy(None, "feedback.toml", FeedbackPolicy),
    )


def test_la11_counts_the_question_and_answers_feedback_policy_names() -> None:
    catalogue, feedback = _shipped()
    la11 = catalogue.get("LA11")
    assert la11 is not None
    assert la11.feedback is not None
    assert la11.feedback.question == feedback.indicator.question
    assert set(la11.feedback.satisfied) == set(feedback.indicator.satisfied)
    # A share of all answers given in the period: numerator within the denominator.
    assert la11.unit == "share"
    assert (la11.measure, la11.denominator) == ("feedback_satisfied", "feedback_answers")
    assert MEASURES["feedback_satisfied"].within is not None
    assert MEASURES["feedback_satisfied"].within.measure == "feedback_answers"


def test_la11_definition_quotes_the_question_and_names_the_satisfied_answers() -> None:
    catalogue, feedback = _shipped()
    la11 = catalogue.get("LA11")
    assert la11 is not None
    question = feedback.find(feedback.indicator.question)
    assert question is not None
    assert question.required
    satisfied = set(feedback.indicator.satisfied)
    numeric = all(code.isdigit() for code in question.answer_codes)
    for language in LANGUAGES:
        definition = la11.definition.get(language)
        assert question.text.get(language) in definition, (language, "quote the question")
        if numeric:
            # "4 or 5 out of 5": the satisfied answers and the top of the scale, no other.
            top = str(max(int(code) for code in question.answer_codes))
            assert set(re.findall(r"\d+", definition)) == satisfied | {top}, language
        else:
            for answer in question.answers:
                named = answer.text.get(language) in definition
                assert named == (answer.code in satisfied), (language, answer.code)
        # Of the answers given during the period: the denominator, in its words.
        assert {
            "en": "feedback answers given during the period",
            "az": "Dövr ərzində verilmiş anonim rəy cavabları",
            "ru": "анонимных отзывов, данных в течение периода",
        }[language] in definition


def _policies_with(tmp_path: Path, filename: str, *changes: tuple[str, str]) -> Path:
    folder = tmp_path / "policies"
    folder.mkdir()
    text = (SHIPPED_POLICY_DIR / filename).read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    (folder / filename).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("filename", "changes"),
    [
        # The feedback policy counts only 5 now; the catalogue still says 4 or 5.
        ("feedback.toml", [('satisfied = ["5", "4"]', 'satisfied = ["5"]')]),
        # Another (required) question; the catalogue still counts "satisfaction".
        (
            "feedback.toml",
            [
                (
                    'question = "satisfaction"\nsatisfied = ["5", "4"]',
                    'question = "respected"\nsatisfied = ["yes"]',
                ),
                ('code = "respected"\n', 'code = "respected"\nrequired = true\n'),
            ],
        ),
        # The catalogue counts 3 too; the feedback policy does not.
        (
            "indicators.toml",
            [('satisfied = ["5", "4"] }', 'satisfied = ["5", "4", "3"] }')],
        ),
    ],
    ids=["fewer-answers", "other-question", "catalogue-more-answers"],
)
def test_editing_one_file_without_the_other_stops_start_up(
    migrated_database_url: str, tmp_path: Path, filename: str, changes: list[tuple[str, str]]
) -> None:
    folder = _policies_with(tmp_path, filename, *changes)
    with pytest.raises(StartupError, match="LA11 counts question 'satisfaction'"):
        create_app(make_settings(migrated_database_url, tmp_path / "i", policy_dir=folder))


def test_la11_without_its_feedback_declaration_is_refused(tmp_path: Path) -> None:
    folder = _policies_with(
        tmp_path,
        "indicators.toml",
        ('feedback = { question = "satisfaction", satisfied = ["5", "4"] }\n', ""),
    )
    with pytest.raises(StartupError, match="'feedback'"):
        load_policy(folder, "indicators.toml", IndicatorCatalogue)


def test_both_files_changed_together_start(migrated_database_url: str, tmp_path: Path) -> None:
    folder = _policies_with(
        tmp_path, "feedback.toml", ('satisfied = ["5", "4"]', 'satisfied = ["5"]')
    )
    shutil.copy(SHIPPED_POLICY_DIR / "indicators.toml", folder / "indicators.toml")
    text = (folder / "indicators.toml").read_text(encoding="utf-8")
    (folder / "indicators.toml").write_text(
        text.replace('satisfied = ["5", "4"] }', 'satisfied = ["5"] }'), encoding="utf-8"
    )
    app = create_app(make_settings(migrated_database_url, tmp_path / "i", policy_dir=folder))
    assert app.extensions["legalaid.policies"].feedback.indicator.satisfied == ("5",)

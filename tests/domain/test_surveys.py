"""Surveys: validation of questions and answers, answering once, the bonus once, the export."""

from __future__ import annotations

import csv
import io

import pytest

from domain.errors import AlreadyAnswered, IdempotencyConflict, InvalidInput, InvalidTransition, NotEligible, NotFound, Problems
from domain.events import SurveyAnswered, event_bus
from domain.models import LedgerEntry, LedgerKind, Member, Program, Survey, SurveyResponse
from domain.survey_questions import Question, QuestionKind, validate_answers, validate_questions
from domain.surveys import (
    SurveySpec,
    answer_survey,
    close_survey,
    create_survey,
    open_surveys,
    publish_survey,
    results_csv,
)
from tests import factories
from tests.factories import NOW

VISIT = [
    Question("How was your visit?", QuestionKind.RATING),
    Question("What did you come for?", QuestionKind.SINGLE_CHOICE, ("Coffee", "Lunch", "Other")),
    Question("Anything to add?", QuestionKind.TEXT, max_length=20, required=False),
]


async def published(program: Program, bonus: int = 20) -> Survey:
    survey = await create_survey(program, SurveySpec("How was your visit?", VISIT, bonus), "marketer:1", NOW)
    return await publish_survey(program, survey.id, "marketer:1", NOW)


async def balance(member: Member) -> int:
    return (await Member.get(id=member.id)).points_balance


def test_bad_questions_are_named_by_path() -> None:
    problems = Problems()
    validate_questions(
        [
            Question(" ", QuestionKind.RATING),
            Question("Pick", QuestionKind.SINGLE_CHOICE, ("Only one",)),
            Question("Rate", QuestionKind.RATING, ("a", "b")),
            Question("Say", QuestionKind.TEXT, max_length=5000),
            Question("Pick", QuestionKind.SINGLE_CHOICE, ("Same", "Same")),
        ],
        problems,
    )
    assert [p.path for p in problems.items] == [
        "questions.0.text",
        "questions.1.options",
        "questions.2.options",
        "questions.3.maxLength",
        "questions.4.options",
    ]


def test_bad_answers_name_each_question() -> None:
    questions = validate_questions(VISIT, Problems())
    with pytest.raises(InvalidInput) as bad:
        validate_answers(questions, ["6", "Dinner", "x" * 21])
    assert [p.path for p in bad.value.problems] == ["answers.0.value", "answers.1.value", "answers.2.value"]
    with pytest.raises(InvalidInput) as bad:
        validate_answers(questions, ["5"])
    assert [p.path for p in bad.value.problems] == ["answers"]
    # an optional question may be skipped; answers are trimmed
    assert validate_answers(questions, [" 4 ", "Lunch", "  "]) == ["4", "Lunch", None]


async def test_a_member_answers_once_and_earns_the_bonus_once(program: Program) -> None:
    survey = await published(program, bonus=20)
    member = await factories.member(program)
    seen: list[SurveyAnswered] = []

    async def on_answer(event: SurveyAnswered) -> None:
        seen.append(event)

    event_bus.subscribe(SurveyAnswered, on_answer)
    try:
        outcome = await answer_survey(program, str(member.id), survey.id, ["5", "Coffee", None], "answer-1", NOW)
        assert (outcome.points_earned, outcome.balance) == (20, 20)
        # a replay returns the first result, a second answer is refused
        again = await answer_survey(program, str(member.id), survey.id, ["5", "Coffee", None], "answer-1", NOW)
        assert again == outcome
        with pytest.raises(AlreadyAnswered):
            await answer_survey(program, str(member.id), survey.id, ["1", "Lunch", None], "answer-2", NOW)
        with pytest.raises(IdempotencyConflict):
            await answer_survey(program, str(member.id), survey.id, ["1", "Lunch", None], "answer-1", NOW)
    finally:
        event_bus.unsubscribe(SurveyAnswered, on_answer)
    assert await balance(member) == 20
    entries = await LedgerEntry.filter(member_id=member.id).values_list("kind", "points")
    assert entries == [(LedgerKind.EARN, 20)]
    assert [(e.member_id, e.survey_id) for e in seen] == [(str(member.id), survey.id)]
    listed = await open_surveys(program, str(member.id), 10, None)
    assert [(s.survey.id, s.answered) for s in listed] == [(survey.id, True)]


async def test_bad_answers_write_nothing(program: Program) -> None:
    survey = await published(program)
    member = await factories.member(program)
    with pytest.raises(InvalidInput):
        await answer_survey(program, str(member.id), survey.id, ["9", "Coffee", None], "k", NOW)
    assert await SurveyResponse.all().count() == 0
    assert await balance(member) == 0


async def test_drafts_are_invisible_and_closed_surveys_refuse_answers(program: Program) -> None:
    member = await factories.member(program)
    draft = await create_survey(program, SurveySpec("Draft", VISIT, 5), "marketer:1", NOW)
    assert await open_surveys(program, str(member.id), 10, None) == []
    with pytest.raises(NotFound):
        await answer_survey(program, str(member.id), draft.id, ["5", "Coffee", None], "k1", NOW)
    await publish_survey(program, draft.id, "marketer:1", NOW)
    await close_survey(program, draft.id, "marketer:1", NOW)
    with pytest.raises(NotEligible):
        await answer_survey(program, str(member.id), draft.id, ["5", "Coffee", None], "k2", NOW)
    with pytest.raises(InvalidTransition):
        await publish_survey(program, draft.id, "marketer:1", NOW)
    assert await open_surveys(program, str(member.id), 10, None) == []


async def test_the_export_holds_every_answer_and_defuses_formulas(program: Program) -> None:
    survey = await published(program)
    alice, bob, erased = [await factories.member(program) for _ in range(3)]
    await answer_survey(program, str(alice.id), survey.id, ["5", "Coffee", "Great, thanks"], "a", NOW)
    await answer_survey(program, str(bob.id), survey.id, ["2", "Other", "=HYPERLINK()"], "b", NOW)
    await answer_survey(program, str(erased.id), survey.id, ["3", "Lunch", None], "c", NOW)
    await Member.filter(id=erased.id).update(erased_at=NOW)
    rows = list(csv.reader(io.StringIO(await results_csv(program, survey))))
    assert rows[0] == ["member_id", "answered_at", "How was your visit?", "What did you come for?", "Anything to add?"]
    assert [r[:1] + r[2:] for r in rows[1:]] == [
        [str(alice.id), "5", "Coffee", "Great, thanks"],
        [str(bob.id), "2", "Other", "'=HYPERLINK()"],
    ]


async def test_a_bad_survey_is_rejected_with_every_field(program: Program) -> None:
    with pytest.raises(InvalidInput) as bad:
        await create_survey(program, SurveySpec("", [], -1), "marketer:1", NOW)
    assert {p.path for p in bad.value.problems} == {"title", "bonusPoints", "questions"}
    assert await Survey.all().count() == 0

"""Surveys over GraphQL: a marketer publishes, a member answers once, the marketer exports."""

from __future__ import annotations

import csv
import io

from domain.models import Member, Program, SurveyResponse
from tests import factories
from tests.graphql_client import MARKETER, member

CREATE = """mutation($input: CreateSurveyInput!) { createSurvey(input: $input) {
    __typename ... on SurveySaved { survey { id status bonusPoints questions { kind options maxLength } } }
    ... on InvalidInput { fields { path } } } }"""
PUBLISH = """mutation($id: ID!) { publishSurvey(id: $id) { __typename ... on SurveySaved { survey { status } }
    ... on InvalidTransition { fromState toState } } }"""
CLOSE = PUBLISH.replace("publishSurvey", "closeSurvey")
ANSWER = """mutation($input: AnswerSurveyInput!) { answerSurvey(input: $input) {
    __typename ... on SurveyAnswered { pointsEarned balance } ... on InvalidInput { fields { path } }
    ... on AlreadyAnswered { surveyId } ... on NotEligible { field } ... on NotFound { entity } } }"""
OPEN = "{ surveys { edges { node { answered survey { id title } } } } }"
RESULTS = """query($id: ID!) { surveyResults(surveyId: $id) { responseCount csv
    responses(first: 10) { edges { node { memberId answers pointsCredited } } } } }"""

QUESTIONS = [
    {"text": "How was your visit?", "kind": "RATING"},
    {"text": "What did you come for?", "kind": "SINGLE_CHOICE", "options": ["Coffee", "Lunch"]},
    {"text": "Anything to add?", "kind": "TEXT", "maxLength": 50, "required": False},
]


async def published_survey(gql) -> str:
    created = await gql.execute(CREATE, {"input": {"title": "How was your visit?", "questions": QUESTIONS, "bonusPoints": 20}},
                                as_=MARKETER)
    survey = created.data["createSurvey"]["survey"]
    assert (survey["status"], survey["questions"][2]["maxLength"]) == ("DRAFT", 50)
    assert (await gql.execute(PUBLISH, {"id": survey["id"]}, as_=MARKETER)).data["publishSurvey"]["survey"]["status"] == "PUBLISHED"
    return survey["id"]


def answer(survey_id: str, values: list, key: str) -> dict:
    return {"input": {"surveyId": survey_id, "answers": [{"value": v} for v in values], "idempotencyKey": key}}


async def test_a_member_answers_once_earns_once_and_the_marketer_exports_it(gql, program: Program) -> None:
    survey_id = await published_survey(gql)
    ann = await factories.member(program)
    listed = (await gql.execute(OPEN, as_=member(ann.id))).data["surveys"]["edges"]
    assert [(e["node"]["survey"]["id"], e["node"]["answered"]) for e in listed] == [(survey_id, False)]
    # when Ann answers, replays, and tries again with another key
    first = (await gql.execute(ANSWER, answer(survey_id, ["4", "Coffee", "Nice staff"], "a1"), as_=member(ann.id))).data
    replay = (await gql.execute(ANSWER, answer(survey_id, ["4", "Coffee", "Nice staff"], "a1"), as_=member(ann.id))).data
    again = (await gql.execute(ANSWER, answer(survey_id, ["1", "Lunch", None], "a2"), as_=member(ann.id))).data
    # then she earned 20 points once
    assert first["answerSurvey"] == {"__typename": "SurveyAnswered", "pointsEarned": 20, "balance": 20}
    assert replay == first
    assert again["answerSurvey"] == {"__typename": "AlreadyAnswered", "surveyId": survey_id}
    assert (await Member.get(id=ann.id)).points_balance == 20
    listed = (await gql.execute(OPEN, as_=member(ann.id))).data["surveys"]["edges"]
    assert listed[0]["node"]["answered"] is True
    # and the marketer sees her answers, also as CSV
    results = (await gql.execute(RESULTS, {"id": survey_id}, as_=MARKETER)).data["surveyResults"]
    assert results["responseCount"] == 1
    assert [e["node"] for e in results["responses"]["edges"]] == [
        {"memberId": str(ann.id), "answers": ["4", "Coffee", "Nice staff"], "pointsCredited": 20}
    ]
    rows = list(csv.reader(io.StringIO(results["csv"])))
    assert rows[1][0] == str(ann.id) and rows[1][2:] == ["4", "Coffee", "Nice staff"]


async def test_bad_answers_name_the_question_and_write_nothing(gql, program: Program) -> None:
    survey_id = await published_survey(gql)
    ann = await factories.member(program)
    result = (await gql.execute(ANSWER, answer(survey_id, ["7", "Dinner", "x" * 51], "b1"), as_=member(ann.id))).data
    assert result["answerSurvey"] == {"__typename": "InvalidInput", "fields": [
        {"path": "answers.0.value"}, {"path": "answers.1.value"}, {"path": "answers.2.value"}]}
    assert await SurveyResponse.all().count() == 0
    assert (await Member.get(id=ann.id)).points_balance == 0


async def test_closed_surveys_refuse_answers_and_cannot_reopen(gql, program: Program) -> None:
    survey_id = await published_survey(gql)
    ann = await factories.member(program)
    assert (await gql.execute(CLOSE, {"id": survey_id}, as_=MARKETER)).data["closeSurvey"]["survey"]["status"] == "CLOSED"
    refused = (await gql.execute(ANSWER, answer(survey_id, ["4", "Coffee", None], "c1"), as_=member(ann.id))).data
    assert refused["answerSurvey"] == {"__typename": "NotEligible", "field": "surveyId"}
    reopen = (await gql.execute(PUBLISH, {"id": survey_id}, as_=MARKETER)).data["publishSurvey"]
    assert reopen == {"__typename": "InvalidTransition", "fromState": "closed", "toState": "published"}
    assert (await gql.execute(OPEN, as_=member(ann.id))).data["surveys"]["edges"] == []


async def test_a_bad_survey_names_each_question_field(gql, program: Program) -> None:
    bad = [{"text": "Pick one", "kind": "SINGLE_CHOICE", "options": ["Only"]}, {"text": "Rate", "kind": "RATING", "maxLength": 3}]
    result = (await gql.execute(CREATE, {"input": {"title": "T", "questions": bad, "bonusPoints": 5}}, as_=MARKETER)).data
    assert result["createSurvey"] == {"__typename": "InvalidInput", "fields": [
        {"path": "questions.0.options"}, {"path": "questions.1.maxLength"}]}
    missing = (await gql.execute(ANSWER, answer("99999", ["1"], "d1"), as_=member((await factories.member(program)).id))).data
    assert missing["answerSurvey"] == {"__typename": "NotFound", "entity": "survey"}

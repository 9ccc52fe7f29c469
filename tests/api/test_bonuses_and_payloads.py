"""Payloads show the state after all the work of their transaction, and a survey's
campaign bonus is paid once per answer, whichever way the answer arrives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.campaigns.rules import Trigger
from domain.models import CampaignAward, DonationMode, LedgerEntry, Member, Program
from tests import charity_factories, factories
from tests.campaign_factories import active, fixed_bonus
from tests.graphql_client import INTEGRATION, MARKETER, member

ENROLL = """mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { __typename
  ... on MemberEnrolled { member { id points { balance } } } } }"""
CREATE_SURVEY = """mutation($input: CreateSurveyInput!) { createSurvey(input: $input) {
  ... on SurveySaved { survey { id } } } }"""
PUBLISH = "mutation($id: ID!) { publishSurvey(id: $id) { __typename } }"
ANSWER = """mutation($input: AnswerSurveyInput!) { answerSurvey(input: $input) { __typename
  ... on SurveyAnswered { pointsEarned balance } } }"""
ACTIVITY = """mutation($input: RecordActivityInput!) { recordActivity(input: $input) { __typename
  ... on ActivityRecorded { activityId } ... on InvalidInput { fields { path message } } } }"""
ME = "{ me { points { balance } } }"


def now() -> datetime:
    return datetime.now(UTC)


async def survey(gql, bonus: int = 0) -> str:
    created = await gql.execute(CREATE_SURVEY, {"input": {
        "title": "How was your visit?", "questions": [{"text": "Rate us", "kind": "RATING"}], "bonusPoints": bonus}},
        as_=MARKETER)
    survey_id = created.data["createSurvey"]["survey"]["id"]
    await gql.execute(PUBLISH, {"id": survey_id}, as_=MARKETER)
    return survey_id


async def answer(gql, who: Member, survey_id: str, key: str = "a-1") -> dict[str, Any]:
    result = await gql.execute(ANSWER, {"input": {"surveyId": survey_id, "answers": [{"value": "5"}],
                                                  "idempotencyKey": key}}, as_=member(who.id))
    return result.data["answerSurvey"]


async def report_survey(gql, who: Member, attributes: dict[str, Any], key: str, as_=None) -> dict[str, Any]:
    sent = {"type": "SURVEY", "occurredAt": (now() - timedelta(minutes=1)).isoformat(),
            "idempotencyKey": key, "attributes": attributes}
    if as_ is not None:
        sent["memberId"] = str(who.id)
    result = await gql.execute(ACTIVITY, {"input": sent}, as_=as_ or member(who.id))
    return result.data["recordActivity"]


async def stored_balance(who: Member) -> int:
    return (await Member.get(id=who.id)).points_balance


# --- payloads after the handlers ---------------------------------------------------------------

async def test_enrolment_answers_the_balance_with_its_signup_bonus(gql, program: Program):
    # given a 50-point signup bonus
    await active(program, fixed_bonus(Trigger.SIGNUP, 50))
    # when an integration enrols a member
    result = await gql.execute(ENROLL, {"input": {"externalId": "crm-1", "displayName": "Ada"}}, as_=INTEGRATION)
    # then the payload shows the 50 points the ledger holds
    enrolled = result.data["enrollMember"]["member"]
    assert enrolled["points"] == {"balance": 50}
    assert (await Member.get(id=enrolled["id"])).points_balance == 50


async def test_a_survey_answer_answers_the_balance_after_the_campaign_bonus_and_auto_donation(gql, program):
    # given a survey worth 20 points, a 30-point survey campaign, and a member who gives 50 % of earnings
    await active(program, fixed_bonus(Trigger.SURVEY_COMPLETED, 30))
    survey_id = await survey(gql, bonus=20)
    who = await factories.member(program, now=now() - timedelta(days=1))
    charity = await charity_factories.charity(program)
    await charity_factories.auto_donation(program, who.id, charity.id, DonationMode.SHARE, share_percent=50, now=now())
    # when they answer
    answered = await answer(gql, who, survey_id)
    # then the payload's balance is the one stored after every handler ran
    assert answered["pointsEarned"] == 20
    assert answered["balance"] == await stored_balance(who)
    me = await gql.execute(ME, as_=member(who.id))
    assert me.data["me"]["points"]["balance"] == answered["balance"]


# --- one survey bonus per answer ---------------------------------------------------------------

async def test_a_self_reported_survey_activity_earns_no_second_campaign_bonus(gql, program):
    # given a 30-point survey campaign and a member who answered the survey in the app
    await active(program, fixed_bonus(Trigger.SURVEY_COMPLETED, 30))
    survey_id = await survey(gql)
    who = await factories.member(program, now=now() - timedelta(days=1))
    assert (await answer(gql, who, survey_id))["balance"] == 30
    # when they also report a SURVEY activity from the app, naming the survey or not
    named = await report_survey(gql, who, {"surveyId": survey_id}, "s-1")
    unnamed = await report_survey(gql, who, {}, "s-2")
    # then the activities are recorded but the bonus was paid once
    assert named["__typename"] == unnamed["__typename"] == "ActivityRecorded"
    assert await stored_balance(who) == 30
    assert await CampaignAward.filter(member_id=who.id).count() == 1


async def test_a_survey_reported_by_an_integration_and_answered_in_the_app_pays_once(gql, program):
    # given a 30-point survey campaign and a survey tool (an integration) reporting the answer first
    await active(program, fixed_bonus(Trigger.SURVEY_COMPLETED, 30))
    survey_id = await survey(gql)
    who = await factories.member(program, now=now() - timedelta(days=1))
    reported = await report_survey(gql, who, {"surveyId": int(survey_id)}, "tool-1", as_=INTEGRATION)
    assert reported["__typename"] == "ActivityRecorded"
    assert await stored_balance(who) == 30
    # when the member answers the same survey in the app
    answered = await answer(gql, who, survey_id)
    # then no second campaign bonus
    assert answered["balance"] == 30
    assert await LedgerEntry.filter(member_id=who.id).count() == 1
    # and outside surveys the tool reports (none of ours) still earn, each once
    await report_survey(gql, who, {"tool": "typeform"}, "tool-2", as_=INTEGRATION)
    await report_survey(gql, who, {"surveyId": "999999"}, "tool-3", as_=INTEGRATION)
    assert await stored_balance(who) == 90

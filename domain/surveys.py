"""Surveys: a marketer publishes a short survey, a member answers once and earns its bonus,
the marketer exports the answers.

Lifecycle: DRAFT -> PUBLISHED -> CLOSED (one way). Members see published surveys only;
a closed one can no longer be answered (NotEligible) but stays exportable. Answers of
members erased since are left out of the export: their text may be personal.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain import audit, idempotency, ledger
from domain.errors import AlreadyAnswered, InvalidInput, InvalidTransition, NotEligible, NotFound, Problems
from domain.events import SurveyAnswered, event_bus
from domain.models import LedgerKind, Program, Survey, SurveyResponse, SurveyStatus
from domain.row_ids import MAX_INT_ID
from domain.survey_questions import Question, validate_answers, validate_questions
from domain.unit_of_work import unit_of_work

MAX_TITLE = 200
MAX_BONUS = 100_000
MAX_CSV_ROWS = 10_000  # beyond this, page through responses instead


@dataclass(frozen=True)
class SurveySpec:
    title: str
    questions: list[Question]
    bonus_points: int = 0


async def create_survey(program: Program, spec: SurveySpec, actor: str, now: datetime) -> Survey:
    """A draft: nothing members see until it is published."""
    problems = Problems()
    if not 0 < len(spec.title.strip()) <= MAX_TITLE:
        problems.add("title", f"must be 1 to {MAX_TITLE} characters")
    if not 0 <= spec.bonus_points <= MAX_BONUS:
        problems.add("bonusPoints", f"must be between 0 and {MAX_BONUS}")
    questions = validate_questions(spec.questions, problems)
    problems.raise_if_any()
    async with unit_of_work.transaction():
        survey = await Survey.create(
            program_id=program.id,
            title=spec.title.strip(),
            questions=[q.to_json() for q in questions],
            bonus_points=spec.bonus_points,
            created_at=now,
        )
        details = {"title": survey.title, "bonus_points": survey.bonus_points}
        await audit.record(program.id, actor, "createSurvey", f"survey:{survey.id}", details, now)
    return survey


async def get_survey(program: Program, survey_id: int) -> Survey:
    survey = await Survey.get_or_none(id=survey_id, program_id=program.id) if 0 < survey_id <= MAX_INT_ID else None
    if survey is None:
        raise NotFound("survey", str(survey_id))
    return survey


async def _move(program: Program, survey_id: int, to: SurveyStatus, actor: str, now: datetime) -> Survey:
    allowed = {SurveyStatus.PUBLISHED: SurveyStatus.DRAFT, SurveyStatus.CLOSED: SurveyStatus.PUBLISHED}
    async with unit_of_work.transaction():
        survey = await get_survey(program, survey_id)
        stamp = {"published_at": now} if to == SurveyStatus.PUBLISHED else {"closed_at": now}
        moved = await Survey.filter(id=survey.id, status=allowed[to]).update(status=to, **stamp)
        if moved != 1:
            raise InvalidTransition("survey", survey.status.value, to.value)
        action = "publishSurvey" if to == SurveyStatus.PUBLISHED else "closeSurvey"
        await audit.record(program.id, actor, action, f"survey:{survey.id}", {}, now)
    return await Survey.get(id=survey.id)


async def publish_survey(program: Program, survey_id: int, actor: str, now: datetime) -> Survey:
    return await _move(program, survey_id, SurveyStatus.PUBLISHED, actor, now)


async def close_survey(program: Program, survey_id: int, actor: str, now: datetime) -> Survey:
    return await _move(program, survey_id, SurveyStatus.CLOSED, actor, now)


def questions_of(survey: Survey) -> list[Question]:
    return [Question.from_json(q) for q in survey.questions]


@dataclass(frozen=True)
class OpenSurvey:
    survey: Survey
    answered: bool


async def open_surveys(program: Program, member_id: str, first: int, after_id: int | None) -> list[OpenSurvey]:
    """Published surveys, oldest first, each saying whether this member answered it;
    first + 1 rows tell whether another page exists."""
    query = Survey.filter(program_id=program.id, status=SurveyStatus.PUBLISHED)
    if after_id is not None:
        query = query.filter(id__gt=after_id)
    surveys = await query.order_by("id").limit(first + 1)
    answered = set(
        await SurveyResponse.filter(member_id=member_id, survey_id__in=[s.id for s in surveys]).values_list(
            "survey_id", flat=True
        )
    )
    return [OpenSurvey(s, s.id in answered) for s in surveys]


@dataclass(frozen=True)
class AnswerOutcome:
    response_id: int
    survey_id: int
    points_earned: int
    balance: int


async def answer_survey(
    program: Program,
    member_id: str,
    survey_id: int,
    answers: list[str | None],
    idempotency_key: str,
    now: datetime,
) -> AnswerOutcome:
    """Store the answers, credit the bonus and publish SurveyAnswered, in one transaction.
    A second answer (any key) is AlreadyAnswered; the same key replays the first result."""
    idempotency.check_key(idempotency_key)
    survey = await get_survey(program, survey_id)
    if survey.status == SurveyStatus.DRAFT:
        raise NotFound("survey", str(survey_id))  # members never see drafts
    cleaned = validate_answers(questions_of(survey), answers)

    async def work() -> dict[str, Any]:
        member = await ledger.lock_member(program.id, member_id)  # one answer at a time per member
        current = await Survey.get(id=survey.id)
        if current.status != SurveyStatus.PUBLISHED:
            raise NotEligible("surveyId", f"survey {survey.id} is closed")
        if await SurveyResponse.exists(survey_id=survey.id, member_id=member.id):
            raise AlreadyAnswered(survey.id)
        response = await SurveyResponse.create(
            program_id=program.id,
            survey_id=survey.id,
            member_id=member.id,
            answers=cleaned,
            points_credited=current.bonus_points,
            answered_at=now,
        )
        if current.bonus_points > 0:
            terms = ledger.LotTerms(now, ledger.LotTerms.for_program(program, now).expires_at)
            await ledger.credit(member, current.bonus_points, LedgerKind.EARN, f"survey: {current.title}", now, terms)
        await event_bus.publish(SurveyAnswered(program.id, str(member.id), survey.id, now))
        return {
            "response_id": response.id,
            "survey_id": survey.id,
            "points_earned": current.bonus_points,
            # After the handlers: a campaign's survey bonus, an auto-donation.
            "balance": await ledger.balance_now(member.id),
        }

    payload = {"member_id": member_id, "survey_id": survey_id, "answers": cleaned}
    result = await idempotency.run_once(
        program.id, idempotency_key, "answerSurvey", payload, now, work, scope=idempotency.member_scope(member_id)
    )
    return AnswerOutcome(**result)


async def responses_page(program: Program, survey: Survey, first: int, after_id: int | None) -> list[SurveyResponse]:
    """Oldest first, erased members left out; first + 1 rows."""
    query = SurveyResponse.filter(survey_id=survey.id, program_id=program.id, member__erased_at__isnull=True)
    if after_id is not None:
        query = query.filter(id__gt=after_id)
    return await query.order_by("id").limit(first + 1)


async def response_count(program: Program, survey: Survey) -> int:
    return await SurveyResponse.filter(survey_id=survey.id, program_id=program.id, member__erased_at__isnull=True).count()


def _cell(text: str) -> str:
    """Spreadsheets run a cell that starts like a formula: members write these cells."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def results_csv(program: Program, survey: Survey) -> str:
    """One row a response: member id, answered at (UTC ISO 8601), one column a question."""
    rows = await responses_page(program, survey, MAX_CSV_ROWS, None)
    if len(rows) > MAX_CSV_ROWS:
        raise InvalidInput.one("csv", f"more than {MAX_CSV_ROWS} responses: page through responses instead")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["member_id", "answered_at", *(_cell(q.text) for q in questions_of(survey))])
    for row in rows:
        writer.writerow([str(row.member_id), row.answered_at.isoformat(), *("" if a is None else _cell(a) for a in row.answers)])
    return out.getvalue()

"""GraphQL types of surveys, answers and the marketer's export."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from api.pagination import Connection, check_page_size, connection, decode_cursor
from domain import models, surveys
from domain.survey_questions import QuestionKind

SurveyQuestionKind = strawberry.enum(QuestionKind, name="SurveyQuestionKind")


@strawberry.enum
class SurveyStatus(Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


@strawberry.type
class SurveyQuestion:
    text: str
    kind: SurveyQuestionKind
    options: list[str]
    max_length: int | None
    required: bool


@strawberry.type
class Survey:
    id: strawberry.ID
    title: str
    status: SurveyStatus
    bonus_points: int
    questions: list[SurveyQuestion]
    published_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def from_model(cls, survey: models.Survey) -> Survey:
        return cls(
            id=strawberry.ID(str(survey.id)),
            title=survey.title,
            status=SurveyStatus(survey.status.value),
            bonus_points=survey.bonus_points,
            questions=[
                SurveyQuestion(text=q.text, kind=q.kind, options=list(q.options), max_length=q.max_length, required=q.required)
                for q in surveys.questions_of(survey)
            ],
            published_at=survey.published_at,
            closed_at=survey.closed_at,
        )


@strawberry.type(description="A published survey, as the signed-in member sees it.")
class MemberSurvey:
    survey: Survey
    answered: bool


@strawberry.type
class SurveyAnswerRow:
    member_id: strawberry.ID
    answered_at: datetime
    answers: list[str | None] = strawberry.field(description="One a question, in question order; null when skipped.")
    points_credited: int


@strawberry.type
class SurveyResults:
    survey: Survey
    model: strawberry.Private[models.Survey]

    @strawberry.field(description="Responses of members not erased since.")
    async def response_count(self, info: Info) -> int:
        return await surveys.response_count(await info.context.program(), self.model)

    @strawberry.field(description="Oldest first.")
    async def responses(self, info: Info, first: int = 20, after: str | None = None) -> Connection[SurveyAnswerRow]:
        check_page_size(first)
        after_id = decode_cursor("surveyResponse", after)
        rows = await surveys.responses_page(await info.context.program(), self.model, first, after_id)
        return connection("surveyResponse", rows, first, after_id, _row, lambda r: r.id)

    @strawberry.field(description="Every response as CSV: member_id, answered_at, then one column a question.")
    async def csv(self, info: Info) -> str:
        return await surveys.results_csv(await info.context.program(), self.model)


def _row(response: models.SurveyResponse) -> SurveyAnswerRow:
    return SurveyAnswerRow(
        member_id=strawberry.ID(str(response.member_id)),
        answered_at=response.answered_at,
        answers=list(response.answers),
        points_credited=response.points_credited,
    )

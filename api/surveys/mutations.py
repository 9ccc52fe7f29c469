"""Marketers create, publish and close surveys; members answer them once."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from api.ids import MAX_INT_ID, row_id
from api.create_keys import create_once, key_field
from api.long_int import Long
from api.permissions import Marketers, MemberOnly
from api.problems import (
    AlreadyAnswered,
    IdempotencyConflict,
    InvalidInput,
    InvalidTransition,
    NotEligible,
    NotFound,
    problem,
)
from api.surveys.types import Survey, SurveyQuestionKind
from domain import surveys
from domain import models
from domain.errors import DomainError
from domain.survey_questions import Question, QuestionKind


@strawberry.input
class SurveyQuestionInput:
    text: str
    kind: SurveyQuestionKind
    options: list[str] = strawberry.field(default_factory=list, description="SINGLE_CHOICE only: 2 to 10.")
    max_length: int | None = strawberry.field(default=None, description="TEXT only; default 500, at most 2000.")
    required: bool = True

    def to_question(self) -> Question:
        return Question(self.text, QuestionKind(self.kind), tuple(self.options), self.max_length, self.required)


@strawberry.input
class CreateSurveyInput:
    title: str
    questions: list[SurveyQuestionInput]
    bonus_points: int = strawberry.field(default=0, description="Earned once by each member who answers.")
    idempotency_key: str | None = key_field()


@strawberry.type
class SurveySaved:
    survey: Survey


SurveyPayload = Annotated[
    SurveySaved | InvalidInput | NotFound | InvalidTransition | IdempotencyConflict, strawberry.union("SurveyPayload")
]


@strawberry.input
class SurveyAnswerInput:
    value: str | None = strawberry.field(description="The option, a rating 1-5 as text, or free text; null to skip an optional question.")


@strawberry.input
class AnswerSurveyInput:
    survey_id: strawberry.ID
    answers: list[SurveyAnswerInput] = strawberry.field(description="One a question, in question order.")
    idempotency_key: str


@strawberry.type
class SurveyAnswered:
    survey_id: strawberry.ID
    points_earned: int
    balance: Long


AnswerSurveyPayload = Annotated[
    SurveyAnswered | InvalidInput | NotFound | NotEligible | AlreadyAnswered | IdempotencyConflict,
    strawberry.union("AnswerSurveyPayload"),
]


def _survey_id(raw: strawberry.ID, path: str) -> int:
    return row_id(raw, path, "survey", MAX_INT_ID)


@strawberry.type
class SurveyMutations:
    @strawberry.mutation(permission_classes=[Marketers], description="A draft; publish it to open it to members.")
    async def create_survey(self, info: Info, input: CreateSurveyInput) -> SurveyPayload:
        ctx = info.context
        spec = surveys.SurveySpec(input.title, [q.to_question() for q in input.questions], input.bonus_points)
        try:
            program = await ctx.program()
            survey = await create_once(
                ctx, input, "createSurvey", models.Survey,
                lambda: surveys.create_survey(program, spec, ctx.principal.actor, ctx.now()),
            )
        except DomainError as error:
            return problem(error)
        return SurveySaved(survey=Survey.from_model(survey))

    @strawberry.mutation(permission_classes=[Marketers])
    async def publish_survey(self, info: Info, id: strawberry.ID) -> SurveyPayload:
        ctx = info.context
        try:
            survey = await surveys.publish_survey(await ctx.program(), _survey_id(id, "id"), ctx.principal.actor, ctx.now())
        except DomainError as error:
            return problem(error)
        return SurveySaved(survey=Survey.from_model(survey))

    @strawberry.mutation(permission_classes=[Marketers], description="No more answers; the results stay.")
    async def close_survey(self, info: Info, id: strawberry.ID) -> SurveyPayload:
        ctx = info.context
        try:
            survey = await surveys.close_survey(await ctx.program(), _survey_id(id, "id"), ctx.principal.actor, ctx.now())
        except DomainError as error:
            return problem(error)
        return SurveySaved(survey=Survey.from_model(survey))

    @strawberry.mutation(permission_classes=[MemberOnly], description="Once per survey; earns its bonus.")
    async def answer_survey(self, info: Info, input: AnswerSurveyInput) -> AnswerSurveyPayload:
        ctx = info.context
        try:
            outcome = await surveys.answer_survey(
                await ctx.program(),
                ctx.principal.member_id,
                _survey_id(input.survey_id, "surveyId"),
                [a.value for a in input.answers],
                input.idempotency_key,
                ctx.now(),
            )
        except DomainError as error:
            return problem(error)
        return SurveyAnswered(
            survey_id=strawberry.ID(str(outcome.survey_id)), points_earned=outcome.points_earned, balance=outcome.balance
        )

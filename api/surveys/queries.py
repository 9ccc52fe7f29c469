"""Reading surveys: members see the open ones, marketers export the answers."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.ids import lookup_id
from api.pagination import Connection, check_page_size, connection, decode_cursor
from api.permissions import Marketers, MemberOnly
from api.surveys.types import MemberSurvey, Survey, SurveyResults
from domain import models
from domain import surveys as survey_service


@strawberry.type
class SurveyQueries:
    @strawberry.field(permission_classes=[MemberOnly], description="Published surveys, oldest first, each saying whether the member answered it.")
    async def surveys(self, info: Info, first: int = 20, after: str | None = None) -> Connection[MemberSurvey]:
        check_page_size(first)
        after_id = decode_cursor("survey", after)
        ctx = info.context
        rows = await survey_service.open_surveys(await ctx.program(), ctx.principal.member_id, first, after_id)
        return connection(
            "survey", rows, first, after_id,
            lambda s: MemberSurvey(survey=Survey.from_model(s.survey), answered=s.answered), lambda s: s.survey.id,
        )

    @strawberry.field(permission_classes=[Marketers], description="A survey of any status with its answers; null if unknown.")
    async def survey_results(self, info: Info, survey_id: strawberry.ID) -> SurveyResults | None:
        if (found_id := lookup_id(survey_id)) is None:
            return None
        program = await info.context.program()
        found = await models.Survey.get_or_none(id=found_id, program_id=program.id)
        return SurveyResults(survey=Survey.from_model(found), model=found) if found else None

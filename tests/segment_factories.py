"""Segments, surveys and referrals for tests, through the real services."""

from __future__ import annotations

from typing import Any

from domain.models import Program, Segment, Survey
from domain.segments.catalog import SegmentSpec, create_segment
from domain.survey_questions import Question, QuestionKind
from domain.surveys import SurveySpec, create_survey, publish_survey
from tests.factories import NOW, next_key

VISIT_QUESTIONS = [
    Question("How was your visit?", QuestionKind.RATING),
    Question("What did you come for?", QuestionKind.SINGLE_CHOICE, ("Coffee", "Lunch", "Other")),
    Question("Anything to add?", QuestionKind.TEXT, max_length=200, required=False),
]


def tag_rule(tag: str) -> dict[str, Any]:
    return {"match": "ALL", "conditions": [{"field": "TAG", "op": "HAS", "value": tag}]}


async def segment(program: Program, rule: dict[str, Any] | None = None, name: str | None = None) -> Segment:
    spec = SegmentSpec(name or next_key("Segment"), rule or tag_rule("coffee"))
    return await create_segment(program, spec, "marketer:test", NOW)


async def survey(program: Program, bonus: int = 20, publish: bool = True) -> Survey:
    created = await create_survey(program, SurveySpec("How was your visit?", VISIT_QUESTIONS, bonus), "marketer:test", NOW)
    return await publish_survey(program, created.id, "marketer:test", NOW) if publish else created


async def authz_world(program: Program) -> dict[str, str]:
    """A segment and a draft survey for tests/api/test_authorization.py's World."""
    return {
        "segment_id": str((await segment(program, name="Authz segment")).id),
        "survey_id": str((await survey(program, publish=False)).id),
    }

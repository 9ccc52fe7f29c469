"""The demo program's segments and survey.

Idempotent: each segment is found by name and the survey by title before it is created.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.models import Program, Segment, Survey, SurveyStatus, Tier
from domain.segments.catalog import SegmentSpec, create_segment
from domain.survey_questions import Question, QuestionKind
from domain.surveys import SurveySpec, create_survey, publish_survey

SEED_ACTOR = "seed:demo"


async def _segment(program: Program, name: str, description: str, rule: dict[str, Any], now: datetime) -> None:
    if not await Segment.exists(program_id=program.id, name=name):
        await create_segment(program, SegmentSpec(name, rule, description), SEED_ACTOR, now)


async def seed_segments(program: Program, now: datetime) -> None:
    await _segment(program, "Eco members", "At least one sustainability activity in the last 30 days.", {
        "match": "ALL",
        "conditions": [{"field": "SUSTAINABILITY_ACTIVITY", "op": "AT_LEAST", "value": {"count": 1, "days": 30}}],
    }, now)
    # Tiers at or above Silver's threshold (whatever the demo calls them).
    silver = await Tier.get_or_none(program_id=program.id, name="Silver")
    if silver is not None:
        upper = await Tier.filter(program_id=program.id, threshold__gte=silver.threshold).values_list("id", flat=True)
        await _segment(program, "Silver and above", "Members in Silver or a higher tier.", {
            "match": "ALL", "conditions": [{"field": "TIER", "op": "IN", "value": sorted(upper)}],
        }, now)
    await _segment(program, "Coffee lovers", "Members the tills tagged `coffee`.", {
        "match": "ALL", "conditions": [{"field": "TAG", "op": "HAS", "value": "coffee"}],
    }, now)
    if not await Survey.exists(program_id=program.id, title="How was your visit?"):
        survey = await create_survey(program, SurveySpec("How was your visit?", [
            Question("How was your visit?", QuestionKind.RATING),
            Question("What did you come for?", QuestionKind.SINGLE_CHOICE, ("Coffee", "Food", "Work or study", "Other")),
            Question("Anything we could do better?", QuestionKind.TEXT, max_length=500, required=False),
        ], bonus_points=20), SEED_ACTOR, now)
        if survey.status == SurveyStatus.DRAFT:
            await publish_survey(program, survey.id, SEED_ACTOR, now)

"""Adapter: a reported REVIEW or SURVEY activity triggers the campaigns' fixed bonus.

Runs in the activity's transaction; each activity grants at most once (`once_key`).

One bonus per survey answer, whichever way it arrives: the bonus of one of the program's
surveys is keyed to the survey (`survey:<id>`, as `answerSurvey` keys it), so a SURVEY
activity naming it (`attributes.surveyId`) after or before the answer earns no second
one. A member's self-reported SURVEY activity earns no campaign bonus at all: a member
answers the program's surveys in the app (`answerSurvey`), and their word alone that
they answered one could be repeated at will. Reported by an integration (an outside
survey tool), it earns once per activity, or once per survey when it names one of ours.
"""

from __future__ import annotations

from challenges.events import ActivityRecorded
from domain.campaigns.bonuses import award_trigger
from domain.campaigns.rules import Trigger
from domain.models import Survey
from domain.row_ids import MAX_INT_ID

TRIGGERS = {"REVIEW": Trigger.REVIEW_COMPLETED, "SURVEY": Trigger.SURVEY_COMPLETED}


async def _named_survey(program_id: int, raw: object) -> int | None:
    """The program's survey an activity names in attributes.surveyId, if any."""
    text = str(raw) if isinstance(raw, int | str) and not isinstance(raw, bool) else ""
    if not text.isdigit() or not 0 < int(text) <= MAX_INT_ID:
        return None
    found = await Survey.filter(id=int(text), program_id=program_id).exists()
    return int(text) if found else None


async def on_activity_recorded(event: ActivityRecorded) -> None:
    trigger = TRIGGERS.get(event.type_code)
    if trigger is None:
        return
    once_key = f"activity:{event.activity_id}"
    if trigger == Trigger.SURVEY_COMPLETED:
        if event.self_reported:
            return
        survey_id = await _named_survey(event.program_id, event.attributes.get("surveyId"))
        if survey_id is not None:
            once_key = f"survey:{survey_id}"
    await award_trigger(event.program_id, event.member_id, trigger, once_key, event.occurred_at)

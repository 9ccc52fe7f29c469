"""Adapter: a reported REVIEW or SURVEY activity triggers the campaigns' fixed bonus.

Runs in the activity's transaction; each activity grants at most once (`once_key`).
"""

from __future__ import annotations

from challenges.events import ActivityRecorded
from domain.campaigns.bonuses import award_trigger
from domain.campaigns.rules import Trigger

TRIGGERS = {"REVIEW": Trigger.REVIEW_COMPLETED, "SURVEY": Trigger.SURVEY_COMPLETED}


async def on_activity_recorded(event: ActivityRecorded) -> None:
    trigger = TRIGGERS.get(event.type_code)
    if trigger is not None:
        await award_trigger(
            event.program_id, event.member_id, trigger, f"activity:{event.activity_id}", event.occurred_at
        )

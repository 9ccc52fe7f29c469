"""Fixed bonuses on events: signup, referral (to the referrer), survey and review.

Handlers run in the transaction of their cause (domain.events), lock the member and
grant every active FIXED_BONUS campaign with that trigger that fires, under the same
rules as purchases: schedule, audience, stacking, per-member caps, budget, and once per
occasion (`once_key`: one signup, one bonus per referee, per survey, per review).
First-purchase and birthday-month bonuses are decided inside record_purchase instead.
"""

from __future__ import annotations

from datetime import datetime

from domain import ledger
from domain.campaigns import engine
from domain.campaigns.rules import Occasion, Trigger
from domain.events import MemberEnrolled, ReferralCompleted, SurveyAnswered
from domain.models import CampaignKind, Program


async def award_trigger(program_id: int, member_id: str, trigger: Trigger, once_key: str, moment: datetime) -> int:
    """Points granted to the member for `trigger`; 0 when no campaign fires."""
    campaigns = [
        c for c in await engine.load_campaigns(program_id)
        if c.kind == CampaignKind.FIXED_BONUS and (c.rule.get("effect") or {}).get("trigger") == trigger.value
    ]
    if not campaigns:
        return 0
    program = await Program.get(id=program_id)
    member = await ledger.lock_member(program_id, member_id)
    occasion = Occasion(moment, trigger=trigger, once_key=once_key)
    decision = await engine.decide(program, member, campaigns, occasion, moment)
    budgeted = {c.id for c in campaigns if c.budget_remaining is not None}
    decision = await engine.reserve_budgets(decision, budgeted)
    await engine.grant(program, member, decision, moment, moment, f"{trigger.value.replace('_', ' ')} bonus")
    return decision.points


async def on_member_enrolled(event: MemberEnrolled) -> None:
    await award_trigger(event.program_id, event.member_id, Trigger.SIGNUP, "signup", event.enrolled_at)


async def on_referral_completed(event: ReferralCompleted) -> None:
    await award_trigger(
        event.program_id, event.referrer_id, Trigger.REFERRAL, f"referral:{event.referee_id}", event.occurred_at
    )


async def on_survey_answered(event: SurveyAnswered) -> None:
    await award_trigger(
        event.program_id, event.member_id, Trigger.SURVEY_COMPLETED, f"survey:{event.survey_id}", event.occurred_at
    )

"""GraphQL types of challenges: the catalog marketers see, and a member's challenges."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from challenges import challenge_catalog, challenge_periods, goals, member_challenges
from challenges.models import Challenge as ChallengeModel

GoalType = strawberry.enum(goals.GoalType, description="What a challenge counts.")
GoalSource = strawberry.enum(goals.Source, name="GoalSource", description="What marks a day for day-based goals.")
ChallengeStatus = strawberry.enum(challenge_catalog.ChallengeStatus)
Recurrence = strawberry.enum(challenge_periods.Recurrence, description="Periods in the program's time zone.")
MemberChallengeStatus = strawberry.enum(member_challenges.MemberChallengeStatus)


@strawberry.enum(description="COUNT counts one per activity; IMPACT adds each activity's impact.")
class GoalMeasure(Enum):
    COUNT = "count"
    IMPACT = "impact"


@strawberry.enum
class StreakUnit(Enum):
    DAY = "day"
    WEEK = "week"  # Monday to Sunday


@strawberry.enum
class Enrolment(Enum):
    AUTOMATIC = "automatic"  # everyone in the audience takes part until they leave
    OPT_IN = "opt_in"  # only members who join


@strawberry.type
class ChallengeGoal:
    type: GoalType
    target: int = strawberry.field(description="Minor units for amounts; the number of steps for STEPS.")
    activity_type: str | None
    attribute: str | None = strawberry.field(description="With `equals`: only activities with this attribute value.")
    equals: JSON | None
    category: str | None = strawberry.field(description="Purchase item category, or an activity's `category`.")
    measure: GoalMeasure
    source: GoalSource
    unit: StreakUnit
    steps: list[ChallengeGoal] = strawberry.field(description="STEPS: sub-goals, completed in this order.")

    @classmethod
    def from_goal(cls, goal: goals.Goal) -> ChallengeGoal:
        return cls(
            type=goal.type, target=goal.target, activity_type=goal.activity_type, attribute=goal.attribute,
            equals=goal.equals, category=goal.category, measure=GoalMeasure(goal.measure), source=goal.source,
            unit=StreakUnit(goal.unit), steps=[cls.from_goal(step) for step in goal.steps],
        )


@strawberry.type
class ChallengeWindow:
    starts_at: datetime
    ends_at: datetime | None = strawberry.field(description="None: a recurring challenge without an end.")
    recurrence: Recurrence | None = strawberry.field(description="None: one fixed period.")


@strawberry.type
class ChallengeAudience:
    everyone: bool
    tier_ids: list[strawberry.ID]
    segment_id: strawberry.ID | None = None


@strawberry.type
class Challenge:
    id: strawberry.ID
    name: str
    description: str
    status: ChallengeStatus
    goal: ChallengeGoal
    window: ChallengeWindow
    audience: ChallengeAudience
    enrolment: Enrolment
    reward_points: int
    reward_badge_id: strawberry.ID | None
    max_completions: int = strawberry.field(description="Completions a member may make across periods.")
    community_target: int | None = strawberry.field(description="Set for a community challenge: the collective goal.")
    milestones: list[int] = strawberry.field(description="Percentages that notify the member, once per period.")
    version: int
    created_at: datetime
    updated_at: datetime
    ends_at: datetime | None = strawberry.field(
        description="When it ends: the current period's end where the member's view knows it, else the window's."
    )

    @classmethod
    def from_model(cls, challenge: ChallengeModel, period_ends_at: datetime | None = None) -> Challenge:
        window = challenge_periods.Window.from_json(challenge.window)
        audience = challenge_catalog.Audience.from_json(challenge.audience)
        badge_id: Any = challenge.reward_badge_id  # type: ignore[attr-defined]
        return cls(
            id=strawberry.ID(str(challenge.id)),
            name=challenge.name,
            description=challenge.description,
            status=challenge_catalog.ChallengeStatus(challenge.status),
            goal=ChallengeGoal.from_goal(goals.Goal.from_json(challenge.goal)),
            window=ChallengeWindow(starts_at=window.starts_at, ends_at=window.ends_at, recurrence=window.every),
            audience=ChallengeAudience(everyone=audience.everyone,
                                       tier_ids=[strawberry.ID(str(t)) for t in audience.tier_ids],
                                       segment_id=strawberry.ID(str(audience.segment_id)) if audience.segment_id else None),
            enrolment=Enrolment.OPT_IN if challenge.opt_in else Enrolment.AUTOMATIC,
            reward_points=challenge.reward_points,
            reward_badge_id=strawberry.ID(str(badge_id)) if badge_id else None,
            max_completions=challenge.max_completions,
            community_target=challenge.community_target,
            milestones=list(challenge.milestones),
            version=challenge.version,
            created_at=challenge.created_at,
            updated_at=challenge.updated_at,
            ends_at=period_ends_at or window.ends_at,
        )


@strawberry.type
class MemberChallenge:
    challenge: Challenge
    period_key: str = strawberry.field(description='"all" for a fixed window, else e.g. 2026-W23.')
    progress: int = strawberry.field(description="Toward goal.target; the collective total of a community challenge.")
    percent: int
    completed_at: datetime | None
    contribution: int | None = strawberry.field(description="Community challenges: the member's own share.")

    @classmethod
    def from_view(cls, view: member_challenges.MemberChallenge) -> MemberChallenge:
        return cls(
            challenge=Challenge.from_model(view.challenge, view.period_ends_at),
            period_key=view.period_key,
            progress=view.progress,
            percent=view.percent,
            completed_at=view.completed_at,
            contribution=view.contribution,
        )

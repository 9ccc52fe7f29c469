"""GraphQL types of badges: the catalog and the badges a member earned.

Levels are numbered from 1 for people (bronze = level 1); the database keeps 0-based
indexes into the badge's level list.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from challenges.badge_awards import EarnedBadge as EarnedBadgeValue
from challenges.badge_awards import levels_of
from challenges.badge_rules import BadgeRule as BadgeRuleValue
from challenges.badge_rules import RuleKind
from challenges.models import Badge as BadgeModel

BadgeRuleKind = strawberry.enum(RuleKind, name="BadgeRuleKind", description="What a badge rule measures.")


@strawberry.type
class BadgeLevel:
    level: int = strawberry.field(description="1 for the first level.")
    name: str
    threshold: int = strawberry.field(description="The rule's value that earns this level.")


@strawberry.type(description="Awards a badge's levels automatically, as the measured value reaches them.")
class BadgeRule:
    kind: BadgeRuleKind
    activity_type: str | None = strawberry.field(description="The counted activity type; for a streak, null = any.")


@strawberry.type
class Badge:
    id: strawberry.ID
    code: str
    name: str
    description: str
    image_url: str | None
    levels: list[BadgeLevel] = strawberry.field(description="Increasing thresholds; one level if none were set.")
    rule: BadgeRule | None = strawberry.field(description="Null: only challenge completions award it.")

    @classmethod
    def from_model(cls, badge: BadgeModel) -> Badge:
        rule = BadgeRuleValue.from_json(badge.rule)
        return cls(
            id=strawberry.ID(str(badge.id)),
            code=badge.code,
            name=badge.name,
            description=badge.description,
            image_url=badge.image_url,
            levels=[BadgeLevel(level=i + 1, name=lv.name, threshold=lv.threshold) for i, lv in enumerate(levels_of(badge))],
            rule=BadgeRule(kind=rule.kind, activity_type=rule.activity_type) if rule else None,
        )


@strawberry.type
class BadgeProgress:
    current: int = strawberry.field(description="The rule's value now (a streak counts while still alive).")
    next_threshold: int | None = strawberry.field(description="Null when every level is earned.")


@strawberry.type(description="A badge the member holds, at the highest level earned.")
class EarnedBadge:
    badge_id: strawberry.ID
    code: str
    name: str
    description: str
    image_url: str | None
    level: int = strawberry.field(description="Highest level held, 1 for the first.")
    level_name: str | None = strawberry.field(description="Null for a badge without named levels.")
    earned_at: datetime = strawberry.field(description="When that level was earned.")
    progress: BadgeProgress | None = strawberry.field(description="Null when no rule measures this badge.")

    @classmethod
    def from_value(cls, earned: EarnedBadgeValue) -> EarnedBadge:
        badge = earned.badge
        progress = earned.progress
        return cls(
            badge_id=strawberry.ID(str(badge.id)),
            code=badge.code,
            name=badge.name,
            description=badge.description,
            image_url=badge.image_url,
            level=earned.level + 1,
            level_name=earned.level_name,
            earned_at=earned.earned_at,
            progress=BadgeProgress(current=progress.current, next_threshold=progress.next_threshold) if progress else None,
        )

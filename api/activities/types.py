"""GraphQL types of activities: the type list, a recorded activity, the member's impact."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.charities.types import ImpactTotal, MoneyAmount, impact_list
from api.long_int import Long
from challenges import activities
from challenges.activity_catalog import ImpactUnit as ImpactUnitValue
from challenges.activity_catalog import built_in
from challenges.models import ActivityType as ActivityTypeModel
from domain.charity.impact import MEALS_PROVIDED, TREES_PLANTED, ImpactTotals

ImpactUnit = strawberry.enum(ImpactUnitValue, description="What a sustainability impact counts.")


@strawberry.type(description="A kind of activity members do; built-in or defined by a marketer.")
class ActivityType:
    code: str
    name: str
    impact_unit: ImpactUnit | None
    impact_per_activity: int = strawberry.field(description="Impact counted for each activity of this type.")
    how_measured: str | None = strawberry.field(
        description="Where the impact comes from the activity's attributes instead, how."
    )
    member_reportable: bool = strawberry.field(
        description="Members may record it themselves from the app; otherwise integrations only."
    )
    custom: bool

    @classmethod
    def from_model(cls, kind: ActivityTypeModel) -> ActivityType:
        catalog_entry = None if kind.custom else built_in(kind.code)
        return cls(
            code=kind.code,
            name=kind.name,
            impact_unit=ImpactUnitValue(kind.impact_unit) if kind.impact_unit else None,
            impact_per_activity=kind.impact_per_activity,
            how_measured=catalog_entry.how_measured if catalog_entry else None,
            member_reportable=kind.member_reportable,
            custom=kind.custom,
        )


@strawberry.type
class ActivityImpact:
    unit: ImpactUnit
    amount: int


@strawberry.type
class ActivityRecorded:
    activity_id: strawberry.ID
    member_id: strawberry.ID
    type: str
    occurred_at: datetime
    impact: ActivityImpact | None = strawberry.field(description="Null for a type without an impact.")

    @classmethod
    def from_outcome(cls, outcome: activities.ActivityOutcome) -> ActivityRecorded:
        impact = (
            ActivityImpact(unit=ImpactUnitValue(outcome.impact_unit), amount=outcome.impact_amount)
            if outcome.impact_unit
            else None
        )
        return cls(
            activity_id=strawberry.ID(str(outcome.activity_id)),
            member_id=strawberry.ID(outcome.member_id),
            type=outcome.type_code,
            occurred_at=outcome.occurred_at,
            impact=impact,
        )


@strawberry.type(
    description="What the member achieved: sustainability activities, donations (with the brand match) "
    "and sustainability rewards, summed over all of them."
)
class SustainabilityImpact:
    # Long: lifetime sums of a member (2^31 grams of CO2 is only 2,147 kg).
    co2_avoided_grams: Long
    items_recycled: Long
    paper_saved_grams: Long
    trees_planted: Long = strawberry.field(description="From donations and sustainability rewards.")
    meals_provided: Long = strawberry.field(description="From donations and rewards.")
    donations: Long = strawberry.field(description="Donations made; skipped and cancelled ones excluded.")
    donated_points: Long
    donated_amount: MoneyAmount = strawberry.field(description="What the donated points were worth.")
    matched_amount: MoneyAmount = strawberry.field(description="What the brand added on top.")
    by_unit: list[ImpactTotal] = strawberry.field(description="Every impact unit, including the ones above.")

    @classmethod
    def from_totals(
        cls, totals: dict[str, int], donated: ImpactTotals | None = None, currency: str = "EUR"
    ) -> SustainabilityImpact:
        """`totals`: the activities' impact per unit; `donated`: donations and rewards."""
        donated = donated or ImpactTotals()
        combined = dict(totals)
        for unit, amount in donated.impact.items():
            combined[unit] = combined.get(unit, 0) + amount
        return cls(
            co2_avoided_grams=combined.get(ImpactUnitValue.CO2_GRAMS, 0),
            items_recycled=combined.get(ImpactUnitValue.ITEMS_RECYCLED, 0),
            paper_saved_grams=combined.get(ImpactUnitValue.PAPER_GRAMS, 0),
            trees_planted=combined.get(TREES_PLANTED, 0),
            meals_provided=combined.get(MEALS_PROVIDED, 0),
            donations=donated.donations,
            donated_points=donated.donated_points,
            donated_amount=MoneyAmount(amount=donated.donated_amount, currency=currency),
            matched_amount=MoneyAmount(amount=donated.matched_amount, currency=currency),
            by_unit=impact_list(combined),
        )

"""GraphQL types of charities: the catalog, donations, the auto-donation setting, impact."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.long_int import Long
from domain import models
from domain.charity.impact import ImpactTotals, charity_totals

DonationSource = strawberry.enum(models.DonationSource, description="How a donation came about.")
DonationStatus = strawberry.enum(models.DonationStatus)
DonationMode = strawberry.enum(models.DonationMode, description="Auto-donation from what a member earns.")


@strawberry.type(description="Money: integer minor units (cents for EUR) and an ISO 4217 currency.")
class MoneyAmount:
    # Long: one type for single amounts and for sums (totals pass Int at 21,474,836.47).
    amount: Long
    currency: str


@strawberry.type(description="An amount of impact, e.g. 3 trees_planted.")
class ImpactTotal:
    unit: str
    amount: Long


def impact_list(impact: dict[str, int]) -> list[ImpactTotal]:
    return [ImpactTotal(unit=unit, amount=amount) for unit, amount in sorted(impact.items())]


@strawberry.type(description="Donations made (skipped and cancelled ones excluded) and what they achieved.")
class DonationTotals:
    donations: Long
    donated_points: Long
    donated_amount: MoneyAmount = strawberry.field(description="What the points were worth.")
    matched_amount: MoneyAmount = strawberry.field(description="What the brand added.")
    total_amount: MoneyAmount = strawberry.field(description="Donated plus matched: what the charities receive.")
    impact: list[ImpactTotal]

    @classmethod
    def from_totals(cls, totals: ImpactTotals, currency: str) -> DonationTotals:
        return cls(
            donations=totals.donations,
            donated_points=totals.donated_points,
            donated_amount=MoneyAmount(amount=totals.donated_amount, currency=currency),
            matched_amount=MoneyAmount(amount=totals.matched_amount, currency=currency),
            total_amount=MoneyAmount(amount=totals.total_amount, currency=currency),
            impact=impact_list(totals.impact),
        )


@strawberry.type(description="A charity members give points to.")
class Charity:
    id: strawberry.ID
    name: str
    cause: str
    description: str
    active: bool
    points_per_currency_unit: int = strawberry.field(description="Points that make one whole currency unit.")
    matching_percent: int = strawberry.field(description="Share of each donated amount the brand adds, 0-100.")
    impact_unit: str = strawberry.field(description="What the impact counts, e.g. trees_planted, meals_provided.")
    impact_per_step: int
    impact_step_amount: int = strawberry.field(
        description="impactPerStep units for every impactStepAmount minor units donated plus matched."
    )
    model: strawberry.Private[models.Charity]
    # Filled for a whole page at once by the list resolvers, so a page costs one query.
    known_totals: strawberry.Private[ImpactTotals | None] = None

    @classmethod
    def from_model(cls, charity: models.Charity, totals: ImpactTotals | None = None) -> Charity:
        return cls(
            id=strawberry.ID(str(charity.id)),
            name=charity.name,
            cause=charity.cause,
            description=charity.description,
            active=charity.active,
            points_per_currency_unit=charity.points_per_currency_unit,
            matching_percent=charity.matching_percent,
            impact_unit=charity.impact_unit,
            impact_per_step=charity.impact_per_step,
            impact_step_amount=charity.impact_step_amount,
            model=charity,
            known_totals=totals,
        )

    @strawberry.field(description="Everything members gave this charity so far.")
    async def impact(self, info: Info) -> DonationTotals:
        program = await info.context.program()
        totals = self.known_totals if self.known_totals is not None else await charity_totals(self.model.id)
        return DonationTotals.from_totals(totals, program.currency)


@strawberry.type(description="Points given to a charity; SKIPPED auto-donations say why in `note`.")
class Donation:
    id: strawberry.ID
    charity: Charity
    source: DonationSource
    status: DonationStatus
    points: Long  # an auto-donation's share of one huge earning can pass Int
    amount: MoneyAmount
    matched_amount: MoneyAmount
    total_amount: MoneyAmount
    impact: ImpactTotal
    note: str
    created_at: datetime
    cancelled_at: datetime | None

    @classmethod
    def from_model(cls, donation: models.Donation) -> Donation:
        currency = donation.currency
        return cls(
            id=strawberry.ID(str(donation.id)),
            charity=Charity.from_model(donation.charity),
            source=donation.source,
            status=donation.status,
            points=donation.points,
            amount=MoneyAmount(amount=donation.amount, currency=currency),
            matched_amount=MoneyAmount(amount=donation.matched_amount, currency=currency),
            total_amount=MoneyAmount(amount=donation.amount + donation.matched_amount, currency=currency),
            impact=ImpactTotal(unit=donation.impact_unit, amount=donation.impact_amount),
            note=donation.note,
            created_at=donation.created_at,
            cancelled_at=donation.cancelled_at,
        )


@strawberry.type(description="The member's auto-donation setting.")
class DonationPreference:
    mode: DonationMode
    charity: Charity | None
    share_percent: int = strawberry.field(description="SHARE: percent of each earning given.")
    round_up_to: int = strawberry.field(description="ROUND_UP: the balance is left at a multiple of this.")
    updated_at: datetime | None

    @classmethod
    def from_model(cls, preference: models.DonationPreference | None) -> DonationPreference:
        if preference is None:
            return cls(mode=models.DonationMode.NONE, charity=None, share_percent=0, round_up_to=0, updated_at=None)
        return cls(
            mode=preference.mode,
            charity=Charity.from_model(preference.charity) if preference.charity else None,
            share_percent=preference.share_percent,
            round_up_to=preference.round_up_to,
            updated_at=preference.updated_at,
        )


@strawberry.type
class CharityImpactLine:
    charity: Charity
    totals: DonationTotals


@strawberry.type(description="Donations and sustainability rewards of the whole program in [from, to).")
class ProgramImpact:
    totals: DonationTotals = strawberry.field(description="All charities, plus sustainability rewards' impact.")
    charities: list[CharityImpactLine]

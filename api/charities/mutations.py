"""Donating points, the auto-donation setting, and the marketers' charity catalog."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from api.charities.types import Charity, DonationMode, DonationPreference, ImpactTotal, MoneyAmount
from api.create_keys import create_once, key_field
from api.ids import MAX_INT_ID, row_id
from api.long_int import Long
from api.permissions import Marketers, MemberOnly
from api.problems import IdempotencyConflict, InsufficientPoints, InvalidInput, NotEligible, NotFound, problem
from domain import models
from domain.charity import catalog, donations
from domain.charity.auto_donation import update_preference
from domain.charity.auto_rules import AutoDonationSetting
from domain.errors import DomainError


@strawberry.input
class DonatePointsInput:
    charity_id: strawberry.ID
    points: int = strawberry.field(description="Spendable points to give, at most 1,000,000,000.")
    idempotency_key: str


@strawberry.type(description="The points went to the charity.")
class DonationMade:
    donation_id: strawberry.ID
    charity_id: strawberry.ID
    points: int
    amount: MoneyAmount = strawberry.field(description="What the points were worth, rounded down.")
    matched_amount: MoneyAmount = strawberry.field(description="What the brand adds, rounded down.")
    total_amount: MoneyAmount
    impact: ImpactTotal = strawberry.field(description="Of the total, rounded down.")
    balance: Long = strawberry.field(description="The member's balance right after the donation.")

    @classmethod
    def from_outcome(cls, outcome: donations.DonationOutcome) -> DonationMade:
        currency = outcome.currency
        return cls(
            donation_id=strawberry.ID(str(outcome.donation_id)),
            charity_id=strawberry.ID(str(outcome.charity_id)),
            points=outcome.points,
            amount=MoneyAmount(amount=outcome.amount, currency=currency),
            matched_amount=MoneyAmount(amount=outcome.matched_amount, currency=currency),
            total_amount=MoneyAmount(amount=outcome.amount + outcome.matched_amount, currency=currency),
            impact=ImpactTotal(unit=outcome.impact_unit, amount=outcome.impact_amount),
            balance=outcome.balance,
        )


DonatePointsPayload = Annotated[
    DonationMade | InvalidInput | NotFound | NotEligible | InsufficientPoints | IdempotencyConflict,
    strawberry.union("DonatePointsPayload"),
]


@strawberry.input
class UpdateDonationPreferenceInput:
    mode: DonationMode
    charity_id: strawberry.ID | None = strawberry.field(default=None, description="Required unless mode is NONE.")
    share_percent: int = strawberry.field(default=0, description="SHARE: 1-100 percent of each earning.")
    round_up_to: int = strawberry.field(default=0, description="ROUND_UP: 2-10,000; the spare points above a multiple are given.")


@strawberry.type
class DonationPreferenceSaved:
    preference: DonationPreference


DonationPreferencePayload = Annotated[
    DonationPreferenceSaved | InvalidInput | NotFound | NotEligible, strawberry.union("DonationPreferencePayload")
]


@strawberry.input
class CreateCharityInput:
    name: str
    cause: str
    points_per_currency_unit: int = strawberry.field(description="e.g. 100: 100 points make 1.00 in the program currency.")
    impact_unit: str = strawberry.field(description="snake_case, e.g. trees_planted or meals_provided.")
    impact_step_amount: int = strawberry.field(description="Minor units that buy impactPerStep units, e.g. 100.")
    impact_per_step: int = 1
    matching_percent: int = strawberry.field(default=0, description="0-100: the brand adds this share.")
    description: str = ""
    active: bool = True
    idempotency_key: str | None = key_field()

    def to_spec(self) -> catalog.CharitySpec:
        return catalog.CharitySpec(**{k: v for k, v in vars(self).items() if k != "idempotency_key"})


@strawberry.input
class UpdateCharityInput:
    id: strawberry.ID
    name: str | None = None
    cause: str | None = None
    description: str | None = None
    active: bool | None = None
    points_per_currency_unit: int | None = None
    matching_percent: int | None = None
    impact_unit: str | None = None
    impact_per_step: int | None = None
    impact_step_amount: int | None = None

    def to_spec(self) -> catalog.CharitySpec:
        return catalog.CharitySpec(**{k: v for k, v in vars(self).items() if k != "id"})


@strawberry.type
class CharitySaved:
    charity: Charity


CharityPayload = Annotated[
    CharitySaved | InvalidInput | NotFound | IdempotencyConflict, strawberry.union("CharityPayload")
]


@strawberry.type
class CharityMutations:
    @strawberry.mutation(permission_classes=[MemberOnly], description="Give the caller's own points to a charity.")
    async def donate_points(self, info: Info, input: DonatePointsInput) -> DonatePointsPayload:
        ctx = info.context
        try:
            charity_id = row_id(input.charity_id, "charityId", "charity", MAX_INT_ID)
            outcome = await donations.donate_points(
                await ctx.program(), ctx.principal.member_id, charity_id, input.points, input.idempotency_key, ctx.now()
            )
        except DomainError as error:
            return problem(error)
        return DonationMade.from_outcome(outcome)

    @strawberry.mutation(permission_classes=[MemberOnly], description="Round up or give a share of what the caller earns.")
    async def update_donation_preference(
        self, info: Info, input: UpdateDonationPreferenceInput
    ) -> DonationPreferencePayload:
        ctx = info.context
        setting = AutoDonationSetting(models.DonationMode(input.mode), input.share_percent, input.round_up_to)
        try:
            charity_id = (
                row_id(input.charity_id, "charityId", "charity", MAX_INT_ID) if input.charity_id is not None else None
            )
            saved = await update_preference(await ctx.program(), ctx.principal.member_id, charity_id, setting, ctx.now())
        except DomainError as error:
            return problem(error)
        return DonationPreferenceSaved(preference=DonationPreference.from_model(saved))

    @strawberry.mutation(permission_classes=[Marketers])
    async def create_charity(self, info: Info, input: CreateCharityInput) -> CharityPayload:
        ctx = info.context
        try:
            program, spec = await ctx.program(), input.to_spec()
            charity = await create_once(
                ctx, input, "createCharity", models.Charity,
                lambda: catalog.create_charity(program, spec, ctx.principal.actor, ctx.now()),
            )
        except DomainError as error:
            return problem(error)
        return CharitySaved(charity=Charity.from_model(charity))

    @strawberry.mutation(permission_classes=[Marketers], description="Fields left out stay as they are.")
    async def update_charity(self, info: Info, input: UpdateCharityInput) -> CharityPayload:
        ctx = info.context
        try:
            charity_id = row_id(input.id, "id", "charity", MAX_INT_ID)
            charity = await catalog.update_charity(
                await ctx.program(), charity_id, input.to_spec(), ctx.principal.actor, ctx.now()
            )
        except DomainError as error:
            return problem(error)
        return CharitySaved(charity=Charity.from_model(charity))

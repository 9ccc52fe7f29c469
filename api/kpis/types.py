"""The KPI figures as GraphQL types; each field's description is its definition."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry.utils.str_converters import to_camel_case

from api.long_int import Long
from challenges.kpis import ChallengeKpis
from domain.kpis.definitions import MIN_ANNUALISED_DAYS
from domain.kpis.figures import KpiNote as Note
from domain.kpis.figures import KpiNoteCode
from domain.kpis.figures import ProgramKpis as Figures

RATE = " A percentage as a Decimal with two places (half up); null when the denominator is 0."
PERIOD = " The period is [from, to) in UTC."
STANDING = " Purchases count when they occurred in the period and were not returned."
ANNUALISED = (
    f" Null when the period is shorter than {MIN_ANNUALISED_DAYS} days: too short to scale to a year "
    "(see `notes`)."
)

KpiNoteCodeType = strawberry.enum(KpiNoteCode, name="KpiNoteCode", description=(
    "Why figures are null although there is data. PERIOD_TOO_SHORT_TO_ANNUALISE: the period is "
    f"under {MIN_ANNUALISED_DAYS} days, and the figures that scale it to a year would extrapolate noise."
))


@strawberry.type(description="Why some figures of this answer are null although there is data behind them.")
class KpiNote:
    code: KpiNoteCodeType
    fields: list[str] = strawberry.field(description="The ProgramKpis fields it concerns, e.g. customerLifetimeValue.")
    message: str = strawberry.field(description="The reason in English, for a person.")

    @classmethod
    def from_note(cls, note: Note) -> KpiNote:
        return cls(code=note.code, fields=[to_camel_case(f) for f in note.figures], message=note.message)


@strawberry.type(description="Members per current tier.")
class TierShare:
    tier: str | None = strawberry.field(description="Tier name; null for members without a tier.")
    members: Long = strawberry.field(
        description="Members enrolled before `to` whose CURRENT tier this is (tiers keep no "
        "point-in-time history), erased members included."
    )


@strawberry.type(description="Challenge participation and completion in the period.")
class ChallengeFigures:
    participants: Long = strawberry.field(
        description="Distinct members who joined a challenge, made progress (by the progress "
        "row's last update) or completed one within the period." + PERIOD
    )
    completers: Long = strawberry.field(description="Distinct members who completed a challenge within the period.")
    participation_rate: Decimal | None = strawberry.field(
        description="participants / activeMembers x 100." + RATE
    )
    completion_rate: Decimal | None = strawberry.field(description="completers / participants x 100." + RATE)


@strawberry.type(description="Impact in one unit, e.g. 4 trees_planted.")
class ImpactFigure:
    unit: str
    amount: Long


@strawberry.type(
    description="Donations made within the period (not skipped or cancelled ones), every source: "
    "by hand, auto-donations and charity rewards."
)
class DonationFigures:
    donations: Long = strawberry.field(description="Number of donations made.")
    points_donated: Long = strawberry.field(description="Points those donations took.")
    donated_amount: Long = strawberry.field(
        description="What the points were worth, in minor units of `currency`, brand match excluded."
    )
    matched_amount: Long = strawberry.field(description="Minor units the brand added on top.")
    impact: list[ImpactFigure] = strawberry.field(
        description="Impact per unit: each donation's impact as recorded when made (rounded down "
        "per donation), plus impact records of sustainability rewards redeemed in the period "
        "and not cancelled. Units sorted by name."
    )


@strawberry.type(
    description="A marketer's KPIs for one period. Every figure counts erased members too: an "
    "erasure removes personal data, not the history behind the totals."
)
class ProgramKpis:
    start: datetime = strawberry.field(name="from", description="Start of the period, inclusive.")
    end: datetime = strawberry.field(name="to", description="End of the period, exclusive.")
    activity_window_days: int = strawberry.field(
        description="A member is a customer at a moment when they enrolled before it and made a "
        "purchase within this many days before it."
    )
    currency: str = strawberry.field(description="ISO 4217 code of every money figure (minor units).")
    customers_at_start: Long = strawberry.field(description="Customers at `from` (see activityWindowDays).")
    customers_at_end: Long = strawberry.field(description="Customers at `to` (see activityWindowDays).")
    new_customers: Long = strawberry.field(description="Customers at `to` who enrolled within the period.")
    retention_rate: Decimal | None = strawberry.field(
        description="(customersAtEnd - newCustomers) / customersAtStart x 100." + RATE
    )
    revenue: Long = strawberry.field(description="Sum of purchase amounts in minor units." + STANDING + PERIOD)
    purchases: Long = strawberry.field(description="Number of purchases." + STANDING)
    purchasing_members: Long = strawberry.field(description="Distinct members with a purchase." + STANDING)
    average_purchase_value: Long | None = strawberry.field(
        description="revenue / purchases, minor units rounded half up; null without purchases."
    )
    purchase_frequency: Decimal | None = strawberry.field(
        description="Purchases per purchasing member per YEAR: purchases / purchasingMembers x 365 / "
        "period length in days; two places. Null without purchases." + ANNUALISED
    )
    average_lifetime_years: Decimal | None = strawberry.field(
        description="Average years (365 days) from enrolment to last purchase before `to`, over every "
        "member with a purchase before `to`; two places."
    )
    customer_lifetime_value: Long | None = strawberry.field(
        description="Average purchase value x purchase frequency (per year) x average lifetime "
        "(years), computed unrounded, in minor units rounded half up; null when a factor is." + ANNUALISED
    )
    points_issued: Long = strawberry.field(
        description="Points of EARN credits created within the period (purchases, challenge and "
        "activity rewards); admin adjustments and refunds are not issuance." + PERIOD
    )
    points_redeemed: Long = strawberry.field(
        description="Points of REDEEM debits minus REFUND credits created within the period." + PERIOD
    )
    redemption_rate: Decimal | None = strawberry.field(description="pointsRedeemed / pointsIssued x 100." + RATE)
    points_expired: Long = strawberry.field(description="Points of EXPIRE debits created within the period.")
    breakage_rate: Decimal | None = strawberry.field(
        description="pointsExpired / pointsIssued x 100, both within the same period (expired points "
        "were mostly issued earlier: a steady-state estimate of breakage)." + RATE
    )
    points_outstanding: Long = strawberry.field(
        description="The liability: the sum of every ledger entry created before `to`, i.e. the "
        "points members held at `to`, pending ones included."
    )
    active_members: Long = strawberry.field(
        description="Distinct members with a purchase, or an EARN, REDEEM or DONATE ledger entry, "
        "within the period." + PERIOD
    )
    challenges: ChallengeFigures
    donations: DonationFigures
    tier_distribution: list[TierShare] = strawberry.field(
        description="Every tier of the program, lowest threshold first, then members without a tier."
    )
    notes: list[KpiNote] = strawberry.field(
        description="Why figures are null although there is data (e.g. a period too short to "
        "annualise); empty when every figure is defined or null only for want of data."
    )

    @classmethod
    def build(cls, figures: Figures, challenge: ChallengeKpis) -> ProgramKpis:
        return cls(
            start=figures.start,
            end=figures.end,
            activity_window_days=figures.activity_window_days,
            currency=figures.currency,
            customers_at_start=figures.customers_at_start,
            customers_at_end=figures.customers_at_end,
            new_customers=figures.new_customers,
            retention_rate=figures.retention_rate,
            revenue=figures.revenue,
            purchases=figures.purchases,
            purchasing_members=figures.purchasing_members,
            average_purchase_value=figures.average_purchase_value,
            purchase_frequency=figures.purchase_frequency,
            average_lifetime_years=figures.average_lifetime_years,
            customer_lifetime_value=figures.customer_lifetime_value,
            points_issued=figures.points_issued,
            points_redeemed=figures.points_redeemed,
            redemption_rate=figures.redemption_rate,
            points_expired=figures.points_expired,
            breakage_rate=figures.breakage_rate,
            points_outstanding=figures.points_outstanding,
            active_members=figures.active_members,
            challenges=ChallengeFigures(
                participants=challenge.participants,
                completers=challenge.completers,
                participation_rate=challenge.participation_rate,
                completion_rate=challenge.completion_rate,
            ),
            donations=DonationFigures(
                donations=figures.donations.donations,
                points_donated=figures.donations.donated_points,
                donated_amount=figures.donations.donated_amount,
                matched_amount=figures.donations.matched_amount,
                impact=[ImpactFigure(unit=u, amount=a) for u, a in sorted(figures.donations.impact.items())],
            ),
            tier_distribution=[TierShare(tier=t.tier, members=t.members) for t in figures.tier_distribution],
            notes=[KpiNote.from_note(note) for note in figures.notes],
        )

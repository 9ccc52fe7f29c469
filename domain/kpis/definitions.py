"""The KPI formulas, one small pure function each: the docstring is the definition.

Rates are percentages as Decimals with two places (half up), so that a figure reads the
same in the API, in a spreadsheet and in a hand check; floats would print 33.33333...
A rate whose denominator is zero is None (undefined), never a division error and never a
made-up 0 or 100.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")
DAYS_PER_YEAR = Decimal(365)  # a calendar year of the period; leap days are noise here
SECONDS_PER_DAY = 86_400
# Annualising a shorter period extrapolates noise: a 3-second period with one purchase
# made 10 million purchases a year, and a lifetime value of millions. Under a month a
# yearly rate is not a measurement, so the figures that need one are undefined.
MIN_ANNUALISED_DAYS = Decimal(30)


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part / whole x 100, two places; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TWO_PLACES, ROUND_HALF_UP)


def retention_rate(customers_at_start: int, customers_at_end: int, new_customers: int) -> Decimal | None:
    """(customers at end - new customers) / customers at start x 100.

    A customer at a moment is a member with a purchase within the activity window before
    it; new customers are the customers at end who enrolled within the period."""
    return percent(customers_at_end - new_customers, customers_at_start)


def average_purchase_value(revenue: int, purchases: int) -> Decimal | None:
    """Revenue / purchases in the period, in minor units (unrounded, rounded at the end)."""
    if not purchases:
        return None
    return Decimal(revenue) / purchases


def can_annualise(period_days: Decimal) -> bool:
    """A period of at least MIN_ANNUALISED_DAYS days says something about a year."""
    return period_days >= MIN_ANNUALISED_DAYS


def purchase_frequency(purchases: int, purchasing_members: int, period_days: Decimal) -> Decimal | None:
    """Purchases per purchasing member per year: purchases / distinct purchasing members,
    scaled from the period's length to 365 days; None for a period too short to annualise."""
    if not purchasing_members or not can_annualise(period_days):
        return None
    return Decimal(purchases) / purchasing_members * DAYS_PER_YEAR / period_days


def average_lifetime_years(lifetime_days_total: Decimal, members: int) -> Decimal | None:
    """Average years from enrolment to last purchase (up to the period end), over members
    with at least one purchase by then."""
    if not members:
        return None
    return lifetime_days_total / members / DAYS_PER_YEAR


def customer_lifetime_value(
    purchase_value: Decimal | None, frequency: Decimal | None, lifetime_years: Decimal | None
) -> int | None:
    """Average purchase value x purchase frequency (per year) x average lifetime (years),
    in minor units rounded half up; None when any factor is undefined."""
    if purchase_value is None or frequency is None or lifetime_years is None:
        return None
    return int((purchase_value * frequency * lifetime_years).quantize(Decimal(1), ROUND_HALF_UP))


def redemption_rate(points_redeemed: int, points_issued: int) -> Decimal | None:
    """Points redeemed (redemptions minus refunds) / points issued (earn credits) in the
    period x 100."""
    return percent(points_redeemed, points_issued)


def breakage_rate(points_expired: int, points_issued: int) -> Decimal | None:
    """Points expired in the period / points issued in the same period x 100 (the expired
    points were mostly issued earlier: a steady-state estimate, not a cohort's fate)."""
    return percent(points_expired, points_issued)


def participation_rate(participants: int, active_members: int) -> Decimal | None:
    """Members taking part in a challenge in the period / active members x 100."""
    return percent(participants, active_members)


def completion_rate(completers: int, participants: int) -> Decimal | None:
    """Members who completed a challenge in the period / participants x 100."""
    return percent(completers, participants)


def round_minor(value: Decimal | None) -> int | None:
    return None if value is None else int(value.quantize(Decimal(1), ROUND_HALF_UP))


def two_places(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(TWO_PLACES, ROUND_HALF_UP)

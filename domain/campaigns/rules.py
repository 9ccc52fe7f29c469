"""Campaign rules and their evaluation over the facts of one occasion. Pure: no I/O.

Semantics (documented for marketers in the API descriptions too):
- MULTIPLIER adds (factor - 1) x the base points of what matches: the matching items'
  value when the campaign names categories or SKUs, else the whole amount. Base points
  are whole currency units x the earn rate (the partner's at a partner), rounded down.
- SPEND_THRESHOLD adds `bonus_points` once per purchase whose matching value reaches
  `threshold_amount` (minor units).
- FIXED_BONUS adds `bonus_points` on its trigger, once per member and trigger occasion:
  signup, first purchase, birthday month (the first purchase in it, once a local year),
  each referral, survey or review.
Every campaign considered gets a verdict: fired or not, and why, in words a marketer reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.campaigns.schedule import CapPeriod, Schedule, local_year_month, period_start
from domain.models.campaign import CampaignKind, Stacking


class Trigger(StrEnum):
    SIGNUP = "signup"
    BIRTHDAY_MONTH = "birthday_month"
    FIRST_PURCHASE = "first_purchase"
    REFERRAL = "referral"
    SURVEY_COMPLETED = "survey_completed"
    REVIEW_COMPLETED = "review_completed"


# Fixed bonuses decided while recording a purchase; the others fire on their own events.
PURCHASE_TRIGGERS = frozenset({Trigger.FIRST_PURCHASE, Trigger.BIRTHDAY_MONTH})


@dataclass(frozen=True)
class Conditions:
    """Empty means 'any'. Weekdays and the time window live in the Schedule."""

    tier_ids: tuple[int, ...] = ()
    categories: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    partner_codes: tuple[str, ...] = ()

    @property
    def item_level(self) -> bool:
        return bool(self.categories or self.skus)


@dataclass(frozen=True)
class Effect:
    factor: Decimal | None = None  # MULTIPLIER
    bonus_points: int | None = None  # FIXED_BONUS, SPEND_THRESHOLD
    threshold_amount: int | None = None  # SPEND_THRESHOLD, minor units
    trigger: Trigger | None = None  # FIXED_BONUS


@dataclass(frozen=True)
class Cap:
    points: int
    period: CapPeriod


@dataclass(frozen=True)
class CampaignRule:
    id: int
    name: str
    kind: CampaignKind
    schedule: Schedule
    conditions: Conditions = Conditions()
    effect: Effect = Effect()
    segment_id: int | None = None
    priority: int = 0
    stacking: Stacking = Stacking.COMBINABLE
    cap: Cap | None = None
    budget_remaining: int | None = None  # None: no budget


@dataclass(frozen=True)
class Item:
    sku: str
    category: str | None
    value: int  # quantity x unit price, minor units


@dataclass(frozen=True)
class PurchaseFacts:
    amount: int
    currency_digits: int
    earn_rate: int  # points per whole currency unit (the partner's at a partner)
    channel: str
    partner_code: str | None = None
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class MemberFacts:
    tier_id: int | None = None
    segment_ids: frozenset[int] = frozenset()
    birthday_month: int | None = None
    first_purchase: bool = False  # no earlier purchase on record


@dataclass(frozen=True)
class Award:
    """A grant on record (CampaignAward): what caps and once-only bonuses count."""

    campaign_id: int
    points: int
    occurred_at: datetime
    once_key: str | None = None


@dataclass(frozen=True)
class Occasion:
    """A purchase (`purchase` set) or a trigger event with its once-only key."""

    moment: datetime
    purchase: PurchaseFacts | None = None
    trigger: Trigger | None = None
    once_key: str | None = None


@dataclass(frozen=True)
class Verdict:
    campaign_id: int
    campaign_name: str
    fired: bool
    reason: str
    points: int = 0
    priority: int = 0
    stacking: Stacking = Stacking.COMBINABLE
    limit: int | None = None  # most points caps and budget still allow; None = no limit
    once_key: str | None = None


def _money(minor: int, digits: int) -> str:
    return f"{Decimal(minor) / 10**digits:.{digits}f}"


def _extra(value: int, facts: PurchaseFacts, factor: Decimal) -> int:
    base = (value // 10**facts.currency_digits) * facts.earn_rate
    return int((base * (factor - 1)).to_integral_value(rounding=ROUND_FLOOR))


def matching_value(conditions: Conditions, facts: PurchaseFacts) -> int:
    if not conditions.item_level:
        return facts.amount
    value = sum(
        item.value for item in facts.items
        if (not conditions.categories or item.category in conditions.categories)
        and (not conditions.skus or item.sku in conditions.skus)
    )
    return min(value, facts.amount)  # items never earn more than what was paid


def allowance(rule: CampaignRule, awards: list[Award], moment: datetime, tz: ZoneInfo) -> int | None:
    """Points the cap and the budget still allow this member now; None = unlimited."""
    limits = []
    if rule.cap is not None:
        since = period_start(moment, rule.cap.period, tz)
        used = sum(a.points for a in awards if a.campaign_id == rule.id and (since is None or a.occurred_at >= since))
        limits.append(max(rule.cap.points - used, 0))
    if rule.budget_remaining is not None:
        limits.append(max(rule.budget_remaining, 0))
    return min(limits) if limits else None


def _once_key(rule: CampaignRule, occasion: Occasion, tz: ZoneInfo) -> str | None:
    trigger = rule.effect.trigger
    if trigger == Trigger.BIRTHDAY_MONTH:
        return f"birthday:{local_year_month(occasion.moment, tz)[0]}"
    if trigger in (Trigger.FIRST_PURCHASE, Trigger.SIGNUP):
        return trigger.value
    return occasion.once_key if trigger is not None else None


class _No(Exception):
    """A condition failed; the message is the verdict's reason."""


def _check_audience(rule: CampaignRule, member: MemberFacts) -> None:
    if rule.segment_id is not None and rule.segment_id not in member.segment_ids:
        raise _No(f"member not in segment {rule.segment_id}")
    if rule.conditions.tier_ids and member.tier_id not in rule.conditions.tier_ids:
        raise _No("member's tier is not one of the campaign's tiers")


def _check_purchase(rule: CampaignRule, facts: PurchaseFacts) -> int:
    """Returns the matching value."""
    c = rule.conditions
    if c.channels and facts.channel not in c.channels:
        raise _No(f"channel {facts.channel} not in {', '.join(c.channels)}")
    if c.partner_codes and facts.partner_code not in c.partner_codes:
        where = f"partner {facts.partner_code}" if facts.partner_code else "not a partner purchase"
        raise _No(f"{where}: campaign is for partners {', '.join(c.partner_codes)}")
    value = matching_value(c, facts)
    if c.item_level and value == 0:
        raise _No("no item matches the campaign's categories or SKUs")
    return value


def _points(rule: CampaignRule, occasion: Occasion, member: MemberFacts, tz: ZoneInfo) -> tuple[int, str]:
    effect, facts = rule.effect, occasion.purchase
    if rule.kind == CampaignKind.FIXED_BONUS:
        assert effect.trigger is not None and effect.bonus_points is not None
        if facts is not None:
            if effect.trigger not in PURCHASE_TRIGGERS:
                raise _No(f"fires on {effect.trigger.value}, not on purchases")
            _check_purchase(rule, facts)
            if effect.trigger == Trigger.FIRST_PURCHASE and not member.first_purchase:
                raise _No("not the member's first purchase")
            if effect.trigger == Trigger.BIRTHDAY_MONTH:
                if member.birthday_month != local_year_month(occasion.moment, tz)[1]:
                    raise _No("not the member's birthday month")
        elif occasion.trigger != effect.trigger:
            raise _No(f"fires on {effect.trigger.value}")
        return effect.bonus_points, f"{effect.trigger.value} bonus"
    if facts is None:
        raise _No("applies to purchases only")
    value = _check_purchase(rule, facts)
    if rule.kind == CampaignKind.MULTIPLIER:
        assert effect.factor is not None
        what = "matching items" if rule.conditions.item_level else "the purchase"
        return _extra(value, facts, effect.factor), f"x{effect.factor.normalize():f} on {what} ({_money(value, facts.currency_digits)})"
    assert effect.threshold_amount is not None and effect.bonus_points is not None
    spent, needed = _money(value, facts.currency_digits), _money(effect.threshold_amount, facts.currency_digits)
    if value < effect.threshold_amount:
        raise _No(f"spent {spent} of the {needed} needed")
    return effect.bonus_points, f"spent {spent}, at least {needed}"


def judge(
    rule: CampaignRule, occasion: Occasion, member: MemberFacts, awards: list[Award], tz: ZoneInfo
) -> Verdict:
    """Whether `rule` fires on `occasion`, how many points it would add before stacking."""
    base = {"campaign_id": rule.id, "campaign_name": rule.name, "priority": rule.priority, "stacking": rule.stacking}
    try:
        if (miss := rule.schedule.miss(occasion.moment, tz)) is not None:
            raise _No(miss)
        _check_audience(rule, member)
        points, why = _points(rule, occasion, member, tz)
        once_key = _once_key(rule, occasion, tz)
        if once_key is not None and any(a.campaign_id == rule.id and a.once_key == once_key for a in awards):
            raise _No("already granted to this member" + (" this year" if once_key.startswith("birthday") else ""))
        limit = allowance(rule, awards, occasion.moment, tz)
        if limit == 0:
            budget_out = rule.budget_remaining is not None and rule.budget_remaining <= 0
            raise _No("budget exhausted" if budget_out else "per-member cap reached")
        if points <= 0:
            raise _No(f"{why}: earns nothing on this amount")
    except _No as no:
        return Verdict(fired=False, reason=str(no), **base)
    return Verdict(fired=True, reason=why, points=points, limit=limit, once_key=once_key, **base)


def evaluate(
    rules: list[CampaignRule], occasion: Occasion, member: MemberFacts, awards: list[Award], tz: ZoneInfo
) -> list[Verdict]:
    return [judge(rule, occasion, member, awards, tz) for rule in rules]

"""The SQL translation of segment rules (domain.segments.preview) agrees with their pure
definition (domain.segments.rules.matches), on random members and random rules.

Each example is a fresh database (see test_ledger_properties for why `asyncio.run`): a
program in a random time zone at a random hour (so day windows and "this month" straddle
midnight), a few members with random tiers, balances, birthdays, tags, purchases (some
returned) and activities (some with a sustainability impact), and a random rule. The
members' facts are worked out here from the generated data, independently of both the
SQL and domain.segments.facts; the test checks the SQL result and the loaded facts.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from tortoise.context import TortoiseContext, tortoise_test_context

from api.database import MODEL_MODULES, tortoise_config
from challenges.models import Activity
from domain.models import Member, Program, Purchase, Tier
from domain.segments.facts import load_facts
from domain.segments.preview import members_matching
from domain.segments.rules import MemberFacts, matches, parse_rule, sustainability_windows, window_start
from domain.segments.sources import local_date, program_today
from tests.conftest import ON_POSTGRES, _empty_all_tables

EXAMPLES = 25 if ON_POSTGRES else 80
TIME_ZONES = ["UTC", "Europe/Paris", "Pacific/Auckland", "America/Los_Angeles"]
TAGS = ["coffee", "tea", "vip"]
WINDOWS = [1, 2, 7, 30]


@dataclass(frozen=True)
class Bought:
    amount: int
    hours_ago: int
    returned: bool


@dataclass(frozen=True)
class Did:
    hours_ago: int
    impact: bool


@dataclass(frozen=True)
class MemberSpec:
    tier: int | None  # index into the program's three tiers
    balance: int
    birthday: date | None
    tags: frozenset[str]
    purchases: tuple[Bought, ...]
    activities: tuple[Did, ...]


hours_ago = st.integers(0, 24 * 40)
members = st.builds(
    MemberSpec,
    tier=st.none() | st.integers(0, 2),
    balance=st.integers(0, 300),
    birthday=st.none() | st.dates(date(1950, 1, 1), date(2010, 12, 31)),
    tags=st.frozensets(st.sampled_from(TAGS)),
    purchases=st.lists(st.builds(Bought, st.integers(1, 300), hours_ago, st.booleans()), max_size=3).map(tuple),
    activities=st.lists(st.builds(Did, hours_ago, st.booleans()), max_size=3).map(tuple),
)
amount = st.integers(0, 400)


def condition() -> st.SearchStrategy[dict]:
    def c(field: str, op: str, value: st.SearchStrategy) -> st.SearchStrategy[dict]:
        return value.map(lambda v: {"field": field, "op": op, "value": v})

    pair = st.tuples(amount, amount).map(sorted)
    return st.one_of(
        c("TIER", "IN", st.lists(st.integers(0, 2), min_size=1, max_size=2)),
        c("TIER", "NOT_IN", st.lists(st.integers(0, 2), min_size=1, max_size=2)),
        *(c(f, op, amount) for f in ("BALANCE", "LIFETIME_SPEND") for op in ("GTE", "LTE")),
        *(c(f, "BETWEEN", pair) for f in ("BALANCE", "LIFETIME_SPEND")),
        c("LAST_ACTIVITY_WITHIN_DAYS", "WITHIN", st.sampled_from(WINDOWS)),
        c("LAST_ACTIVITY_WITHIN_DAYS", "NOT_WITHIN", st.sampled_from(WINDOWS)),
        c("BIRTHDAY_MONTH", "EQ", st.integers(1, 12) | st.just("CURRENT")),
        c("TAG", "HAS", st.sampled_from(TAGS)),
        c("TAG", "HAS_NOT", st.sampled_from(TAGS)),
        c("SUSTAINABILITY_ACTIVITY", "AT_LEAST", st.fixed_dictionaries({"count": st.integers(1, 3), "days": st.sampled_from(WINDOWS)})),
    )


rules = st.fixed_dictionaries(
    {"match": st.sampled_from(["ALL", "ANY"]), "conditions": st.lists(condition(), min_size=1, max_size=4)}
)
moments = st.builds(
    lambda day, hour: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=day, hours=hour),
    st.integers(0, 364),
    st.integers(0, 23),
)


def with_tier_ids(raw: dict, tier_ids: list[int]) -> dict:
    """Tier indexes in generated rules become the example's real tier ids."""
    conditions = [
        {**c, "value": [tier_ids[i] for i in c["value"]]} if c["field"] == "TIER" else c for c in raw["conditions"]
    ]
    return {**raw, "conditions": conditions}


def expected_facts(program: Program, spec: MemberSpec, tier_ids: list[int], now: datetime, windows: set[int]) -> MemberFacts:
    today = program_today(program, now)
    moments = [now - timedelta(hours=p.hours_ago) for p in spec.purchases]
    moments += [now - timedelta(hours=a.hours_ago) for a in spec.activities]
    impacts = [local_date(program, now - timedelta(hours=a.hours_ago)) for a in spec.activities if a.impact]
    return MemberFacts(
        tier_id=tier_ids[spec.tier] if spec.tier is not None else None,
        balance=spec.balance,
        lifetime_spend=sum(p.amount for p in spec.purchases if not p.returned),
        last_activity_on=local_date(program, max(moments)) if moments else None,
        birthday=spec.birthday,
        tags=spec.tags,
        sustainability_counts={d: sum(1 for on in impacts if on >= window_start(today, d)) for d in windows},
    )


async def store(program: Program, spec: MemberSpec, tier_ids: list[int], now: datetime) -> Member:
    member = await Member.create(
        program=program,
        external_id=uuid.uuid4().hex,
        display_name="m",
        referral_code=uuid.uuid4().hex[:16],
        enrolled_at=now - timedelta(days=100),
        tier_id=tier_ids[spec.tier] if spec.tier is not None else None,
        points_balance=spec.balance,
        birthday=spec.birthday,
        # no tags: stored as [] or as null (rows from before the column), alternately
        tags=sorted(spec.tags) or ([] if spec.balance % 2 else None),
    )
    for p in spec.purchases:
        at = now - timedelta(hours=p.hours_ago)
        await Purchase.create(
            program=program, member=member, amount=p.amount, currency="EUR", channel="pos", items=[],
            occurred_at=at, points_earned=0, recorded_at=at, reversed_at=now if p.returned else None,
        )
    for a in spec.activities:
        at = now - timedelta(hours=a.hours_ago)
        await Activity.create(
            program=program, member=member, type_code="RECYCLE" if a.impact else "VISIT", attributes={},
            impact_unit="items_recycled" if a.impact else None, impact_amount=1 if a.impact else 0,
            occurred_at=at, recorded_at=at,
        )
    return member


async def scenario(time_zone: str, now: datetime, specs: list[MemberSpec], raw_rule: dict) -> None:
    program = await Program.create(code="p", name="P", time_zone=time_zone)
    tiers = [await Tier.create(program=program, name=n, threshold=t) for n, t in (("B", 0), ("S", 100), ("G", 200))]
    tier_ids = [t.id for t in tiers]
    rule = parse_rule(with_tier_ids(raw_rule, tier_ids))
    today = program_today(program, now)
    stored = [(await store(program, spec, tier_ids, now), spec) for spec in specs]

    by_sql = {str(m.id) for m in await members_matching(program, rule, today)}

    expected = set()
    for member, spec in stored:
        facts = expected_facts(program, spec, tier_ids, now, sustainability_windows(rule))
        assert await load_facts(program, member, rule, today) == facts
        if matches(rule, facts, today):
            expected.add(str(member.id))
    assert by_sql == expected
    assert await members_matching(program, rule, today).count() == len(expected)


async def run_on_an_empty_database(postgres_url: str | None, *args: object) -> None:
    if postgres_url is None:
        async with tortoise_test_context(MODEL_MODULES):
            await scenario(*args)  # type: ignore[arg-type]
        return
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(postgres_url))
        await _empty_all_tables(ctx)
        await scenario(*args)  # type: ignore[arg-type]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
# Found by this test: "spent at least 0" (everyone) vanished inside an ANY.
@example(
    time_zone="UTC",
    now=datetime(2026, 1, 1, tzinfo=UTC),
    specs=[MemberSpec(None, 0, None, frozenset(), (), ())],
    raw_rule={"match": "ANY", "conditions": [
        {"field": "TIER", "op": "IN", "value": [0]}, {"field": "LIFETIME_SPEND", "op": "GTE", "value": 0}]},
)
@given(
    time_zone=st.sampled_from(TIME_ZONES),
    now=moments,
    specs=st.lists(members, min_size=1, max_size=6),
    raw_rule=rules,
)
def test_sql_translation_agrees_with_the_pure_rule(postgres_database, time_zone, now, specs, raw_rule):
    asyncio.run(run_on_an_empty_database(postgres_database, time_zone, now, specs, raw_rule))

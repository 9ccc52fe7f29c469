"""Times at the ends of the calendar, and purchases or activities that claim to be old:
a named error, never an overflow inside Python or the database driver, never points."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from challenges.models import Activity
from domain.models import IdempotencyRecord, LedgerEntry, Purchase
from tests import factories
from tests.graphql_client import INTEGRATION, MARKETER, GraphQLClient, member

RECORD_PURCHASE = """
mutation Record($input: RecordPurchaseInput!) {
  recordPurchase(input: $input) {
    __typename
    ... on PurchaseRecorded { pointsEarned }
    ... on InvalidInput { fields { path message } }
  }
}"""

RECORD_PURCHASES = """
mutation Batch($input: [RecordPurchaseInput!]!) {
  recordPurchases(input: $input) {
    __typename
    ... on PurchasesRecorded { recorded rejected lines { index result { __typename
      ... on InvalidInput { fields { path message } } } } }
  }
}"""

SIMULATE = """query($input: SimulatePurchaseInput!) { simulatePurchase(input: $input) { __typename
  ... on PurchaseSimulation { pointsEarned } ... on InvalidInput { fields { path message } } } }"""

RECORD_ACTIVITY = """
mutation Record($input: RecordActivityInput!) {
  recordActivity(input: $input) {
    __typename
    ... on ActivityRecorded { activityId }
    ... on InvalidInput { fields { path message } }
  }
}"""

SETTINGS = "{ programSettings { maxBackdatingDays } }"
UPDATE_SETTINGS = """mutation($input: UpdateProgramSettingsInput!) { updateProgramSettings(input: $input) {
  __typename ... on ProgramSettingsSaved { settings { maxBackdatingDays } }
  ... on InvalidInput { fields { path message } } } }"""

KPIS = "query($from: DateTime!, $to: DateTime!) { programKpis(from: $from, to: $to) { purchases } }"
SETTLEMENT = "query($from: DateTime!, $to: DateTime!) { partnerSettlement(from: $from, to: $to) { purchaseCount } }"
IMPACT = "query($from: DateTime, $to: DateTime) { programImpact(from: $from, to: $to) { totals { donations } } }"

RANGE = "must be between 2000-01-01T00:00:00Z and 2100-12-31T23:59:59Z"


@pytest.fixture
async def production(program, settings, redis) -> AsyncIterator[GraphQLClient]:
    """Errors masked as in production: an overflow would read "Unexpected error."."""
    production_settings = settings.model_copy(update={"loyalty_env": "production", "jwt_secret": "p" * 40})
    async with GraphQLClient.running(production_settings, redis) as client:
        yield client


def ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


def purchase(member_id: object, occurred_at: str, **changes: object) -> dict:
    return {"memberId": str(member_id), "amount": 20_00, "currency": "EUR", "occurredAt": occurred_at,
            "idempotencyKey": factories.next_key("till"), **changes}


def paths(payload: dict) -> list[str]:
    return [f["path"] for f in payload["fields"]]


@pytest.mark.parametrize("occurred_at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                                         "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1999-12-31T23:59:59Z"])
async def test_a_purchase_at_the_ends_of_the_calendar_is_invalid_input_on_occurred_at(production, program, occurred_at):
    # given a member
    someone = await factories.member(program)
    # when a till reports a purchase at a time that has no UTC form, or no place in a loyalty program
    result = await production.execute(RECORD_PURCHASE, {"input": purchase(someone.id, occurred_at)},
                                      as_=INTEGRATION)
    # then the field is named with the range, and nothing is written
    assert result.data["recordPurchase"] == {"__typename": "InvalidInput",
                                             "fields": [{"path": "occurredAt", "message": RANGE}]}
    assert await Purchase.all().count() == 0


@pytest.mark.parametrize("query", [KPIS, SETTLEMENT, IMPACT], ids=["programKpis", "partnerSettlement", "programImpact"])
@pytest.mark.parametrize(("bounds", "named"), [
    ({"from": "0001-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "from"),
    ({"from": "2026-01-01T00:00:00Z", "to": "9999-12-31T23:59:59Z"}, "to"),
    ({"from": "0001-01-01T00:00:00+14:00", "to": "2026-01-01T00:00:00Z"}, "from"),
])
async def test_report_bounds_outside_2000_to_2100_are_bad_user_input_naming_the_bound(
    production, program, query, bounds, named
):
    # when a marketer asks for a report from year 1, or up to year 9999
    result = await production.execute(query, bounds, as_=MARKETER)
    # then a GraphQL error names the bound and the range, instead of a failure in the driver
    [error] = result.errors
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == named
    assert error["message"] == f"{named}: {RANGE}"


async def test_report_bounds_at_the_ends_of_the_range_still_work(production, program):
    whole = {"from": "2000-01-01T00:00:00Z", "to": "2100-12-31T23:59:59Z"}
    assert (await production.execute(SETTLEMENT, whole, as_=MARKETER)).data["partnerSettlement"] == []
    assert (await production.execute(IMPACT, whole, as_=MARKETER)).data["programImpact"] == {"totals": {"donations": 0}}


async def test_a_purchase_from_1900_or_last_year_earns_nothing(production, program):
    # given a member
    someone = await factories.member(program)
    # when a till reports purchases dated 1900 and a year ago
    for occurred_at in ("1900-05-01T10:00:00Z", ago(days=365)):
        result = await production.execute(RECORD_PURCHASE, {"input": purchase(someone.id, occurred_at)},
                                          as_=INTEGRATION)
        # then each is refused on occurredAt
        assert paths(result.data["recordPurchase"]) == ["occurredAt"]
    # and no purchase, no points, no idempotency record
    assert (await Purchase.all().count(), await LedgerEntry.all().count(), await IdempotencyRecord.all().count()) == (0, 0, 0)


async def test_the_back_dating_window_is_thirty_days_by_default(production, program):
    # given a member and the default settings
    someone = await factories.member(program)
    assert (await production.execute(SETTINGS, as_=MARKETER)).data["programSettings"] == {"maxBackdatingDays": 30}
    # when a till that was offline reports a purchase of 29 days ago, and one of 31 days ago
    late = await production.execute(RECORD_PURCHASE, {"input": purchase(someone.id, ago(days=29))}, as_=INTEGRATION)
    too_late = await production.execute(RECORD_PURCHASE, {"input": purchase(someone.id, ago(days=31))},
                                        as_=INTEGRATION)
    # then the late one earns, the older one is refused saying why
    assert late.data["recordPurchase"] == {"__typename": "PurchaseRecorded", "pointsEarned": 20}
    assert too_late.data["recordPurchase"]["fields"] == [{"path": "occurredAt", "message":
        "must be within the last 30 days (the program's maxBackdatingDays); older purchases and activities earn nothing now"}]


async def test_a_marketer_widens_the_window_within_its_bounds(production, program):
    # given a member
    someone = await factories.member(program)
    # when a marketer sets the window to 90 days, then tries none at all and one of 20 years
    widened = await production.execute(UPDATE_SETTINGS, {"input": {"maxBackdatingDays": 90}}, as_=MARKETER)
    bad = [(await production.execute(UPDATE_SETTINGS, {"input": {"maxBackdatingDays": days}}, as_=MARKETER))
           .data["updateProgramSettings"] for days in (0, 7300)]
    # then 90 is saved, the others name the field
    assert widened.data["updateProgramSettings"] == {"__typename": "ProgramSettingsSaved",
                                                      "settings": {"maxBackdatingDays": 90}}
    assert [b["fields"] for b in bad] == [[{"path": "maxBackdatingDays", "message": "must be between 1 and 3650"}]] * 2
    # and a purchase of 60 days ago now earns
    result = await production.execute(RECORD_PURCHASE, {"input": purchase(someone.id, ago(days=60))}, as_=INTEGRATION)
    assert result.data["recordPurchase"]["__typename"] == "PurchaseRecorded"


async def test_a_few_minutes_of_clock_drift_are_allowed_more_is_the_future(production, program):
    someone = await factories.member(program)
    drift = await production.execute(RECORD_PURCHASE, {"input": purchase(someone.id, ago(minutes=-3))},
                                     as_=INTEGRATION)
    ahead = await production.execute(RECORD_PURCHASE, {"input": purchase(someone.id, ago(minutes=-10))},
                                     as_=INTEGRATION)
    assert drift.data["recordPurchase"]["__typename"] == "PurchaseRecorded"
    assert ahead.data["recordPurchase"]["fields"] == [
        {"path": "occurredAt", "message": "must not be in the future (more than 5 minutes ahead)"}]


async def test_an_old_line_in_a_batch_is_refused_on_its_own(production, program):
    # given a batch with a purchase from last year between two recent ones
    someone = await factories.member(program)
    lines = [purchase(someone.id, ago(hours=1)), purchase(someone.id, ago(days=400)), purchase(someone.id, ago(hours=2))]
    # when it is reported
    result = (await production.execute(RECORD_PURCHASES, {"input": lines}, as_=INTEGRATION)).data["recordPurchases"]
    # then the old line alone is InvalidInput on occurredAt
    assert (result["recorded"], result["rejected"]) == (2, 1)
    assert result["lines"][1]["result"]["__typename"] == "InvalidInput"
    assert paths(result["lines"][1]["result"]) == ["occurredAt"]


async def test_a_simulation_of_an_old_purchase_is_invalid_input(production, program):
    someone = await factories.member(program)
    result = await production.execute(SIMULATE, {"input": {"memberId": str(someone.id), "amount": 20_00,
                                                           "currency": "EUR", "occurredAt": ago(days=90)}},
                                      as_=MARKETER)
    assert paths(result.data["simulatePurchase"]) == ["occurredAt"]


async def test_a_member_cannot_self_report_an_activity_from_months_ago(production, program):
    # given a member
    someone = await factories.member(program)
    # when they report a check-in of 100 days ago from the app
    result = await production.execute(RECORD_ACTIVITY, {"input": {
        "type": "CHECK_IN", "occurredAt": ago(days=100), "idempotencyKey": "scan-1"}}, as_=member(someone.id))
    # then it is refused on occurredAt and nothing is written
    assert paths(result.data["recordActivity"]) == ["occurredAt"]
    assert await Activity.all().count() == 0

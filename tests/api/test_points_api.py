"""Points over GraphQL: purchases, returns, admin adjustments, and what the member sees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.models import AuditEntry, EarnLot, IdempotencyRecord, LedgerEntry, Member, Purchase, TierChange
from domain.periods import add_months
from tests import factories
from tests.graphql_client import ADMIN, INTEGRATION, MARKETER, member

RECORD_PURCHASE = """
mutation Record($input: RecordPurchaseInput!) {
  recordPurchase(input: $input) {
    __typename
    ... on PurchaseRecorded {
      purchaseId memberId pointsEarned balance
      breakdown { rule description points }
      tierChange { fromTier toTier reason }
    }
    ... on InvalidInput { message fields { path message } }
    ... on NotFound { entity key }
    ... on IdempotencyConflict { idempotencyKey }
  }
}"""

REVERSE_PURCHASE = """
mutation Reverse($input: ReversePurchaseInput!) {
  reversePurchase(input: $input) {
    __typename
    ... on PurchaseReversed { purchaseId pointsReversed pointsWrittenOff balance }
    ... on AlreadyReversed { purchaseId }
    ... on InvalidInput { fields { path message } }
    ... on NotFound { entity key }
  }
}"""

ADJUST_POINTS = """
mutation Adjust($input: AdjustPointsInput!) {
  adjustPoints(input: $input) {
    __typename
    ... on PointsAdjusted { entryId memberId points balance }
    ... on InvalidInput { fields { path message } }
    ... on InsufficientPoints { requested available }
  }
}"""

ME = """
query {
  me {
    points { balance available pending lifetimeEarned expiringSoon { points expiresAt } }
    tier { name rank benefits }
    tierProgress { nextTier { name } pointsNeeded }
  }
}"""

HISTORY = """
query History($first: Int!, $after: String) {
  pointsHistory(first: $first, after: $after) {
    edges { cursor node { id kind points reason purchaseId } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


def utcnow() -> datetime:
    return datetime.now(UTC)


def purchase_input(member_id: object, **changes: object) -> dict:
    return {
        "memberId": str(member_id),
        "amount": 10_00,
        "currency": "EUR",
        "occurredAt": (utcnow() - timedelta(minutes=1)).isoformat(),
        "idempotencyKey": factories.next_key("receipt"),
        "channel": "POS",
        "items": [{"sku": "LATTE", "quantity": 2, "unitPrice": 5_00, "category": "drinks"}],
        **changes,
    }


async def record(gql, member_id: object, **changes: object) -> dict:
    result = await gql.execute(RECORD_PURCHASE, {"input": purchase_input(member_id, **changes)}, as_=INTEGRATION)
    return result.data["recordPurchase"]


async def reverse(gql, purchase_id: str, key: str | None = None) -> dict:
    variables = {"input": {"purchaseId": purchase_id, "reason": "returned", "idempotencyKey": key or factories.next_key("return")}}
    return (await gql.execute(REVERSE_PURCHASE, variables, as_=INTEGRATION)).data["reversePurchase"]


async def adjust(gql, member_id: object, points: int, reason: str = "goodwill", as_=ADMIN) -> dict:
    variables = {"input": {"memberId": str(member_id), "points": points, "reason": reason,
                           "idempotencyKey": factories.next_key("adjust")}}
    return (await gql.execute(ADJUST_POINTS, variables, as_=as_)).data["adjustPoints"]


async def me(gql, member_id: object) -> dict:
    return (await gql.execute(ME, as_=member(member_id))).data["me"]


async def history(gql, member_id: object, first: int, after: str | None = None) -> dict:
    result = await gql.execute(HISTORY, {"first": first, "after": after}, as_=member(member_id))
    return result.data["pointsHistory"]


def paths(payload: dict) -> set[str]:
    return {f["path"] for f in payload["fields"]}


async def rows() -> dict[str, int]:
    """Row counts of everything a write could touch: equal before and after means nothing written."""
    models = (Purchase, LedgerEntry, EarnLot, IdempotencyRecord, AuditEntry, TierChange)
    return {m.__name__: await m.all().count() for m in models}


async def test_purchase_earns_with_breakdown_upgrades_the_tier_and_moves_what_the_member_sees(gql, program):
    # given Bronze/Silver(500, x1.25)/Gold(2000) and a Bronze member with 50 points expiring in ~15 days
    await factories.standard_tiers(program)
    someone = await factories.member(program)
    long_ago = (utcnow() - timedelta(days=350)).replace(microsecond=0)
    await factories.purchase(program, someone.id, amount=50_00, now=long_ago)
    before = await me(gql, someone.id)
    assert before["tier"] == {"name": "Bronze", "rank": 1, "benefits": ["Birthday treat"]}
    assert before["tierProgress"] == {"nextTier": {"name": "Silver"}, "pointsNeeded": 450}
    # when an integration records a 600 EUR web-shop purchase, then a 100 EUR one
    first = await record(gql, someone.id, amount=600_00, channel="ECOMMERCE")
    second = await record(gql, someone.id, amount=100_00)
    # then the first earns base points and lifts them to Silver; the second earns the Silver bonus
    assert first["__typename"] == "PurchaseRecorded"
    assert (first["memberId"], first["pointsEarned"], first["balance"]) == (str(someone.id), 600, 650)
    assert first["breakdown"] == [{"rule": "base", "description": "1 point(s) per currency unit", "points": 600}]
    assert first["tierChange"] == {"fromTier": "Bronze", "toTier": "Silver", "reason": "upgrade"}
    assert [(line["rule"], line["points"]) for line in second["breakdown"]] == [("base", 100), ("tier", 25)]
    assert (second["pointsEarned"], second["balance"], second["tierChange"]) == (125, 775, None)
    assert (await Purchase.get(id=int(first["purchaseId"]))).channel == "ecommerce"
    # and the member's own view moves accordingly
    after = await me(gql, someone.id)
    assert {k: v for k, v in after["points"].items() if k != "expiringSoon"} == {
        "balance": 775, "available": 775, "pending": 0, "lifetimeEarned": 775}
    [soon] = after["points"]["expiringSoon"]
    assert soon["points"] == 50
    assert datetime.fromisoformat(soon["expiresAt"]) == add_months(long_ago, 12)
    assert after["tier"] == {"name": "Silver", "rank": 2, "benefits": ["Free delivery"]}
    assert after["tierProgress"] == {"nextTier": {"name": "Gold"}, "pointsNeeded": 2000 - 775}
    entries = (await history(gql, someone.id, first=10))["edges"]
    assert [(e["node"]["kind"], e["node"]["points"]) for e in entries] == [("EARN", 125), ("EARN", 600), ("EARN", 50)]
    assert entries[1]["node"]["purchaseId"] == first["purchaseId"]


async def test_paging_through_25_entries_returns_each_once_newest_first(gql, program):
    someone = await factories.member(program)
    start = utcnow() - timedelta(hours=1)
    for i in range(1, 26):  # purchase i earns i points
        await factories.purchase(program, someone.id, amount=i * 100, now=start + timedelta(seconds=i))
    seen, pages, after = [], [], None
    while True:
        page = await history(gql, someone.id, first=10, after=after)
        pages.append((len(page["edges"]), page["pageInfo"]["hasNextPage"], page["pageInfo"]["hasPreviousPage"]))
        seen += [edge["node"] for edge in page["edges"]]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == [(10, True, False), (10, True, True), (5, False, True)]
    assert [node["points"] for node in seen] == list(range(25, 0, -1))
    assert len({node["id"] for node in seen}) == 25


@pytest.mark.parametrize(("first", "after", "argument"), [
    (0, None, "first"), (101, None, "first"), (10, "garbage!", "after"), (10, "bGVkZ2VyOng=", "after")])
async def test_bad_page_arguments_are_errors_naming_the_argument(gql, program, first, after, argument):
    someone = await factories.member(program)
    result = await gql.execute(HISTORY, {"first": first, "after": after}, as_=member(someone.id))
    [error] = result.errors
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": argument}
    assert error["message"].startswith(f"{argument}:")


_FUTURE = lambda: (utcnow() + timedelta(days=1)).isoformat()  # noqa: E731
_ITEM = {"sku": "MUG", "quantity": 1, "unitPrice": 9_00}


@pytest.mark.parametrize(("change", "path"), [
    ({"amount": 0}, "amount"),
    ({"amount": -5_00}, "amount"),
    ({"currency": "EURO"}, "currency"),
    ({"currency": "ZZZ"}, "currency"),
    ({"memberId": "not-a-uuid"}, "memberId"),
    ({"items": [_ITEM] * 501}, "items"),
    ({"items": [_ITEM, {**_ITEM, "quantity": 0}]}, "items.1.quantity"),
    ({"occurredAt": None}, "occurredAt"),
    ({"idempotencyKey": "   "}, "idempotencyKey"),
])
async def test_bad_purchase_is_invalid_input_naming_the_field_and_writes_nothing(gql, program, change, path):
    someone = await factories.member(program)
    change = {**change, "occurredAt": _FUTURE()} if "occurredAt" in change else change
    before = await rows()
    payload = await record(gql, someone.id, **change)
    assert payload["__typename"] == "InvalidInput"
    assert path in paths(payload)
    assert await rows() == before


async def test_several_bad_fields_are_reported_together(gql, program):
    someone = await factories.member(program)
    payload = await record(gql, someone.id, amount=0, currency="EURO", occurredAt=_FUTURE(),
                           items=[{**_ITEM, "quantity": 0}, {**_ITEM, "sku": " "}])
    assert paths(payload) == {"amount", "currency", "occurredAt", "items.0.quantity", "items.1.sku"}


async def test_a_blank_idempotency_key_is_reported_with_the_other_bad_fields(gql, program):
    someone = await factories.member(program)
    payload = await record(gql, someone.id, amount=0, idempotencyKey="")
    assert paths(payload) == {"amount", "idempotencyKey"}


async def test_unknown_member_is_not_found_and_writes_nothing(gql, program):
    before = await rows()
    payload = await record(gql, "6f1c1d1e-0000-4000-8000-000000000000")
    assert payload == {"__typename": "NotFound", "entity": "member", "key": "6f1c1d1e-0000-4000-8000-000000000000"}
    assert await rows() == before


async def test_replay_with_the_same_key_returns_the_first_result_and_writes_nothing(gql, program):
    someone = await factories.member(program)
    request = {"input": purchase_input(someone.id, amount=42_00, idempotencyKey="till-7/receipt-1")}
    first = (await gql.execute(RECORD_PURCHASE, request, as_=INTEGRATION)).data["recordPurchase"]
    before = await rows()
    again = (await gql.execute(RECORD_PURCHASE, request, as_=INTEGRATION)).data["recordPurchase"]
    assert again == first
    assert await rows() == before
    assert (await me(gql, someone.id))["points"]["balance"] == 42


async def test_same_key_with_a_different_payload_is_a_conflict(gql, program):
    someone = await factories.member(program)
    await record(gql, someone.id, amount=42_00, idempotencyKey="receipt-9")
    before = await rows()
    payload = await record(gql, someone.id, amount=43_00, idempotencyKey="receipt-9")
    assert payload == {"__typename": "IdempotencyConflict", "idempotencyKey": "receipt-9"}
    assert await rows() == before
    assert (await me(gql, someone.id))["points"]["balance"] == 42


async def test_full_return_takes_back_the_points_and_a_second_return_is_refused(gql, program):
    someone = await factories.member(program)
    bought = await record(gql, someone.id, amount=80_00)
    returned = await reverse(gql, bought["purchaseId"])
    assert returned == {"__typename": "PurchaseReversed", "purchaseId": bought["purchaseId"],
                        "pointsReversed": 80, "pointsWrittenOff": 0, "balance": 0}
    assert (await me(gql, someone.id))["points"]["balance"] == 0
    newest = (await history(gql, someone.id, first=1))["edges"][0]["node"]
    assert (newest["kind"], newest["points"], newest["purchaseId"]) == ("REVERSE", -80, bought["purchaseId"])
    before = await rows()
    assert await reverse(gql, bought["purchaseId"]) == {"__typename": "AlreadyReversed", "purchaseId": bought["purchaseId"]}
    assert await rows() == before


@pytest.mark.parametrize(("spent", "reversed_", "written_off", "balance"), [
    (20, 80, 0, 10),  # the purchase's own 60 left, then 20 of the member's other points
    (100, 10, 70, 0),  # own points all spent: the other 10 are taken, 70 written off
])
async def test_return_of_spent_points_follows_the_write_off_policy(gql, program, spent, reversed_, written_off, balance):
    someone = await factories.member(program)
    returned_later = await record(gql, someone.id, amount=80_00)
    await record(gql, someone.id, amount=30_00)
    assert (await adjust(gql, someone.id, -spent, "spent at the till"))["__typename"] == "PointsAdjusted"
    outcome = await reverse(gql, returned_later["purchaseId"])
    assert (outcome["pointsReversed"], outcome["pointsWrittenOff"], outcome["balance"]) == (reversed_, written_off, balance)
    points = (await me(gql, someone.id))["points"]
    assert (points["balance"], points["available"]) == (balance, balance)
    assert (await Member.get(id=someone.id)).points_balance == sum(e.points for e in await LedgerEntry.all()) == balance


@pytest.mark.parametrize("purchase_id", ["abc", "12x", "-1", ""])
async def test_malformed_purchase_id_is_invalid_input(gql, program, purchase_id):
    before = await rows()
    payload = await reverse(gql, purchase_id)
    assert payload["__typename"] == "InvalidInput" and paths(payload) == {"purchaseId"}
    assert await rows() == before


async def test_return_of_an_unknown_purchase_is_not_found(gql, program):
    assert await reverse(gql, "424242") == {"__typename": "NotFound", "entity": "purchase", "key": "424242"}


async def test_a_purchase_id_beyond_any_stored_id_is_an_answer_not_an_internal_error(gql, program):
    # a till may send a 20-digit receipt number where the purchase id belongs
    payload = await reverse(gql, "99999999999999999999")
    assert payload["__typename"] in {"NotFound", "InvalidInput"}


async def test_admin_credits_and_debits_and_each_adjustment_is_audited(gql, program):
    someone = await factories.member(program)
    credit = await adjust(gql, someone.id, 40, "missing stamps from March")
    debit = await adjust(gql, someone.id, -15, "duplicate credit")
    assert (credit["__typename"], credit["points"], credit["balance"]) == ("PointsAdjusted", 40, 40)
    assert (debit["points"], debit["balance"]) == (-15, 25)
    assert (await me(gql, someone.id))["points"]["balance"] == 25
    kinds = [(e["node"]["kind"], e["node"]["points"], e["node"]["reason"]) for e in (await history(gql, someone.id, 5))["edges"]]
    assert kinds == [("ADJUST", -15, "duplicate credit"), ("ADJUST", 40, "missing stamps from March")]
    audit = await AuditEntry.all().order_by("id")
    assert [(a.actor, a.action, a.target, a.details["points"]) for a in audit] == [
        ("admin:admin-test", "adjustPoints", f"member:{someone.id}", 40),
        ("admin:admin-test", "adjustPoints", f"member:{someone.id}", -15),
    ]


@pytest.mark.parametrize(("points", "reason", "path"), [
    (10, "  ", "reason"), (0, "typo", "points"), (10, "x" * 501, "reason")])
async def test_bad_adjustment_is_invalid_input_and_writes_nothing(gql, program, points, reason, path):
    someone = await factories.member(program)
    before = await rows()
    payload = await adjust(gql, someone.id, points, reason)
    assert payload["__typename"] == "InvalidInput" and paths(payload) == {path}
    assert await rows() == before


async def test_debit_beyond_available_is_insufficient_points_and_writes_nothing(gql, program):
    someone = await factories.member(program)
    await adjust(gql, someone.id, 30)
    before = await rows()
    assert await adjust(gql, someone.id, -31) == {"__typename": "InsufficientPoints", "requested": 31, "available": 30}
    assert await rows() == before


@pytest.mark.parametrize("caller", [INTEGRATION, MARKETER])
async def test_only_admins_adjust_points(gql, program, caller):
    someone = await factories.member(program)
    variables = {"input": {"memberId": str(someone.id), "points": 5, "reason": "r", "idempotencyKey": "k"}}
    result = await gql.execute(ADJUST_POINTS, variables, as_=caller)
    assert result.error_codes == ["FORBIDDEN"]
    assert await AuditEntry.all().count() == 0


async def test_with_a_return_window_new_points_are_pending_and_not_spendable(gql, program):
    # given a program whose points wait 14 days for the return window
    settings = await gql.execute("mutation { updateProgramSettings(input: {pendingDays: 14}) { __typename } }", as_=MARKETER)
    assert settings.data["updateProgramSettings"]["__typename"] == "ProgramSettingsSaved"
    someone = await factories.member(program)
    # when a purchase earns 30 points
    assert (await record(gql, someone.id, amount=30_00))["pointsEarned"] == 30
    # then they count in the balance as pending, not available, and cannot be spent yet
    points = (await me(gql, someone.id))["points"]
    assert (points["balance"], points["pending"], points["available"], points["lifetimeEarned"]) == (30, 30, 0, 30)
    assert await adjust(gql, someone.id, -10) == {"__typename": "InsufficientPoints", "requested": 10, "available": 0}

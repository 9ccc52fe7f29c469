"""What the load generator sends: real GraphQL operations of the app and the tills, each
request prepared in advance (own idempotency key, own member, a signed token)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from api.auth import Role, mint_token
from api.settings import Settings
from bench.dataset import member_id
from bench.floors import FLOOR_MUTATION
from bench.loadgen import post

RECORD_PURCHASE = """mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) {
  __typename ... on PurchaseRecorded { pointsEarned balance breakdown { rule points } } } }"""

RECORD_PURCHASES = """mutation($input: [RecordPurchaseInput!]!) { recordPurchases(input: $input) {
  __typename } }"""

HOME = """{ me {
  points { balance available }
  tier { name }
  challenges(status: ACTIVE) { challenge { name goal { type target } endsAt } progress percent completedAt }
  badges { name level }
  leaderboardRank(board: WEEKLY)
} }"""

LEADERBOARD = """{ leaderboard(board: ALL_TIME, first: 10, around: 5) {
  entries { rank displayName score } around { rank displayName score } me { rank score } } }"""


@dataclass(frozen=True)
class Scenario:
    name: str
    requests: list[bytes]
    ok: bytes  # what every successful response body contains
    items_per_request: int = 1  # purchases per request, for batches


def _bearer(settings: Settings, role: Role, subject: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(settings, role, subject, ttl_seconds=4 * 3600)}"}


def _purchase(rng: random.Random, load_members: int, key: str, at: datetime) -> dict:
    items = [{"sku": f"SKU-{rng.randrange(50)}", "quantity": 1, "unitPrice": rng.randrange(150, 2500),
              "category": rng.choice(("coffee", "bakery", "merch"))} for _ in range(rng.randrange(1, 4))]
    return {"memberId": member_id(rng.randrange(1, load_members + 1)), "amount": sum(i["unitPrice"] for i in items),
            "currency": "EUR", "occurredAt": at.isoformat(), "idempotencyKey": key, "channel": "POS",
            "items": items}


def record_purchase(settings: Settings, count: int, load_members: int, run: str, now: datetime) -> Scenario:
    rng, at = random.Random(1), now - timedelta(minutes=1)
    till = _bearer(settings, Role.INTEGRATION, "bench-pos")
    return Scenario("recordPurchase", [
        post("/graphql", {"query": RECORD_PURCHASE, "variables": {
            "input": _purchase(rng, load_members, f"{run}-p-{i}", at)}}, till) for i in range(count)],
        b"PurchaseRecorded")


def record_purchases(settings: Settings, batches: int, load_members: int, run: str, now: datetime,
                     size: int = 100) -> Scenario:
    rng, at = random.Random(2), now - timedelta(minutes=1)
    till = _bearer(settings, Role.INTEGRATION, "bench-pos")
    return Scenario("recordPurchases (batches of 100)", [
        post("/graphql", {"query": RECORD_PURCHASES, "variables": {"input": [
            _purchase(rng, load_members, f"{run}-b-{b}-{i}", at) for i in range(size)]}}, till)
        for b in range(batches)], b"recordPurchases", items_per_request=size)


def _member_reads(name: str, query: str, ok: bytes) -> Callable[[Settings, int, int], Scenario]:
    def build(settings: Settings, count: int, load_members: int) -> Scenario:
        rng = random.Random(3)
        return Scenario(name, [post("/graphql", {"query": query}, _bearer(
            settings, Role.MEMBER, member_id(rng.randrange(1, load_members + 1)))) for _ in range(count)], ok)
    return build


home_screen = _member_reads("home screen (me)", HOME, b'"me":{')
leaderboard = _member_reads("leaderboard top 10 + me + 5 around (1M board)", LEADERBOARD, b'"entries"')


def floor_bare(count: int) -> Scenario:
    return Scenario("floor: Starlette + asyncpg INSERT", [post("/graphql", {"points": 1}, {})] * count, b'"id"')


def floor_graphql(count: int) -> Scenario:
    request = post("/graphql", {"query": FLOOR_MUTATION, "variables": {"points": 1}}, {})
    return Scenario("floor: minimal strawberry mutation INSERT", [request] * count, b"recordEntry")

"""Prometheus metrics at /metrics: operations, latency, ledger entries, outbox, deliveries."""

from __future__ import annotations

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from api.observability import metrics
from challenges import outbox
from challenges.delivery.providers import ProviderConfig, open_providers
from challenges.delivery.worker import OutboxWorker, WorkerOptions
from tests import factories
from tests.graphql_client import ADMIN, GraphQLClient, member


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def scrape(gql: GraphQLClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await gql.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text) for s in family.samples
    }


async def test_operations_are_counted_by_name_and_outcome_with_their_latency(gql, program):
    # given a member
    someone = await factories.member(program)
    ok_before = sample("graphql_requests_total", operation="MyBalance", outcome="ok")
    bad_before = sample("graphql_requests_total", operation="MyBalance", outcome="graphql_validation_failed")
    timed_before = sample("graphql_request_duration_seconds_count", operation="MyBalance")
    # when the member asks twice for their balance, and once with a broken query
    for _ in range(2):
        await gql.execute("query MyBalance { me { points { balance } } }", as_=member(someone.id))
    await gql.execute("query MyBalance { me { nope } }", as_=member(someone.id))
    scraped = await scrape(gql)
    # then /metrics shows two served and one refused with its code, and three latencies
    ok = (("operation", "MyBalance"), ("outcome", "ok"))
    assert scraped[("graphql_requests_total", ok)] - ok_before == 2
    assert sample("graphql_requests_total", operation="MyBalance", outcome="graphql_validation_failed") - bad_before == 1
    assert scraped[("graphql_request_duration_seconds_count", (("operation", "MyBalance"),))] - timed_before == 3


def test_operation_labels_stay_bounded(monkeypatch):
    # given room for two operation names
    monkeypatch.setattr(metrics, "_known_operations", set())
    monkeypatch.setattr(metrics, "MAX_OPERATIONS", 2)
    # when clients send three names, one of them twice, a malformed one and none
    labels = [metrics.operation_label(n) for n in ("Home", "Wallet", "Home", "Random123", "x y", None)]
    # then the first two keep their names, the rest fold into "other", no name is "anonymous"
    assert labels == ["Home", "Wallet", "Home", "other", "other", "anonymous"]


async def test_committed_ledger_entries_are_counted_by_kind(gql, program):
    # given a member
    someone = await factories.member(program)
    before = sample("ledger_entries_total", kind="adjust")
    # when an admin credits 40 points
    result = await gql.execute(
        "mutation A($input: AdjustPointsInput!) { adjustPoints(input: $input) { __typename } }",
        {"input": {"memberId": str(someone.id), "points": 40, "reason": "goodwill",
                   "idempotencyKey": factories.next_key("adjust")}}, as_=ADMIN)
    # then one adjustment entry is counted
    assert result.data["adjustPoints"]["__typename"] == "PointsAdjusted"
    assert sample("ledger_entries_total", kind="adjust") - before == 1


async def test_outbox_depth_and_deliveries(gql, program):
    # given two push intents waiting for a member without devices
    someone = await factories.member(program)
    for key in ("badge:1", "badge:2"):
        await outbox.enqueue(program.id, str(someone.id), "badge", "New badge", "You earned one.", {}, key,
                             factories.NOW)
    no_device_before = sample("push_deliveries_total", outcome="no_device")
    # when the metrics are scraped
    waiting = (await scrape(gql))[("outbox_depth", ())]
    # and a worker takes the batch (nothing to deliver to), then they are scraped again
    async with open_providers(ProviderConfig()) as providers:
        report = await OutboxWorker(providers, WorkerOptions(), clock=lambda: factories.NOW).run_once()
    after = await scrape(gql)
    # then the depth was 2 and is now 0, and both attempts are counted by outcome
    assert waiting == 2
    assert report.claimed == 2
    assert after[("outbox_depth", ())] == 0
    assert after[("push_deliveries_total", (("outcome", "no_device"),))] - no_device_before == 2

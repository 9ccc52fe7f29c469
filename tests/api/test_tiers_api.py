"""Tiers and program settings over GraphQL: what marketers configure, and its effects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.models import AuditEntry, Program, Tier
from tests import factories
from tests.graphql_client import ADMIN, INTEGRATION, MARKETER, member

TIER_FIELDS = "id name rank threshold earnMultiplier benefits"

CREATE_TIER = f"""
mutation Create($input: CreateTierInput!) {{
  createTier(input: $input) {{
    __typename
    ... on TierSaved {{ tier {{ {TIER_FIELDS} }} }}
    ... on InvalidInput {{ fields {{ path message }} }}
    ... on NotFound {{ entity key }}
  }}
}}"""

UPDATE_TIER = CREATE_TIER.replace("Create($input: CreateTierInput!)", "Update($input: UpdateTierInput!)").replace(
    "createTier(", "updateTier(")

TIERS = f"query {{ tiers {{ {TIER_FIELDS} }} }}"

SETTINGS_FIELDS = ("code name currency timeZone pointsPerCurrencyUnit pointsExpiryMonths pendingDays "
                   "tierBasis tierWindowMonths tierReviewMonths")
PROGRAM_SETTINGS = f"query {{ programSettings {{ {SETTINGS_FIELDS} }} }}"
UPDATE_SETTINGS = f"""
mutation Settings($input: UpdateProgramSettingsInput!) {{
  updateProgramSettings(input: $input) {{
    __typename
    ... on ProgramSettingsSaved {{ settings {{ {SETTINGS_FIELDS} }} }}
    ... on InvalidInput {{ fields {{ path message }} }}
  }}
}}"""

RECORD_PURCHASE = """
mutation Record($input: RecordPurchaseInput!) {
  recordPurchase(input: $input) { ... on PurchaseRecorded { pointsEarned breakdown { rule description points } } }
}"""


async def create_tier(gql, as_=MARKETER, **fields: object) -> dict:
    tier = {"name": "Silver", "threshold": 500, "earnMultiplier": 1.25, "benefits": ["Free delivery"], **fields}
    return (await gql.execute(CREATE_TIER, {"input": tier}, as_=as_)).data["createTier"]


async def update_tier(gql, tier_id: str, **fields: object) -> dict:
    return (await gql.execute(UPDATE_TIER, {"input": {"id": tier_id, **fields}}, as_=MARKETER)).data["updateTier"]


async def tiers(gql, as_=MARKETER) -> list[dict]:
    return (await gql.execute(TIERS, as_=as_)).data["tiers"]


async def update_settings(gql, as_=MARKETER, **fields: object) -> dict:
    result = await gql.execute(UPDATE_SETTINGS, {"input": fields}, as_=as_)
    return result.data["updateProgramSettings"]


def paths(payload: dict) -> set[str]:
    return {f["path"] for f in payload["fields"]}


async def audit_trail() -> list[tuple[str, str, str]]:
    return [(a.actor, a.action, a.target) for a in await AuditEntry.all().order_by("id")]


async def test_tiers_created_in_any_order_are_ranked_by_threshold_lowest_first(gql, program):
    gold = await create_tier(gql, name="Gold", threshold=2000, earnMultiplier=1.5, benefits=["Lounge"])
    bronze = await create_tier(gql, name="Bronze", threshold=0, earnMultiplier=1, benefits=[])
    silver = await create_tier(gql, name=" Silver ")
    assert gold["tier"]["rank"] == 1 and bronze["tier"]["rank"] == 1 and silver["tier"]["rank"] == 2
    assert silver["tier"] == {"id": silver["tier"]["id"], "name": "Silver", "rank": 2, "threshold": 500,
                              "earnMultiplier": 1.25, "benefits": ["Free delivery"]}
    listed = await tiers(gql, as_=member("6f1c1d1e-0000-4000-8000-000000000000"))
    assert [(t["name"], t["rank"], t["threshold"], t["earnMultiplier"]) for t in listed] == [
        ("Bronze", 1, 0, 1.0), ("Silver", 2, 500, 1.25), ("Gold", 3, 2000, 1.5)]


async def test_update_changes_only_the_given_fields_and_reranks(gql, program):
    await create_tier(gql, name="Gold", threshold=2000, earnMultiplier=1.5, benefits=["Lounge"])
    silver = (await create_tier(gql))["tier"]
    saved = await update_tier(gql, silver["id"], name="Platinum", threshold=5000)
    assert saved["tier"] == {**silver, "name": "Platinum", "threshold": 5000, "rank": 2}
    assert [(t["name"], t["rank"]) for t in await tiers(gql)] == [("Gold", 1), ("Platinum", 2)]
    saved = await update_tier(gql, silver["id"], earnMultiplier=2, benefits=["Concierge", "Lounge"])
    assert (saved["tier"]["earnMultiplier"], saved["tier"]["benefits"]) == (2.0, ["Concierge", "Lounge"])


@pytest.mark.parametrize(("fields", "path"), [
    ({"name": "   "}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"threshold": -1}, "threshold"),
    ({"name": "Gold"}, "name"),
    ({"threshold": 2000}, "threshold"),
    ({"earnMultiplier": 0}, "earnMultiplier"),
    ({"earnMultiplier": 0.5}, "earnMultiplier"),
    ({"earnMultiplier": 1000}, "earnMultiplier"),
    ({"earnMultiplier": 1e30}, "earnMultiplier"),
    ({"benefits": [""]}, "benefits.0"),
])
async def test_bad_tier_is_invalid_input_naming_the_field_and_writes_nothing(gql, program, fields, path):
    await create_tier(gql, name="Gold", threshold=2000)
    before = (await Tier.all().count(), await audit_trail())
    payload = await create_tier(gql, **fields)
    assert payload["__typename"] == "InvalidInput" and paths(payload) == {path}
    assert (await Tier.all().count(), await audit_trail()) == before


async def test_bad_update_is_invalid_input_and_leaves_the_tier_as_it_was(gql, program):
    await create_tier(gql, name="Gold", threshold=2000)
    silver = (await create_tier(gql))["tier"]
    payload = await update_tier(gql, silver["id"], name=" ", threshold=-5, earnMultiplier=0)
    assert paths(payload) == {"name", "threshold", "earnMultiplier"}
    payload = await update_tier(gql, silver["id"], name="Gold", threshold=2000)
    assert paths(payload) == {"name", "threshold"}
    assert [t for t in await tiers(gql) if t["id"] == silver["id"]] == [silver]


@pytest.mark.parametrize("unknown_id", ["424242", "99999999999"])
async def test_updating_an_unknown_tier_is_not_found(gql, program, unknown_id):
    payload = await update_tier(gql, unknown_id, name="Diamond")
    assert payload == {"__typename": "NotFound", "entity": "tier", "key": unknown_id}


@pytest.mark.parametrize("bad_id", ["silver", "1.5", "-3", ""])
async def test_updating_a_malformed_tier_id_is_invalid_input(gql, program, bad_id):
    payload = await update_tier(gql, bad_id, name="Diamond")
    assert payload["__typename"] == "InvalidInput" and paths(payload) == {"id"}


@pytest.mark.parametrize("caller", [INTEGRATION, member("6f1c1d1e-0000-4000-8000-000000000000")])
async def test_only_marketers_and_admins_configure_tiers(gql, program, caller):
    result = await gql.execute(CREATE_TIER, {"input": {"name": "Gold", "threshold": 1}}, as_=caller)
    assert result.error_codes == ["FORBIDDEN"]
    assert await Tier.all().count() == 0


async def test_each_tier_change_is_audited_with_the_marketer_as_actor(gql, program):
    silver = (await create_tier(gql))["tier"]
    await update_tier(gql, silver["id"], threshold=600)
    gold = (await create_tier(gql, as_=ADMIN, name="Gold", threshold=2000))["tier"]
    assert await audit_trail() == [
        ("marketer:marketer-test", "createTier", f"tier:{silver['id']}"),
        ("marketer:marketer-test", "updateTier", f"tier:{silver['id']}"),
        ("admin:admin-test", "createTier", f"tier:{gold['id']}"),
    ]
    assert (await AuditEntry.all().order_by("id"))[1].details == {"threshold": 600}


async def test_marketers_read_the_program_settings(gql, program):
    settings = (await gql.execute(PROGRAM_SETTINGS, as_=MARKETER)).data["programSettings"]
    assert settings == {"code": "test", "name": "Test Rewards", "currency": "EUR", "timeZone": "UTC",
                        "pointsPerCurrencyUnit": 1, "pointsExpiryMonths": 12, "pendingDays": 0,
                        "tierBasis": "POINTS", "tierWindowMonths": 12, "tierReviewMonths": 12}


async def test_members_and_integrations_may_not_read_program_settings(gql, program):
    for caller in (INTEGRATION, member("6f1c1d1e-0000-4000-8000-000000000000")):
        assert (await gql.execute(PROGRAM_SETTINGS, as_=caller)).error_codes == ["FORBIDDEN"]


async def test_updating_settings_changes_only_what_is_given_and_is_audited(gql, program):
    saved = await update_settings(gql, name="Bean Club", pointsExpiryMonths=24, pendingDays=14,
                                  tierBasis="SPEND", timeZone="Europe/Paris")
    expected = {"code": "test", "name": "Bean Club", "currency": "EUR", "timeZone": "Europe/Paris",
                "pointsPerCurrencyUnit": 1, "pointsExpiryMonths": 24, "pendingDays": 14,
                "tierBasis": "SPEND", "tierWindowMonths": 12, "tierReviewMonths": 12}
    assert saved == {"__typename": "ProgramSettingsSaved", "settings": expected}
    assert (await gql.execute(PROGRAM_SETTINGS, as_=ADMIN)).data["programSettings"] == expected
    assert await audit_trail() == [("marketer:marketer-test", "updateProgramSettings", f"program:{program.id}")]


async def test_an_empty_settings_change_keeps_everything(gql, program):
    before = (await gql.execute(PROGRAM_SETTINGS, as_=MARKETER)).data["programSettings"]
    saved = await update_settings(gql)
    assert saved == {"__typename": "ProgramSettingsSaved", "settings": before}


@pytest.mark.parametrize(("fields", "path"), [
    ({"pointsExpiryMonths": 0}, "pointsExpiryMonths"),
    ({"pointsExpiryMonths": 121}, "pointsExpiryMonths"),
    ({"pendingDays": -1}, "pendingDays"),
    ({"pendingDays": 366}, "pendingDays"),
    ({"pointsPerCurrencyUnit": -1}, "pointsPerCurrencyUnit"),
    ({"tierWindowMonths": 0}, "tierWindowMonths"),
    ({"tierReviewMonths": 61}, "tierReviewMonths"),
    ({"timeZone": "Mars/Olympus_Mons"}, "timeZone"),
    ({"name": "  "}, "name"),
])
async def test_settings_out_of_range_are_invalid_input_naming_the_field(gql, program, fields, path):
    before = (await gql.execute(PROGRAM_SETTINGS, as_=MARKETER)).data["programSettings"]
    payload = await update_settings(gql, pendingDays=7, **fields) if path != "pendingDays" else await update_settings(gql, **fields)
    assert payload["__typename"] == "InvalidInput" and paths(payload) == {path}
    assert (await gql.execute(PROGRAM_SETTINGS, as_=MARKETER)).data["programSettings"] == before
    assert await AuditEntry.all().count() == 0


async def test_several_bad_settings_are_reported_together(gql, program):
    payload = await update_settings(gql, pointsExpiryMonths=0, pendingDays=-1, timeZone="Nowhere")
    assert paths(payload) == {"pointsExpiryMonths", "pendingDays", "timeZone"}


async def test_a_new_earning_rate_governs_the_next_purchase(gql, program):
    someone = await factories.member(program)

    async def buy_ten_euros() -> dict:
        purchase = {"memberId": str(someone.id), "amount": 10_00, "currency": "EUR",
                    "occurredAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
                    "idempotencyKey": factories.next_key("receipt")}
        return (await gql.execute(RECORD_PURCHASE, {"input": purchase}, as_=INTEGRATION)).data["recordPurchase"]

    assert (await buy_ten_euros())["pointsEarned"] == 10
    assert (await update_settings(gql, pointsPerCurrencyUnit=5))["settings"]["pointsPerCurrencyUnit"] == 5
    after = await buy_ten_euros()
    assert after["pointsEarned"] == 50
    assert after["breakdown"] == [{"rule": "base", "description": "5 point(s) per currency unit", "points": 50}]
    assert (await Program.get(id=program.id)).points_per_currency_unit == 5

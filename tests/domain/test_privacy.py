"""Exporting a member's data and erasing a member, through the domain services."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from tortoise import Tortoise
from tortoise.fields.relational import ForeignKeyFieldInstance, OneToOneFieldInstance

from challenges import wiring as challenges_wiring
from challenges.models import (
    Activity,
    Device,
    LeaderboardProfile,
    MemberFollow,
    NotificationPreference,
    OutboxMessage,
)
from challenges.outbox import OutboxStatus
from domain.errors import IdempotencyConflict, InvalidInput, NotFound
from domain.events import event_bus
from domain.models import AuditEntry, EarnLot, LedgerEntry, Member, Purchase, SurveyResponse
from domain.models.referral import Referral, ReferralStatus
from domain.points import adjust_points
from domain.privacy.erasure import ERASED_NAME, erase_member
from domain.privacy.export import export_member, member_tables
from domain.survey_questions import Question, QuestionKind
from domain.surveys import SurveySpec, answer_survey, create_survey, publish_survey
from tests import factories
from tests.factories import NOW


@pytest.fixture(autouse=True)
def gamification_handlers() -> None:
    challenges_wiring.register(event_bus)  # as the app does at start-up; idempotent


async def personal_rows(member: Member, other: Member) -> None:
    """A device, a preference, follows both ways, a queued and a delivered push, an activity."""
    await Device.create(member_id=member.id, platform="ios", token="ab" * 32, token_hash="h" * 64,
                        created_at=NOW, last_seen_at=NOW)
    await NotificationPreference.create(member_id=member.id, category="badge", enabled=False)
    await MemberFollow.create(follower_id=member.id, followee_id=other.id, created_at=NOW)
    await MemberFollow.create(follower_id=other.id, followee_id=member.id, created_at=NOW)
    for status, key in ((OutboxStatus.PENDING, "queued"), (OutboxStatus.DELIVERED, "sent")):
        await OutboxMessage.create(program_id=member.program_id, member_id=member.id, category="badge",
                                   title="t", body="b", data={}, dedupe_key=key, status=status,
                                   created_at=NOW, next_attempt_at=NOW)
    await Activity.create(program_id=member.program_id, member_id=member.id, type_code="REVIEW",
                          attributes={"text": "Lovely shop, ask for Anna"}, occurred_at=NOW, recorded_at=NOW)


# --- export --------------------------------------------------------------------------------

def test_every_model_that_refers_to_member_is_exported(db):
    # given every relation to Member the ORM knows, found from the relation fields' side
    referring = {
        model._meta.db_table
        for model in Tortoise.apps.get_models_iterable()
        if model is not Member
        for field in model._meta.fields_map.values()
        if isinstance(field, ForeignKeyFieldInstance | OneToOneFieldInstance) and field.related_model is Member
    }
    # and from Member's side: its reverse relations (related_name=False ones have none)
    reverse = {
        Member._meta.fields_map[name].related_model._meta.db_table
        for name in Member._meta.backward_fk_fields | Member._meta.backward_o2o_fields
    }
    # then the export covers both, and the tables this file knows to be personal
    exported = {spec.table for spec in member_tables()}
    assert referring <= exported
    assert reverse - {"member"} <= exported
    assert {"ledger_entry", "earn_lot", "purchase", "tier_change", "activity", "member_badge",
            "challenge_progress", "challenge_participation", "device", "notification_preference",
            "leaderboard_profile", "member_follow", "outbox_message"} <= exported


async def test_export_holds_the_members_rows_and_nobody_elses(program):
    # given A with a purchase, an admin adjustment, and personal rows; B with a purchase
    a, b = await factories.member(program, "exp-a"), await factories.member(program, "exp-b")
    await factories.purchase(program, a.id, amount=12_00)
    await factories.purchase(program, b.id, amount=99_00)
    await adjust_points(program, str(a.id), 5, "goodwill", "adj-1", "admin:x", NOW)
    await personal_rows(a, b)
    # when A's data is exported
    data = await export_member(program, str(a.id), NOW)
    # then it is JSON with A's profile and rows
    assert json.loads(json.dumps(data)) == data
    assert data["member"]["external_id"] == "exp-a"
    tables = data["tables"]
    assert [p["amount"] for p in tables["purchase"]] == [12_00]
    assert sorted(e["points"] for e in tables["ledger_entry"]) == [5, 12]
    assert [a_["attributes"] for a_ in tables["activity"]] == [{"text": "Lovely shop, ask for Anna"}]
    assert len(tables["member_follow"]) == 1 and data["counts"] == {"followers": 1}  # whom A follows; B follows A
    assert len(tables["outbox_message"]) == 2
    # and the audit trail about A, but the push token is not handed out
    assert [e["action"] for e in data["auditEntries"]] == ["adjustPoints"]
    assert tables["device"][0]["token"] == "[redacted]"
    assert tables["device"][0]["platform"] == "ios"
    assert "ab" * 32 not in json.dumps(data)


async def test_export_names_no_other_member_neither_followers_nor_referred_friends(program):
    # given A, who follows B and is followed by C and D; E referred A, and A referred F,
    # whose first purchase completed that referral
    a, b, c, d, e, f = [await factories.member(program, f"priv-{n}") for n in "abcdef"]
    await MemberFollow.create(follower_id=a.id, followee_id=b.id, created_at=NOW)
    for follower in (c, d):
        await MemberFollow.create(follower_id=follower.id, followee_id=a.id, created_at=NOW)
    friends_purchase = await factories.purchase(program, f.id, amount=20_00)
    await Referral.create(program_id=program.id, referrer_id=e.id, referee_id=a.id, created_at=NOW)
    await Referral.create(program_id=program.id, referrer_id=a.id, referee_id=f.id, status=ReferralStatus.COMPLETED,
                          referrer_points=100, referee_points=50, purchase_id=friends_purchase.purchase_id,
                          created_at=NOW, completed_at=NOW)
    # when A's data is exported
    data = await export_member(program, str(a.id), NOW)
    text = json.dumps(data)
    # then no other member's id, nor the friend's purchase, is anywhere in it
    for other in (b, c, d, e, f):
        assert str(other.id) not in text and other.external_id not in text
    assert f'"purchase_id": {friends_purchase.purchase_id}' not in text
    # and A still learns what the rows say about them: whom they follow, how many follow them
    assert [(r["follower_id"], r["followee_id"]) for r in data["tables"]["member_follow"]] == [
        (str(a.id), "[another member]")]
    assert data["counts"] == {"followers": 2}
    # and both referrals, with what A earned, the other side blanked
    referrals = sorted(data["tables"]["referral"], key=lambda r: r["referrer_points"])
    assert [(r["referrer_id"], r["referee_id"], r["referrer_points"], r["purchase_id"]) for r in referrals] == [
        ("[another member]", str(a.id), 0, None),
        (str(a.id), "[another member]", 100, "[another member's record]")]


async def test_export_keeps_references_to_the_members_own_records(program):
    # given A referred by E, with A's own first purchase completing it
    a, e = await factories.member(program, "own-a"), await factories.member(program, "own-e")
    own = await factories.purchase(program, a.id, amount=20_00)
    await Referral.create(program_id=program.id, referrer_id=e.id, referee_id=a.id, status=ReferralStatus.COMPLETED,
                          purchase_id=own.purchase_id, created_at=NOW, completed_at=NOW)
    # then A's export points at A's purchase, which is in it too
    data = await export_member(program, str(a.id), NOW)
    assert [r["purchase_id"] for r in data["tables"]["referral"]] == [own.purchase_id]
    assert [p["id"] for p in data["tables"]["purchase"]] == [own.purchase_id]


async def test_export_of_an_unknown_member_is_none(program):
    assert await export_member(program, "00000000-0000-0000-0000-000000000000", NOW) is None


# --- erasure -------------------------------------------------------------------------------

async def test_erasure_removes_personal_data_and_keeps_the_ledger(program):
    # given A with points, a purchase and personal rows; B untouched
    a, b = await factories.member(program, "era-a"), await factories.member(program, "era-b")
    await Member.filter(id=a.id).update(birthday=date(1990, 5, 17), locale="de-AT", time_zone="Europe/Vienna",
                                        tags=["vegan"])
    await factories.purchase(program, a.id, amount=30_00)
    await personal_rows(a, b)
    ledger_before = await LedgerEntry.filter(member_id=a.id).values_list("kind", "points")
    # when an admin erases A
    erasure = await erase_member(program, str(a.id), "GDPR ticket 42", None, "admin:x", NOW)
    # then the profile is anonymous
    erased = await Member.get(id=a.id)
    assert (erased.display_name, erased.birthday, erased.locale, erased.time_zone, erased.tags) == (
        ERASED_NAME, None, "en", "UTC", [])
    assert erased.external_id.startswith("erased-") and erased.erased_at == NOW
    assert not erasure.already_erased
    # and gamification's personal rows are gone or blank
    assert await Device.filter(member_id=a.id).count() == 0
    assert await NotificationPreference.filter(member_id=a.id).count() == 0
    assert await MemberFollow.all().count() == 0
    assert await OutboxMessage.filter(member_id=a.id).values_list("dedupe_key", flat=True) == ["sent"]
    assert await Activity.filter(member_id=a.id).values_list("attributes", flat=True) == [{}]
    assert await LeaderboardProfile.filter(member_id=a.id, hidden=True, alias=None).count() == 1
    # but the ledger, lots and purchase amounts are as they were
    assert await LedgerEntry.filter(member_id=a.id).values_list("kind", "points") == ledger_before
    assert erased.points_balance == 30
    assert await EarnLot.filter(member_id=a.id).values_list("remaining", flat=True) == [30]
    assert await Purchase.filter(member_id=a.id).values_list("amount", flat=True) == [30_00]
    # and it is audited with the reason
    audit = await AuditEntry.get(action="eraseMember")
    assert (audit.actor, audit.target, audit.details) == ("admin:x", f"member:{a.id}", {"reason": "GDPR ticket 42"})
    # and B keeps everything
    assert (await Member.get(id=b.id)).display_name == "Member era-b"


async def test_an_erased_member_can_neither_earn_nor_be_exported(program):
    # given an erased member
    a = await factories.member(program, "gone")
    await erase_member(program, str(a.id), "request", None, "admin:x", NOW)
    # when a purchase is reported for them
    # then they are not found, and nothing was written
    with pytest.raises(NotFound):
        await factories.purchase(program, a.id, now=NOW + timedelta(hours=1))
    assert await Purchase.filter(member_id=a.id).count() == 0
    assert await export_member(program, str(a.id), NOW) is None


async def test_erasing_twice_changes_nothing_more(program):
    # given an erased member
    a = await factories.member(program, "twice")
    first = await erase_member(program, str(a.id), "request", None, "admin:x", NOW)
    name = (await Member.get(id=a.id)).external_id
    # when erased again later
    again = await erase_member(program, str(a.id), "request again", None, "admin:y", NOW + timedelta(days=1))
    # then the first erasure stands: same moment, same placeholder, one audit entry
    assert again.already_erased and again.erased_at == first.erased_at
    assert (await Member.get(id=a.id)).external_id == name
    assert await AuditEntry.filter(action="eraseMember").count() == 1


async def test_an_idempotency_key_replays_and_refuses_reuse_for_another_member(program):
    a, b = await factories.member(program, "key-a"), await factories.member(program, "key-b")
    first = await erase_member(program, str(a.id), "request", "erase-1", "admin:x", NOW)
    replay = await erase_member(program, str(a.id), "request", "erase-1", "admin:x", NOW + timedelta(hours=1))
    assert replay == first and not replay.already_erased
    with pytest.raises(IdempotencyConflict):
        await erase_member(program, str(b.id), "request", "erase-1", "admin:x", NOW)
    assert (await Member.get(id=b.id)).erased_at is None


async def test_a_blank_reason_is_refused_and_nothing_is_written(program):
    a = await factories.member(program, "why")
    with pytest.raises(InvalidInput) as refused:
        await erase_member(program, str(a.id), "  ", "bad key with spaces " * 20, "admin:x", NOW)
    assert [p.path for p in refused.value.problems] == ["reason", "idempotencyKey"]
    assert (await Member.get(id=a.id)).erased_at is None


async def test_erasure_blanks_free_text_survey_answers_and_keeps_ratings(program):
    # given A answered a survey with a rating and a free-text remark
    a = await factories.member(program, "survey-a")
    survey = await create_survey(program, SurveySpec("How was it?", [
        Question("Rate us", QuestionKind.RATING), Question("Anything else?", QuestionKind.TEXT, required=False),
    ]), "marketer:test", NOW)
    await publish_survey(program, survey.id, "marketer:test", NOW)
    await answer_survey(program, str(a.id), survey.id, ["4", "My husband Tom loved it"], "answer-1", NOW)
    # when A is erased
    await erase_member(program, str(a.id), "request", None, "admin:x", NOW)
    # then the rating stays for the survey's results, the remark is gone
    assert await SurveyResponse.filter(member_id=a.id).values_list("answers", flat=True) == [["4", ""]]


async def test_leaderboard_cleanup_survives_redis_being_down(program):
    # given an erased member with a purchase (so they would be on boards) and no Redis
    from redis.asyncio import Redis

    from challenges.privacy import forget_on_boards

    a = await factories.member(program, "offline")
    await factories.purchase(program, a.id)
    await erase_member(program, str(a.id), "request", None, "admin:x", NOW)
    unreachable = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    # when the after-commit cleanup runs
    try:
        cleaned = await forget_on_boards(unreachable, program, str(a.id), NOW)
    finally:
        await unreachable.aclose()
    # then it reports nothing cleaned instead of failing; the erasure stands
    assert cleaned == 0
    assert (await Member.get(id=a.id)).erased_at == NOW

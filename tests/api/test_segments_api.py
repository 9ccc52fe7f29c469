"""Segments and member tags over GraphQL: marketers define, integrations tag, previews count."""

from __future__ import annotations

from domain.models import AuditEntry, Member, Program, Segment
from tests import factories
from tests.graphql_client import INTEGRATION, MARKETER

SAVED = """
    __typename
    ... on SegmentSaved { segment { id name rule { match conditions { field op value } } size } }
    ... on InvalidInput { fields { path message } }
    ... on NotFound { entity key }
"""
CREATE = f"mutation($input: CreateSegmentInput!) {{ createSegment(input: $input) {{ {SAVED} }} }}"
UPDATE = f"mutation($input: UpdateSegmentInput!) {{ updateSegment(input: $input) {{ {SAVED} }} }}"
TAG = """mutation($input: TagMemberInput!) { tagMember(input: $input) {
    __typename ... on MemberTagged { tags } ... on InvalidInput { fields { path } } ... on NotFound { entity } } }"""
PREVIEW = "query($id: ID!, $n: Int!) { segment(id: $id) { name size sample(limit: $n) { id tags } } }"


def coffee_rule(min_balance: int = 0) -> dict:
    return {"match": "ALL", "conditions": [
        {"field": "TAG", "op": "HAS", "value": "coffee"},
        {"field": "BALANCE", "op": "GTE", "value": min_balance},
    ]}


async def tag(gql, member_id: object, *tags: str, caller=INTEGRATION) -> dict:
    result = await gql.execute(TAG, {"input": {"memberId": str(member_id), "add": list(tags)}}, as_=caller)
    return result.data["tagMember"]


async def test_a_marketer_previews_who_is_in_a_segment(gql, program: Program) -> None:
    # given three members, two tagged coffee by the till, one of them with 10 points
    rich = await factories.member(program)
    poor = await factories.member(program)
    untagged = await factories.member(program)
    await factories.purchase(program, rich.id, 10_00)
    assert (await tag(gql, rich.id, "coffee", "tea"))["tags"] == ["coffee", "tea"]
    assert (await tag(gql, poor.id, "coffee", caller=MARKETER))["tags"] == ["coffee"]
    # when a marketer defines "coffee lovers" and then narrows it to 10 points or more
    created = (await gql.execute(CREATE, {"input": {"name": "Coffee lovers", "rule": coffee_rule()}}, as_=MARKETER)).data["createSegment"]
    assert created["__typename"] == "SegmentSaved"
    segment_id = created["segment"]["id"]
    assert created["segment"]["size"] == 2
    preview = (await gql.execute(PREVIEW, {"id": segment_id, "n": 5}, as_=MARKETER)).data["segment"]
    assert sorted(m["id"] for m in preview["sample"]) == sorted([str(rich.id), str(poor.id)])
    assert str(untagged.id) not in {m["id"] for m in preview["sample"]}
    updated = (await gql.execute(UPDATE, {"input": {"id": segment_id, "name": "Coffee lovers", "rule": coffee_rule(10)}},
                                 as_=MARKETER)).data["updateSegment"]
    # then the preview follows the rule, and both changes are audited
    assert updated["segment"]["size"] == 1
    assert updated["segment"]["rule"]["conditions"][1] == {"field": "BALANCE", "op": "GTE", "value": 10}
    one = (await gql.execute(PREVIEW, {"id": segment_id, "n": 1}, as_=MARKETER)).data["segment"]
    assert [m["id"] for m in one["sample"]] == [str(rich.id)]
    actions = await AuditEntry.filter(target=f"segment:{segment_id}").values_list("action", flat=True)
    assert sorted(actions) == ["createSegment", "updateSegment"]


async def test_a_rule_on_an_unknown_field_is_named_and_nothing_is_written(gql, program: Program) -> None:
    rule = {"conditions": [
        {"field": "TAG", "op": "HAS", "value": "coffee"},
        {"field": "BALANCE", "op": "ABOUT", "value": 3},
        {"field": "SHOE_SIZE", "op": "EQ", "value": 42},
    ]}
    result = (await gql.execute(CREATE, {"input": {"name": "Bad", "rule": rule}}, as_=MARKETER)).data["createSegment"]
    assert result["__typename"] == "InvalidInput"
    assert [f["path"] for f in result["fields"]] == ["rule.conditions.1.op", "rule.conditions.2.field"]
    assert "SHOE_SIZE" in result["fields"][1]["message"]
    assert await Segment.all().count() == 0


async def test_updating_an_unknown_segment_is_not_found(gql, program: Program) -> None:
    result = await gql.execute(UPDATE, {"input": {"id": "99999", "name": "X", "rule": coffee_rule()}}, as_=MARKETER)
    assert result.data["updateSegment"] == {"__typename": "NotFound", "entity": "segment", "key": "99999"}
    missing = await gql.execute(PREVIEW, {"id": "99999", "n": 1}, as_=MARKETER)
    assert missing.data["segment"] is None


async def test_sample_limit_and_paging_are_checked(gql, program: Program) -> None:
    for name in ("A", "B", "C"):
        await gql.execute(CREATE, {"input": {"name": name, "rule": coffee_rule()}}, as_=MARKETER)
    page = (await gql.execute("{ segments(first: 2) { edges { node { name } } pageInfo { hasNextPage endCursor } } }",
                              as_=MARKETER)).data["segments"]
    assert [e["node"]["name"] for e in page["edges"]] == ["A", "B"] and page["pageInfo"]["hasNextPage"]
    rest = (await gql.execute("query($a: String) { segments(first: 2, after: $a) { edges { node { name } } } }",
                              {"a": page["pageInfo"]["endCursor"]}, as_=MARKETER)).data["segments"]
    assert [e["node"]["name"] for e in rest["edges"]] == ["C"]
    segment_id = str((await Segment.get(name="A")).id)
    too_many = await gql.execute(PREVIEW, {"id": segment_id, "n": 51}, as_=MARKETER)
    assert too_many.error_codes == ["BAD_USER_INPUT"]


async def test_bad_tags_are_rejected_by_path_and_unknown_members_not_found(gql, program: Program) -> None:
    someone = await factories.member(program)
    bad = await gql.execute(TAG, {"input": {"memberId": str(someone.id), "add": ["ok", "Not OK"]}}, as_=INTEGRATION)
    assert bad.data["tagMember"] == {"__typename": "InvalidInput", "fields": [{"path": "add.1"}]}
    assert (await Member.get(id=someone.id)).tags == []
    nobody = await gql.execute(TAG, {"input": {"memberId": "00000000-0000-0000-0000-000000000000", "add": ["x"]}},
                               as_=INTEGRATION)
    assert nobody.data["tagMember"] == {"__typename": "NotFound", "entity": "member"}
    removed = await gql.execute(TAG, {"input": {"memberId": str(someone.id), "remove": ["absent"]}}, as_=INTEGRATION)
    assert removed.data["tagMember"]["tags"] == []


async def test_a_challenge_can_target_a_segment(gql, program: Program) -> None:
    created = (await gql.execute(CREATE, {"input": {"name": "Coffee", "rule": coffee_rule()}}, as_=MARKETER)).data
    segment_id = created["createSegment"]["segment"]["id"]
    query = """mutation($input: CreateChallengeInput!) { createChallenge(input: $input) {
        __typename ... on ChallengeSaved { challenge { audience { everyone segmentId } } }
        ... on InvalidInput { fields { path } } } }"""
    base = {"name": "Latte week", "goal": {"type": "PURCHASE_AMOUNT", "target": 30_00},
            "window": {"startsAt": "2030-01-01T00:00:00Z", "endsAt": "2030-01-08T00:00:00Z"}}
    ok = await gql.execute(query, {"input": {**base, "audience": {"segmentId": segment_id}}}, as_=MARKETER)
    assert ok.data["createChallenge"]["challenge"]["audience"] == {"everyone": False, "segmentId": segment_id}
    bad = await gql.execute(query, {"input": {**base, "name": "X", "audience": {"segmentId": "4242"}}}, as_=MARKETER)
    assert bad.data["createChallenge"] == {"__typename": "InvalidInput", "fields": [{"path": "audience.segmentId"}]}


async def test_the_demo_seed_is_idempotent(program: Program) -> None:
    from api.seed_segments import seed_segments
    from domain.models import Survey, SurveyStatus

    tiers = await factories.standard_tiers(program)
    for _ in range(2):
        await seed_segments(program, factories.NOW)
    segments = {s.name: s.rule for s in await Segment.all()}
    assert set(segments) == {"Eco members", "Silver and above", "Coffee lovers"}
    assert segments["Silver and above"]["conditions"][0]["value"] == [tiers[1].id, tiers[2].id]
    surveys = await Survey.all()
    assert [(s.title, s.status, s.bonus_points) for s in surveys] == [("How was your visit?", SurveyStatus.PUBLISHED, 20)]

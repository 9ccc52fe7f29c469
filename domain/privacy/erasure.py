"""An admin erases a member: personal data goes, the anonymous ledger stays.

Kept, because KPIs and the points liability stand on them: the member row (as an
anonymous id), ledger entries, earn lots, purchases (amounts, dates, items), redemptions,
donations, tier changes, survey choices and ratings. Blanked: the member's name, external
id (a random placeholder, so the POS can enrol the person again as someone new), birthday,
tags, locale and time zone, and their free-text survey answers.
Other contexts blank or delete their own rows in the same transaction, on `MemberErased`
(challenges/privacy.py: devices, preferences, follows, queued pushes, activity attributes,
leaderboard profile).

An erased member is not found by anything that writes points (`ledger.lock_member`), by
`me`, or by the export: their token still verifies but reaches nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from domain import audit, idempotency
from domain.errors import NotFound, Problems
from domain.events import MemberErased, event_bus
from domain.models import Member, Program, SurveyResponse
from domain.unit_of_work import unit_of_work

ERASED_NAME = "Erased member"
MAX_REASON = 500


def erased_external_id() -> str:
    return f"erased-{secrets.token_hex(12)}"


@dataclass(frozen=True)
class Erasure:
    member_id: str
    erased_at: str  # ISO 8601: the first erasure's moment, also on a repeat
    already_erased: bool


def check_request(reason: str, idempotency_key: str | None) -> None:
    problems = Problems()
    if not reason.strip():
        problems.add("reason", "is required (the audit trail records why)")
    elif len(reason) > MAX_REASON:
        problems.add("reason", f"must be at most {MAX_REASON} characters")
    if idempotency_key is not None and (message := idempotency.key_problem(idempotency_key)):
        problems.add("idempotencyKey", message)
    problems.raise_if_any()


async def blank_survey_text(member_id: str) -> None:
    """Free-text answers can say anything about the person: blanked. Choices and ratings
    carry nothing personal and keep the survey's results true."""
    for response in await SurveyResponse.filter(member_id=member_id).select_related("survey"):
        kinds = [question.get("kind") for question in response.survey.questions]
        answers = [
            "" if index < len(kinds) and kinds[index] == "TEXT" and answer else answer
            for index, answer in enumerate(response.answers)
        ]
        if answers != response.answers:
            await SurveyResponse.filter(id=response.id).update(answers=answers)


async def _erase(program: Program, member_id: str, reason: str, actor: str, now: datetime) -> dict[str, Any]:
    member = await Member.filter(id=member_id, program_id=program.id).select_for_update().first()
    if member is None:
        raise NotFound("member", member_id)
    if member.erased_at is not None:
        # Erasing twice changes nothing and audits nothing: the first erasure stands.
        return asdict(Erasure(str(member.id), member.erased_at.isoformat(), already_erased=True))
    await Member.filter(id=member.id).update(
        display_name=ERASED_NAME,
        external_id=erased_external_id(),
        birthday=None,
        locale="en",
        time_zone="UTC",
        tags=[],  # labels can describe the person (e.g. "vegan", "wheelchair")
        erased_at=now,
    )
    await blank_survey_text(str(member.id))
    await event_bus.publish(MemberErased(program.id, str(member.id), now))
    await audit.record(program.id, actor, "eraseMember", f"member:{member.id}", {"reason": reason.strip()}, now)
    return asdict(Erasure(str(member.id), now.isoformat(), already_erased=False))


async def erase_member(
    program: Program, member_id: str, reason: str, idempotency_key: str | None, actor: str, now: datetime,
    *, scope: str | None = None,
) -> Erasure:
    """Idempotent twice over: by state (an erased member stays as first erased) and, with a
    key, by request (a replay returns the first answer; the key with another member conflicts)."""
    check_request(reason, idempotency_key)
    if idempotency_key is None:
        async with unit_of_work.transaction():
            return Erasure(**await _erase(program, member_id, reason, actor, now))
    payload = {"member_id": member_id, "reason": reason}
    result = await idempotency.run_once(
        program.id, idempotency_key, "eraseMember", payload, now,
        lambda: _erase(program, member_id, reason, actor, now), scope=scope,
    )
    return Erasure(**result)

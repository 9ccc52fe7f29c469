"""Enrolling members and finding them."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import available_timezones

from babel import Locale, UnknownLocaleError

from domain import referrals
from domain.errors import AlreadyEnrolled, InvalidInput, NotFound, Problems
from domain.events import MemberEnrolled, event_bus
from domain.models import Member, Program, Tier
from domain.periods import add_months
from domain.tier_policy import qualified_tier
from domain.unit_of_work import unit_of_work

# No 0/O or 1/I/L: codes are read aloud and typed from a screen.
REFERRAL_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERRAL_CODE_LENGTH = 8

MAX_EXTERNAL_ID = 128  # the column's length (models.Member.external_id)


@dataclass(frozen=True)
class Enrollment:
    external_id: str
    display_name: str
    birthday: date | None = None
    locale: str = "en"
    time_zone: str = "UTC"
    referral_code: str | None = None  # the code of the member who referred this one


def is_time_zone(name: str) -> bool:
    return name in available_timezones()


def validate_enrollment(enrollment: Enrollment, today: date) -> None:
    problems = Problems()
    if not enrollment.external_id.strip():
        problems.add("externalId", "must not be blank")
    elif len(enrollment.external_id) > MAX_EXTERNAL_ID:
        problems.add("externalId", f"must be at most {MAX_EXTERNAL_ID} characters")
    if not enrollment.display_name.strip():
        problems.add("displayName", "must not be blank")
    elif len(enrollment.display_name) > 200:
        problems.add("displayName", "must be at most 200 characters")
    if enrollment.birthday is not None and not (
        date(1900, 1, 1) <= enrollment.birthday <= today
    ):
        problems.add("birthday", "must be between 1900-01-01 and today")
    try:
        Locale.parse(enrollment.locale, sep="-")
    except (ValueError, UnknownLocaleError):
        problems.add("locale", f"unknown locale {enrollment.locale!r} (use e.g. en-GB)")
    if not is_time_zone(enrollment.time_zone):
        problems.add("timeZone", f"unknown IANA time zone {enrollment.time_zone!r}")
    problems.raise_if_any()


def new_referral_code() -> str:
    return "".join(secrets.choice(REFERRAL_ALPHABET) for _ in range(REFERRAL_CODE_LENGTH))


async def enroll_member(program: Program, enrollment: Enrollment, now: datetime) -> Member:
    """Enroll a member, placed in the program's entry tier (threshold 0) if there is one.

    With a referral code, a pending referral opens in the same transaction (see
    domain.referrals for what completes it)."""
    validate_enrollment(enrollment, now.date())
    async with unit_of_work.transaction():
        existing = await Member.get_or_none(
            program_id=program.id, external_id=enrollment.external_id
        )
        if existing is not None:
            raise AlreadyEnrolled(enrollment.external_id, str(existing.id))
        referrer = None
        if enrollment.referral_code is not None:
            referrer = await referrals.find_referrer(
                program, enrollment.referral_code, enrollment.display_name, enrollment.birthday
            )
        tiers = await Tier.filter(program_id=program.id)
        code = new_referral_code()
        while await Member.exists(referral_code=code):
            code = new_referral_code()
        member = await Member.create(
            program_id=program.id,
            external_id=enrollment.external_id,
            display_name=enrollment.display_name.strip(),
            birthday=enrollment.birthday,
            locale=enrollment.locale,
            time_zone=enrollment.time_zone,
            referral_code=code,
            enrolled_at=now,
            tier=qualified_tier(tiers, 0),
            tier_review_at=add_months(now, program.tier_review_months),
        )
        if referrer is not None:
            await referrals.open_referral(program, referrer, member, now)
        # Handlers (signup bonuses, referrals) write in this same transaction.
        await event_bus.publish(MemberEnrolled(program.id, str(member.id), now))
        await member.refresh_from_db()  # the payload shows the bonus the handlers credited
        return member


def is_member_id(raw: str) -> bool:
    try:
        uuid.UUID(raw)
    except (ValueError, AttributeError, TypeError):
        return False
    return True


def parse_member_id(raw: str, path: str = "memberId") -> str:
    if not is_member_id(raw):
        raise InvalidInput.one(path, f"{raw!r} is not a member id (a UUID)")
    return str(uuid.UUID(raw))


async def get_member(program: Program, member_id: str) -> Member:
    member = await Member.get_or_none(id=member_id, program_id=program.id)
    if member is None:
        raise NotFound("member", member_id)
    return member


async def find_member(
    program: Program, member_id: str | None = None, external_id: str | None = None
) -> Member | None:
    if member_id is not None:
        return await Member.get_or_none(id=parse_member_id(member_id, "id"), program_id=program.id)
    if external_id is not None:
        if len(external_id) > MAX_EXTERNAL_ID:  # no member has one; the ORM would refuse the filter
            raise InvalidInput.one("externalId", f"must be at most {MAX_EXTERNAL_ID} characters")
        return await Member.get_or_none(external_id=external_id, program_id=program.id)
    raise InvalidInput.one("id", "give an id or an externalId")

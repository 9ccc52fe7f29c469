"""Activities besides purchases: the per-program type list, custom types, recording.

Recording is idempotent like purchases (domain.idempotency) and publishes ActivityRecorded
inside its transaction, so challenge progress and badges move with the activity or not
at all.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.functions import Sum

from challenges.activity_catalog import CATALOG, ImpactProblem, ImpactUnit, built_in
from challenges.events import ActivityRecorded
from challenges.models import Activity, ActivityType
from domain import audit, idempotency, ledger
from domain.errors import InvalidInput, Problems
from domain.events import event_bus
from domain.members import is_member_id, parse_member_id
from domain.models import Program
from domain.occurrence import check_backdating, occurred_at_problem
from domain.unit_of_work import unit_of_work

MAX_ATTRIBUTES_BYTES = 4_096  # attributes describe one activity, not carry documents
TYPE_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,63}$")
MAX_IMPACT_PER_ACTIVITY = 10**9


@dataclass(frozen=True)
class ActivityReport:
    member_id: str
    type_code: str
    occurred_at: datetime
    idempotency_key: str
    attributes: Any = field(default_factory=dict)  # checked: must be a JSON object


@dataclass(frozen=True)
class ActivityOutcome:
    activity_id: int
    member_id: str
    type_code: str
    impact_unit: str | None
    impact_amount: int
    occurred_at: datetime


@dataclass(frozen=True)
class ActivityTypeSpec:
    code: str
    name: str
    impact_unit: ImpactUnit | None = None
    impact_per_activity: int = 0
    member_reportable: bool = False


async def seed_catalog(program_id: int) -> None:
    """Give a program the built-in types it lacks. Runs on first use, outside any other
    transaction: a concurrent seeder's unique violation just means it won the race."""
    have = set(await ActivityType.filter(program_id=program_id, custom=False).values_list("code", flat=True))
    missing = [t for t in CATALOG if t.code not in have]
    if not missing:
        return
    try:
        async with unit_of_work.transaction():
            for entry in missing:
                await ActivityType.create(
                    program_id=program_id,
                    code=entry.code,
                    name=entry.name,
                    impact_unit=entry.impact_unit.value if entry.impact_unit else None,
                    impact_per_activity=entry.impact_per_activity,
                    member_reportable=entry.member_reportable,
                )
    except IntegrityError:
        pass


async def list_activity_types(program: Program) -> list[ActivityType]:
    await seed_catalog(program.id)
    return await ActivityType.filter(program_id=program.id).order_by("custom", "code")


def validate_type_spec(spec: ActivityTypeSpec) -> None:
    problems = Problems()
    if not TYPE_CODE.match(spec.code):
        problems.add("code", "use 2 to 64 capitals, digits and _, starting with a letter (e.g. BEACH_CLEANUP)")
    elif built_in(spec.code) is not None:
        problems.add("code", f"{spec.code} is a built-in activity type")
    if not 0 < len(spec.name.strip()) <= 200:
        problems.add("name", "must be 1 to 200 characters")
    if not 0 <= spec.impact_per_activity <= MAX_IMPACT_PER_ACTIVITY:
        problems.add("impactPerActivity", f"must be between 0 and {MAX_IMPACT_PER_ACTIVITY}")
    elif spec.impact_unit is None and spec.impact_per_activity:
        problems.add("impactUnit", "is required when impactPerActivity is set")
    elif spec.impact_unit is not None and not spec.impact_per_activity:
        problems.add("impactPerActivity", "must be positive when an impact unit is given")
    problems.raise_if_any()


async def create_activity_type(program: Program, spec: ActivityTypeSpec, actor: str, now: datetime) -> ActivityType:
    validate_type_spec(spec)
    await seed_catalog(program.id)
    async with unit_of_work.transaction():
        if await ActivityType.exists(program_id=program.id, code=spec.code):
            raise InvalidInput.one("code", f"activity type {spec.code} exists already")
        created = await ActivityType.create(
            program_id=program.id,
            code=spec.code,
            name=spec.name.strip(),
            impact_unit=spec.impact_unit.value if spec.impact_unit else None,
            impact_per_activity=spec.impact_per_activity,
            member_reportable=spec.member_reportable,
            custom=True,
        )
        details = {**asdict(spec), "impact_unit": created.impact_unit}
        await audit.record(program.id, actor, "createActivityType", f"activity_type:{created.id}", details, now)
        return created


def _attributes_problem(attributes: Any) -> str | None:
    if not isinstance(attributes, dict):
        return "must be a JSON object, e.g. {\"count\": 3}"
    try:
        # NaN and Infinity get past Python's JSON parser but not into a jsonb column.
        encoded = json.dumps(attributes, separators=(",", ":"), allow_nan=False)
    except (ValueError, TypeError, RecursionError):
        return "must be plain JSON (no NaN or Infinity)"
    if len(encoded.encode()) > MAX_ATTRIBUTES_BYTES:
        return f"must be at most {MAX_ATTRIBUTES_BYTES} bytes as JSON"
    if "\\u0000" in encoded:  # PostgreSQL's jsonb refuses NUL characters
        return "must not contain NUL characters"
    return None


def validate_report(report: ActivityReport, now: datetime, max_backdating_days: int | None = None) -> None:
    """Checks that need no database; every problem at once. The back-dating window only
    with `max_backdating_days` (record_activity checks it once it knows the request is new)."""
    problems = Problems()
    if not is_member_id(report.member_id):
        problems.add("memberId", f"{report.member_id!r} is not a member id (a UUID)")
    if not report.type_code.strip():
        problems.add("type", "must not be blank")
    elif len(report.type_code) > 64:
        problems.add("type", "must be at most 64 characters")
    if (message := occurred_at_problem(report.occurred_at, now, max_backdating_days)) is not None:
        problems.add("occurredAt", message)
    if (message := _attributes_problem(report.attributes)) is not None:
        problems.add("attributes", message)
    if (message := idempotency.key_problem(report.idempotency_key)) is not None:
        problems.add("idempotencyKey", message)
    problems.raise_if_any()


async def _activity_type(program_id: int, code: str) -> ActivityType:
    found = await ActivityType.get_or_none(program_id=program_id, code=code)
    if found is None and built_in(code) is not None:
        await seed_catalog(program_id)
        found = await ActivityType.get_or_none(program_id=program_id, code=code)
    if found is None:
        raise InvalidInput.one("type", f"unknown activity type {code!r}; see the activityTypes query")
    return found


def _impact(kind: ActivityType, attributes: dict[str, Any]) -> int:
    catalog_entry = None if kind.custom else built_in(kind.code)
    if catalog_entry is None:
        return kind.impact_per_activity if kind.impact_unit else 0
    try:
        return catalog_entry.impact(attributes)
    except ImpactProblem as problem:
        raise InvalidInput.one(f"attributes.{problem.attribute}", problem.message) from None


async def record_activity(
    program: Program, report: ActivityReport, now: datetime, *, self_reported: bool = False,
    scope: str | None = None,
) -> ActivityOutcome:
    """Record one activity. `self_reported`: the member reports it from the app, which
    only types marked member_reportable allow (others need a witness: an integration)."""
    validate_report(report, now)
    member_id = parse_member_id(report.member_id)
    if self_reported:  # the member's own key space, whoever else reports for them
        scope = idempotency.member_scope(member_id)
    kind = await _activity_type(program.id, report.type_code)
    if self_reported and not kind.member_reportable:
        raise InvalidInput.one("type", f"{kind.code} is reported by the store or partner, not from the app")
    impact = _impact(kind, report.attributes)
    occurred_at = report.occurred_at.astimezone(UTC)

    async def work() -> dict[str, Any]:
        check_backdating(occurred_at, now, program.max_backdating_days)  # not for a replay
        member = await ledger.lock_member(program.id, member_id)
        activity = await Activity.create(
            program_id=program.id,
            member_id=member.id,
            type_code=kind.code,
            attributes=report.attributes,
            impact_unit=kind.impact_unit,
            impact_amount=impact,
            occurred_at=occurred_at,
            recorded_at=now,
        )
        await event_bus.publish(
            ActivityRecorded(
                program.id, str(member.id), activity.id, kind.code, report.attributes,
                kind.impact_unit, impact, occurred_at, self_reported=self_reported,
            )
        )
        outcome = ActivityOutcome(activity.id, str(member.id), kind.code, kind.impact_unit, impact, occurred_at)
        return {**asdict(outcome), "occurred_at": occurred_at.isoformat()}

    payload = {
        "member_id": member_id,
        "type": kind.code,
        "attributes": report.attributes,
        "occurred_at": occurred_at.isoformat(),
    }
    result = await idempotency.run_once(
        program.id, report.idempotency_key, "recordActivity", payload, now, work, scope=scope
    )
    return ActivityOutcome(**{**result, "occurred_at": datetime.fromisoformat(result["occurred_at"])})


async def impact_totals(member_id: str) -> dict[str, int]:
    """The member's sustainability impact per unit, summed over all their activities."""
    rows = (
        await Activity.filter(member_id=member_id, impact_unit__isnull=False)
        .group_by("impact_unit")
        .annotate(total=Sum("impact_amount"))
        .values("impact_unit", "total")
    )
    return {row["impact_unit"]: int(row["total"] or 0) for row in rows}

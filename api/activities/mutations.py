"""Reporting activities (integrations, admins, and members for app-side types) and
defining custom activity types (marketers)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.permission import BasePermission
from strawberry.scalars import JSON
from strawberry.types import Info

from api.activities.types import ActivityRecorded, ActivityType, ImpactUnit
from api.auth import Role
from api.create_keys import create_once, key_field
from api.permissions import Marketers, forbidden, require_principal
from api.problems import IdempotencyConflict, InvalidInput, NotFound, problem
from challenges import activities
from challenges import models as challenge_models
from challenges.activity_catalog import ImpactUnit as ImpactUnitValue
from domain.errors import DomainError
from domain.errors import InvalidInput as InvalidInputError


class ActivityReporters(BasePermission):
    """Integrations and admins for any member; members for themselves (which types they
    may report is a business rule, checked by the service)."""

    roles = frozenset({Role.INTEGRATION, Role.ADMIN, Role.MEMBER})

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        if require_principal(info).role not in self.roles:
            raise forbidden("only integration, admin or the member themself may do this")
        return True


@strawberry.input
class RecordActivityInput:
    member_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required for integrations; members may leave it out (themselves)."
    )
    type: str = strawberry.field(description="An activity type code, e.g. RECYCLE; see activityTypes.")
    occurred_at: datetime
    idempotency_key: str = strawberry.field(description="Unique per activity, e.g. the scan id.")
    attributes: JSON = strawberry.field(
        default_factory=dict,
        description="A JSON object about the activity, e.g. {\"count\": 3} for RECYCLE, "
        "{\"distanceKm\": 12.5} for PUBLIC_TRANSPORT.",
    )


RecordActivityPayload = Annotated[
    ActivityRecorded | InvalidInput | NotFound | IdempotencyConflict, strawberry.union("RecordActivityPayload")
]


@strawberry.input
class CreateActivityTypeInput:
    code: str = strawberry.field(description="Capitals, digits and _, e.g. BEACH_CLEANUP.")
    name: str
    impact_unit: ImpactUnit | None = None
    impact_per_activity: int = 0
    member_reportable: bool = False
    idempotency_key: str | None = key_field()


@strawberry.type
class ActivityTypeSaved:
    activity_type: ActivityType


ActivityTypePayload = Annotated[
    ActivityTypeSaved | InvalidInput | IdempotencyConflict, strawberry.union("ActivityTypePayload")
]


def _reported_member(info: Info, given: str | None) -> tuple[str, bool]:
    """Whose activity it is, and whether the member reports it themself."""
    principal = info.context.principal
    if principal.role is not Role.MEMBER:
        if given is None:
            raise InvalidInputError.one("memberId", "is required")
        return given, False
    own = principal.member_id
    if given is not None and not _same_member(given, own):
        raise forbidden("a member may only record their own activities")
    return own, True


def _same_member(given: str, own: str) -> bool:
    try:
        return uuid.UUID(given) == uuid.UUID(own)
    except ValueError:
        return False


@strawberry.type
class ActivityMutations:
    @strawberry.mutation(permission_classes=[ActivityReporters])
    async def record_activity(self, info: Info, input: RecordActivityInput) -> RecordActivityPayload:
        ctx = info.context
        try:
            member_id, self_reported = _reported_member(info, input.member_id)
            report = activities.ActivityReport(
                member_id=member_id,
                type_code=input.type,
                occurred_at=input.occurred_at,
                idempotency_key=input.idempotency_key,
                attributes=input.attributes,
            )
            outcome = await activities.record_activity(
                await ctx.program(), report, ctx.now(), self_reported=self_reported, scope=ctx.idempotency_scope
            )
        except DomainError as error:
            return problem(error)
        return ActivityRecorded.from_outcome(outcome)

    @strawberry.mutation(permission_classes=[Marketers])
    async def create_activity_type(self, info: Info, input: CreateActivityTypeInput) -> ActivityTypePayload:
        ctx = info.context
        spec = activities.ActivityTypeSpec(
            code=input.code,
            name=input.name,
            impact_unit=ImpactUnitValue(input.impact_unit) if input.impact_unit else None,
            impact_per_activity=input.impact_per_activity,
            member_reportable=input.member_reportable,
        )
        try:
            program = await ctx.program()
            created = await create_once(
                ctx, input, "createActivityType", challenge_models.ActivityType,
                lambda: activities.create_activity_type(program, spec, ctx.principal.actor, ctx.now()),
            )
        except DomainError as error:
            return problem(error)
        return ActivityTypeSaved(activity_type=ActivityType.from_model(created))

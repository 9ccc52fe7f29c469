"""Expected business outcomes as GraphQL types, members of mutation payload unions."""

from __future__ import annotations

import strawberry

from domain import errors


@strawberry.interface(description="An expected outcome that is not a success.")
class Problem:
    message: str


@strawberry.type
class FieldError:
    path: str = strawberry.field(description="Input path, e.g. `items.3.quantity`.")
    message: str


@strawberry.type(description="The input was rejected; nothing was written.")
class InvalidInput(Problem):
    fields: list[FieldError]


@strawberry.type
class NotFound(Problem):
    entity: str
    key: str


@strawberry.type
class InsufficientPoints(Problem):
    requested: int
    available: int


@strawberry.type(description="The idempotency key was used before with a different request.")
class IdempotencyConflict(Problem):
    idempotency_key: str


@strawberry.type
class AlreadyEnrolled(Problem):
    member_id: strawberry.ID


@strawberry.type
class AlreadyReversed(Problem):
    purchase_id: strawberry.ID


@strawberry.type(description="The member may not do this; `field` names the input that decided it.")
class NotEligible(Problem):
    field: str


@strawberry.type(description="The reward's last unit went to someone else.")
class OutOfStock(Problem):
    reward_id: strawberry.ID


@strawberry.type(description="The reward's validity window has closed.")
class Expired(Problem):
    reward_id: strawberry.ID



@strawberry.type(description="The lifecycle does not allow this change from the current state.")
class InvalidTransition(Problem):
    entity: str
    from_state: str
    to_state: str

@strawberry.type(description="The member answered this survey before; the bonus was earned then.")
class AlreadyAnswered(Problem):
    survey_id: strawberry.ID


def problem(error: errors.DomainError) -> Problem:
    """The GraphQL type of a domain outcome; an unmapped one is a bug and propagates."""
    match error:
        case errors.InvalidInput():
            return InvalidInput(
                message=error.message,
                fields=[FieldError(path=p.path, message=p.message) for p in error.problems],
            )
        case errors.NotFound():
            return NotFound(message=error.message, entity=error.entity, key=error.key)
        case errors.InsufficientPoints():
            return InsufficientPoints(
                message=error.message, requested=error.requested, available=error.available
            )
        case errors.IdempotencyConflict():
            return IdempotencyConflict(message=error.message, idempotency_key=error.key)
        case errors.AlreadyEnrolled():
            return AlreadyEnrolled(message=error.message, member_id=strawberry.ID(error.member_id))
        case errors.AlreadyReversed():
            return AlreadyReversed(message=error.message, purchase_id=strawberry.ID(str(error.purchase_id)))
        case errors.NotEligible():
            return NotEligible(message=error.message, field=error.field)
        case errors.OutOfStock():
            return OutOfStock(message=error.message, reward_id=strawberry.ID(str(error.reward_id)))
        case errors.Expired():
            return Expired(message=error.message, reward_id=strawberry.ID(str(error.reward_id)))
        case errors.InvalidTransition():
            return InvalidTransition(
                message=error.message, entity=error.entity, from_state=error.from_state, to_state=error.to_state
            )
        case errors.AlreadyAnswered():
            return AlreadyAnswered(message=error.message, survey_id=strawberry.ID(str(error.survey_id)))
    raise error


PROBLEM_TYPES = (InvalidInput, NotFound, InsufficientPoints, IdempotencyConflict, AlreadyEnrolled, AlreadyReversed, NotEligible, OutOfStock, Expired, InvalidTransition, AlreadyAnswered)

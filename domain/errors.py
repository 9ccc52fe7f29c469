"""Expected business outcomes, raised by services and mapped to typed GraphQL results.

Every service raises one of these *before* anything is committed: the transaction that
raised it rolls back, so a rejected request writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class DomainError(Exception):
    """Base of every outcome a caller is expected to handle."""

    message: str = "request rejected"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field: `path` is the input path in GraphQL names, e.g. `items.3.quantity`."""

    path: str
    message: str


class InvalidInput(DomainError):
    message = "invalid input"

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))

    @classmethod
    def one(cls, path: str, message: str) -> InvalidInput:
        return cls([FieldProblem(path, message)])


class NotFound(DomainError):
    def __init__(self, entity: str, key: str) -> None:
        self.entity = entity
        self.key = key
        super().__init__(f"{entity} {key!r} not found")


class InsufficientPoints(DomainError):
    def __init__(self, requested: int, available: int) -> None:
        self.requested = requested
        self.available = available
        super().__init__(f"{requested} points requested, {available} available")


class IdempotencyConflict(DomainError):
    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(
            f"idempotency key {key!r} was already used with a different request"
        )


class AlreadyEnrolled(DomainError):
    def __init__(self, external_id: str, member_id: str) -> None:
        self.external_id = external_id
        self.member_id = member_id
        super().__init__(f"external id {external_id!r} is already enrolled")


class AlreadyReversed(DomainError):
    def __init__(self, purchase_id: int) -> None:
        self.purchase_id = purchase_id
        super().__init__(f"purchase {purchase_id} was already reversed")


class NotEligible(DomainError):
    """The member may not do this (outside the audience, below the tier, not open yet);
    `field` names the input or rule that decided it."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


class OutOfStock(DomainError):
    """The reward's last unit went to someone else."""

    def __init__(self, reward_id: int) -> None:
        self.reward_id = reward_id
        super().__init__(f"reward {reward_id} is out of stock")


class Expired(DomainError):
    """The reward's validity window has closed."""

    def __init__(self, reward_id: int, expired_at: str) -> None:
        self.reward_id = reward_id
        self.expired_at = expired_at
        super().__init__(f"reward {reward_id} could be redeemed until {expired_at}")


class InvalidTransition(DomainError):
    """A lifecycle change the current state does not allow (e.g. activating an ended campaign)."""

    def __init__(self, entity: str, from_state: str, to_state: str) -> None:
        self.entity = entity
        self.from_state = from_state
        self.to_state = to_state
        super().__init__(f"a {from_state} {entity} can't become {to_state}")


class AlreadyAnswered(DomainError):
    """The member answered this survey before: one answer, one bonus."""

    def __init__(self, survey_id: int) -> None:
        self.survey_id = survey_id
        super().__init__(f"survey {survey_id} was already answered")


@dataclass
class Problems:
    """Collects field problems so that a caller sees all of them at once."""

    items: list[FieldProblem] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.items.append(FieldProblem(path, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidInput(self.items)

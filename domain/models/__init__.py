"""Tortoise models of the loyalty core, one context a module.

Tortoise discovers models through this package's attributes, so every model is imported here.
"""

from domain.models.audit import AuditEntry
from domain.models.idempotency import IdempotencyRecord
from domain.models.ledger import EarnLot, LedgerEntry, LedgerKind
from domain.models.member import Member
from domain.models.program import Program, TierBasis
from domain.models.purchase import Purchase
from domain.models.tier import Tier, TierChange

__all__ = [
    "AuditEntry",
    "EarnLot",
    "IdempotencyRecord",
    "LedgerEntry",
    "LedgerKind",
    "Member",
    "Program",
    "Purchase",
    "Tier",
    "TierBasis",
    "TierChange",
]

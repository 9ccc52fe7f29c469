"""Redemption codes: short, unambiguous, read aloud at a till or typed from a screen."""

from __future__ import annotations

import secrets

from domain.models import Redemption

# No 0/O or 1/I/L, like referral codes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_GROUPS = 2
GROUP_LENGTH = 4  # 31^8 ≈ 8.5e11 codes: collisions are rare, and retried


def new_code() -> str:
    groups = ("".join(secrets.choice(CODE_ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(CODE_GROUPS))
    return "-".join(groups)


def normalise(code: str) -> str:
    """What a cashier types: any case, with or without the dash, stray spaces."""
    compact = "".join(code.split()).replace("-", "").upper()
    return "-".join(compact[i : i + GROUP_LENGTH] for i in range(0, len(compact), GROUP_LENGTH))


def possible_code(code: str) -> str | None:
    """The normalised code, or None when no code could look like this: the lookup is
    skipped rather than sent to the database with a value the column cannot hold."""
    normalised = normalise(code)
    compact = normalised.replace("-", "")
    if len(compact) != CODE_GROUPS * GROUP_LENGTH or any(c not in CODE_ALPHABET for c in compact):
        return None
    return normalised


async def unused_code() -> str:
    """A code no redemption has; the unique index is the backstop for a concurrent twin."""
    code = new_code()
    while await Redemption.exists(code=code):
        code = new_code()
    return code

"""Board handles: how a member on a leaderboard is named to other members, instead of an id.

An alias is only worth something if nothing on the board links it back to the member: a
member id next to it would (it is stable, and staff tools, exports and support tickets
carry it). A handle is the member id and the name shown next to it (alias, else display
name), encrypted with AES-SIV under a server key: opaque, the same on every board while
the name stays, and a new one when the member picks another alias. Following takes a
handle and decrypts it; a handle for a name the member no longer shows is stale (so an
old screenshot can't link a new alias to the old one), and a forged one does not decrypt.

Pure functions, no I/O: the API brings the key (Settings.board_handle_key), the caller
checks the name against the member's current profile.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

_NAME_PRINT_BYTES = 8  # enough to tell two names of one member apart; sealed inside the handle
_PURPOSE = b"loyalty leaderboard handle v1"


@dataclass(frozen=True)
class BoardHandle:
    member_id: str
    name_print: bytes  # of the name shown when the handle was made

    def shows(self, shown_as: str) -> bool:
        """Whether the handle was made for the name the member shows now."""
        return self.name_print == name_print(shown_as)


def name_print(shown_as: str) -> bytes:
    return hashlib.sha256(shown_as.encode()).digest()[:_NAME_PRINT_BYTES]


def _context(program_id: int) -> list[bytes]:
    # Bound to the program: a handle seen in one program names nobody in another.
    return [_PURPOSE, str(program_id).encode()]


def handle_for(key: bytes, program_id: int, member_id: str, shown_as: str) -> str:
    """The handle other members see next to `shown_as`."""
    sealed = AESSIV(key).encrypt(uuid.UUID(member_id).bytes + name_print(shown_as), _context(program_id))
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()


def read_handle(key: bytes, program_id: int, handle: str) -> BoardHandle | None:
    """The member and name a handle was made for; None for anything this server did not make."""
    try:
        sealed = base64.urlsafe_b64decode(handle + "=" * (-len(handle) % 4))
        opened = AESSIV(key).decrypt(sealed, _context(program_id))
    except (ValueError, binascii.Error, InvalidTag):
        return None
    if len(opened) != 16 + _NAME_PRINT_BYTES:
        return None
    return BoardHandle(str(uuid.UUID(bytes=opened[:16])), opened[16:])

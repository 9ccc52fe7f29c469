"""JWT authentication: who is calling, with which role.

The algorithm is pinned by configuration; a token's own header never chooses it, which
shuts out `alg: none` and HS/RS key confusion.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

import jwt

from api.settings import Settings


class Role(StrEnum):
    MEMBER = "member"
    INTEGRATION = "integration"
    MARKETER = "marketer"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    role: Role
    subject: str  # member id for members, client or user id otherwise

    @property
    def member_id(self) -> str | None:
        return self.subject if self.role == Role.MEMBER else None

    @property
    def actor(self) -> str:
        """How audit entries name this caller."""
        return f"{self.role.value}:{self.subject}"


class AuthError(Exception):
    """A missing, malformed, expired or forged token; the message is safe to show."""


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def _jwks(self) -> jwt.PyJWKSet | None:
        path = self.settings.jwt_jwks_file
        return jwt.PyJWKSet.from_json(path.read_text()) if path else None

    @cached_property
    def _static_key(self) -> Any:
        if self.settings.jwt_algorithm == "HS256":
            return self.settings.jwt_secret
        if self.settings.jwt_public_key_file:
            return self.settings.jwt_public_key_file.read_text()
        return None

    def _key_for(self, token: str) -> Any:
        if self._jwks is None:
            return self._static_key
        kid = jwt.get_unverified_header(token).get("kid")
        for key in self._jwks.keys:
            if key.key_id == kid:
                return key.key
        raise AuthError("token signed with an unknown key id")

    def verify(self, token: str) -> Principal:
        s = self.settings
        try:
            claims = jwt.decode(
                token,
                self._key_for(token),
                algorithms=[s.jwt_algorithm],
                audience=s.jwt_audience,
                issuer=s.jwt_issuer,
                leeway=s.jwt_leeway_seconds,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "role"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("token expired") from None
        except jwt.ImmatureSignatureError:
            raise AuthError("token not yet valid") from None
        except jwt.InvalidAudienceError:
            raise AuthError("token is for another audience") from None
        except jwt.InvalidIssuerError:
            raise AuthError("token from an unknown issuer") from None
        except jwt.MissingRequiredClaimError as exc:
            raise AuthError(f"token lacks the {exc.claim!r} claim") from None
        except jwt.PyJWTError:
            raise AuthError("invalid token signature or format") from None
        principal = _principal(claims)
        _check_lifetime(s, principal.role, claims)
        return principal


STAFF = frozenset({Role.MARKETER, Role.ADMIN})


def max_lifetime(settings: Settings, role: Role) -> int:
    """The longest a token of `role` may live (exp - iat), in seconds."""
    return settings.max_token_lifetime(staff=role in STAFF)


def _check_lifetime(settings: Settings, role: Role, claims: dict[str, Any]) -> None:
    """A stolen token stays usable until it expires: cap how long that can be. PyJWT has
    checked that iat and exp are integers and iat is not in the future."""
    limit = max_lifetime(settings, role)
    lifetime = int(claims["exp"]) - int(claims["iat"])
    if lifetime > limit:
        raise AuthError(f"token lifetime (exp - iat) of {lifetime} s is longer than the {limit} s "
                        f"allowed for {role.value} tokens")


def _principal(claims: dict[str, Any]) -> Principal:
    try:
        role = Role(claims["role"])
    except ValueError:
        raise AuthError(f"unknown role {claims['role']!r}") from None
    subject = str(claims["sub"])
    if role == Role.MEMBER:
        try:
            subject = str(uuid.UUID(subject))
        except ValueError:
            raise AuthError("a member token's sub must be a member id") from None
    return Principal(role, subject)


def mint_token(
    settings: Settings,
    role: Role,
    subject: str,
    ttl_seconds: int = 8 * 3600,
    now: float | None = None,
) -> str:
    """A signed token for development and tests (RS/ES need JWT_PRIVATE_KEY_FILE); never
    longer-lived than the API accepts."""
    if not 0 < ttl_seconds <= max_lifetime(settings, role):
        raise AuthError(f"a {role.value} token lives at most {max_lifetime(settings, role)} s "
                        f"(JWT_MAX_{'STAFF_' if role in STAFF else ''}TOKEN_LIFETIME_SECONDS), not {ttl_seconds}")
    issued = int(now if now is not None else time.time())
    claims = {
        "sub": subject,
        "role": role.value,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl_seconds,
    }
    if settings.jwt_algorithm == "HS256":
        key: Any = settings.jwt_secret
    elif settings.jwt_private_key_file:
        key = settings.jwt_private_key_file.read_text()
    else:
        raise AuthError("minting RS256/ES256 tokens needs JWT_PRIVATE_KEY_FILE")
    headers = {"kid": settings.jwt_key_id} if settings.jwt_key_id else None
    return jwt.encode(claims, key, algorithm=settings.jwt_algorithm, headers=headers)


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("Authorization header must be 'Bearer <token>'")
    return token.strip()

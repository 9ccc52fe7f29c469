"""Settings from the environment (and an optional .env file), validated at start-up."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me-0123456789abcdef"  # 32+ bytes: PyJWT warns below
JwtAlgorithm = Literal["HS256", "RS256", "ES256"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    loyalty_env: Literal["development", "production", "test"] = "development"
    database_url: str = "sqlite://var/loyalty.sqlite3"
    redis_url: str = "memory://"
    program_code: str = "demo"
    program_name: str = "Demo Coffee Rewards"

    jwt_algorithm: JwtAlgorithm = "HS256"
    jwt_secret: str = DEV_SECRET
    jwt_public_key_file: Path | None = None  # PEM, for RS256 / ES256
    jwt_jwks_file: Path | None = None  # a local JWKS document, keys chosen by `kid`
    jwt_private_key_file: Path | None = None  # only for minting dev tokens with RS/ES
    jwt_key_id: str | None = None  # `kid` header of minted tokens, to match a JWKS key
    jwt_issuer: str = "loyalty-dev"
    jwt_audience: str = "loyalty-api"
    jwt_leeway_seconds: int = Field(default=30, ge=0, le=300)

    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000

    @property
    def production(self) -> bool:
        return self.loyalty_env == "production"

    @cached_property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite://")

    @model_validator(mode="after")
    def _production_keys(self) -> Settings:
        if self.production and self.jwt_algorithm == "HS256" and self.jwt_secret == DEV_SECRET:
            raise ValueError("LOYALTY_ENV=production needs JWT_SECRET or an RS256/ES256 key")
        if self.jwt_algorithm != "HS256" and not (self.jwt_public_key_file or self.jwt_jwks_file):
            raise ValueError(f"JWT_ALGORITHM={self.jwt_algorithm} needs JWT_PUBLIC_KEY_FILE or JWT_JWKS_FILE")
        # Fail at start-up, not with a 500 on the first signed-in request.
        for name in ("jwt_public_key_file", "jwt_jwks_file", "jwt_private_key_file"):
            path = getattr(self, name)
            if path is not None and not path.is_file():
                raise ValueError(f"{name.upper()}={path} is not a readable file")
        return self

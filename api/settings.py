"""Settings from the environment (and an optional .env file), validated at start-up."""

from __future__ import annotations

import hashlib
import hmac
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me-0123456789abcdef"  # 32+ bytes: PyJWT warns below
MIN_SECRET_BYTES = 32  # an HMAC key shorter than its SHA-256 output can be brute-forced sooner
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
    # Longest lifetime (exp - iat) a token may claim; longer ones, and tokens without iat or
    # exp, are refused. Members and integrations (the app and POS refresh theirs): a day.
    # Marketers and admins act on the whole program: a working day.
    jwt_max_token_lifetime_seconds: int = Field(default=24 * 3600, ge=60, le=30 * 24 * 3600)
    jwt_max_staff_token_lifetime_seconds: int = Field(default=8 * 3600, ge=60, le=30 * 24 * 3600)
    # Key of the opaque handles leaderboards show instead of member ids (32+ bytes). Unset:
    # derived from JWT_SECRET with HS256 (rotating it only changes handles, which nothing
    # stores); RS256/ES256 in production need it.
    board_handle_secret: str | None = None

    # Push delivery (`loyalty worker`). Each provider is used only when configured.
    push_webhook_url: str | None = None  # every message is also POSTed here, signed
    push_webhook_secret: str | None = None  # HMAC-SHA256 key of webhooks (32+ bytes)
    push_web_relay_hosts: str = ""  # comma-separated hosts allowed in WEB relay-URL tokens
    fcm_service_account_file: Path | None = None  # Google service-account JSON
    fcm_api_url: str = "https://fcm.googleapis.com"
    fcm_token_uri: str | None = None  # overrides the service account's token_uri
    apns_key_file: Path | None = None  # the .p8 signing key
    apns_key_id: str | None = None
    apns_team_id: str | None = None
    apns_topic: str | None = None  # the iOS app's bundle id
    apns_url: str = "https://api.push.apple.com"  # https://api.sandbox.push.apple.com in dev
    push_max_attempts: int = Field(default=8, ge=1, le=50)
    push_backoff_base_seconds: float = Field(default=30, gt=0)
    push_backoff_cap_seconds: float = Field(default=3600, gt=0)
    push_lease_seconds: int = Field(default=120, ge=10)
    push_batch_size: int = Field(default=50, ge=1, le=1000)
    push_request_timeout_seconds: float = Field(default=10, gt=0, le=60)

    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    # Fragment spreads as executed: a spread inside a fragment counts at each spread of it
    # (api/limits/document_shape.py); bounds any walk over the expanded document.
    max_fragment_spreads: int = Field(default=100, ge=1, le=500)
    # Fields sharing one response name in one selection set (fragments' fields included):
    # graphql-core compares them pairwise while validating.
    max_repeated_fields: int = Field(default=10, ge=1, le=100)
    # Characters of a query's text: the token limit does not bound names' lengths, and
    # lexing 256 KB of names costs ~0.1 s (a 2,000-token query of real names is ~20 KB).
    max_query_length: int = Field(default=32 * 1024, ge=1024)

    # Query cost (api/limits/query_cost.py): 1 per field, a connection's subtree times `first`.
    max_query_cost: int = Field(default=10_000, ge=1)
    # Each caller's budget of cost, a token bucket in Redis (api/limits/cost_budget.py).
    cost_budget_capacity: int = Field(default=50_000, ge=1)
    cost_budget_refill_per_second: float = Field(default=1000, gt=0)
    # An integration (a POS system) speaks for every store at once: its bucket is this many
    # times larger and refills this many times faster.
    cost_budget_integration_factor: float = Field(default=50, ge=1)
    # Apollo persisted queries: how long Redis keeps a registered query text.
    persisted_query_ttl_seconds: int = Field(default=7 * 24 * 3600, ge=60)
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    request_timeout_seconds: float = Field(default=10, gt=0, le=300)
    # A client gets this long to send its whole body (after the headers), then a 408: a body
    # trickled a byte at a time would otherwise hold its connection and buffer for ever.
    body_read_timeout_seconds: float = Field(default=10, gt=0, le=300)
    # Objects and arrays in a request's JSON nest at most this deep (the body itself is 1).
    max_json_depth: int = Field(default=32, ge=4, le=256)
    # `loyalty worker` serves its own /metrics (push deliveries) here when set.
    worker_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    worker_metrics_host: str = "127.0.0.1"
    log_format: Literal["json", "text"] = "json"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @property
    def production(self) -> bool:
        return self.loyalty_env == "production"

    @cached_property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite://")

    @property
    def web_relay_hosts(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.push_web_relay_hosts.split(",") if h.strip())

    def _check_push(self) -> None:
        """Push settings that cannot work fail at start-up, not at the first delivery."""
        if self.push_webhook_url and len((self.push_webhook_secret or "").encode()) < 32:
            raise ValueError("PUSH_WEBHOOK_URL needs PUSH_WEBHOOK_SECRET of 32+ bytes")
        if self.push_webhook_url and not self.push_webhook_url.startswith(("https://", "http://")):
            raise ValueError("PUSH_WEBHOOK_URL must be an http(s) URL")
        if self.web_relay_hosts and len((self.push_webhook_secret or "").encode()) < 32:
            raise ValueError("PUSH_WEB_RELAY_HOSTS needs PUSH_WEBHOOK_SECRET of 32+ bytes")
        apns = (self.apns_key_id, self.apns_team_id, self.apns_topic)
        if self.apns_key_file and not all(apns):
            raise ValueError("APNS_KEY_FILE needs APNS_KEY_ID, APNS_TEAM_ID and APNS_TOPIC")
        if self.push_backoff_cap_seconds < self.push_backoff_base_seconds:
            raise ValueError("PUSH_BACKOFF_CAP_SECONDS must be at least PUSH_BACKOFF_BASE_SECONDS")
        for name in ("fcm_service_account_file", "apns_key_file"):
            path = getattr(self, name)
            if path is not None and not path.is_file():
                raise ValueError(f"{name.upper()}={path} is not a readable file")

    def _check_production_secrets(self) -> None:
        """Production refuses secrets that anyone could guess (the dev one, blank, short)."""
        if self.jwt_algorithm == "HS256":
            secret = self.jwt_secret.strip()
            if secret == DEV_SECRET:
                raise ValueError("LOYALTY_ENV=production needs JWT_SECRET of its own (this is the development "
                                 "secret) or an RS256/ES256 key")
            if len(secret.encode()) < MIN_SECRET_BYTES:
                raise ValueError(f"LOYALTY_ENV=production needs JWT_SECRET of {MIN_SECRET_BYTES}+ bytes "
                                 f"(got {len(secret.encode())} without surrounding spaces) or an RS256/ES256 key")
        elif self.board_handle_secret is None:
            raise ValueError(f"LOYALTY_ENV=production with JWT_ALGORITHM={self.jwt_algorithm} needs "
                             "BOARD_HANDLE_SECRET (32+ bytes)")
        if self.board_handle_secret is not None:
            handle_secret = self.board_handle_secret.strip()
            if handle_secret in (DEV_SECRET, self.jwt_secret.strip()) or len(handle_secret.encode()) < MIN_SECRET_BYTES:
                raise ValueError(f"BOARD_HANDLE_SECRET must be {MIN_SECRET_BYTES}+ bytes of its own "
                                 "(not JWT_SECRET, not the development secret)")

    def max_token_lifetime(self, staff: bool) -> int:
        return self.jwt_max_staff_token_lifetime_seconds if staff else self.jwt_max_token_lifetime_seconds

    @property
    def board_handle_key(self) -> bytes:
        """64 bytes for AES-SIV, from BOARD_HANDLE_SECRET, else from the JWT secret."""
        secret = self.board_handle_secret or (self.jwt_secret if self.jwt_algorithm == "HS256" else DEV_SECRET)
        return hmac.new(secret.encode(), b"loyalty board handles v1", hashlib.sha512).digest()

    @model_validator(mode="after")
    def _production_keys(self) -> Settings:
        if self.max_query_cost > self.cost_budget_capacity:
            raise ValueError("MAX_QUERY_COST above COST_BUDGET_CAPACITY: such queries could never run")
        if self.production:
            self._check_production_secrets()
        if self.jwt_algorithm != "HS256" and not (self.jwt_public_key_file or self.jwt_jwks_file):
            raise ValueError(f"JWT_ALGORITHM={self.jwt_algorithm} needs JWT_PUBLIC_KEY_FILE or JWT_JWKS_FILE")
        self._check_push()
        # Fail at start-up, not with a 500 on the first signed-in request.
        for name in ("jwt_public_key_file", "jwt_jwks_file", "jwt_private_key_file"):
            path = getattr(self, name)
            if path is not None and not path.is_file():
                raise ValueError(f"{name.upper()}={path} is not a readable file")
        return self

"""JWT authentication: which tokens make a Principal, which are refused and with what message.

Keys are generated per test in tmp_path; the algorithm is pinned by Settings, never by the token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from pydantic import ValidationError

from api.auth import AuthError, Principal, Role, TokenVerifier, bearer_token, mint_token
from api.settings import DEV_SECRET, Settings
from tests import factories
from tests.graphql_client import GraphQLResult

MEMBER_ID = str(uuid.uuid4())
OTHER_SECRET = "another-secret-that-is-long-enough-0123456789"


# --- helpers -------------------------------------------------------------------------

def hs_settings() -> Settings:
    return Settings(loyalty_env="test", jwt_algorithm="HS256", jwt_secret=DEV_SECRET)


def claims(settings: Settings, **overrides: Any) -> dict[str, Any]:
    """Valid claims for member MEMBER_ID; an override of None drops that claim."""
    now = int(time.time())
    base = {"sub": MEMBER_ID, "role": "member", "iss": settings.jwt_issuer, "aud": settings.jwt_audience,
            "iat": now, "nbf": now, "exp": now + 600}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def hs256(settings: Settings, secret: str | None = None, **overrides: Any) -> str:
    return jwt.encode(claims(settings, **overrides), secret or settings.jwt_secret, algorithm="HS256")


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def hand_made(header: dict, body: dict, sign: Callable[[bytes], bytes] = lambda _: b"") -> str:
    """A token built byte by byte, for what PyJWT itself refuses to produce."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(body).encode())}"
    return f"{signing_input}.{b64(sign(signing_input.encode()))}"


def tampered(token: str, **changes: Any) -> str:
    header, payload, signature = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=="))
    return ".".join([header, b64(json.dumps({**body, **changes}).encode()), signature])


def rejection(settings: Settings, token: str) -> str:
    with pytest.raises(AuthError) as refused:
        TokenVerifier(settings).verify(token)
    return str(refused.value)


def pem_files(tmp_path: Path, key: Any, name: str) -> tuple[Path, Path]:
    private, public = tmp_path / f"{name}.key", tmp_path / f"{name}.pub"
    private.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    return private, public


@pytest.fixture
def rs256(tmp_path: Path) -> Settings:
    private, public = pem_files(tmp_path, rsa.generate_private_key(public_exponent=65537, key_size=2048), "rs")
    return Settings(loyalty_env="test", jwt_algorithm="RS256", jwt_public_key_file=public,
                    jwt_private_key_file=private)


@pytest.fixture
def es256_keys(tmp_path: Path) -> tuple[Settings, dict[str, ec.EllipticCurvePrivateKey]]:
    """A JWKS of two ES256 keys (a rotation in progress), named k1 and k2."""
    keys = {kid: ec.generate_private_key(ec.SECP256R1()) for kid in ("k1", "k2")}
    jwks = {"keys": [{**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(k.public_key())), "kid": kid, "use": "sig"}
                     for kid, k in keys.items()]}
    (tmp_path / "jwks.json").write_text(json.dumps(jwks))
    return Settings(loyalty_env="test", jwt_algorithm="ES256", jwt_jwks_file=tmp_path / "jwks.json"), keys


def es256(settings: Settings, key: ec.EllipticCurvePrivateKey, kid: str) -> str:
    return jwt.encode(claims(settings), key, algorithm="ES256", headers={"kid": kid})


# --- accepted tokens ---------------------------------------------------------------------

@pytest.mark.parametrize("role, subject", [(Role.MEMBER, MEMBER_ID), (Role.INTEGRATION, "pos-7"), (Role.ADMIN, "ops")])
def test_hs256_minted_token_verifies_to_its_principal(role, subject):
    # given a token minted with the configured HS256 secret
    settings = hs_settings()
    token = mint_token(settings, role, subject)
    # when it is verified
    principal = TokenVerifier(settings).verify(token)
    # then it names the same role and subject
    assert principal == Principal(role, subject)


def test_mint_token_sets_issuer_audience_and_lifetime():
    settings = hs_settings()
    token = mint_token(settings, Role.MARKETER, "m-1", ttl_seconds=120, now=1_700_000_000)
    body = jwt.decode(token, settings.jwt_secret, algorithms=["HS256"], options={"verify_exp": False},
                      audience=settings.jwt_audience)
    assert (body["iss"], body["aud"], body["sub"], body["role"]) == ("loyalty-dev", "loyalty-api", "m-1", "marketer")
    assert (body["iat"], body["nbf"], body["exp"]) == (1_700_000_000, 1_700_000_000, 1_700_000_120)


def test_mint_token_refuses_rs256_without_a_private_key(rs256):
    settings = rs256.model_copy(update={"jwt_private_key_file": None})
    with pytest.raises(AuthError, match="JWT_PRIVATE_KEY_FILE"):
        mint_token(settings, Role.ADMIN, "ops")


def test_rs256_token_verifies_with_the_pem_public_key(rs256):
    # given RS256 configured with a PEM public key and a token signed by its private key
    token = mint_token(rs256, Role.MEMBER, MEMBER_ID)
    # when verified, then the member is known
    assert TokenVerifier(rs256).verify(token) == Principal(Role.MEMBER, MEMBER_ID)
    assert jwt.get_unverified_header(token)["alg"] == "RS256"


def test_es256_tokens_verify_against_the_jwks_key_named_by_kid(es256_keys):
    # given a JWKS holding k1 and k2
    settings, keys = es256_keys
    verifier = TokenVerifier(settings)
    # when tokens signed by either key name it in `kid`, then both verify
    for kid, key in keys.items():
        assert verifier.verify(es256(settings, key, kid)) == Principal(Role.MEMBER, MEMBER_ID)


def test_not_before_within_the_leeway_is_accepted():
    # given a token valid from 10 s from now, with 30 s of leeway for clock skew
    settings = hs_settings()
    soon = int(time.time()) + 10
    token = hs256(settings, nbf=soon)
    # then it already verifies
    assert TokenVerifier(settings).verify(token).member_id == MEMBER_ID


# --- refused tokens ----------------------------------------------------------------------

REFUSED: list[tuple[str, Callable[[Settings], str], str]] = [
    ("expired", lambda s: hs256(s, iat=int(time.time()) - 7200, nbf=int(time.time()) - 7200,
                                exp=int(time.time()) - 3600), "token expired"),
    ("not-yet-valid", lambda s: hs256(s, nbf=int(time.time()) + 600), "token not yet valid"),
    ("wrong-audience", lambda s: hs256(s, aud="someone-else"), "token is for another audience"),
    ("wrong-issuer", lambda s: hs256(s, iss="evil-idp"), "token from an unknown issuer"),
    ("missing-exp", lambda s: hs256(s, exp=None), "token lacks the 'exp' claim"),
    ("missing-sub", lambda s: hs256(s, sub=None), "token lacks the 'sub' claim"),
    ("missing-role", lambda s: hs256(s, role=None), "token lacks the 'role' claim"),
    ("unknown-role", lambda s: hs256(s, role="superuser"), "unknown role 'superuser'"),
    ("member-sub-not-uuid", lambda s: hs256(s, sub="42"), "a member token's sub must be a member id"),
    ("tampered-payload", lambda s: tampered(hs256(s), role="admin"), "invalid token signature or format"),
    ("alg-none", lambda s: hand_made({"alg": "none", "typ": "JWT"}, claims(s, role="admin")),
     "invalid token signature or format"),
    ("other-secret", lambda s: hs256(s, secret=OTHER_SECRET), "invalid token signature or format"),
    ("garbage", lambda s: "not-a.jwt", "invalid token signature or format"),
]


@pytest.mark.parametrize("build, message", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_refused_hs256_token_says_why(build, message):
    # given HS256 configured and a token that is wrong in one way
    settings = hs_settings()
    token = build(settings)
    # when it is verified, then it is refused with a message naming the problem
    assert rejection(settings, token) == message


def test_hs256_token_keyed_with_the_rs256_public_key_is_refused(rs256):
    # given RS256 configured, and an attacker who HMACs a token with the public key PEM
    public_pem = rs256.jwt_public_key_file.read_bytes()
    forged = hand_made({"alg": "HS256", "typ": "JWT"}, claims(rs256, role="admin", sub="attacker"),
                       lambda data: hmac.new(public_pem, data, hashlib.sha256).digest())
    # when verified, then the header's alg is ignored and the token refused
    assert rejection(rs256, forged) == "invalid token signature or format"
    # and so is a token signed with the (unused) HS256 dev secret
    assert rejection(rs256, hs256(rs256)) == "invalid token signature or format"


def test_jwks_refuses_an_unknown_kid_and_a_key_posing_under_another_kid(es256_keys):
    settings, keys = es256_keys
    stranger = ec.generate_private_key(ec.SECP256R1())
    assert rejection(settings, es256(settings, stranger, "k3")) == "token signed with an unknown key id"
    assert rejection(settings, es256(settings, keys["k2"], "k1")) == "invalid token signature or format"


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer    ", "eyJhbGciOi.x.y", "Token abc"])
def test_malformed_authorization_header_is_refused(header):
    with pytest.raises(AuthError, match="Authorization header must be 'Bearer <token>'"):
        bearer_token(header)


@pytest.mark.parametrize("header, token", [(None, None), ("", None), ("Bearer abc.def", "abc.def"),
                                           ("bearer  abc.def ", "abc.def")])
def test_bearer_token_reads_the_token_or_nothing(header, token):
    assert bearer_token(header) == token


# --- settings ----------------------------------------------------------------------------

def test_production_refuses_the_dev_secret(monkeypatch):
    # given LOYALTY_ENV=production and no secret of its own
    monkeypatch.setenv("LOYALTY_ENV", "production")
    for name in ("JWT_SECRET", "JWT_ALGORITHM", "JWT_PUBLIC_KEY_FILE", "JWT_JWKS_FILE"):
        monkeypatch.delenv(name, raising=False)
    # when settings load, then start-up fails naming what is missing
    with pytest.raises(ValidationError, match="LOYALTY_ENV=production needs JWT_SECRET"):
        Settings()
    # and a real secret is enough
    monkeypatch.setenv("JWT_SECRET", OTHER_SECRET)
    assert Settings().production


@pytest.mark.parametrize("secret", ["x", "", "   ", f"{DEV_SECRET} ", f" {DEV_SECRET}", "s" * 31, f"{'s' * 31}   "],
                         ids=["one-byte", "empty", "blank", "dev-plus-space", "space-plus-dev", "31-bytes",
                              "31-bytes-padded"])
def test_production_refuses_a_guessable_or_short_jwt_secret(monkeypatch, secret):
    # given a production deployment whose HS256 secret is short, blank or the dev one in disguise
    monkeypatch.setenv("LOYALTY_ENV", "production")
    monkeypatch.setenv("JWT_SECRET", secret)
    for name in ("JWT_ALGORITHM", "JWT_PUBLIC_KEY_FILE", "JWT_JWKS_FILE"):
        monkeypatch.delenv(name, raising=False)
    # when settings load, then start-up fails naming JWT_SECRET
    with pytest.raises(ValidationError, match="LOYALTY_ENV=production needs JWT_SECRET"):
        Settings()


def test_production_accepts_a_secret_of_32_bytes(monkeypatch):
    monkeypatch.setenv("LOYALTY_ENV", "production")
    monkeypatch.setenv("JWT_SECRET", "k" * 32)
    assert Settings().production


# --- lifetime ------------------------------------------------------------------------------

DAY, WORKDAY = 24 * 3600, 8 * 3600


def lived(seconds: int, role: str = "member", sub: str = MEMBER_ID) -> Callable[[Settings], str]:
    """A token issued a minute ago that lives `seconds` from its iat."""
    def build(settings: Settings) -> str:
        issued = int(time.time()) - 60
        return hs256(settings, role=role, sub=sub, iat=issued, nbf=issued, exp=issued + seconds)
    return build


@pytest.mark.parametrize("role, sub, longest", [("member", MEMBER_ID, DAY), ("integration", "pos-7", DAY),
                                                ("marketer", "m-1", WORKDAY), ("admin", "ops", WORKDAY)])
def test_a_token_may_live_as_long_as_its_role_allows_and_no_longer(role, sub, longest):
    # given the default limits: a day for members and integrations, a working day for staff
    settings = hs_settings()
    # then a token of exactly that lifetime verifies
    assert TokenVerifier(settings).verify(lived(longest, role, sub)(settings)).role == Role(role)
    # and one a second longer is refused, saying by how much
    assert rejection(settings, lived(longest + 1, role, sub)(settings)) == (
        f"token lifetime (exp - iat) of {longest + 1} s is longer than the {longest} s allowed for {role} tokens")


def test_the_lifetime_limits_come_from_the_settings():
    settings = hs_settings().model_copy(update={"jwt_max_token_lifetime_seconds": 3600})
    assert rejection(settings, lived(3601)(settings)).startswith("token lifetime (exp - iat) of 3601 s")
    assert TokenVerifier(settings).verify(lived(3600)(settings)).member_id == MEMBER_ID


def test_mint_token_refuses_a_lifetime_the_api_would_refuse():
    settings = hs_settings()
    with pytest.raises(AuthError, match="JWT_MAX_STAFF_TOKEN_LIFETIME_SECONDS"):
        mint_token(settings, Role.ADMIN, "ops", ttl_seconds=WORKDAY + 1)
    assert TokenVerifier(settings).verify(mint_token(settings, Role.MEMBER, MEMBER_ID, ttl_seconds=DAY))


# --- over HTTP -----------------------------------------------------------------------------

ME = "{ me { id displayName } }"


def assert_unauthenticated(result: GraphQLResult, message: str) -> None:
    assert result.status == 200
    assert result.error_codes == ["UNAUTHENTICATED"], result.errors
    assert result.errors[0]["message"] == message
    assert not any((result.body.get("data") or {}).values()), "no field may carry data"


async def post(gql, authorization: str | None) -> GraphQLResult:
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = await gql.http.post("/graphql", json={"query": ME}, headers=headers)
    return GraphQLResult(response.status_code, response.json())


@pytest.fixture
async def enrolled(program):
    return await factories.member(program)


async def test_a_fresh_token_reads_me_over_http(gql, enrolled):
    result = await post(gql, f"Bearer {mint_token(gql.settings, Role.MEMBER, str(enrolled.id))}")
    assert result.data["me"]["id"] == str(enrolled.id)


@pytest.mark.parametrize("token, message", [
    (lambda s, m: mint_token(s, Role.MEMBER, m, ttl_seconds=60, now=time.time() - 3600), "token expired"),
    (lambda s, m: jwt.encode(claims(s, sub=m), OTHER_SECRET, algorithm="HS256"), "invalid token signature or format"),
    (lambda s, m: lived(365 * DAY, sub=m)(s),
     f"token lifetime (exp - iat) of {365 * DAY} s is longer than the {DAY} s allowed for member tokens"),
    (lambda s, m: hs256(s, sub=m, iat=None), "token lacks the 'iat' claim"),
    (lambda s, m: hs256(s, sub=m, exp=None), "token lacks the 'exp' claim"),
], ids=["expired", "forged", "lives-a-year", "no-iat", "no-exp"])
async def test_bad_token_over_http_is_unauthenticated_with_no_data(gql, enrolled, token, message):
    # given an enrolled member, and a token for them that is expired or forged
    bad = token(gql.settings, str(enrolled.id))
    # when it asks for `me`
    result = await post(gql, f"Bearer {bad}")
    # then it gets an UNAUTHENTICATED error saying why, and no data
    assert_unauthenticated(result, message)


async def test_no_token_on_me_is_unauthenticated(gql, enrolled):
    result = await post(gql, None)
    assert_unauthenticated(result, "sign in: send 'Authorization: Bearer <token>'")


async def test_malformed_header_over_http_is_unauthenticated(gql, enrolled):
    result = await post(gql, f"Token {mint_token(gql.settings, Role.MEMBER, str(enrolled.id))}")
    assert_unauthenticated(result, "Authorization header must be 'Bearer <token>'")


def test_settings_refuse_a_key_file_that_does_not_exist(tmp_path):
    with pytest.raises(ValueError, match="JWT_PUBLIC_KEY_FILE"):
        Settings(jwt_algorithm="RS256", jwt_public_key_file=tmp_path / "missing.pem")


def test_minted_tokens_carry_the_configured_key_id_so_a_jwks_finds_the_key():
    settings = Settings(jwt_key_id="k7")
    assert jwt.get_unverified_header(mint_token(settings, Role.ADMIN, "ops"))["kid"] == "k7"

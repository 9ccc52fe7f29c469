"""The `loyalty` command as a developer uses it."""

from __future__ import annotations

import uuid

import pytest

from api.auth import Role, TokenVerifier
from api.cli import main
from api.settings import Settings


def test_token_command_mints_a_member_token_the_api_accepts(capsys):
    member_id = str(uuid.uuid4())
    main(["token", "--role", "member", "--member", member_id])
    token = capsys.readouterr().out.strip()
    principal = TokenVerifier(Settings()).verify(token)
    assert (principal.role, principal.member_id) == (Role.MEMBER, member_id)


def test_token_command_for_integrations_names_the_client(capsys):
    main(["token", "--role", "integration", "--subject", "web-shop"])
    principal = TokenVerifier(Settings()).verify(capsys.readouterr().out.strip())
    assert (principal.role, principal.subject, principal.member_id) == (Role.INTEGRATION, "web-shop", None)


def test_member_token_without_member_id_is_refused():
    with pytest.raises(SystemExit, match="--member"):
        main(["token", "--role", "member"])


def test_unknown_role_is_refused(capsys):
    with pytest.raises(SystemExit):
        main(["token", "--role", "superuser"])
    assert "invalid choice" in capsys.readouterr().err


def test_token_command_refuses_a_lifetime_the_api_would_refuse():
    # given the API accepts member tokens of at most a day
    # when a developer asks for a week-long one, then the command says why instead of printing it
    with pytest.raises(SystemExit, match="at most 86400 s"):
        main(["token", "--role", "member", "--member", str(uuid.uuid4()), "--ttl", str(7 * 24 * 3600)])


def test_dev_tokens_fit_the_lifetime_limits_of_every_role(capsys):
    # given staff tokens limited to an hour
    from api.cli import _print_tokens
    settings = Settings(jwt_max_staff_token_lifetime_seconds=3600)
    # when `make run` prints its tokens, then each one verifies
    _print_tokens(settings, str(uuid.uuid4()))
    tokens = [line.split("Bearer ")[1].rstrip('"}') for line in capsys.readouterr().out.splitlines() if "Bearer" in line]
    assert len(tokens) == 4 and all(TokenVerifier(settings).verify(t) for t in tokens)

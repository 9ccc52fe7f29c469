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

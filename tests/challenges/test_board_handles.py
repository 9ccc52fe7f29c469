"""Board handles: opaque names of members on leaderboards, read back only by the server."""

from __future__ import annotations

import uuid

import pytest

from challenges.board_handles import handle_for, read_handle

KEY = bytes(range(64))
MEMBER = str(uuid.uuid4())


def test_a_handle_reads_back_to_its_member_and_the_name_it_was_made_for():
    # given the handle of a member shown as "Bean Queen"
    handle = handle_for(KEY, 1, MEMBER, "Bean Queen")
    # when the server reads it, then it names the member, for that name only
    read = read_handle(KEY, 1, handle)
    assert read is not None and read.member_id == MEMBER
    assert read.shows("Bean Queen") and not read.shows("Latte Lord")
    # and the handle itself shows neither the id nor the name
    assert MEMBER not in handle and MEMBER.replace("-", "") not in handle.lower() and "Bean" not in handle


def test_a_handle_is_stable_for_a_name_and_new_for_another():
    assert handle_for(KEY, 1, MEMBER, "Bean Queen") == handle_for(KEY, 1, MEMBER, "Bean Queen")
    assert handle_for(KEY, 1, MEMBER, "Bean Queen") != handle_for(KEY, 1, MEMBER, "Latte Lord")
    assert handle_for(KEY, 1, MEMBER, "Bean Queen") != handle_for(KEY, 1, str(uuid.uuid4()), "Bean Queen")


@pytest.mark.parametrize("handle", [
    "", "42", "!!!", MEMBER,
    handle_for(bytes(64), 1, MEMBER, "x"),  # another server's key
    handle_for(KEY, 2, MEMBER, "x"),  # another program
    handle_for(KEY, 1, MEMBER, "x")[:-2] + "AA",  # tampered
], ids=["empty", "number", "not-base64", "member-id", "other-key", "other-program", "tampered"])
def test_anything_this_server_did_not_make_for_this_program_reads_as_nothing(handle):
    assert read_handle(KEY, 1, handle) is None

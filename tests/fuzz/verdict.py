"""The rule every fuzzed response must keep, in both modes."""

from __future__ import annotations

import json

MASKED = "Unexpected error."  # what production shows for an exception nobody explained


def unexplained(status: int, body: bytes) -> str | None:
    """What is wrong with a response, or None. Every answer, however bad the request, is
    below 500, is JSON, and each of its errors says what it is (`extensions.code`): a bug's
    masked "Unexpected error." or an error without a code leaves the client guessing."""
    if status >= 500:
        return f"status {status}"
    try:
        payload = json.loads(body)
    except ValueError:
        return f"status {status} with a body that is not JSON"
    if not isinstance(payload, dict):
        return f"status {status} with a JSON body that is not an object"
    errors = payload.get("errors") or []
    if status >= 400 and not errors:
        return f"status {status} without errors"
    for error in errors:
        if not isinstance(error, dict):
            return f"an error that is not an object: {error!r}"
        if error.get("message") == MASKED:
            return "masked error"
        code = (error.get("extensions") or {}).get("code")
        if not isinstance(code, str) or not code:
            return "error without extensions.code"
    return None

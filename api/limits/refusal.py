"""A refused HTTP request, answered the way GraphQL clients read errors.

Every refusal before GraphQL runs (body too large or too slow, JSON malformed or nested
too deep, an unsupported method) is a JSON body `{"errors": [{"message", "extensions":
{"code", ...}}]}` with an HTTP status, and names its code on the request's access line
(as `outcome`, in lower case), so clients and operators see the same word.
"""

from __future__ import annotations

import json

from cross_web import HTTPException
from starlette.responses import JSONResponse
from starlette.types import Send

from api.observability.metrics import count_refusal
from api.observability.request_id import current_request

# The codes of strawberry's own refusals, which carry a status and a reason only.
_CODE_OF_STATUS = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


class RequestRefused(HTTPException):
    """Raised inside the GraphQL view; strawberry lets an HTTPException through as is."""

    def __init__(self, status_code: int, message: str, code: str, **extensions: object) -> None:
        super().__init__(status_code, message)
        self.code = code
        self.extensions = extensions


def error_document(message: str, code: str, **extensions: object) -> dict[str, object]:
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


def note_outcome(code: str) -> None:
    count_refusal(code.lower())
    entry = current_request()
    if entry is not None:
        entry.fields["outcome"] = code.lower()


def refusal_response(error: HTTPException) -> JSONResponse:
    """The JSON answer to strawberry's HTTPException or our RequestRefused."""
    if isinstance(error, RequestRefused):
        code, extensions = error.code, error.extensions
    else:
        code, extensions = _CODE_OF_STATUS.get(error.status_code, "BAD_REQUEST"), {}
    note_outcome(code)
    return JSONResponse(error_document(error.reason, code, **extensions), status_code=error.status_code)


async def send_refusal(send: Send, status: int, message: str, code: str, **extensions: object) -> None:
    """For middleware that answers before the app reads the body: the connection closes
    after the answer, since the rest of the body may still be on its way."""
    note_outcome(code)
    body = json.dumps(error_document(message, code, **extensions)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})

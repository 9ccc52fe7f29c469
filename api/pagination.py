"""Relay connections over keyset pages (cursor = the last row's id, opaque to clients)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry
from graphql import GraphQLError

NodeT = TypeVar("NodeT")
RowT = TypeVar("RowT")
MAX_PAGE = 100


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    node: NodeT
    cursor: str


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo


def encode_cursor(kind: str, row_id: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{row_id}".encode()).decode()


def decode_cursor(kind: str, cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        prefix, _, raw = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if prefix != kind:
            raise ValueError(prefix)
        return int(raw)
    except (ValueError, UnicodeDecodeError):
        raise bad_argument("after", "is not a cursor from this list") from None


def check_page_size(first: int) -> None:
    if not 1 <= first <= MAX_PAGE:
        raise bad_argument("first", f"must be between 1 and {MAX_PAGE}")


def bad_argument(name: str, message: str) -> GraphQLError:
    return GraphQLError(f"{name}: {message}", extensions={"code": "BAD_USER_INPUT", "field": name})


def connection(
    kind: str, rows: Sequence[RowT], first: int, after: int | None,
    to_node: Callable[[RowT], NodeT], row_id: Callable[[RowT], int],
) -> Connection[NodeT]:
    """`rows` holds up to first + 1 rows: the extra one only says another page exists."""
    page = rows[:first]
    edges = [Edge(node=to_node(r), cursor=encode_cursor(kind, row_id(r))) for r in page]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > first,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )

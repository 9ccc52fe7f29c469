"""JSON from clients, decoded with a limit on nesting.

A 2 KB body of `[[[[...]]]]` a thousand deep makes `json.loads` raise RecursionError (a
500 before anything else runs), and a few hundred levels that do decode would make every
later step that walks the value (graphql-core's coercion of variables, our JSON scalars)
recurse as deep. No GraphQL request needs more than a few levels: anything deeper than
MAX_JSON_DEPTH is refused whole, before GraphQL sees it.

The C decoder stays the parser (fast); the depth is checked after decoding, one level
at a time, so the check itself never recurses. Its cost is one step per container and
item, bounded by the body limit.
"""

from __future__ import annotations

import json


class JsonTooDeep(json.JSONDecodeError):
    """A JSONDecodeError, so that code expecting only those (strawberry's websocket
    handlers close with 4400 on them) refuses a too-deep message like a malformed one."""

    def __init__(self, max_depth: int) -> None:
        super().__init__(f"JSON nested deeper than {max_depth} levels", "", 0)
        self.max_depth = max_depth


def deeper_than(value: object, max_depth: int) -> bool:
    """Whether objects and arrays nest more than max_depth levels (the outermost is 1).
    Level by level, without recursion: about 3 us for a typical request, 10 ms for the
    worst 256 KB body (tens of thousands of tiny arrays)."""
    level = [value] if isinstance(value, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            return True
        below: list[object] = []
        for container in level:
            for item in container.values() if isinstance(container, dict) else container:  # type: ignore[union-attr]
                if isinstance(item, (dict, list)):
                    below.append(item)
        level = below
    return False


def decode(data: str | bytes, max_depth: int) -> object:
    """json.loads, raising JSONDecodeError for anything that is not JSON of at most
    max_depth levels (JsonTooDeep for the too deep). Other ValueErrors of the decoder
    (bytes that are not UTF-8, an integer of more than 4300 digits) are malformed JSON too."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise JsonTooDeep(max_depth) from None
    except json.JSONDecodeError:
        raise
    except ValueError as error:  # UnicodeDecodeError is one
        raise json.JSONDecodeError(_short(error), "", 0) from None
    if deeper_than(value, max_depth):
        raise JsonTooDeep(max_depth)
    return value


def _short(error: ValueError) -> str:
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8"
    return str(error).split(":")[0]  # "Exceeds the limit (4300 digits) for integer string conversion"

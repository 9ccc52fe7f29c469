"""The shape of a GraphQL document as it would run: depth, aliases, fragment spreads and
repeated fields, measured in time linear in the document's size.

Pure: a document and the limits in, a refusal (a GraphQLError with a code) or None out.

Why our own and not strawberry's QueryDepthLimiter and MaxAliasesLimiter: those walk a
fragment again at every spread, so fragments that each spread the next one twice cost
2^levels steps (22 levels, 871 bytes: 9 s of a worker's CPU, and validation is
synchronous: no asyncio timeout stops it). Here each fragment is measured once and its
numbers reused at every spread; every count stops at its limit, so a hostile document
costs no more than a well-formed one of the same size.

What is counted, as executed (a fragment's content counts at every spread of it):
- depth: nested selection sets under fields (`{ me { id } }` is 1), as strawberry counts
  it; introspection fields (`__schema`, `__type`) do not deepen;
- aliases: every aliased field, in every operation of the document;
- fragment spreads: every `...Name`, times the spreads leading to it. The same document
  with spreads expanded is what any walk over it (strawberry's `selected_fields`, a
  resolver's look-ahead) has to go through;
- repeated fields: how many fields share one response name in one selection set, with
  the fields that inline and named fragments bring in. graphql-core's
  OverlappingFieldsCanBeMergedRule compares them pairwise: 330 `tiers { name }` in one
  selection set, within the token limit, took 0.7 s to validate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)


@dataclass(frozen=True)
class ShapeLimits:
    max_depth: int
    max_aliases: int
    max_fragment_spreads: int
    max_repeated_fields: int


@dataclass
class _Shape:
    """A selection set's (or a fragment's) numbers, each at most its limit."""

    depth: int = 0
    aliases: int = 0
    spreads: int = 0
    # Response name -> fields under it, in the merged selection set (fragments included).
    names: dict[str, int] = field(default_factory=dict)


class _Refused(Exception):
    def __init__(self, error: GraphQLError) -> None:
        self.error = error


def shape_refusal(document: DocumentNode, limits: ShapeLimits) -> GraphQLError | None:
    """The first limit the document passes, as the error a client gets; else None."""
    try:
        _Walker(document, limits).walk()
    except _Refused as refused:
        return refused.error
    except RecursionError:
        # The parser already refuses documents nested that deeply; a net, not a path.
        return _too_deep(limits, "the document")
    return None


def _too_deep(limits: ShapeLimits, where: str) -> GraphQLError:
    return GraphQLError(
        f"{where} nests selections deeper than the {limits.max_depth} levels allowed",
        extensions={"code": "QUERY_TOO_DEEP", "maxDepth": limits.max_depth},
    )


class _Walker:
    def __init__(self, document: DocumentNode, limits: ShapeLimits) -> None:
        self.limits = limits
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        self._measured: dict[str, _Shape] = {}
        # Fragments being measured, outermost first: a cycle is skipped (validation names
        # it), and a chain longer than the spread limit is refused before it recurses on.
        self._open: list[str] = []
        self._aliases = 0  # over the whole document, as strawberry's limiter counted them

    def walk(self) -> None:
        for operation in self.operations:
            where = f"operation '{operation.name.value}'" if operation.name else "the operation"
            shape = self._selection_set(operation.selection_set, where)
            self._aliases = min(self._aliases + shape.aliases, self.limits.max_aliases + 1)
            self._check_aliases(where)

    def _selection_set(self, selection_set: SelectionSetNode, where: str) -> _Shape:
        shape = _Shape()
        spread_here: set[str] = set()
        self._collect(selection_set, shape, spread_here, where)
        self._check_repeats(shape, where)
        return shape

    def _collect(self, selection_set: SelectionSetNode, shape: _Shape, spread_here: set[str], where: str) -> None:
        """Adds the selections to `shape`; an inline fragment's fields join the same set."""
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self._field(selection, shape, where)
            elif isinstance(selection, InlineFragmentNode):
                self._collect(selection.selection_set, shape, spread_here, where)
            elif isinstance(selection, FragmentSpreadNode):
                self._spread(selection.name.value, shape, spread_here, where)

    def _field(self, node: FieldNode, shape: _Shape, where: str) -> None:
        name = node.alias.value if node.alias else node.name.value
        shape.names[name] = shape.names.get(name, 0) + 1
        if node.alias:
            shape.aliases += 1
        if node.selection_set is not None:
            inner = self._selection_set(node.selection_set, f"{where}, field '{name}'")
            if not node.name.value.startswith("__"):
                shape.depth = max(shape.depth, 1 + inner.depth)
            shape.aliases += inner.aliases
            shape.spreads += inner.spreads
        self._check_numbers(shape, f"{where}, field '{name}'")

    def _spread(self, name: str, shape: _Shape, spread_here: set[str], where: str) -> None:
        shape.spreads += 1
        if name in self.fragments and name not in self._open:
            inner = self._fragment(name)
            shape.depth = max(shape.depth, inner.depth)
            shape.aliases += inner.aliases
            shape.spreads += inner.spreads
            # Spread twice in one set, a fragment's fields still run (and merge) once.
            if name not in spread_here:
                spread_here.add(name)
                for response_name, count in inner.names.items():
                    shape.names[response_name] = shape.names.get(response_name, 0) + count
        self._check_numbers(shape, f"{where}, spread '...{name}'")

    def _fragment(self, name: str) -> _Shape:
        if name not in self._measured:
            self._open.append(name)
            if len(self._open) > self.limits.max_fragment_spreads:
                raise self._too_many_spreads(f"fragment '{name}'")
            try:
                self._measured[name] = self._selection_set(self.fragments[name].selection_set, f"fragment '{name}'")
            finally:
                self._open.pop()
        return self._measured[name]

    def _check_numbers(self, shape: _Shape, where: str) -> None:
        if shape.depth > self.limits.max_depth:
            raise _Refused(_too_deep(self.limits, where))
        if shape.spreads > self.limits.max_fragment_spreads:
            raise self._too_many_spreads(where)
        self._check_aliases(where, shape.aliases)

    def _check_aliases(self, where: str, more: int = 0) -> None:
        if self._aliases + more > self.limits.max_aliases:
            raise _Refused(GraphQLError(
                f"more than the {self.limits.max_aliases} aliases allowed in one document ({where}; "
                "fields of a fragment count at each spread)",
                extensions={"code": "TOO_MANY_ALIASES", "maxAliases": self.limits.max_aliases},
            ))

    def _too_many_spreads(self, where: str) -> _Refused:
        return _Refused(GraphQLError(
            f"more than the {self.limits.max_fragment_spreads} fragment spreads allowed ({where}; "
            "a spread inside a fragment counts at each spread of that fragment)",
            extensions={"code": "TOO_MANY_FRAGMENT_SPREADS", "maxFragmentSpreads": self.limits.max_fragment_spreads},
        ))

    def _check_repeats(self, shape: _Shape, where: str) -> None:
        for name, count in shape.names.items():
            if count > self.limits.max_repeated_fields:
                raise _Refused(GraphQLError(
                    f"'{name}' is selected {count} times in one selection set ({where}), more than "
                    f"the {self.limits.max_repeated_fields} allowed (fields of fragments included)",
                    extensions={"code": "TOO_MANY_REPEATED_FIELDS", "field": name,
                                "maxRepeatedFields": self.limits.max_repeated_fields},
                ))

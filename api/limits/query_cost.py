"""What a GraphQL operation costs, computed from the validated document before it runs.

Pure: the schema, the document and the variables in, a number out; no I/O.

- every selected field costs 1 (`__typename` is free: it resolves without work);
- a connection field (one that takes `first`) multiplies the cost of its list children
  (`edges`, a leaderboard's rows) by its page size: `first` as sent, else the resolver's
  default, capped at the largest page a list serves (api/pagination.MAX_PAGE); its
  single children (`pageInfo`) count once;
- a field taking a list argument (a batch of purchases) costs 1 more per item sent, and
  its list children are as long as the batch;
- fragments spread on different concrete types of a union or interface never run
  together: only the dearest branch counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.language import DocumentNode
from graphql.type import (
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    SchemaMetaFieldDef,
    TypeMetaFieldDef,
    get_named_type,
    get_nullable_type,
    is_list_type,
)

from api.pagination import MAX_PAGE

PAGE_ARGUMENT = "first"


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
    max_page: int = MAX_PAGE,
) -> int:
    """The cost of the operation that `operation_name` picks (or the only one)."""
    operation = _operation(document, operation_name)
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    coerced = get_variable_values(schema, operation.variable_definitions or (), dict(variables or {}))
    # Variables that do not fit fail the execution itself; meanwhile pages are unknown.
    walker = _CostWalker(schema, document, None if isinstance(coerced, list) else coerced, max_page)
    return walker.selection_cost(operation.selection_set, root)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            name is None or (definition.name is not None and definition.name.value == name)
        ):
            return definition
    raise GraphQLError(f"Unknown operation named '{name}'.")


class _CostWalker:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: VariableValues | None,
                 max_page: int) -> None:
        self.schema = schema
        self.document = document
        self.variables = variables
        self.max_page = max_page
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        # A fragment's cost on a type never changes: remembering it keeps fragments that
        # spread each other many times from costing exponential time to price.
        self._fragment_costs: dict[tuple[str, str, int], int] = {}

    def selection_cost(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType,
                       seen: frozenset[str] = frozenset(), page: int = 1) -> int:
        """`page`: the page size of the connection this selection set belongs to."""
        if selection_set is None:
            return 0
        common = 0
        by_type: dict[str, int] = {}
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                common += self.field_cost(selection, parent, seen, page)
                continue
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:  # validation rejects both; stay safe
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value) or parent
                cost = self._fragment_cost(name, fragment, target, seen, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = (self.schema.get_type(condition.name.value) if condition else None) or parent
                cost = self.selection_cost(selection.selection_set, target, seen, page)
            else:
                continue
            if target is parent:
                common += cost
            else:
                by_type[target.name] = by_type.get(target.name, 0) + cost
        return common + max(by_type.values(), default=0)

    def _fragment_cost(self, name: str, fragment: FragmentDefinitionNode, target: GraphQLNamedType,
                       seen: frozenset[str], page: int) -> int:
        key = (name, target.name, page)
        if key not in self._fragment_costs:
            self._fragment_costs[key] = self.selection_cost(fragment.selection_set, target, seen | {name}, page)
        return self._fragment_costs[key]

    def field_cost(self, node: FieldNode, parent: GraphQLNamedType, seen: frozenset[str], page: int = 1) -> int:
        """The field and its subtree; times `page` when it is a list of its connection's rows."""
        name = node.name.value
        if name == "__typename":
            return 0
        definition = self._field_definition(parent, name)
        if definition is None:
            return 1
        page_of_children, items = self._page_size(definition, node)
        inner = self.selection_cost(node.selection_set, get_named_type(definition.type), seen, page_of_children)
        rows = page if is_list_type(get_nullable_type(definition.type)) else 1
        return rows * (1 + items + inner)

    def _field_definition(self, parent: GraphQLNamedType, name: str) -> GraphQLField | None:
        if name == "__schema":
            return SchemaMetaFieldDef
        if name == "__type":
            return TypeMetaFieldDef
        if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
            return parent.fields.get(name)
        return None

    def _page_size(self, definition: GraphQLField, node: FieldNode) -> tuple[int, int]:
        """How many rows the field's list children hold, and how many items it was sent."""
        batched = [name for name, arg in definition.args.items() if is_list_type(get_nullable_type(arg.type))]
        if PAGE_ARGUMENT not in definition.args and not batched:
            return 1, 0
        try:
            arguments = get_argument_values(definition, node, self.variables)
        except GraphQLError:
            arguments = {}
        if PAGE_ARGUMENT in definition.args:
            first = arguments.get(PAGE_ARGUMENT)
            if not isinstance(first, int):
                return self.max_page, 0  # unknown size: assume the largest page
            return max(1, min(first, self.max_page)), 0
        # Sent, parsed and bounded by the body and token limits already: priced in full.
        items = max((len(v) for name in batched if isinstance(v := arguments.get(name), list)), default=0)
        return max(1, items), items

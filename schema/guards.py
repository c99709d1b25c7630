"""The schema's guards (its one extension) and validation rules: query limits, cost,
scopes, error codes. `schema.root` builds them into the Schema; the view parses
through the same cache (`parse_cached`).

The depth and alias rules are built once at import, so strawberry's `ValidationCache`
(keyed by the rule classes) hits for repeated documents; a limiter built per
request would create new rule classes every time and defeat it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    value_from_ast_untyped,
)
from graphql.language.parser import parse
from graphql.validation import ASTValidationRule, specified_rules
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import (
    create_validator as create_alias_validator,
)
from strawberry.extensions.query_depth_limiter import (
    create_validator as create_depth_validator,
)
from strawberry.schema.schema import validate_document
from strawberry.types.graphql import OperationType

from schema.base import InvalidArgument
from services.errors import AuthError, RateLimited, ServiceError

TOO_COMPLEX = "QUERY_TOO_COMPLEX"
# The whole message of each limit error (never a substring: messages of coercion
# errors quote the client's values).
LIMIT_ERROR = re.compile(
    r"'\w+' exceeds maximum operation depth of \d+"
    r"|\d+ aliases found\. Allowed: \d+"
    r"|Maximum introspection depth exceeded"
    r"|Syntax Error: Document contains more than \d+ tokens\. Parsing aborted\."
    r"|Syntax Error: Document is nested too deeply\. Parsing aborted\."
)


def build_rules(
    *, max_depth: int, max_aliases: int
) -> tuple[type[ASTValidationRule], ...]:
    """The validation rules with the limiters, built once per process."""
    return (
        *specified_rules,
        create_depth_validator(max_depth, None, None),
        create_alias_validator(max_aliases),
    )


parse_cached = lru_cache(maxsize=512)(parse)
validate_cached = lru_cache(maxsize=512)(validate_document)


def _selection_cost(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    seen: frozenset[str],
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue
            multiplier = 1
            for argument in selection.arguments or ():
                if argument.name.value in ("first", "last"):
                    multiplier = max(1, _int_value(argument.value, variables))
            children = _selection_cost(
                selection.selection_set, fragments, variables, seen
            )
            total += 1 + multiplier * children
        elif isinstance(selection, InlineFragmentNode):
            total += _selection_cost(
                selection.selection_set, fragments, variables, seen
            )
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                total += _selection_cost(
                    fragment.selection_set, fragments, variables, seen | {name}
                )
    return total


def _int_value(node: ValueNode, variables: dict[str, Any]) -> int:
    value = (
        variables.get(node.name.value)
        if isinstance(node, VariableNode)
        else value_from_ast_untyped(node)
    )
    return value if isinstance(value, int) else 1


def operation_cost(
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
) -> int:
    """1 per field; a field with `first`/`last` multiplies the cost of its children."""
    return _selection_cost(operation.selection_set, fragments, variables, frozenset())


def error_code(error: GraphQLError) -> tuple[str | None, bool]:
    """The `extensions.code` for an error, and whether its message must be masked."""
    original = error.original_error
    if original is None:
        if error.extensions and "code" in error.extensions:
            return str(error.extensions["code"]), False
        if LIMIT_ERROR.fullmatch(error.message):
            return TOO_COMPLEX, False
        if isinstance(error, GraphQLSyntaxError):
            return "GRAPHQL_PARSE_FAILED", False
        return "GRAPHQL_VALIDATION_FAILED", False
    if isinstance(original, GraphQLError):
        return error_code(original)
    if isinstance(original, AuthError):
        return original.code, False
    if isinstance(original, ServiceError):
        return original.code, False
    if isinstance(original, InvalidArgument):
        return "VALIDATION_ERROR", False
    return "INTERNAL_ERROR", True


class Guards(SchemaExtension):
    """One extension for every per-request check, so each request pays for one:

    - parse through an LRU cache, bounded by a token limit;
    - validate through an LRU cache with the limiter rules built once;
    - then record the operation name, enforce the query cost limit and the scopes of
      API keys (a read-only key runs no mutation);
    - finally give every error an `extensions.code` and mask unexpected exceptions.
    """

    def __init__(
        self,
        *,
        rules: tuple[type[ASTValidationRule], ...],
        max_tokens: int,
        max_cost: int,
        on_unexpected: Callable[[GraphQLError], None],
    ) -> None:
        self.rules = rules
        self.max_tokens = max_tokens
        self.max_cost = max_cost
        self.on_unexpected = on_unexpected

    def on_parse(self) -> Iterator[None]:
        ec = self.execution_context
        ec.parse_options["max_tokens"] = self.max_tokens
        # On a parse error leave the document unset: strawberry then parses again,
        # inside its own try/except, and returns the error within on_operation.
        with contextlib.suppress(GraphQLError):
            ec.graphql_document = parse_cached(ec.query, max_tokens=self.max_tokens)
        yield

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        assert ec.graphql_document is not None
        ec.pre_execution_errors = validate_cached(
            ec.schema._schema, ec.graphql_document, self.rules
        )
        # before the yield: strawberry reads pre_execution_errors in the body of
        # its validation block, i.e. before the code after our yield runs
        if not ec.pre_execution_errors:
            self._check_operation()
        yield

    def _check_operation(self) -> None:
        ec = self.execution_context
        assert ec.graphql_document is not None
        operation: OperationDefinitionNode | None = None
        fragments: dict[str, FragmentDefinitionNode] = {}
        for definition in ec.graphql_document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                fragments[definition.name.value] = definition
            elif isinstance(definition, OperationDefinitionNode) and (
                ec.operation_name is None
                or (definition.name and definition.name.value == ec.operation_name)
            ):
                operation = definition
        if operation is None:
            return
        context = ec.context
        if operation.name is not None and hasattr(context, "operation_name"):
            context.operation_name = operation.name.value
        cost = operation_cost(operation, fragments, ec.variables or {})
        if cost > self.max_cost:
            ec.pre_execution_errors = [
                GraphQLError(
                    f"Query cost {cost} exceeds the limit of {self.max_cost}; "
                    "request fewer items with `first`",
                    extensions={
                        "code": TOO_COMPLEX,
                        "cost": cost,
                        "limit": self.max_cost,
                    },
                )
            ]
            return
        actor = getattr(context, "actor", None)
        if (
            actor is not None
            and ec.operation_type == OperationType.MUTATION
            and "write" not in actor.scopes
        ):
            ec.pre_execution_errors = [
                GraphQLError(
                    "This API key has no `write` scope",
                    extensions={"code": "FORBIDDEN"},
                )
            ]

    def on_operation(self) -> Iterator[None]:
        self._streamed = False
        yield
        if not self._streamed:
            self._format_result(self.execution_context.result)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """Subscription events reach the client one by one: format each."""
        self._streamed = True
        self._format_result(result)
        yield

    def _format_result(self, result: Any) -> None:
        errors = getattr(result, "errors", None) if result is not None else None
        if errors:
            result.errors = [self._format(e) for e in errors]

    def _format(self, error: GraphQLError) -> GraphQLError:
        code, mask = error_code(error)
        extensions = dict(error.extensions or {})
        extensions["code"] = code
        original = error.original_error
        if isinstance(original, RateLimited):
            extensions["retryAfter"] = original.retry_after
        if mask:
            self.on_unexpected(error)
            return GraphQLError(
                "Internal server error",
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions=extensions,
            )
        return GraphQLError(
            error.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=original,
            extensions=extensions,
        )

"""Anonymous `publicProfile` answers served whole from the profile cache: which
documents qualify (one root field, `publicProfile(username:)`, no directive) and the
key an answer is kept under (document, operation name, variables, the profile's id
and version, its organization's effective plan)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import orjson
from graphql import (
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    StringValueNode,
    VariableNode,
)
from graphql.language import OperationType as AstOperationType

from schema.guards import parse_cached
from services import profile_cache
from services.profiles import USERNAME_RE


@lru_cache(maxsize=256)
def _public_profile_shape(
    query: str, operation_name: str | None, max_tokens: int
) -> tuple[str, bool, str] | None:
    """For a query whose only root field is `publicProfile(username: ...)`, with no
    directive: (response name, whether `username` is a variable, its literal or
    variable name). None for every other document (they are never answer-cached)."""
    try:
        document = parse_cached(query, max_tokens=max_tokens)
    except GraphQLError:
        return None
    operations = [
        d for d in document.definitions if isinstance(d, OperationDefinitionNode)
    ]
    if len(operations) != 1:
        return None
    operation = operations[0]
    if (
        operation.operation != AstOperationType.QUERY
        or operation.directives
        or (operation_name is not None and operation.name is None)
        or (
            operation.name is not None
            and operation_name not in (None, operation.name.value)
        )
    ):
        return None
    [*selections] = operation.selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode):
        return None
    field = selections[0]
    if field.name.value != "publicProfile" or field.directives:
        return None
    arguments = field.arguments or ()
    if len(arguments) != 1 or arguments[0].name.value != "username":
        return None
    value = arguments[0].value
    response_name = field.alias.value if field.alias else field.name.value
    if isinstance(value, VariableNode):
        return response_name, True, value.name.value
    if isinstance(value, StringValueNode):
        return response_name, False, value.value
    return None


async def answer_key(
    params: dict[str, Any], max_tokens: int
) -> profile_cache.AnswerKey | None:
    """The key of an anonymous publicProfile answer in the profile cache: the
    document, operation name and variables, with the profile's id and version
    and its organization's effective plan, read now. None when the request is
    anything else, or names no profile."""
    if params.get("extensions"):
        return None
    query: str = params["query"]
    name = params.get("operationName") or None
    shape = _public_profile_shape(query, name, max_tokens)
    if shape is None:
        return None
    response_name, is_variable, literal = shape
    variables = params.get("variables") or {}
    username = variables.get(literal) if is_variable else literal
    if not isinstance(username, str):
        return None
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        return None
    try:
        encoded = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None
    try:
        found = await profile_cache.public_key(username)
    except Exception:  # the execution below reports it as a GraphQL error
        return None
    if found is None:
        return None
    return response_name, query, name, encoded, found

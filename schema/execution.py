"""A graphql-core executor with a fast path for the fields that need no resolver.

Most fields of a page are plain attributes: strawberry fields with no resolver, no
permission classes and no field extensions (`StrawberryField.is_basic_field`), whose
value is `getattr(source, python_name)` and whose type is a scalar, an enum or a
list of them. graphql-core resolves each through `execute_field`: a `Path`, a
`GraphQLResolveInfo` (strawberry's subclass), strawberry's basic-field wrapper, then
`complete_value` -> `complete_leaf_value` (lists: one item path and one call per
item). Here those fields are resolved inline in `execute_fields`: the attribute is
read and coerced with the type's `coerce_output_value`, nothing else. The relay `id`
of a `Node` whose `resolve_id` / `resolve_typename` are strawberry's own is computed
the same way (`GlobalID(parent type name, str(getattr(root, id_attr)))`, exactly
what `Node._id` returns).

Correctness first: whenever the fast path meets anything unusual (an exception, a
null in a non-null field, an awaitable, a value a scalar refuses, a field with
arguments or directives) it gives up on that field and graphql-core's own
`execute_field` resolves it from scratch, so errors, paths and messages are the
originals. Reading a plain attribute twice has no side effect. The fast path is off
when a schema extension hooks `resolve` (a field middleware): those must see every
field. Fields with a resolver, objects, interfaces and unions always take the
normal path (their children may still be fast).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
)
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path, Undefined, gather_with_cancel
from strawberry import relay
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

Plan = Callable[[Any], Any]


class _Refused(Exception):
    """The fast path cannot complete this value: use graphql-core's path."""


_REFUSED = _Refused()


def _leaf_completer(type_: GraphQLOutputType) -> Callable[[Any], Any] | None:
    """A function completing a value of `type_` (leaf, non-null leaf, list of
    leaves) exactly as graphql-core would, raising `_Refused` wherever graphql-core
    would raise or collect an error; None for other types."""
    if isinstance(type_, GraphQLNonNull):
        inner = _leaf_completer(type_.of_type)
        if inner is None:
            return None

        def non_null(value: Any) -> Any:
            completed = inner(value)
            if completed is None:
                raise _REFUSED
            return completed

        return non_null
    if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
        coerce = type_.coerce_output_value

        def leaf(value: Any) -> Any:
            if value is None or value is Undefined:
                return None
            if isinstance(value, Exception):
                raise _REFUSED
            coerced = coerce(value)
            if coerced is None or coerced is Undefined:
                raise _REFUSED
            return coerced

        return leaf
    if isinstance(type_, GraphQLList):
        item = _leaf_completer(type_.of_type)
        if item is None:
            return None

        def many(value: Any) -> Any:
            if value is None or value is Undefined:
                return None
            if not isinstance(value, list | tuple):
                raise _REFUSED  # generators, async iterables, ...: the normal path
            return [item(v) for v in value]

        return many
    return None


_NODE_ID = relay.Node._id.__func__


def _is_default_node_id(field: StrawberryField) -> bool:
    resolver = field.base_resolver
    return (
        resolver is not None
        and field.python_name == "_id"
        and getattr(resolver.wrapped_func, "__func__", None) is _NODE_ID
    )


def _plan(parent_type: GraphQLObjectType, field_def: GraphQLField) -> Plan | None:
    field = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(field, StrawberryField):
        return None
    complete = _leaf_completer(field_def.type)
    if complete is None:
        return None
    if (
        field.is_basic_field
        and getattr(field_def.resolve, "_is_default", False)
        and field.default_resolver is getattr
        and not field_def.args
    ):
        name = field.python_name

        def attribute(source: Any) -> Any:
            return complete(getattr(source, name))

        return attribute
    if _is_default_node_id(field):
        type_name = parent_type.name
        default_id = relay.Node.resolve_id.__func__  # type: ignore[attr-defined]
        default_typename = relay.Node.resolve_typename.__func__  # type: ignore[attr-defined]
        plain: dict[type, str | None] = {}

        def node_id(source: Any) -> Any:
            cls = type(source)
            attr = plain.get(cls, "")
            if attr == "":
                ok = (
                    isinstance(source, relay.Node)
                    and cls.resolve_id.__func__ is default_id
                    and cls.resolve_typename.__func__ is default_typename
                )
                attr = plain[cls] = cls.resolve_id_attr() if ok else None
            if attr is None:
                raise _REFUSED
            value = getattr(source, attr)
            if value is None:
                raise _REFUSED
            return complete(relay.GlobalID(type_name=type_name, node_id=str(value)))

        return node_id
    return None


# per object type: response field name -> its plan (None: the normal path)
_PLANS: WeakKeyDictionary[GraphQLObjectType, dict[str, Plan | None]] = (
    WeakKeyDictionary()
)


def _plans_of(parent_type: GraphQLObjectType) -> dict[str, Plan | None]:
    plans = _PLANS.get(parent_type)
    if plans is None:
        plans = _PLANS[parent_type] = {}
    return plans


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context with plain fields resolved inline."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        self._fast = manager is None or not manager.middlewares

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        if not self._fast:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        plans = _plans_of(parent_type)
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list in grouped_field_set.items():
                node = field_details_list[0].node
                name = node.name.value
                plan = plans.get(name, Undefined)
                if plan is Undefined:
                    field_def = (
                        parent_type.fields.get(name)
                        if not name.startswith("__")
                        else None
                    )
                    plan = plans[name] = (
                        _plan(parent_type, field_def) if field_def else None
                    )
                if (
                    plan is not None
                    and not node.arguments
                    and not node.directives
                    and len(field_details_list) == 1
                ):
                    try:
                        results[response_name] = plan(source_value)  # type: ignore[operator]
                        continue
                    except Exception:  # noqa: S110 (graphql-core's path decides)
                        pass
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[f] for f in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(
                    *(results[field] for field in awaitable_fields)
                )
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()


__all__ = ["FastExecutionContext"]

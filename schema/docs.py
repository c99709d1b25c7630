"""Helpers that keep the schema documented without changing Python types.

`describe_values` describes each value of a strawberry enum after `@strawberry.enum`
ran, so members keep plain values (`SectionKind.SKILLS.value` is a `str` for mypy,
which `strawberry.enum_value(...)` members are not: they are typed
`EnumValueDefinition`). `describe_arguments` describes root fields' arguments
that resolvers (in `resolvers/`) leave undescribed. `user_errors_field` is the
`userErrors` field of a payload.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, TypeVar

import strawberry
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.base import StrawberryContainer, get_object_definition
from strawberry.types.enum import StrawberryEnumDefinition

E = TypeVar("E", bound=type[Enum])

USER_ERRORS = (
    "Expected failures, each with a `code` and the input `field` at fault "
    "(VALIDATION_ERROR, NOT_FOUND, …); empty on success."
)


def describe_values(**descriptions: str) -> Callable[[E], E]:
    """A decorator, placed above `@strawberry.enum`, giving each GraphQL value of the
    enum its description; a value left out or a name the enum lacks is an error at
    import, so a value added later cannot stay undescribed."""

    def wrap(cls: E) -> E:
        definition = getattr(cls, "__strawberry_definition__", None)
        if not isinstance(definition, StrawberryEnumDefinition):
            raise TypeError(
                f"{cls.__name__}: @describe_values goes above @strawberry.enum"
            )
        names = {value.name for value in definition.values}
        if names != set(descriptions):
            raise ValueError(
                f"{definition.name}: undescribed {sorted(names - set(descriptions))}, "
                f"unknown {sorted(set(descriptions) - names)}"
            )
        for value in definition.values:
            value.description = descriptions[value.name]
        return cls

    return wrap


def user_errors_field(description: str = USER_ERRORS) -> Any:
    """A payload's `userErrors: [UserError!]!`, empty by default."""
    return strawberry.field(default_factory=list, description=description)


def _input_type_description(argument: StrawberryArgument) -> str | None:
    type_: object = argument.type
    while isinstance(type_, StrawberryContainer):
        type_ = type_.of_type
    definition = get_object_definition(type_)
    return definition.description if definition else None


def describe_arguments(
    root: type,
    descriptions: Mapping[str, Mapping[str, str]],
    *,
    input_from_type: bool = False,
) -> None:
    """Describe the arguments of `root`'s fields (Python names: `{"match_agents":
    {"first": "..."}}`) that their resolvers left undescribed; a description the
    resolver gives wins. With `input_from_type`, an undescribed `input` argument
    takes its input type's description. A field or argument `descriptions` names
    that does not exist is an error at import."""
    fields = {
        field.python_name: field
        for field in get_object_definition(root, strict=True).fields
    }
    for field_name, arguments in descriptions.items():
        known = {arg.python_name: arg for arg in fields[field_name].arguments}
        for arg_name, text in arguments.items():
            argument = known[arg_name]
            if not argument.description:
                argument.description = text
    if input_from_type:
        for field in fields.values():
            for argument in field.arguments:
                if argument.python_name == "input" and not argument.description:
                    argument.description = _input_type_description(argument)

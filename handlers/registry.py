"""The command table: every family's commands, in the order help lists them."""

from __future__ import annotations

from bot.chat import CommandSpec
from handlers import admin, briefs, onboarding, schedule, subscriptions

FAMILIES = (onboarding, subscriptions, briefs, schedule, admin)


def all_commands() -> tuple[CommandSpec, ...]:
    specs = tuple(spec for family in FAMILIES for spec in family.COMMANDS)
    names = [name for spec in specs for name in (spec.name, *spec.aliases)]
    duplicated = {name for name in names if names.count(name) > 1}
    if duplicated:
        raise ValueError(f"command names used twice: {sorted(duplicated)}")
    return specs

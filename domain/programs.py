"""Finding the program a deployment serves."""

from __future__ import annotations

from domain.models import Program


async def get_or_create_program(code: str, name: str) -> Program:
    program, _ = await Program.get_or_create(code=code, defaults={"name": name})
    return program

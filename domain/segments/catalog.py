"""Marketers define segments: create and update, validated, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from domain import audit
from domain.errors import InvalidInput, Problems
from domain.models import Program, Segment, Tier
from domain.segments.membership import get_segment
from domain.segments.rules import Field, parse_rule, rule_to_json

MAX_NAME = 100
MAX_DESCRIPTION = 500


@dataclass(frozen=True)
class SegmentSpec:
    name: str
    rule: Any  # raw JSON, validated by domain.segments.rules.parse_rule
    description: str = ""


def _check_text(spec: SegmentSpec, problems: Problems) -> None:
    if not spec.name.strip():
        problems.add("name", "must not be blank")
    elif len(spec.name) > MAX_NAME:
        problems.add("name", f"must be at most {MAX_NAME} characters")
    if len(spec.description) > MAX_DESCRIPTION:
        problems.add("description", f"must be at most {MAX_DESCRIPTION} characters")


async def _validated(program: Program, spec: SegmentSpec) -> dict[str, Any]:
    """The rule's stored form; all problems at once, tier ids checked against the program."""
    problems = Problems()
    _check_text(spec, problems)
    rule = None
    try:
        rule = parse_rule(spec.rule)
    except InvalidInput as bad:
        problems.items.extend(bad.problems)
    if rule is not None:
        known = set(await Tier.filter(program_id=program.id).values_list("id", flat=True))
        for i, condition in enumerate(rule.conditions):
            if condition.field == Field.TIER:
                missing = [t for t in condition.value if t not in known]
                if missing:
                    problems.add(f"rule.conditions.{i}.value", f"unknown tier ids {missing}")
    problems.raise_if_any()
    assert rule is not None
    return rule_to_json(rule)


async def _check_unique_name(program: Program, name: str, except_id: int | None = None) -> None:
    query = Segment.filter(program_id=program.id, name=name.strip())
    if except_id is not None:
        query = query.exclude(id=except_id)
    if await query.exists():
        raise InvalidInput.one("name", f"a segment named {name.strip()!r} exists already")


async def create_segment(program: Program, spec: SegmentSpec, actor: str, now: datetime) -> Segment:
    rule = await _validated(program, spec)
    async with in_transaction():
        await _check_unique_name(program, spec.name)
        segment = await Segment.create(
            program_id=program.id,
            name=spec.name.strip(),
            description=spec.description.strip(),
            rule=rule,
            created_at=now,
            updated_at=now,
        )
        await audit.record(program.id, actor, "createSegment", f"segment:{segment.id}", {"name": segment.name, "rule": rule}, now)
    return segment


async def update_segment(program: Program, segment_id: int, spec: SegmentSpec, actor: str, now: datetime) -> Segment:
    rule = await _validated(program, spec)
    async with in_transaction():
        segment = await get_segment(program, segment_id)
        await _check_unique_name(program, spec.name, except_id=segment.id)
        before = {"name": segment.name, "description": segment.description, "rule": segment.rule}
        segment.name = spec.name.strip()
        segment.description = spec.description.strip()
        segment.rule = rule
        segment.updated_at = now
        await segment.save()
        details = {"before": before, "after": {"name": segment.name, "description": segment.description, "rule": rule}}
        await audit.record(program.id, actor, "updateSegment", f"segment:{segment.id}", details, now)
    return segment


async def segments_page(program: Program, first: int, after_id: int | None) -> list[Segment]:
    """Oldest first; one extra row tells whether another page exists."""
    query = Segment.filter(program_id=program.id)
    if after_id is not None:
        query = query.filter(id__gt=after_id)
    return await query.order_by("id").limit(first + 1)

"""Is this member in that segment? The question campaigns, challenges and rewards ask."""

from __future__ import annotations

from datetime import datetime

from domain.errors import NotFound
from domain.models import Member, Program, Segment
from domain.row_ids import MAX_INT_ID
from domain.segments.facts import load_facts
from domain.segments.rules import matches, parse_rule
from domain.segments.sources import program_today


async def get_segment(program: Program, segment_id: int) -> Segment:
    segment = None
    if 0 < segment_id <= MAX_INT_ID:
        segment = await Segment.get_or_none(id=segment_id, program_id=program.id)
    if segment is None:
        raise NotFound("segment", str(segment_id))
    return segment


async def member_in_segment(program: Program, segment_id: int, member: Member, now: datetime) -> bool:
    """Evaluated now, on the member's current facts; NotFound for another program's segment."""
    segment = await get_segment(program, segment_id)
    if member.erased_at is not None:
        return False  # erased members are targeted by nothing
    rule = parse_rule(segment.rule)
    today = program_today(program, now)
    facts = await load_facts(program, member, rule, today)
    return matches(rule, facts, today)

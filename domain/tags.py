"""Member tags: short labels integrations and marketers put on members (e.g. `coffee`),
for segments to select on. Set semantics: adding a present tag or removing an absent one
changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from domain import audit, ledger
from domain.errors import Problems
from domain.segments.rules import TAG_RULE, is_tag

MAX_TAGS = 50
MAX_CHANGE = 50


@dataclass(frozen=True)
class TagChange:
    member_id: str
    add: list[str]
    remove: list[str]


def validate_tag_change(change: TagChange) -> None:
    problems = Problems()
    for name, tags in (("add", change.add), ("remove", change.remove)):
        if len(tags) > MAX_CHANGE:
            problems.add(name, f"at most {MAX_CHANGE} tags at once")
            continue
        for i, tag in enumerate(tags):
            if not is_tag(tag):
                problems.add(f"{name}.{i}", f"{tag!r} is not a tag: {TAG_RULE}")
    both = set(change.add) & set(change.remove)
    if both:
        problems.add("remove", f"cannot add and remove the same tags: {', '.join(sorted(both))}")
    if not change.add and not change.remove:
        problems.add("add", "give tags to add or to remove")
    problems.raise_if_any()


async def tag_member(program_id: int, change: TagChange, actor: str, now: datetime) -> list[str]:
    """The member's tags after the change, sorted; audited."""
    validate_tag_change(change)
    async with in_transaction():
        member = await ledger.lock_member(program_id, change.member_id)  # serialises tag edits
        tags = (set(member.tags or []) | set(change.add)) - set(change.remove)
        if len(tags) > MAX_TAGS:
            problems = Problems()
            problems.add("add", f"a member has at most {MAX_TAGS} tags")
            problems.raise_if_any()
        result = sorted(tags)
        if result != sorted(member.tags or []):
            member.tags = result
            await member.save(update_fields=["tags"])
            details = {"add": change.add, "remove": change.remove}
            await audit.record(program_id, actor, "tagMember", f"member:{member.id}", details, now)
    return result

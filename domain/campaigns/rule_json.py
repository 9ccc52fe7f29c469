"""The `rule` JSON column of a campaign: conditions, effect, cap, weekdays and time window."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

from domain.campaigns.rules import Cap, Conditions, Effect, Trigger
from domain.campaigns.schedule import CapPeriod, Schedule


def rule_json(conditions: Conditions, effect: Effect, cap: Cap | None, schedule: Schedule) -> dict[str, Any]:
    return {
        "conditions": {
            "tier_ids": list(conditions.tier_ids), "categories": list(conditions.categories),
            "skus": list(conditions.skus), "channels": list(conditions.channels),
            "partner_codes": list(conditions.partner_codes),
        },
        "effect": {
            "factor": str(effect.factor) if effect.factor is not None else None,
            "bonus_points": effect.bonus_points, "threshold_amount": effect.threshold_amount,
            "trigger": effect.trigger.value if effect.trigger else None,
        },
        "cap": {"points": cap.points, "period": cap.period.value} if cap else None,
        "days_of_week": list(schedule.days_of_week),
        "time_from": schedule.time_from.strftime("%H:%M") if schedule.time_from else None,
        "time_to": schedule.time_to.strftime("%H:%M") if schedule.time_to else None,
    }


def parts_from_json(data: dict[str, Any]) -> tuple[Conditions, Effect, Cap | None, dict[str, Any]]:
    """Conditions, effect, cap and the schedule's weekday/time fields of a stored rule."""
    c, e, cap = data.get("conditions") or {}, data.get("effect") or {}, data.get("cap")
    conditions = Conditions(
        tuple(c.get("tier_ids", ())), tuple(c.get("categories", ())), tuple(c.get("skus", ())),
        tuple(c.get("channels", ())), tuple(c.get("partner_codes", ())),
    )
    effect = Effect(
        Decimal(e["factor"]) if e.get("factor") else None, e.get("bonus_points"), e.get("threshold_amount"),
        Trigger(e["trigger"]) if e.get("trigger") else None,
    )
    timing = {
        "days_of_week": tuple(data.get("days_of_week", ())),
        "time_from": time.fromisoformat(data["time_from"]) if data.get("time_from") else None,
        "time_to": time.fromisoformat(data["time_to"]) if data.get("time_to") else None,
    }
    return conditions, effect, Cap(cap["points"], CapPeriod(cap["period"])) if cap else None, timing

"""Each caller's budget of query cost: a token bucket in Redis, shared by every API process.

The bucket holds up to `capacity` units and refills `refill_per_second` units a second;
an operation takes its cost out, or is refused when not enough is left. One Lua script
reads, refills, takes and writes in a single atomic step, so concurrent requests of one
caller on many processes never spend the same units twice. (The `limits` library offers
fixed and sliding windows, not a bucket refilled per second, and takes a URL rather than
the app's client, so the embedded fakeredis could not be shared; hence this script.)

When Redis is unreachable the request goes ahead (fail open): a loyalty app would rather
serve members during a Redis outage than refuse everyone; the cost limit per operation
still applies, and the guard logs and counts each time it happened.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

KEY_PREFIX = "cost-budget:"

# KEYS[1] the bucket; ARGV capacity, refill per second, cost, now (seconds).
# Returns {taken 0|1, units left as text} (Lua numbers would be truncated to integers).
_TAKE = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'units', 'at')
local units = tonumber(state[1])
local at = tonumber(state[2])
if units == nil or at == nil then
  units = capacity
  at = now
end
if now > at then
  units = math.min(capacity, units + (now - at) * rate)
  at = now
end
local taken = 0
if cost <= units then
  units = units - cost
  taken = 1
end
redis.call('HSET', KEYS[1], 'units', tostring(units), 'at', tostring(at))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 1)
return {taken, tostring(units)}
"""


@dataclass(frozen=True)
class BudgetDecision:
    allowed: bool
    budget_left: int
    retry_after_seconds: float = 0.0
    unavailable: bool = False  # Redis did not answer: allowed without counting


def wall_clock() -> float:
    """Seconds since the epoch; API processes' clocks agree closely enough for refills."""
    return time.time()


class CostBudget:
    def __init__(self, redis: Redis, capacity: int, refill_per_second: float,
                 clock: Callable[[], float] | None = None) -> None:
        self.capacity = capacity
        self.refill_per_second = refill_per_second
        self.clock = clock or wall_clock
        self._script = redis.register_script(_TAKE)

    async def take(self, caller: str, cost: int) -> BudgetDecision:
        """Take `cost` units from `caller`'s bucket, or say how long until they are there."""
        try:
            taken, left = await self._script(
                keys=[KEY_PREFIX + caller],
                args=[self.capacity, self.refill_per_second, cost, repr(self.clock())],
            )
        except RedisError:
            return BudgetDecision(allowed=True, budget_left=0, unavailable=True)
        units = float(left)
        if int(taken):
            return BudgetDecision(allowed=True, budget_left=math.floor(units))
        wait = (cost - units) / self.refill_per_second
        return BudgetDecision(allowed=False, budget_left=math.floor(units),
                              retry_after_seconds=math.ceil(wait * 1000) / 1000)

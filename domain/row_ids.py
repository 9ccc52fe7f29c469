"""The largest ids the database's integer key columns hold. A larger id names no row, so
lookups skip the query and validation names the field, instead of the database failing."""

MAX_INT_ID = 2**31 - 1  # INTEGER keys: programs, tiers, rewards, campaigns, challenges, ...
MAX_BIGINT_ID = 2**63 - 1  # BIGINT keys: purchases, ledger entries, redemptions

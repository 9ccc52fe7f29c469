"""The loyalty core: members, points ledger, tiers, earning rules.

Imports nothing from `api` or `challenges`.
"""

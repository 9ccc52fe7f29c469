"""Segments: groups of members by rules over their facts (tier, balance, spend, activity)."""

"""Gamification on top of the loyalty core: challenges, badges, leaderboards, notifications.

Imports domain/, never api/. Its handlers subscribe to domain events at start-up.
"""

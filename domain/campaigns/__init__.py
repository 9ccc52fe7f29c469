"""Campaigns: earning rules marketers configure (multipliers, fixed bonuses, spend
thresholds) with schedules, audiences, stacking, caps and budgets.

Pure rules: `schedule`, `rules`, `stacking`, `validation`. Services: `catalog`
(configuration, versions, audit), `engine` (evaluation and awards on the hot path),
`bonuses` (event-triggered fixed bonuses), `simulation` (nothing written).
"""

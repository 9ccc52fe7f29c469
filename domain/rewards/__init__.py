"""Rewards: the catalog marketers configure, and members' redemptions and holds.

Modules: `catalog` (create, update, list, validation), `eligibility` and `lifecycle`
(pure rules), `codes` (redemption codes), `standing` (what the rules need to know about a
member), `redemptions` (redeem, cancel, read), `refunds` (giving points and stock back),
`holds` (a partner's till confirms or releases; timed-out holds are released).
"""

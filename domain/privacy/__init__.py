"""Privacy requests: a member's data export and an admin's erasure of a member."""

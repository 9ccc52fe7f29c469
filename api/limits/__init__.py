"""Guards on every GraphQL request: cost, budget, persisted queries, body size, time."""

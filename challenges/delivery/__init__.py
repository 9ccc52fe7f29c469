"""Push delivery: the outbox worker and its provider adapters (FCM, APNs, signed webhook).

Everything here runs in the worker process, outside any request: claim due outbox
messages, send each to the member's devices (and the deployment's webhook, if set),
record the outcome, retry with backoff, dead-letter what cannot be delivered.
"""

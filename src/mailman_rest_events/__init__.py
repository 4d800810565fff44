"""mailman-rest-events: Mailman's events delivered as Standard Webhooks.

A second Core plugin in the mailman-pgp distribution.  The process where an
event happens writes it to a table in Mailman's database, in the same
transaction as the change; ``WebhookRunner`` sends it, retries it, and
dead-letters it when the endpoint never takes it.
"""

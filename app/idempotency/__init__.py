"""Retries that never double a command: `Idempotency-Key` for the API, one-time tokens for forms.

The API (draft-ietf-httpapi-idempotency-key-header). Every write view (POST, PUT, PATCH,
DELETE under /api/v1) is wrapped by `http.idempotent` when its blueprint is registered
(app/api/blueprints.py), so no view knows about keys. Without the header a request runs as
before. With it, once the bearer token is known and may write here (otherwise the view refuses
as it always did), the rest of the request runs as ONE write transaction
(`db.request_transaction()`):

1. `store.claim` inserts the record (token's actor, method, path, key, SHA-256 of method, path
   with query and body) or finds an earlier one. On PostgreSQL the unique row makes a concurrent
   duplicate wait for the first request's commit; on SQLite writes are serialised already.
2. An earlier record with another fingerprint answers 422 `idempotency_key_reused`; one with an
   answer is replayed (same status, body, Content-Type and Location, plus
   `Idempotency-Replayed: true`); nothing is written either way.
3. Otherwise the view runs. Its `command()` joins the request's transaction as a savepoint
   (`db.write()`), so the view's reads after the command see what it wrote; post-commit work
   waits for the real commit (`db.after_commit`).
4. A 2xx answer is stored on the record and the transaction commits: the command, its
   checkpoint and the answer a retry will get are committed together or not at all.

Refusals (4xx) keep no answer: the command rolled back, so a retry with the same key runs
again, and succeeds if the register has changed meanwhile (the draft lets a server choose).
Keys live IDEMPOTENCY_KEY_TTL seconds (24 hours): an expired record is deleted when its key
comes again, and `flask idempotency purge` deletes all expired ones.

Forms: see `forms`.
"""

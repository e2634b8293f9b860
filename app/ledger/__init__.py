"""The verifiable log. Imports no Flask; `merkle`, `notes`, `canonical` and `verify` need no
database either, so a regulator can run `python -m app.ledger.verify` on an exported bundle."""

"""The app as gunicorn serves it, plus one bare endpoint for bench/http_writes.py.

`POST /bench/plain-transfer` writes the rows one settled transfer writes (a leaf, a completed
node, a checkpoint, the log state, two new holding versions and the two they close), with
bytes made up in advance and no reads, checks, encoding or signing, in one transaction through
the bare DBAPI connection: the floor under `POST /api/v1/issuers/<id>/transfers` on the same
server, paying the same commit. Never mounted outside the benchmark.
"""

from __future__ import annotations

import itertools
import os
from datetime import UTC, datetime

from flask import Flask, jsonify, request

from app import create_app

PLAIN_ISSUER = os.environ.get("BENCH_PLAIN_ISSUER", "")
PLAIN_HOLDERS = tuple(filter(None, os.environ.get("BENCH_PLAIN_HOLDERS", "").split(",")))
PLAIN_CLASS = "ORD"
# Workers write disjoint index ranges so their made-up rows never collide.
_indexes = itertools.count(10**12 + os.getpid() * 10**7)

STATEMENTS = (
    "INSERT INTO log_leaves (issuer_id, idx, leaf, leaf_hash) VALUES (%s, %s, %s, %s)",
    "INSERT INTO log_nodes (issuer_id, level, idx, hash) VALUES (%s, 1, %s, %s)",
    "INSERT INTO log_checkpoints (issuer_id, tree_size, root_hash, note, created_at) "
    "VALUES (%s, %s, %s, %s, %s)",
    "UPDATE log_states SET tree_size = tree_size, root_hash = %s WHERE issuer_id = %s",
    # Seeks each holder's current version as the real close does; `from_index < 0` matches no
    # row, so the made-up rows never disturb the register the benchmark reads.
    "UPDATE holding_versions SET to_index = %s WHERE issuer_id = %s AND class_code = %s "
    "AND holder_id = %s AND to_index IS NULL AND from_index < 0",
    "INSERT INTO holding_versions (issuer_id, class_code, holder_id, from_index, to_index, held, "
    "frozen, pledged, reserved) VALUES (%s, %s, %s, %s, NULL, 0, 0, 0, 0)",
)
LEAF = b'{"v":1,"kind":"transfer.settled","data":{}}' + b" " * 300
NOTE = "bench\n1\n" + "A" * 44 + "\n\n\u2014 bench " + "B" * 88 + "\n"


def plain_rows(index: int, moment: datetime) -> list[tuple[str, tuple]]:
    digest = index.to_bytes(32, "big")
    count = len(PLAIN_HOLDERS)
    source, target = PLAIN_HOLDERS[index % count], PLAIN_HOLDERS[(index + 1) % count]
    leaf, node, checkpoint, state, close, open_ = STATEMENTS
    return [
        (leaf, (PLAIN_ISSUER, index, LEAF, digest)),
        (node, (PLAIN_ISSUER, index, digest)),
        (checkpoint, (PLAIN_ISSUER, index, digest, NOTE, moment)),
        (state, (digest, PLAIN_ISSUER)),
        (close, (index, PLAIN_ISSUER, PLAIN_CLASS, source)),
        (close, (index, PLAIN_ISSUER, PLAIN_CLASS, target)),
        (open_, (PLAIN_ISSUER, PLAIN_CLASS, source, index)),
        (open_, (PLAIN_ISSUER, PLAIN_CLASS, target, index)),
    ]


def add_plain_endpoint(app: Flask) -> None:
    from app.extensions import csrf, db

    @csrf.exempt
    @app.post("/bench/plain-transfer")
    def plain_transfer():
        request.get_json()  # parse the body as the real endpoint does
        engine = db.engine
        sqlite = engine.dialect.name == "sqlite"
        moment = datetime.now(UTC)
        stored_moment = moment.replace(tzinfo=None).isoformat(" ") if sqlite else moment
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            if sqlite:
                cursor.execute("BEGIN IMMEDIATE")
            for statement, parameters in plain_rows(next(_indexes), stored_moment):
                cursor.execute(statement.replace("%s", "?") if sqlite else statement, parameters)
            connection.commit()
        finally:
            connection.close()
        return jsonify({"written": True}), 201


app = create_app()
add_plain_endpoint(app)

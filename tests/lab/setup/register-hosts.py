"""Registers lab computes as Masakari hosts of a failover segment.

Masakari's API validates a new host against Nova, which the lab does not have, so the rows are inserted
into its database the way the API would write them. Usage: register-hosts.py DB_FILE SEGMENT_UUID NAME...
"""
import datetime
import sqlite3
import sys
import uuid


def main(db_file, segment_uuid, names):
    now = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(db_file) as db:
        for name in names:
            db.execute(
                "INSERT INTO hosts (created_at, deleted, uuid, name, failover_segment_id, type,"
                " control_attributes, reserved, on_maintenance) VALUES (?, 0, ?, ?, ?, ?, ?, 0, 0)",
                (now, str(uuid.uuid4()), name, segment_uuid, "COMPUTE", "SSH"),
            )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])

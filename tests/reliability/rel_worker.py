"""Writer processes for the durability and concurrency tests (run as ``python rel_worker.py COMMAND ...``).

Every write is acknowledged on stdout (``ack <id>``, flushed) only after its transaction committed, so the
test knows exactly which writes the store must still hold after a SIGKILL or a concurrent writer.

Commands:
  decisions PROJECT SECONDS BATCH CODER [PAUSE]   rows inserted straight through ``Project.transaction()``,
                                          BATCH rows per transaction, for SECONDS seconds, PAUSE seconds
                                          between transactions (default 0.002: a busy notebook, not a flood)
  review PROJECT COUNT CODER              ``interviewkit.review.record`` calls (the review events API)
  roles PROJECT DOCUMENT SPEAKER COUNT    ``Project.set_speaker_role`` corrections, alternating roles
"""
from __future__ import annotations

import sys
import time

import interviewkit as ik
from interviewkit.store import utcnow


def _ack(value: object) -> None:
    sys.stdout.write(f"ack {value}\n")
    sys.stdout.flush()


def decisions(project_dir: str, seconds: str, batch: str, coder: str, pause: str = "0.002") -> None:
    project = ik.open_project(project_dir, create=False)
    segments = [r[0] for r in project.conn.execute("SELECT segment_id FROM segments ORDER BY segment_id LIMIT 50")]
    deadline = time.monotonic() + float(seconds)
    n = 0
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while time.monotonic() < deadline:
        ids = []
        with project.transaction():
            for _ in range(int(batch)):
                n += 1
                cur = project.conn.execute(
                    "INSERT INTO decisions (segment_id, action, field, label, value_json, coder, created_at, memo, batch_id)"
                    " VALUES (?, 'add', 'code', ?, 'true', ?, ?, ?, ?)",
                    (segments[n % len(segments)], f"code-{n}", coder, utcnow(), f"{coder} n°{n}", f"{coder}-{n // int(batch)}"),
                )
                ids.append(cur.lastrowid)
        for event_id in ids:
            _ack(event_id)
        time.sleep(float(pause))
    project.close()


def review(project_dir: str, count: str, coder: str) -> None:
    from interviewkit.review import record

    project = ik.open_project(project_dir, create=False)
    segments = [r[0] for r in project.conn.execute(
        "SELECT s.segment_id FROM segments s JOIN turns t ON t.turn_id = s.turn_id WHERE t.role = 'participant' "
        "ORDER BY s.segment_id LIMIT 200")]
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    for n in range(int(count)):
        event_id = record(project, segments[n % len(segments)], "add", label=f"rafale-{n}", coder=coder,
                          memo=f"décision {n}")
        _ack(event_id)
    project.close()


def roles(project_dir: str, document: str, speaker: str, count: str) -> None:
    project = ik.open_project(project_dir, create=False)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    for n in range(int(count)):
        role = ("participant", "unknown")[n % 2]
        project.set_speaker_role(document, speaker, role)
        _ack(f"{n} {role}")
    project.close()


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"decisions": decisions, "review": review, "roles": roles}[command](*args)

import subprocess
import sys
import textwrap
import time

from interviewkit.review import events as E
from interviewkit.review.state import final_tags

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import interviewkit as ik
    from interviewkit.review import record

    project_path, coder, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    p = ik.open_project(project_path, create=False)
    segs = p.segments(role="participant")["segment_id"].tolist()
    record(p, segs[0], "skip", coder=coder + "-warmup")  # imports and first write done before the start
    (go.parent / f"ready-{coder}").touch()
    while not go.exists():
        time.sleep(0.005)
    started = time.time()
    for i in range(200):
        sid = segs[i % len(segs)]
        if i % 4 == 0:
            record(p, sid, "add", label=f"{coder}-{i}", coder=coder)
        elif i % 4 == 1:
            record(p, sid, "reject", "stage", coder=coder)
        elif i % 4 == 2:
            record(p, sid, "edit", "valence", value=(i % 5) - 2, coder=coder)
        else:
            record(p, sid, "accept", "channel", coder=coder)
    print("done", coder, started, time.time())
""")


def test_two_processes_write_400_decisions_without_loss(project, tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    go = tmp_path / "go"
    project.close()
    procs = [subprocess.Popen([sys.executable, str(script), str(project.path), coder, str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for coder in ("A", "B")]
    deadline = time.time() + 60
    while not all((tmp_path / f"ready-{c}").exists() for c in "AB") and time.time() < deadline:
        time.sleep(0.01)
    go.touch()  # both start writing at the same moment
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert "locked" not in err and out.strip().startswith("done")
    ev = E.load_events(project)
    ev = ev[~ev["coder"].str.endswith("-warmup")]
    assert len(ev) == 400 and ev["event_id"].is_unique
    (a0, a1), (b0, b1) = [tuple(map(float, out.split()[2:4])) for out, _ in outputs]
    assert a0 < b1 and b0 < a1  # both were writing at the same time (SQLite serialises the transactions)
    assert ev["coder"].value_counts().to_dict() == {"A": 200, "B": 200}
    # each coder's events are in its own order, interleaved with the other's
    for coder in ("A", "B"):
        mine = ev[ev["coder"] == coder]
        assert mine.loc[mine["action"] == "add", "label"].tolist() == [f"{coder}-{i}" for i in range(0, 200, 4)]
    codes = final_tags(project)["codes"].str.split(";").explode()
    assert codes[codes != ""].nunique() == 100

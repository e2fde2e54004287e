"""A zip entry flagged as having a UTF-8 name whose name is not UTF-8 costs nothing but that name's spelling: the
entry is read with its name as cp437 (as a zip without the flag is read) and every other entry as usual."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

from grader.batch.run import grade_batch

ROOT = Path(__file__).resolve().parents[1]
SEED = (ROOT / "submissions_examples" / "exercise6_seed.yaml").read_bytes()


def _zip_with_a_false_utf8_name(raw: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("PLACEHOLDER1.yaml", SEED.replace(b'"400222100"', b'"400222125"'))
        zf.writestr("ok.yaml", SEED.replace(b'"400222100"', b'"400222126"'))
    data = bytearray(bytes(buf.getvalue()).replace(b"PLACEHOLDER1", raw))
    local = 0  # the first entry's local header, then its central directory record: the UTF-8 flag set
    central = data.find(b"PK\x01\x02")
    for flags_at in (local + 6, central + 8):
        struct.pack_into("<H", data, flags_at, struct.unpack_from("<H", data, flags_at)[0] | 0x0800)
    return bytes(data)


def test_an_entry_falsely_flagged_utf8_is_graded_under_its_cp437_name_and_the_rest_too(tmp_path):
    raw = b"caf\xe9\xff\xfe\x81xabcd"
    src = tmp_path / "subs.zip"
    src.write_bytes(_zip_with_a_false_utf8_name(raw))
    try:  # the archive as Python's zipfile alone reads it: refused whole
        zipfile.ZipFile(src)
        refused = False
    except UnicodeDecodeError:
        refused = True
    assert refused
    out = tmp_path / "out"
    grade_batch(src, out, problem="exercise6", jobs=1, progress=False, timestamp="2026-01-01T00:00:00Z",
                feedback="none")
    rows = json.loads((out / "grades.json").read_text(encoding="utf-8"))["files"]
    assert len(rows) == 2 and all(r["status"] == "graded" for r in rows)
    names = sorted(r["file"] for r in rows)
    assert names[1] == "ok.yaml"
    assert names[0].startswith("caf" + b"\xe9".decode("cp437")) and names[0].endswith("xabcd.yaml")
    assert {r["student"]["id"] for r in rows} == {"400222125", "400222126"}

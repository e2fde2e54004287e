"""The LMS round trip: `grade batch` on downloads named exactly as Canvas and Moodle name them, then each LMS's importer,
re-implemented here from its own source (cited in each function), run on what the README tells an instructor to
upload. Done means: it imports the first time, attaches every report to the right student, and survives a rerun and a
re-import.

Sources read (public repositories):
- instructure/canvas-lms ``lib/content_zipper.rb`` (download names), ``app/models/abstract_assignment.rb`` (formerly
  ``app/models/assignment.rb``; ``infer_comment_context_from_filename``: feedback re-upload), ``lib/gradebook_importer.rb``
  (CSV import), ``app/controllers/lti/ims/scores_controller.rb`` (AGS scores);
- moodle/moodle ``mod/assign/classes/downloader.php`` (download names), ``mod/assign/feedback/file/importziplib.php``
  (feedback zip), ``mod/assign/feedback/offline/importgradeslib.php`` and ``locallib.php`` (``process_import_grades``:
  the worksheet), ``grade/import/csv/classes/load_data.php`` (gradebook CSV import).
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from grader.batch.run import grade_batch
from grader.cli import main as cli_main
from grader.errors import GraderError

REPO = Path(__file__).resolve().parent.parent
SEED = (REPO / "submissions_examples" / "exercise6_seed.yaml").read_text(encoding="utf-8")
SEED_STUDENT = 'student: {id: "400222100", name: Reza Mosavi}'


def submission(sid: str | None, name: str | None, *, z1: str | None = None) -> str:
    """The seed submission as another student (``sid``/``name`` None leave them out), optionally another z1."""
    if sid and name:
        line = f'student: {{id: "{sid}", name: "{name}"}}'
    elif name:
        line = f'student: {{name: "{name}"}}'
    else:
        line = ""
    text = SEED.replace(SEED_STUDENT, line)
    if z1 is not None:
        text = text.replace("  z1: -11.65 ", f"  z1: {z1} ", 1)
    return text


BAD_YAML = "problem: exercise6\nanswers: [\n"


def read_csv_text(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def read_csv(path: Path) -> list[list[str]]:
    return read_csv_text(path.read_text(encoding="utf-8"))


def by_file(out: Path) -> dict[str, dict]:
    return {e["file"]: e for e in json.loads((out / "grades.json").read_text(encoding="utf-8"))["files"]}


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write_zip(path: Path, entries: list[tuple[str, str | bytes, tuple]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, when in entries:
            zf.writestr(zipfile.ZipInfo(name, date_time=when), data)
    return path


def zip_folder(folder: Path, base: Path) -> bytes:
    """What an instructor gets by zipping a folder of the outputs by hand (entries relative to ``base``)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(base).as_posix())
    return buf.getvalue()


def assert_every_row_identified(out: Path) -> None:
    """No gradebook row without its identifier, and no identifier twice, in any gradebook file."""
    canvas = read_csv(out / "gradebook-canvas.csv")[2:]
    assert all(r[1] or r[2] for r in canvas), canvas
    ids = [r[1] or "sis:" + r[2] for r in canvas]
    assert len(ids) == len(set(ids))
    for name, col in (("gradebook-moodle.csv", 0), ("gradebook-moodle-idnumber.csv", 0), ("grades.csv", 0)):
        rows = read_csv(out / name)[1:]
        assert all(r[col].strip() for r in rows), (name, rows)
        assert len({r[col] for r in rows}) == len(rows), name
    users = [json.loads(x)["userId"] for x in (out / "ags-scores.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(users) and len(users) == len(set(users))


# ==================================================================================================== Canvas
# ----------------------------------------------------------------------------- how Canvas names its download

_ATTACHMENT_UNSAFE = re.compile(r'[\x00/\\:*?"<>|]+')


def canvas_entry(sortable_name: str | None, user_id: int, attachment_id: int, display_name: str, *, late=False,
                 anonymous_id: str | None = None) -> str:
    """canvas-lms ``lib/content_zipper.rb`` ``get_filename`` + ``add_upload_submission``: the user's name is the
    sortable name with ``_<digits>_`` joined and lower-cased (``sanitize_user_name``); then
    ``[users_name, LATE?, id].compact.join("_")`` (id ``anon_<anonymous_id>`` when anonymized, and no name),
    with every non-word character removed (``sanitize_file_name``; Ruby's ``[[:word:]]`` is Unicode-aware, like
    Python's ``\\w``), then ``_<attachment id>_<display name>`` with ``[\\x00/\\\\:*?"<>|]+`` made ``_``."""
    users_name = None if anonymous_id else re.sub(r"_(\d+)_", r"\1", sortable_name).lower()
    ident = f"anon_{anonymous_id}" if anonymous_id else str(user_id)
    prefix = "_".join(p for p in (users_name, "LATE" if late else None, ident) if p is not None)
    prefix = re.sub(r"[^\w]", "", prefix)
    return f"{prefix}_{attachment_id}_{_ATTACHMENT_UNSAFE.sub('_', display_name)}"


# ----------------------------------------------------------------------------- Canvas's importers, re-implemented

def canvas_gradebook_import(text: str, students: list[dict]) -> dict[int, str]:
    """canvas-lms ``lib/gradebook_importer.rb``: a header row with ``Student`` first, ``ID`` second and ``Section`` as
    the last identity column; any row whose first cell contains ``Points Possible`` is the maxima; each other row is
    matched to a student by ``ID``, else ``SIS User ID``, else ``SIS Login ID``, else the name; a blank or ``-`` score
    changes nothing. Returns ``{user_id: score}``; a row matching nobody, or a student matched twice, fails."""
    rows = read_csv_text(text)
    header = rows[0]
    assert header[0] == "Student" and header[1] == "ID" and len(header) > 3
    last_identity = max(i for i, h in enumerate(header) if "Section" in h)
    assert header[last_identity] == "Section"
    col = {h: i for i, h in enumerate(header)}
    got: dict[int, str] = {}
    for row in rows[1:]:
        if "Points Possible" in row[0]:
            continue
        student = None
        for key, field in (("ID", "id"), ("SIS User ID", "sis_user_id"), ("SIS Login ID", "sis_login_id"),
                           ("Student", "name")):
            value = row[col[key]].strip()
            if value:
                student = next((s for s in students if str(s.get(field)) == value), None)
                if student is not None:
                    break
        assert student is not None, f"no student matches {row}"
        assert student["id"] not in got, f"student {student['id']} matched twice"
        score = row[last_identity + 1].strip()
        if score not in ("", "-"):
            got[student["id"]] = score
    return got


def canvas_reupload(zip_bytes: bytes, submissions: dict, anonymous: dict | None = None) -> list[tuple[int, str]]:
    """canvas-lms ``app/models/abstract_assignment.rb`` ``generate_comments_from_files`` /
    ``infer_comment_context_from_filename``: for each file of the zip, its base name split on ``_`` minus ``LATE``;
    ``anon`` first: the anonymous id and the attachment id follow; otherwise the first two all-digit parts are the
    user id and the attachment id; no attachment for a name ending in ``link…`` or starting ``._``; the file attaches
    (as a comment) only if that attachment is on the student's current submission. ``submissions``: user id -> the
    current submission's attachment ids; ``anonymous``: anonymous id -> user id. Returns (user, file) attached."""
    attached = []
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            filename = info.filename.rsplit("/", 1)[-1]
            parts = [p for p in filename.split("_") if p != "LATE"]
            if parts and parts[0] == "anon":
                anon_id, attachment_id = (parts[1:3] + [None, None])[:2]
                user = (anonymous or {}).get(anon_id)
            else:
                digits = [p for p in parts if re.fullmatch(r"\d+", p)][:2]
                user = int(digits[0]) if digits else None
                attachment_id = digits[1] if len(digits) > 1 else None
            if parts and parts[-1].startswith("link") or filename.startswith("._"):
                attachment_id = None
            if user is None or attachment_id is None or not str(attachment_id).isdigit():
                continue
            if int(attachment_id) in submissions.get(user, set()):
                attached.append((user, info.filename))
    return attached


# ----------------------------------------------------------------------------- the Canvas class

CANVAS_STUDENTS = [  # sortable name, user id, SIS id, the full name they write
    {"id": 12345, "sortable": "Doe, Jane", "sis_user_id": "400111", "name": "Jane Doe"},
    {"id": 23456, "sortable": "Müller, Jürgen", "sis_user_id": "400222", "name": "Jürgen Müller"},
    {"id": 34567, "sortable": "van der Berg, Anna Maria", "sis_user_id": "400333", "name": "Anna Maria van der Berg"},
    {"id": 45678, "sortable": "Smith, Bob", "sis_user_id": "400444", "name": "Bob Smith"},
    {"id": 56789, "sortable": "Lee, Ann", "sis_user_id": "400555", "name": "Ann Lee"},
    {"id": 67890, "sortable": "O'Brien, Pat", "sis_user_id": "400666", "name": "Pat O'Brien"},
]
T1, T2 = (2025, 3, 1, 9, 0, 0), (2025, 3, 2, 9, 0, 0)


def canvas_class_zip(path: Path) -> tuple[Path, dict]:
    """A Canvas download: late, resubmitted (two files on the current submission), accented and spaced names, a
    non-YAML file, a bad YAML file, a file whose student: disagrees. Returns it and the current submissions."""
    s = {st["id"]: st for st in CANVAS_STUDENTS}
    entries = [
        (canvas_entry(s[12345]["sortable"], 12345, 9001, "hw3.yaml"), submission("400111", "Jane Doe"), T1),
        (canvas_entry(s[12345]["sortable"], 12345, 9002, "hw3-1.yaml"), submission("400111", "Jane Doe", z1="-7.65"),
         T2),
        (canvas_entry(s[23456]["sortable"], 23456, 9003, "Lösung hw3.yaml", late=True),
         submission("400222", "Jürgen Müller"), T1),
        (canvas_entry(s[34567]["sortable"], 34567, 9004, "my answers.yaml"), submission(None, None), T1),
        (canvas_entry(s[45678]["sortable"], 45678, 9005, "answers.pdf"), b"%PDF-1.4", T1),
        (canvas_entry(s[56789]["sortable"], 56789, 9006, "hw3.yaml"), BAD_YAML, T1),
        (canvas_entry(s[67890]["sortable"], 67890, 9007, "hw3.yaml"), submission("400666", "Someone Else"), T1),
    ]
    current = {12345: {9001, 9002}, 23456: {9003}, 34567: {9004}, 45678: {9005}, 56789: {9006}, 67890: {9007}}
    return write_zip(path, entries), current


@pytest.fixture(scope="module")
def canvas_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("canvas")
    zpath, current = canvas_class_zip(base / "course-hw3 submissions.zip")
    out = base / "out"
    result = grade_batch(zpath, out, problem="exercise6", jobs=2, progress=False, assignment_name="HW 3",
                         assignment_id="777", timestamp="2025-03-05T10:00:00Z")
    return zpath, out, current, result


def test_canvas_names_are_what_content_zipper_writes():
    """canvas-lms ``lib/content_zipper.rb``: the grammar our reader accepts is the one Canvas writes."""
    assert canvas_entry("Doe, Jane", 12345, 9001, "hw3.yaml") == "doejane_12345_9001_hw3.yaml"
    assert canvas_entry("Müller, Jürgen", 1, 2, "a b.yaml", late=True) == "müllerjürgen_LATE_1_2_a b.yaml"
    assert canvas_entry("Doe, Jane", 1, 2, "x.yaml", anonymous_id="Xy7Qz") == "anon_Xy7Qz_2_x.yaml"
    assert canvas_entry("Doe, Jane", 1, 2, "x.yaml", anonymous_id="Xy7Qz", late=True) == "LATE_anon_Xy7Qz_2_x.yaml"


def test_canvas_gradebook_imports_first_time(canvas_run):
    """The Canvas CSV imports with every row matched, each student once, by the Canvas user id; what could not be
    graded is left out (not blanked) and listed in needs-attention.csv with the reason."""
    _, out, _, result = canvas_run
    text = (out / "gradebook-canvas.csv").read_text(encoding="utf-8")
    got = canvas_gradebook_import(text, CANVAS_STUDENTS)
    e = by_file(out)
    jane = e["doejane_12345_9002_hw3-1.yaml"]
    assert jane["status"] == "graded" and e["doejane_12345_9001_hw3.yaml"]["status"] == "superseded"
    assert got[12345] == f"{jane['score']:g}"  # the later attachment counts
    assert set(got) == {12345, 23456, 34567, 67890}  # the PDF and the bad YAML have no score to import
    assert got[67890] == f"{e['obrienpat_67890_9007_hw3.yaml']['score']:g}"  # the LMS wins over student:
    attention = {r[0]: r[3] for r in read_csv(out / "needs-attention.csv")[1:]}
    assert attention == {"smithbob_45678_9005_answers.pdf": "not-a-submission",
                         "leeann_56789_9006_hw3.yaml": "not-graded"}
    assert_every_row_identified(out)


def test_canvas_feedback_reupload_attaches_each_report_to_its_student(canvas_run):
    """feedback-canvas.zip through Canvas's "Upload submissions": every report attaches to the right student's
    current submission, one per student; zipping feedback/ by hand attaches nothing superseded; zipping the whole
    output folder neither (the superseded reports' names carry no ``_<digits>_`` ids)."""
    _, out, current, _ = canvas_run
    attached = canvas_reupload((out / "feedback-canvas.zip").read_bytes(), current)
    users = [u for u, _ in attached]
    assert sorted(users) == [12345, 23456, 34567, 56789, 67890]  # the bad YAML's student gets why; the PDF: none
    assert len(users) == len(set(users))
    jane = [f for u, f in attached if u == 12345]
    assert jane == ["doejane_12345_9002_feedback.html"]  # the current report, not the superseded one
    with zipfile.ZipFile(out / "feedback-canvas.zip") as zf:
        html = zf.read("doejane_12345_9002_feedback.html").decode()
    assert "hw3-1.yaml" in html
    by_hand = canvas_reupload(zip_folder(out / "feedback", out), current)
    assert sorted({u for u, _ in by_hand}) == [12345, 23456, 34567, 56789, 67890]
    assert all("9001" not in f for _, f in by_hand)
    everything = canvas_reupload(zip_folder(out, out), current)
    assert {f for _, f in everything} == {f for _, f in by_hand}  # feedback-not-uploaded/ matches nothing


def test_canvas_rerun_and_reimport(canvas_run, tmp_path):
    """A rerun (later) gives the same grades and reports; importing again changes nothing and attaches the same."""
    zpath, out, current, _ = canvas_run
    again = tmp_path / "again"
    grade_batch(zpath, again, problem="exercise6", jobs=1, progress=False, assignment_name="HW 3",
                assignment_id="777")
    first = canvas_gradebook_import((out / "gradebook-canvas.csv").read_text(encoding="utf-8"), CANVAS_STUDENTS)
    second = canvas_gradebook_import((again / "gradebook-canvas.csv").read_text(encoding="utf-8"), CANVAS_STUDENTS)
    assert first == second
    assert sorted(canvas_reupload((again / "feedback-canvas.zip").read_bytes(), current)) == \
        sorted(canvas_reupload((out / "feedback-canvas.zip").read_bytes(), current))


def test_canvas_byte_identical_with_timestamp(canvas_run, tmp_path):
    """Same input and --timestamp: every output byte-identical, the feedback zips included, whatever --jobs."""
    zpath, out, _, _ = canvas_run
    again = tmp_path / "again"
    grade_batch(zpath, again, problem="exercise6", jobs=1, progress=False, assignment_name="HW 3",
                assignment_id="777", timestamp="2025-03-05T10:00:00Z")
    assert tree(again) == tree(out)


def test_canvas_anonymous_grading(tmp_path):
    """Anonymous grading (``anon_<id>`` names): no gradebook row can name the student (Canvas refuses the CSV import
    until grades are posted), the summary says so, AGS posts nothing for them, and the feedback upload still
    attaches each report: current Canvas reads ``anon_<id>_<attachment>``."""
    entries = [
        (canvas_entry(None, 0, 501, "hw3.yaml", anonymous_id="Xy7Qz"), submission(None, None), T1),
        (canvas_entry(None, 0, 502, "hw3.yaml", anonymous_id="Ab3De", late=True), submission("1", "A B"), T1),
        (canvas_entry(None, 0, 503, "scan.pdf", anonymous_id="Zz9Yy"), b"%PDF-1.4", T1),
    ]
    zpath = write_zip(tmp_path / "anon.zip", entries)
    out = tmp_path / "out"
    grade_batch(zpath, out, problem="exercise6", jobs=1, progress=False, timestamp="2025-03-05T10:00:00Z")
    assert read_csv(out / "gradebook-canvas.csv")[2:] == []
    assert (out / "ags-scores.jsonl").read_text(encoding="utf-8") == ""
    summary = (out / "summary.html").read_text(encoding="utf-8")
    assert "Anonymous" in summary and "posted" in summary
    attached = canvas_reupload((out / "feedback-canvas.zip").read_bytes(), {1: {501}, 2: {502}},
                               anonymous={"Xy7Qz": 1, "Ab3De": 2})
    assert sorted(u for u, _ in attached) == [1, 2]
    grades = {r[0]: r for r in read_csv(out / "grades.csv")[1:]}
    assert set(grades) == {"anon_Xy7Qz", "anon_Ab3De"}  # scores to enter by hand are there


# ==================================================================================================== Moodle
# ----------------------------------------------------------------------------- how Moodle names its download

def moodle_prefix(fullname: str, participant_id: int, *, blind: bool = False) -> str:
    """moodle/moodle ``mod/assign/classes/downloader.php`` ``get_student_prefix``: the full name (``Participant`` under
    blind marking) with ``_`` made spaces, ``_`` and the participant id; ``clean_filename`` keeps letters and
    spaces."""
    name = "Participant" if blind else fullname
    return f"{name.replace('_', ' ')}_{participant_id}"


def moodle_entry(prefix: str, filename: str, *, old: bool = False, flat: bool = False) -> str:
    """``load_submissionplugin_filelist``: folders ``{prefix}_assignsubmission_file/{filepath}{file}`` (Moodle >= 4.1;
    earlier versions end the folder with ``_``), or flat ``{prefix}_assignsubmission_file_{file}``."""
    if flat:
        return f"{prefix}_assignsubmission_file_{filename}"
    return f"{prefix}_assignsubmission_file{'_' if old else ''}/{filename}"


# ----------------------------------------------------------------------------- Moodle's importers, re-implemented

def php_is_numeric(text: str) -> bool:
    return re.fullmatch(r"[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\v\f]*", text) is not None


def moodle_feedback_zip_import(zip_bytes: bytes, participants: set[int], store: dict | None = None) -> dict:
    """moodle/moodle ``mod/assign/feedback/file/importziplib.php``: files taken in folder-then-name order; hidden names
    (``.``/``~``) ignored; each path part split with ``explode('_', $part, 5)``: fewer than 4 fields, a non-numeric
    second field or an unknown participant: next part; the plugin is fields 3-4 (``assignfeedback``/``file``); the
    rest of the path is the feedback file's name, and a file already stored under that name is replaced
    (``replace_file_with``). ``store``: participant -> {file name: bytes}, updated and returned."""
    store = {} if store is None else store
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        infos.sort(key=lambda i: (i.filename.rsplit("/", 1)[0] if "/" in i.filename else "", i.filename))
        for info in infos:
            base = info.filename.rsplit("/", 1)[-1]
            if base.startswith((".", "~")):
                continue
            parts = info.filename.split("/")
            while parts:
                part = parts.pop(0)
                fields = part.split("_", 4)
                if len(fields) < 4 or not php_is_numeric(fields[1]):
                    continue
                pid = int(float(fields[1]))
                if pid not in participants:
                    continue
                if (fields[2], fields[3]) != ("assignfeedback", "file"):
                    continue
                name = "/".join([fields[4] if len(fields) > 4 else ""] + parts)
                store.setdefault(pid, {})[name] = zf.read(info)
                break
    return store


def moodle_worksheet_import(text: str, grades: dict[int, dict], *, maximum: float, now: datetime,
                            ignore_modified: bool = False) -> int:
    """moodle/moodle ``mod/assign/feedback/offline/importgradeslib.php`` (columns found by their exact header texts
    ``Identifier``, ``Grade``, ``Last modified (grade)``; the participant id is what follows ``Participant ``) and
    ``locallib.php`` ``process_import_grades``: a row is skipped when its grade equals Moodle's, when it is blank or
    negative, when it is stale (Moodle's grade was modified more than 60 s after the row's ``Last modified (grade)``,
    unless "ignore modified"), or when it is above the assignment's maximum. ``grades``: participant ->
    ``{"grade", "timemodified"}``, updated; returns how many grades changed."""
    rows = read_csv_text(text)
    header = rows[0]
    gi, ii, mi = header.index("Grade"), header.index("Identifier"), header.index("Last modified (grade)")
    changed = 0
    for row in rows[1:]:
        ident = row[ii]
        if not ident.startswith("Participant "):
            continue
        pid_text = ident[len("Participant "):]
        if not pid_text.isdigit() or int(pid_text) not in grades:
            continue
        pid = int(pid_text)
        modified = datetime.fromisoformat(row[mi])  # PHP strtotime reads ISO 8601
        current = grades[pid]
        value = row[gi].strip()
        grade = float(value) if value else None
        stale = current.get("timemodified") is not None and current["timemodified"] > modified + timedelta(seconds=60)
        if current.get("grade") is not None and grade == current["grade"]:
            continue
        if grade is None or grade < 0:
            continue
        if not ignore_modified and stale:
            continue
        if grade > maximum:
            continue
        current.update(grade=grade, timemodified=now)
        changed += 1
    return changed


class MoodleImportAborted(Exception):
    pass


def moodle_gradebook_csv_import(text: str, id_column: str, users: dict[str, int]) -> dict[int, str]:
    """moodle/moodle ``grade/import/csv/classes/load_data.php`` ``prepare_import_grade_data``: the student id is set
    only from a non-empty mapped cell (``if (!empty($value))``) and never reset between rows, so a blank cell keeps
    the previous row's student; a row whose student cannot be found aborts the whole import; a line of one cell is
    skipped. ``users``: the mapped field's value -> user id. Returns {user: the row's grade cell}."""
    rows = read_csv_text(text)
    header = rows[0]
    at = header.index(id_column)
    grade_at = len(header) - 2
    student = None
    got: dict[int, str] = {}
    for row in rows[1:]:
        if len(row) <= 1:
            continue
        if row[at].strip():
            student = users.get(row[at].strip())
            if student is None:
                raise MoodleImportAborted(f"user {row[at]!r} not found")
        if student is None:
            raise MoodleImportAborted("no user mapping")
        got[student] = row[grade_at]
    return got


# ----------------------------------------------------------------------------- the Moodle class

MOODLE_PARTICIPANTS = {  # participant id -> (full name, the user's ID number, the Moodle user id)
    1234567: ("José Álvarez", "400111", 11),
    2345678: ("Mary Ann O_Neil", "400222", 12),
    3456789: ("Zoë van Dijk", "400333", 13),
    4567890: ("Bob Smith", "400444", 14),
    5678901: ("Ann Lee", "400555", 15),
    6789012: ("Kim Park", "400666", 16),
}


def moodle_class_zip(path: Path) -> Path:
    """A Moodle download: accented and spaced names, a name with ``_``, two files in one submission (the newer
    counts), old and new folder styles, a flat entry, a non-YAML file, a bad YAML file, online text."""
    p = {pid: moodle_prefix(v[0], pid) for pid, v in MOODLE_PARTICIPANTS.items()}
    entries = [
        (moodle_entry(p[1234567], "hw3.yaml"), submission("400111", "José Álvarez"), T1),
        (moodle_entry(p[1234567], "hw3 v2.yaml"), submission("400111", "José Álvarez", z1="-7.65"), T2),
        (moodle_entry(p[2345678], "hw3.yaml", old=True), submission("400222", "Mary Ann O'Neil"), T1),
        (moodle_entry(p[3456789], "hw3.yaml", flat=True), submission(None, None), T1),
        (moodle_entry(p[4567890], "answers.pdf"), b"%PDF-1.4", T1),
        (moodle_entry(p[5678901], "hw3.yaml"), BAD_YAML, T1),
        (moodle_entry(p[6789012], "sub/hw3.yaml"), submission("400666", "Kim Park"), T1),
        (f"{p[6789012]}_assignsubmission_onlinetext/onlinetext.html", "<p>see file</p>", T1),
    ]
    return write_zip(path, entries)


@pytest.fixture(scope="module")
def moodle_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("moodle")
    zpath = moodle_class_zip(base / "COURSE-HW 3-42.zip")
    out = base / "out"
    grade_batch(zpath, out, problem="exercise6", jobs=2, progress=False, assignment_name="HW 3",
                timestamp="2025-03-05T10:00:00Z")
    return zpath, out


def test_moodle_names_are_what_downloader_writes():
    """moodle/moodle ``mod/assign/classes/downloader.php``: ``_`` in a name becomes a space; blind marking writes
    ``Participant``."""
    assert moodle_entry(moodle_prefix("Mary Ann O_Neil", 7), "a.yaml") == "Mary Ann O Neil_7_assignsubmission_file/a.yaml"
    assert moodle_entry(moodle_prefix("X", 7, blind=True), "a.yaml", old=True) == \
        "Participant_7_assignsubmission_file_/a.yaml"


def test_moodle_worksheet_imports_and_survives_rerun(moodle_run, tmp_path):
    """gradebook-moodle.csv through the offline grading worksheet import: every participant with a score gets it;
    a rerun (its "Last modified (grade)" the time it graded) re-imports a changed grade, while a rerun with the
    *first* run's --timestamp is skipped as stale, exactly as docs/lms-upload.md says."""
    zpath, out = moodle_run
    grades = {pid: {"grade": None, "timemodified": None} for pid in MOODLE_PARTICIPANTS}
    imported_at = datetime(2025, 3, 5, 10, 30, tzinfo=timezone.utc)
    text = (out / "gradebook-moodle.csv").read_text(encoding="utf-8")
    assert moodle_worksheet_import(text, grades, maximum=24, now=imported_at) == 4
    e = by_file(out)
    jose = e["José Álvarez_1234567_assignsubmission_file/hw3 v2.yaml"]
    assert jose["status"] == "graded" and grades[1234567]["grade"] == jose["score"]
    assert {pid for pid, g in grades.items() if g["grade"] is not None} == {1234567, 2345678, 3456789, 6789012}
    assert grades[2345678]["grade"] == e["Mary Ann O Neil_2345678_assignsubmission_file_/hw3.yaml"]["score"]
    # an instructor's manual change in Moodle, then the batch is rerun (a student's grade changed meanwhile)
    grades[6789012]["grade"] = 0.0
    later = tmp_path / "later"
    grade_batch(zpath, later, problem="exercise6", jobs=1, progress=False, assignment_name="HW 3",
                timestamp="2025-03-06T08:00:00Z")
    changed = moodle_worksheet_import((later / "gradebook-moodle.csv").read_text(encoding="utf-8"), grades,
                                      maximum=24, now=imported_at + timedelta(days=1))
    assert changed == 1 and grades[6789012]["grade"] == e["Kim Park_6789012_assignsubmission_file/sub/hw3.yaml"]["score"]
    grades[6789012]["grade"] = 0.0  # changed in Moodle again; the first run's sheet is older than that change
    assert moodle_worksheet_import(text, grades, maximum=24, now=imported_at + timedelta(days=2)) == 0
    assert moodle_worksheet_import(text, grades, maximum=24, now=imported_at, ignore_modified=True) == 1


def test_moodle_feedback_zip_replaces_with_the_current_report(moodle_run):
    """feedback-moodle.zip through "Upload multiple feedback files in a zip": each participant gets one feedback.html,
    the current one; uploading again replaces it; zipping feedback/ by hand, or the whole output folder, never lets a
    superseded report replace the current one."""
    _, out = moodle_run
    participants = set(MOODLE_PARTICIPANTS)
    store = moodle_feedback_zip_import((out / "feedback-moodle.zip").read_bytes(), participants)
    assert set(store) == {1234567, 2345678, 3456789, 5678901, 6789012}  # the PDF's student has no report
    assert all(list(files) == ["feedback.html"] for files in store.values())
    assert b"hw3 v2.yaml" in store[1234567]["feedback.html"]
    again = moodle_feedback_zip_import((out / "feedback-moodle.zip").read_bytes(), participants, dict(store))
    assert again == store
    for folder in (out / "feedback", out):
        by_hand = moodle_feedback_zip_import(zip_folder(folder, out), participants)
        assert by_hand[1234567]["feedback.html"] == store[1234567]["feedback.html"]
        assert set(by_hand[1234567]) == {"feedback.md", "feedback.html"}


def test_moodle_gradebook_csv_never_shifts_a_grade(moodle_run, tmp_path):
    """gradebook-moodle-idnumber.csv through Moodle's gradebook CSV import, mapped by ID number: no blank id cell, so
    no grade lands on the previous row's student (a file naming nobody sits between two that do); the students of a
    Moodle download are left to the worksheet (the id typed in a file may be anyone's); the worksheet mapped by
    mistake aborts rather than corrupts."""
    _, out = moodle_run
    users = {v[1]: v[2] for v in MOODLE_PARTICIPANTS.values()}
    assert read_csv(out / "gradebook-moodle-idnumber.csv")[1:] == []
    with pytest.raises(MoodleImportAborted):
        moodle_gradebook_csv_import((out / "gradebook-moodle.csv").read_text(encoding="utf-8"), "Identifier", users)
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "a.yaml").write_text(submission("400111", "José Álvarez"), encoding="utf-8")
    (inp / "b.yaml").write_text(submission(None, None, z1="-7.65"), encoding="utf-8")
    (inp / "c.yaml").write_text(submission("400222", "Mary Ann O'Neil", z1="-7.65"), encoding="utf-8")
    plain = tmp_path / "plain"
    grade_batch(inp, plain, problem="exercise6", jobs=1, progress=False, assignment_name="HW 3")
    got = moodle_gradebook_csv_import((plain / "gradebook-moodle-idnumber.csv").read_text(encoding="utf-8"),
                                      "ID number", users)
    e = by_file(plain)
    assert got == {11: f"{e['a.yaml']['score']:g}", 12: f"{e['c.yaml']['score']:g}"}
    assert_every_row_identified(out)
    assert_every_row_identified(plain)


def test_moodle_ags_needs_the_roster(moodle_run, tmp_path):
    """A participant id is not the Moodle user id AGS needs: without --roster no Moodle score is posted; with it,
    each is posted under the user id; a student missing from the roster is in needs-attention.csv."""
    zpath, out = moodle_run
    assert (out / "ags-scores.jsonl").read_text(encoding="utf-8") == ""
    roster = tmp_path / "roster.csv"
    lines = ["user_id,participant_id"] + [f"{v[2]},{pid}" for pid, v in MOODLE_PARTICIPANTS.items() if pid != 6789012]
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with_roster = tmp_path / "r"
    grade_batch(zpath, with_roster, problem="exercise6", jobs=1, progress=False, roster=roster,
                timestamp="2025-03-05T10:00:00Z")
    objs = [json.loads(x) for x in (with_roster / "ags-scores.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(o["userId"] for o in objs) == ["11", "12", "13"]
    attention = {r[0]: r for r in read_csv(with_roster / "needs-attention.csv")[1:]}
    assert attention["Kim Park_6789012_assignsubmission_file/sub/hw3.yaml"][3] == "not-in-roster"


# ==================================================================================================== AGS

def ags_post(held: dict, obj: dict, *, platform: str) -> int:
    """An AGS platform taking a score: canvas-lms ``app/controllers/lti/ims/scores_controller.rb`` (``userId``,
    ``activityProgress``, ``gradingProgress`` and ``timestamp`` required; 400 when the timestamp is before the result's
    last update; the score ignored unless FullyGraded or PendingManual) and Moodle's gradebookservices
    ``scores.php`` (409 when the timestamp is not newer than the stored one). Returns the HTTP status."""
    for key in ("userId", "activityProgress", "gradingProgress", "timestamp"):
        if key not in obj:
            return 400
    when = datetime.fromisoformat(obj["timestamp"])
    last = held.get(obj["userId"], {}).get("timestamp")
    if last is not None and (when < last if platform == "canvas" else when <= last):
        return 400 if platform == "canvas" else 409
    score = obj["scoreGiven"] if obj["gradingProgress"] in ("FullyGraded", "PendingManual") else None
    held[obj["userId"]] = {"timestamp": when, "score": score, "progress": obj["gradingProgress"]}
    return 200


def test_ags_progress_pending_manual_and_timestamps(tmp_path):
    """The seed homework, whose written answers await a score by hand, is PendingManual (FullyGraded once they are
    scored); timestamps carry milliseconds; a rerun posts newer ones, which both platforms take."""
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "hw.yaml").write_bytes((REPO / "submissions_examples" / "seed_homework.yaml").read_bytes())
    (inp / "e6.yaml").write_text(submission("1001", "Ann Archer"), encoding="utf-8")
    out = tmp_path / "out"
    grade_batch(inp, out, problems=REPO / "problems", jobs=1, progress=False, timestamp="2025-03-05T10:00:00.250Z")
    objs = {o["userId"]: o for o in map(json.loads, (out / "ags-scores.jsonl").read_text().splitlines())}
    hw = objs["400222100"]
    assert hw["gradingProgress"] == "PendingManual"
    assert hw["activityProgress"] == "Submitted"  # the seed leaves parts it gives no formula for empty
    assert objs["1001"]["activityProgress"] == "Completed"
    assert hw["scoreMaximum"] == by_file(out)["hw.yaml"]["max_score"] and hw["scoreGiven"] <= hw["scoreMaximum"]
    assert objs["1001"]["gradingProgress"] == "FullyGraded"
    assert hw["timestamp"] == "2025-03-05T10:00:00.250+00:00"
    for platform in ("canvas", "moodle"):
        held: dict = {}
        assert all(ags_post(held, o, platform=platform) == 200 for o in objs.values())
        rerun = tmp_path / f"rerun-{platform}"
        grade_batch(inp, rerun, problems=REPO / "problems", jobs=1, progress=False)  # later, without --timestamp
        for o in map(json.loads, (rerun / "ags-scores.jsonl").read_text().splitlines()):
            assert ags_post(held, o, platform=platform) == 200
        assert ags_post(held, objs["1001"], platform="moodle") in (400, 409)  # an old timestamp is refused
    scores = tmp_path / "scores.csv"
    scores.write_text("student_id,question,points\n" + "".join(f"400222100,ex{i},1\n" for i in range(1, 6)),
                      encoding="utf-8")
    graded = tmp_path / "graded"
    grade_batch(inp, graded, problems=REPO / "problems", jobs=1, progress=False, manual=scores,
                timestamp="2025-03-06T10:00:00Z")
    objs = {o["userId"]: o for o in map(json.loads, (graded / "ags-scores.jsonl").read_text().splitlines())}
    assert objs["400222100"]["gradingProgress"] == "FullyGraded"


# ==================================================================================================== identity

def test_plain_folder_names_are_not_canvas_names(tmp_path):
    """``hw_2025_3_mosavi.yaml`` in a folder is the file's student:, not Canvas user 2025 (a note says why);
    with --lms canvas it is Canvas's; a name with upper case is never Canvas's (Canvas lower-cases it)."""
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "hw_2025_3_mosavi.yaml").write_text(submission("400222100", "Reza Mosavi"), encoding="utf-8")
    (inp / "Doe_12_3_x.yaml").write_text(submission("400111", "Jane Doe"), encoding="utf-8")
    out = tmp_path / "out"
    grade_batch(inp, out, problem="exercise6", jobs=1, progress=False, timestamp="2025-03-05T10:00:00Z")
    e = by_file(out)
    reza = e["hw_2025_3_mosavi.yaml"]
    assert reza["student"]["id"] == "400222100" and reza["from_file_name"] is None
    assert any("--lms canvas" in w for w in reza["warnings"])
    canvas_rows = read_csv(out / "gradebook-canvas.csv")[2:]
    assert {r[1] for r in canvas_rows} == {""} and {r[2] for r in canvas_rows} == {"400222100", "400111"}
    forced = tmp_path / "forced"
    grade_batch(inp, forced, problem="exercise6", jobs=1, progress=False, lms="canvas")
    f = by_file(forced)
    assert f["hw_2025_3_mosavi.yaml"]["from_file_name"]["user_id"] == "2025"
    assert f["Doe_12_3_x.yaml"]["from_file_name"] is None
    assert any("not a Canvas download name" in w for w in f["Doe_12_3_x.yaml"]["warnings"])
    none = tmp_path / "none"
    grade_batch(moodle_class_zip(tmp_path / "m.zip"), none, problem="exercise6", jobs=1, progress=False, lms="none")
    assert all(x["from_file_name"] is None for x in by_file(none).values())


def test_files_without_identity_never_reach_a_gradebook(tmp_path):
    """A file that names nobody, or only a name, is graded but listed in needs-attention.csv, and its report is kept
    out of feedback/; two files claiming one id give one gradebook row (the latest) and a superseded row."""
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "anonymous.yaml").write_text(submission(None, None), encoding="utf-8")
    (inp / "name_only.yaml").write_text(submission(None, "Jane Doe"), encoding="utf-8")
    (inp / "ok.yaml").write_text(submission("7", "Al Bo"), encoding="utf-8")
    out = tmp_path / "out"
    grade_batch(inp, out, problem="exercise6", jobs=1, progress=False, timestamp="2025-03-05T10:00:00Z")
    attention = {r[0]: r[3] for r in read_csv(out / "needs-attention.csv")[1:]}
    assert attention == {"anonymous.yaml": "no-identity", "name_only.yaml": "name-only"}
    assert [r[0] for r in read_csv(out / "grades.csv")[1:]] == ["7"]
    assert sorted(p.name for p in (out / "feedback").iterdir()) == ["boal_7_feedback.html", "boal_7_feedback.md"]
    held = sorted(p.name for p in (out / "feedback-not-uploaded" / "unidentified").iterdir())
    assert held == ["anonymous-feedback.html", "anonymous-feedback.md", "name-only-feedback.html",
                    "name-only-feedback.md"]
    assert "feedback-not-uploaded/unidentified/anonymous-feedback.html" in (out / "summary.html").read_text()
    assert not (out / "feedback-canvas.zip").exists() and not (out / "feedback-moodle.zip").exists()
    assert_every_row_identified(out)


def test_a_stale_feedback_zip_is_removed(tmp_path):
    """A rerun on an input without Canvas students removes an earlier run's feedback-canvas.zip (it would send old
    reports)."""
    zpath, _ = canvas_class_zip(tmp_path / "c.zip")
    out = tmp_path / "out"
    grade_batch(zpath, out, problem="exercise6", jobs=1, progress=False)
    assert (out / "feedback-canvas.zip").is_file()
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "a.yaml").write_text(submission("7", "Al Bo"), encoding="utf-8")
    grade_batch(inp, out, problem="exercise6", jobs=1, progress=False)
    assert not (out / "feedback-canvas.zip").exists()


# ==================================================================================================== scale, guide

def test_scale_to_fits_the_lms_maximum(canvas_run, moodle_run, tmp_path):
    """Moodle skips a grade above the assignment's maximum (``process_import_grades``): out of 24 into a 10-point
    assignment loses grades; --scale-to 10 writes every LMS gradebook out of 10, and all import."""
    zpath, out = moodle_run
    text = (out / "gradebook-moodle.csv").read_text(encoding="utf-8")
    rows = {r[0]: r for r in read_csv_text(text)[1:]}
    grades = {pid: {"grade": None, "timemodified": None} for pid in MOODLE_PARTICIPANTS}
    now = datetime(2025, 3, 5, 11, tzinfo=timezone.utc)
    expected_lost = sum(1 for r in rows.values() if float(r[2]) > 10)
    assert moodle_worksheet_import(text, grades, maximum=10, now=now) == len(rows) - expected_lost
    scaled = tmp_path / "scaled"
    grade_batch(zpath, scaled, problem="exercise6", jobs=1, progress=False, scale_to=10,
                timestamp="2025-03-05T10:00:00Z")
    srows = {r[0]: r for r in read_csv(scaled / "gradebook-moodle.csv")[1:]}
    grades = {pid: {"grade": None, "timemodified": None} for pid in MOODLE_PARTICIPANTS}
    assert moodle_worksheet_import((scaled / "gradebook-moodle.csv").read_text(encoding="utf-8"), grades,
                                   maximum=10, now=now) == len(srows)
    for ident, r in srows.items():
        assert r[3] == "10" and float(r[2]) == pytest.approx(float(rows[ident][2]) * 10 / 24, abs=1e-6)
        if r[5].startswith("Not graded"):
            continue
        # the comment beside the Grade says both: the problem's points and the gradebook's (before: only "14/24")
        raw, _, rest = r[5].partition(" points (")
        assert raw == f"{rows[ident][2]}/24" and rest.startswith(f"{r[2]}/10 in the gradebook): "), r[5]
    czip, cout, _, _ = canvas_run
    cscaled = tmp_path / "cscaled"
    grade_batch(czip, cscaled, problem="exercise6", jobs=1, progress=False, scale_to=100)
    c = read_csv(cscaled / "gradebook-canvas.csv")
    assert c[1][5] == "100"
    assert "scaled to 100" in (cscaled / "summary.html").read_text(encoding="utf-8")


def test_upload_guide_names_the_files_for_each_lms(canvas_run, moodle_run):
    """summary.html's Upload guide says, per LMS, which file goes where."""
    _, cout, _, _ = canvas_run
    _, mout = moodle_run
    canvas = (cout / "summary.html").read_text(encoding="utf-8")
    moodle = (mout / "summary.html").read_text(encoding="utf-8")
    assert "Upload guide" in canvas and "feedback-canvas.zip" in canvas and "gradebook-canvas.csv" in canvas
    assert "feedback-moodle.zip" not in canvas
    assert "feedback-moodle.zip" in moodle and "Upload grading worksheet" in moodle and "--roster" in moodle
    assert "Last modified (grade)" in moodle


def test_bad_roster_refuses_the_batch(tmp_path, capsys):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "a.yaml").write_text(submission("7", "Al Bo"), encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("user_id,student_id\n1,7\n2,7\n", encoding="utf-8")
    with pytest.raises(GraderError, match="twice") as info:
        grade_batch(inp, tmp_path / "out", problem="exercise6", jobs=1, progress=False, roster=roster)
    assert info.value.line == 3
    roster.write_text("name,email\nx,y\n", encoding="utf-8")
    code = cli_main(["batch", str(inp), "--out", str(tmp_path / "o2"), "--problem", "exercise6",
                     "--roster", str(roster)])
    assert code == 2 and "user_id" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() or not (tmp_path / "out" / "grades.csv").exists()


def test_unicode_names_survive_nfc(tmp_path):
    """A zip written on macOS holds decomposed (NFD) names; the Canvas name is still read, the id kept."""
    name = unicodedata.normalize("NFD", canvas_entry("Müller, Jürgen", 23456, 9003, "hw3.yaml"))
    zpath = write_zip(tmp_path / "nfd.zip", [(name, submission("400222", "Jürgen Müller"), T1)])
    out = tmp_path / "out"
    grade_batch(zpath, out, problem="exercise6", jobs=1, progress=False)
    assert [r[1] for r in read_csv(out / "gradebook-canvas.csv")[2:]] == ["23456"]


def test_one_student_two_identifiers_gives_one_row(tmp_path):
    """A Canvas-named file and a plain file with the same student: id are one student to Canvas (ID, then SIS User
    ID, ``lib/gradebook_importer.rb``): one gradebook row, the other file in needs-attention.csv as a duplicate."""
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "doejane_12345_100_hw.yaml").write_text(submission("400111", "Jane Doe"), encoding="utf-8")
    (inp / "other.yaml").write_text(submission("400111", "Jane Doe", z1="-7.65"), encoding="utf-8")
    out = tmp_path / "out"
    grade_batch(inp, out, problem="exercise6", jobs=1, progress=False, lms="canvas")
    text = (out / "gradebook-canvas.csv").read_text(encoding="utf-8")
    jane = {"id": 12345, "sis_user_id": "400111", "name": "Jane Doe"}
    assert canvas_gradebook_import(text, [jane]) == {12345: f"{by_file(out)['doejane_12345_100_hw.yaml']['score']:g}"}
    attention = {r[0]: r for r in read_csv(out / "needs-attention.csv")[1:]}
    assert attention["other.yaml"][3] == "duplicate-id" and "400111" in attention["other.yaml"][4]
    assert [r[2] for r in read_csv(out / "grades.csv")[1:]] == ["doejane_12345_100_hw.yaml"]
    assert_every_row_identified(out)


def test_writeups_in_lms_downloads_keep_their_identity(tmp_path):
    """Written solutions (.md, .tex, .ipynb) in a Canvas or a Moodle download are read with the same name grammar:
    the Canvas user id and attachment id, or the Moodle participant id, and their reports go back the same way."""
    seed = (REPO / "tests" / "files" / "writeups" / "seed_000_0ba7f97f5ec89750.txt").read_bytes()
    czip = write_zip(tmp_path / "c.zip", [
        (canvas_entry("Doe, Jane", 12345, 9001, "Lösung HW3.md"), seed, T1),
        (canvas_entry("Müller, Jürgen", 23456, 9002, "hw3.yaml", late=True), submission("400222", "J M"), T1),
    ])
    out = tmp_path / "c"
    grade_batch(czip, out, problem="exercise6", jobs=1, progress=False)
    e = by_file(out)
    md = e["doejane_12345_9001_Lösung HW3.md"]
    assert md["status"] == "graded" and md["from_file_name"]["user_id"] == "12345"
    attached = canvas_reupload((out / "feedback-canvas.zip").read_bytes(), {12345: {9001}, 23456: {9002}})
    assert sorted(u for u, _ in attached) == [12345, 23456]
    mzip = write_zip(tmp_path / "m.zip", [(moodle_entry(moodle_prefix("Zoë van Dijk", 3456789), "hw3.md"), seed, T1)])
    mout = tmp_path / "m"
    grade_batch(mzip, mout, problem="exercise6", jobs=1, progress=False)
    store = moodle_feedback_zip_import((mout / "feedback-moodle.zip").read_bytes(), {3456789})
    assert list(store) == [3456789] and list(store[3456789]) == ["feedback.html"]
    assert read_csv(mout / "gradebook-moodle.csv")[1][0] == "Participant 3456789"

"""``grade FILE`` never reads a host file through a student's symbolic link (``ln -s /etc/shadow s.yaml``).

The student's file is opened with ``O_NOFOLLOW`` (``grader.fileio.read_capped(follow_symlinks=False)``): a link is
refused unopened, exit 2 with the file, what is wrong and what would be right, and nothing of its target in any
output. The target itself, given directly, is still read; instructor files (``--problem``) may be links.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from grader import fileio
from grader.errors import GraderError
from grader.fileio import read_capped
from tests.test_trust import run  # (rc, stdout, stderr) of one `grade` command

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "submissions_examples" / "exercise6_seed.yaml"
SECRET = "hunter2secret"
# Files that quote what they hold when graded: a YAML key is named in the error, a write-up's unread equation is
# listed in the report ("Not read as any quantity").
SECRET_YAML = f"{SECRET}: 1\n"
SECRET_MD = 'if [ -z "${' + SECRET + ':-}" ] && [ -r /etc/x ]; then y=$(cat /etc/x)\n'


@pytest.fixture
def host(tmp_path: Path) -> Path:
    """A host's secret files outside the students' folder, and the students' folder."""
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "shadow.yaml").write_text(SECRET_YAML)
    (tmp_path / "etc" / "bashrc.md").write_text(SECRET_MD)
    (tmp_path / "subs").mkdir()
    return tmp_path


@pytest.mark.parametrize("target, name, extra", [
    ("shadow.yaml", "shadowlink.yaml", []),
    ("bashrc.md", "bl.md", ["--problem", "exercise6"]),
])
@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html"])
def test_a_symlinked_submission_is_refused_unread(capsys, host: Path, target: str, name: str, extra: list[str],
                                                   fmt: str):
    link = host / "subs" / name
    link.symlink_to(host / "etc" / target)
    rc, out, err = run(capsys, link, *extra, "--format", fmt)
    assert rc == 2
    assert SECRET not in out and SECRET not in err
    assert "Traceback" not in err
    assert "symbolic link" in (err if fmt != "json" else out) and str(link) in err
    assert "not a link" in err  # the hint: what would be right
    if fmt == "json":
        (entry,) = json.loads(out)
        assert entry["file"] == str(link) and "symbolic link" in entry["error"]["message"]


@pytest.mark.parametrize("target, extra", [("shadow.yaml", []), ("bashrc.md", ["--problem", "exercise6"])])
def test_the_target_graded_directly_is_read(capsys, host: Path, target: str, extra: list[str]):
    """The same file given as itself is read (so the test above would see the secret if the link were followed)."""
    rc, out, err = run(capsys, host / "etc" / target, *extra)
    assert SECRET in out + err
    assert rc == (2 if target.endswith(".yaml") else 0)


def test_a_link_to_a_good_submission_is_refused_and_the_file_itself_graded(capsys, host: Path):
    link = host / "subs" / "seed.yaml"
    link.symlink_to(SEED)
    rc, out, err = run(capsys, link)
    assert rc == 2 and out == "" and "symbolic link" in err
    rc, out, err = run(capsys, SEED)
    assert rc == 0 and "Score:" in out and err == ""


def test_one_link_among_several_files_costs_only_itself(capsys, host: Path):
    link = host / "subs" / "l.yaml"
    link.symlink_to(host / "etc" / "shadow.yaml")
    rc, out, err = run(capsys, link, SEED)
    assert rc == 2 and "Score:" in out and SECRET not in out + err


@pytest.mark.parametrize("kind", ["dangling", "folder", "chain"])
def test_other_links_are_refused_as_links(capsys, host: Path, kind: str):
    link = host / "subs" / "x.yaml"
    if kind == "dangling":
        link.symlink_to(host / "nowhere.yaml")
    elif kind == "folder":
        link.symlink_to(host / "etc")
    else:
        (host / "subs" / "middle.yaml").symlink_to(host / "etc" / "shadow.yaml")
        link.symlink_to(host / "subs" / "middle.yaml")
    rc, out, err = run(capsys, link)
    assert rc == 2 and "symbolic link" in err and SECRET not in out + err


def test_instructor_files_may_still_be_links(capsys, tmp_path: Path):
    problem = tmp_path / "ex6.yaml"
    problem.symlink_to(ROOT / "problems" / "exercise6.yaml")
    rc, out, err = run(capsys, SEED, "--problem", problem)
    assert rc == 0 and "Score:" in out


def test_a_folder_on_the_way_may_be_a_link(capsys, tmp_path: Path):
    """Only the file itself is not followed (``O_NOFOLLOW``): a linked folder holding it is the instructor's."""
    (tmp_path / "linked").symlink_to(SEED.parent)
    rc, out, err = run(capsys, tmp_path / "linked" / SEED.name)
    assert rc == 0 and "Score:" in out


def test_without_o_nofollow_lstat_refuses_a_link_and_a_swap(monkeypatch, tmp_path: Path):
    """Where the system has no ``O_NOFOLLOW``: ``lstat`` before the open refuses a link, and a file swapped for
    another between the ``lstat`` and the open (a link's target, say) is refused on the opened descriptor."""
    monkeypatch.setattr(fileio, "_NOFOLLOW", 0)
    secret = tmp_path / "secret.yaml"
    secret.write_text(SECRET_YAML)
    link = tmp_path / "link.yaml"
    link.symlink_to(secret)
    with pytest.raises(GraderError, match="symbolic link") as e:
        read_capped(link, follow_symlinks=False)
    assert SECRET not in str(e.value)
    assert read_capped(secret, follow_symlinks=False) == SECRET_YAML.encode()
    decoy = tmp_path / "decoy.yaml"
    decoy.write_text("a: 1\n")
    real_lstat = os.lstat
    monkeypatch.setattr(fileio.os, "lstat", lambda p: real_lstat(decoy))  # what the lstat saw is not what opened
    with pytest.raises(GraderError, match="symbolic link"):
        read_capped(secret, follow_symlinks=False)


@pytest.mark.parametrize("target, name", [("shadow.yaml", "shadowlink.yaml"), ("bashrc.md", "bl.md")])
def test_the_library_reader_refuses_the_link_too(host: Path, target: str, name: str):
    from grader.grade.pipeline import Grader

    link = host / "subs" / name
    link.symlink_to(host / "etc" / target)
    with pytest.raises(GraderError) as err:
        Grader(problem="exercise6").grade_file(link)
    assert "symbolic link" in str(err.value) and SECRET not in str(err.value)

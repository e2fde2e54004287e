"""The one time a batch writes: when it graded (``--timestamp`` to fix it, for byte-identical reruns).

It goes where the LMS compares it with its own clock:

* the Moodle worksheet's ``Last modified (grade)``: ``mod/assign/feedback/offline/locallib.php``
  (``process_import_grades``) skips a row as stale when the grade in Moodle was modified more than 60 s after this
  time (unless "ignore modified" is ticked), and Moodle's own worksheet writes the grade's time there. So it must be
  the time of grading, not of the submission: written as ISO 8601 to the second (PHP ``strtotime`` reads it);
* the AGS score's ``timestamp``: ISO 8601 with milliseconds (canvas-lms ``app/controllers/lti/ims/scores_controller.rb``
  asks for sub-second precision and refuses a timestamp before the result's last update; Moodle's
  ``mod/lti/service/gradebookservices`` refuses one that is not newer than the stored score).

A rerun without ``--timestamp`` therefore always supersedes the previous import; a rerun with the same
``--timestamp`` gives identical files, which an LMS that already holds a later grade treats as stale (see
``docs/lms-upload.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from grader.errors import GraderError

__all__ = ["BatchTime", "parse_timestamp", "batch_time"]


@dataclass(frozen=True)
class BatchTime:
    dt: datetime  # aware, UTC, to the microsecond

    @property
    def seconds(self) -> str:
        """``2025-03-01T12:00:00+00:00``: the Moodle worksheet's ``Last modified (grade)``."""
        return self.dt.replace(microsecond=0).isoformat()

    @property
    def millis(self) -> str:
        """``2025-03-01T12:00:00.000+00:00``: the AGS ``timestamp`` and the batch's time in ``grades.json``."""
        return self.dt.isoformat(timespec="milliseconds")


def parse_timestamp(text: str) -> BatchTime:
    """An ISO 8601 date-time (a time without a zone is read as UTC), kept to the millisecond."""
    try:
        dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise GraderError(
            f"invalid --timestamp {text!r}", hint="give an ISO 8601 date-time, e.g. 2025-03-01T12:00:00Z"
        ) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    dt = dt.astimezone(timezone.utc)
    return BatchTime(dt.replace(microsecond=dt.microsecond // 1000 * 1000))


def batch_time(timestamp: str | None) -> BatchTime:
    """``--timestamp`` if given, else now."""
    if timestamp:
        return parse_timestamp(timestamp)
    now = datetime.now(timezone.utc)
    return BatchTime(now.replace(microsecond=now.microsecond // 1000 * 1000))

"""One assignment's term config, a YAML file such as ``term/03_dnn.yaml``, and the roster it names.

Schema (relative paths are relative to the config file's folder)::

    deadline: 2026-10-01T23:59:00+02:00   # ISO 8601 with a timezone
    grace_minutes: 15                      # this late still counts as on time (default 0)
    policy: {kind: per_hour, percent: 10, cap: 50}
        # kind zero: a late submission scores 0; per_hour / per_day: ``percent`` of the score off per
        # started hour / day late, at most ``cap`` percent (default 100)
    roster: roster.csv                     # student_id, name, email[, lms_id, github, extension_hours]
    preset: canvas                         # canvas | moodle | github | gradescope | pattern
    pattern: '^(?P<key>s[0-9]+)_'          # the pattern preset: group key in each file or folder name is
    column: student_id                     #   a value of this roster column (default student_id)
    intake: ../intake/03_dnn               # the folder `kerascourse intake` wrote (optional: --intake)
    overrides: overrides/03_dnn.csv        # student_id, question, points or delta, comment, who (optional)
    canvas_assignment: "03 DNN (12345)"    # the Canvas gradebook column (default: the lesson's name)

A student's ``extension_hours`` in the roster moves that student's deadline.
"""

import csv
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import yaml

POLICIES = ("zero", "per_hour", "per_day")


def parse_time(value):
    """An aware datetime from ISO 8601 or Gradescope's ``2026-10-01 23:59:00.123456789 -0700``."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = re.sub(r"(\.\d{6})\d+", r"\1", str(value).strip())
        moment = datetime.fromisoformat(re.sub(r"\s+([+-]\d\d:?\d\d|Z)$", r"\1", text))
    if moment.tzinfo is None:
        raise ValueError(f"{value}: a time needs a timezone")
    return moment


@dataclass
class Policy:
    kind: str = "zero"
    percent: float = 0.0
    cap: float = 100.0

    def fraction(self, hours):
        """The fraction of the score taken off a submission ``hours`` late (0 when on time)."""
        if hours <= 0:
            return 0.0
        if self.kind == "zero":
            return 1.0
        started = math.ceil(hours / (1 if self.kind == "per_hour" else 24))
        return min(self.cap, self.percent * started) / 100


@dataclass(frozen=True)
class Naming:
    """The ``pattern`` preset's rule: ``pattern``'s group ``key`` is a value of the roster's ``column``."""
    pattern: str
    column: str = "student_id"

    def check(self, roster):
        """The compiled pattern; a ValueError that says what to fix when the rule cannot match."""
        try:
            regex = re.compile(self.pattern, re.IGNORECASE)
        except re.error as error:
            raise ValueError(f"pattern {self.pattern!r} is not a regular expression: {error}") from None
        if "key" not in regex.groupindex:
            raise ValueError(f"pattern {self.pattern!r} needs a group named key, as in (?P<key>[^_]+)")
        if roster and self.column not in roster[0]:
            raise ValueError(f"the roster has no column {self.column!r} for the pattern's key")
        return regex


@dataclass
class Term:
    lesson: str
    deadline: datetime
    grace_minutes: float = 0.0
    policy: Policy = field(default_factory=Policy)
    roster: Path | None = None
    preset: str = ""
    intake: Path | None = None
    overrides: Path | None = None
    canvas_assignment: str = ""
    naming: Naming | None = None

    def late_hours(self, submitted_at, extension_hours=0.0):
        """Hours past the student's deadline, or 0 when within the grace period or the time is unknown."""
        if submitted_at is None:
            return 0.0
        late = submitted_at - (self.deadline + timedelta(hours=extension_hours))
        return late / timedelta(hours=1) if late > timedelta(minutes=self.grace_minutes) else 0.0


def load(path, lesson):
    """The term config at ``path`` for ``lesson``."""
    path = Path(path)
    data = yaml.safe_load(path.read_text()) or {}
    policy = Policy(**(data.get("policy") or {}))
    if policy.kind not in POLICIES:
        raise ValueError(f"{path}: policy kind {policy.kind!r} is not one of {', '.join(POLICIES)}")

    def relative(key):
        return path.parent / data[key] if data.get(key) else None

    naming = Naming(data["pattern"], data.get("column") or "student_id") if data.get("pattern") else None
    return Term(lesson, parse_time(data["deadline"]), float(data.get("grace_minutes", 0)), policy,
                relative("roster"), data.get("preset", ""), relative("intake"), relative("overrides"),
                data.get("canvas_assignment") or lesson, naming)


def read_roster(path):
    """The roster's rows as dicts, in order; optional columns default to ''."""
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for key in ("lms_id", "github", "extension_hours", "email"):
            row[key] = (row.get(key) or "").strip()
    return rows

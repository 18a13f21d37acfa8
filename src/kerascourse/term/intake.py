"""Intake: match an LMS export's submissions to the roster and write ``INTAKE/<student_id>.ipynb`` with
``INTAKE/intake.csv``: one row per roster student (``submitted`` or ``missing``) and one per thing not
taken (unmatched, a second notebook, a checkpoint copy, a non-notebook), with the reason.

Presets, by how each LMS names its export:

- canvas: flat files ``lastfirst_[late_]<canvas user id>_<submission id>_<original name>``; roster ``lms_id``.
- moodle: one folder per student, ``Full Name_<id>_assignsubmission_file_``; roster ``name`` or ``lms_id``.
- github: one folder per student, ``<assignment>-<github username>`` (GitHub Classroom); roster ``github``.
- gradescope: the export (zip or folder) whose ``submission_metadata.yml`` maps ``submission_<id>``
  folders to ``:submitters:`` (matched by ``:email:`` or ``:sid:``; a group
  submission goes to each submitter) and gives ``:created_at:``.
- pattern: a course's own naming: ``Naming(pattern, column)``, a regular expression whose group ``key``,
  searched in each file's or folder's name, is a value of the roster's ``column`` (case ignored).

The submission time comes from Gradescope's ``:created_at:`` or the ``--manifest`` CSV
(student_id, submitted_at), which wins; never from file times.
"""

import csv
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kerascourse.term.config import parse_time, read_roster

PRESETS = ("canvas", "moodle", "github", "gradescope", "pattern")
CANVAS = re.compile(r"^[^_]+_(?:late_)?(?P<id>\d+)_\d+_(?P<name>.+)$", re.IGNORECASE)
MOODLE = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assignsubmission_\w+?_?$")
COLUMNS = ["student_id", "name", "file", "submitted_at", "source", "status", "reason"]


@dataclass
class Found:
    """One student's files in the export: ``(label, path)`` pairs, and the time the LMS gives."""
    files: list = field(default_factory=list)
    submitted_at: object = None


def files_under(folder, prefix=""):
    return [(f"{prefix}{path.relative_to(folder)}", path) for path in sorted(Path(folder).rglob("*"))
            if path.is_file()]


def scan(export, preset, roster, skipped, naming=None):
    """``{student_id: Found}`` for the export; what matches no student goes to ``skipped``."""
    found = {}

    def take(student, files, submitted_at=None):
        entry = found.setdefault(student["student_id"], Found())
        entry.files += files
        entry.submitted_at = submitted_at or entry.submitted_at

    entries = sorted(Path(export).iterdir())
    if preset == "canvas":
        by_id = {row["lms_id"]: row for row in roster if row["lms_id"]}
        for path in entries:
            match = CANVAS.match(path.name)
            if match and match["id"] in by_id and path.is_file():
                take(by_id[match["id"]], [(match["name"], path)])
            else:
                skipped.append((path.name, "matches no roster lms_id"))
    elif preset == "moodle":
        keys = {key.casefold(): row for row in roster for key in (row["name"], row["lms_id"]) if key}
        for path in entries:
            match = MOODLE.match(path.name)
            student = match and (keys.get(match["name"].casefold()) or keys.get(match["id"]))
            if student and path.is_dir():
                take(student, files_under(path, f"{path.name}/"))
            else:
                skipped.append((path.name, "matches no roster name or lms_id"))
    elif preset == "github":
        users = sorted((row for row in roster if row["github"]), key=lambda r: -len(r["github"]))
        for path in entries:
            student = next((r for r in users if path.name.casefold().endswith(f"-{r['github'].casefold()}")), None)
            if student and path.is_dir():
                take(student, files_under(path, f"{path.name}/"))
            else:
                skipped.append((path.name, "matches no roster github username"))
    elif preset == "pattern":
        regex = naming.check(roster)
        keys = {row[naming.column].casefold(): row for row in roster if row.get(naming.column)}
        for path in entries:
            match = regex.search(path.name)
            student = match and match["key"] and keys.get(match["key"].casefold())
            if student:
                take(student, files_under(path, f"{path.name}/") if path.is_dir() else [(path.name, path)])
            else:
                skipped.append((path.name, f"matches no roster {naming.column}"))
    else:
        metadata_file = next(Path(export).rglob("submission_metadata.yml"), None)
        if metadata_file is None:
            raise ValueError(f"{export}: no submission_metadata.yml, so not a Gradescope export")
        keys = {key.casefold(): row for row in roster for key in (row["email"], row["student_id"]) if key}
        for name, meta in (yaml.safe_load(metadata_file.read_text()) or {}).items():
            folder = metadata_file.parent / name
            # A group submission goes to each of its submitters on the roster.
            students = {keys[k]["student_id"]: keys[k] for s in meta.get(":submitters:") or []
                        for k in (str(s.get(":email:", "")).casefold(), str(s.get(":sid:", "")).casefold())
                        if k in keys}
            created = meta.get(":created_at:")
            for student in students.values() if folder.is_dir() else ():
                take(student, files_under(folder, f"{name}/"), parse_time(created) if created else None)
            if not students or not folder.is_dir():
                skipped.append((name, "matches no roster email or student_id"))
    return found


def choose(lesson, files):
    """The notebook to grade among a student's ``(label, path)`` files, and ``(label, why)`` for the rest."""
    rest, notebooks = [], []
    for label, path in files:
        if ".ipynb_checkpoints" in Path(label).parts or label.endswith("-checkpoint.ipynb"):
            rest.append((label, "a Jupyter checkpoint copy"))
        elif path.suffix != ".ipynb":
            rest.append((label, "not a notebook"))
        else:
            notebooks.append((label, path))
    # Canvas names a resubmission `03_dnn-1.ipynb`.
    named = [n for n in notebooks if re.sub(r"-\d+$", "", Path(n[0]).stem) == lesson]
    chosen = named[-1] if named else notebooks[0] if len(notebooks) == 1 else None
    why = "another notebook than the one graded" if chosen else f"several notebooks, none named {lesson}.ipynb"
    rest += [(label, why) for label, path in notebooks if (label, path) != chosen]
    return chosen, rest


def read_manifest(path):
    with open(path, newline="") as handle:
        return {row["student_id"]: parse_time(row["submitted_at"]) for row in csv.DictReader(handle)}


def intake(lesson, export, out, roster_path, preset, manifest=None, naming=None):
    """Write ``out``'s notebooks and ``intake.csv``; returns the csv's rows. ``naming`` is the ``pattern``
    preset's rule."""
    if preset not in PRESETS:
        raise ValueError(f"preset {preset!r} is not one of {', '.join(PRESETS)}")
    if (preset == "pattern") != (naming is not None):
        raise ValueError("the pattern preset, and only it, takes a pattern (and the roster column it matches)")
    roster = read_roster(roster_path)
    times = read_manifest(manifest) if manifest else {}
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        if zipfile.is_zipfile(export):
            zipfile.ZipFile(export).extractall(scratch)
            export = scratch
        skipped = []
        found = scan(export, preset, roster, skipped, naming)
        rows = []
        for student in roster:
            sid = student["student_id"]
            chosen, rest = choose(lesson, found[sid].files) if sid in found else (None, [])
            skipped += [(label, f"{sid}: {why}") for label, why in rest]
            submitted_at = times.get(sid) or (found[sid].submitted_at if sid in found else None)
            row = {"student_id": sid, "name": student["name"], "file": "", "submitted_at": "",
                   "source": "", "status": "missing", "reason": "no submission"}
            if chosen:
                shutil.copyfile(chosen[1], out / f"{sid}.ipynb")
                row.update(file=f"{sid}.ipynb", source=chosen[0], status="submitted",
                           submitted_at=submitted_at.isoformat() if submitted_at else "",
                           reason="" if submitted_at else "time unknown")
            elif sid in found:
                row["reason"] = "no notebook to grade"
            rows.append(row)
    rows += [{"source": label, "status": "skipped", "reason": why} for label, why in skipped]
    with open(out / "intake.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return rows


def read_intake(folder):
    """The roster rows of ``intake.csv`` (its skipped rows left out)."""
    with open(Path(folder) / "intake.csv", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["status"] != "skipped"]

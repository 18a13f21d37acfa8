"""The gradebook: the autograder's records (``OUT/results/<file>.json``), then the overrides, then the late
policy, per roster student. Writes ``grades.csv``, Canvas's ``canvas.csv`` and ``feedback/<student_id>.md``
(the grader's feedback plus an "Overrides" section). Overrides live in their own CSV
(student_id, question, points or delta, comment, who), so they survive ``kerascourse grade --force``.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from kerascourse.grader.results import record_from_results, total
from kerascourse.term.config import parse_time, read_roster
from kerascourse.term.intake import read_intake


@dataclass
class Override:
    question: str
    points: float | None
    delta: float | None
    comment: str
    who: str

    def apply(self, score, possible):
        """The question's score after this override, within [0, possible]."""
        new = self.points if self.points is not None else score + self.delta
        return min(max(new, 0.0), possible)


def read_overrides(path):
    """``{student_id: [Override]}``, in the file's order; a row gives points or delta, not both."""
    overrides = {}
    if not path:
        return overrides
    with open(path, newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            points, delta = ((row.get(key) or "").strip() for key in ("points", "delta"))
            if bool(points) == bool(delta):
                raise ValueError(f"{path}:{line}: give points or delta, one of them")
            overrides.setdefault(row["student_id"], []).append(Override(
                row["question"], float(points) if points else None, float(delta) if delta else None,
                row.get("comment", ""), row.get("who", "")))
    return overrides


def grade_student(term, student, entry, out, overrides):
    """One grades.csv row (as a dict) and the student's feedback text (None when not graded)."""
    row = {"student_id": student["student_id"], "name": student["name"], "status": entry["status"],
           "raw": 0.0, "scores": {}, "late_hours": 0.0, "penalty": 0.0, "final": 0.0, "reason": entry["reason"]}
    results = Path(out) / "results" / f"{entry['file']}.json"
    if entry["status"] != "submitted":
        return row, None
    if not results.exists():
        return {**row, "status": "ungraded", "reason": f"no {results}"}, None
    record = record_from_results(results.read_text())
    scores = {name: question.score for name, question in record.questions.items()}
    notes, applied = [entry["reason"], record.reason], []
    for override in overrides:
        if override.question not in record.questions:
            notes.append(f"override of unknown question {override.question} ignored")
            continue
        scores[override.question] = override.apply(scores[override.question],
                                                   record.questions[override.question].possible)
        applied.append(override)
    submitted_at = parse_time(entry["submitted_at"]) if entry["submitted_at"] else None
    hours = term.late_hours(submitted_at, float(student["extension_hours"] or 0))
    score = total(scores.values())
    penalty = round(score * term.policy.fraction(hours), 6)
    row.update(status=str(record.status), raw=record.score, scores=scores, late_hours=round(hours, 4),
               penalty=penalty, final=round(score - penalty, 6), reason="; ".join(n for n in notes if n))
    feedback = Path(out) / "feedback" / f"{entry['file']}.md"
    text = feedback.read_text() if feedback.exists() else ""
    if applied:
        text += "\n\n## Overrides\n\n" + "".join(
            f"- {o.question}: {scores[o.question]:g} / {record.questions[o.question].possible:g} points. "
            f"{o.comment} ({o.who})\n" for o in applied)
    return row, text


def gradebook(term, out, folder, intake=None):
    """Write ``folder``'s grades.csv, canvas.csv and feedback; returns the grades rows."""
    roster = read_roster(term.roster)
    entries = {row["student_id"]: row for row in read_intake(intake or term.intake)}
    overrides = read_overrides(term.overrides)
    folder = Path(folder)
    (folder / "feedback").mkdir(parents=True, exist_ok=True)
    rows, possible = [], 0.0
    missing = {"status": "missing", "reason": "not in intake.csv", "file": "", "submitted_at": ""}
    for student in roster:
        sid = student["student_id"]
        row, text = grade_student(term, student, entries.get(sid, missing), out, overrides.get(sid, []))
        if text is not None:
            (folder / "feedback" / f"{sid}.md").write_text(text)
        rows.append(row)
    for path in Path(out).glob("results/*.json"):
        possible = max(possible, record_from_results(path.read_text()).max_score)
    questions = sorted({name for row in rows for name in row["scores"]})
    with open(folder / "grades.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "name", "status", "raw", *questions, "late_hours", "penalty", "final",
                         "reason"])
        for row in rows:
            writer.writerow([row["student_id"], row["name"], row["status"], row["raw"],
                             *(row["scores"].get(q, "") for q in questions),
                             row["late_hours"], row["penalty"], row["final"], row["reason"]])
    write_canvas(folder / "canvas.csv", term.canvas_assignment, possible, roster, rows)
    return rows


def write_canvas(path, assignment, possible, roster, rows):
    """Canvas's gradebook import: matched by ID (Canvas user id) or SIS User ID (the student_id)."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment])
        writer.writerow(["Points Possible", "", "", "", "", possible])
        for student, row in zip(roster, rows, strict=True):
            writer.writerow([student["name"], student["lms_id"], student["student_id"], "", "", row["final"]])

"""``kerascourse demo``: build lessons and batch-grade their samples and hostile corpus, one line per file
and one per variant, and say whether each graded as it must."""

from pathlib import Path

from kerascourse import ROOT
from kerascourse.authoring import assign, samples
from kerascourse.authoring.verdicts import verdict
from kerascourse.grader import pool
from kerascourse.grader.settings import Settings
from kerascourse.lessons import lessons as all_lessons

KINDS = ("samples", "hostile")


def corpus_folders(lessons, root=ROOT):
    """``(lesson, kind)`` for each sample and hostile folder the lessons have."""
    return [(lesson, kind) for lesson in lessons for kind in KINDS if (root / "autograder" / lesson / kind).is_dir()]


def demo(lessons, out):
    """Exit status 1 when any file graded other than it must."""
    lessons = lessons or all_lessons()
    for lesson in lessons:
        assign.assign(lesson)
    folders = corpus_folders(lessons)
    print(f"grading {', '.join(f'{lesson} {kind}' for lesson, kind in folders)}")
    batches = [(Settings(lesson), ROOT / "autograder" / lesson / kind, Path(out) / lesson / kind)
               for lesson, kind in folders]
    failures = 0
    for (lesson, kind), records in zip(folders, pool.grade_folders(batches, force=True), strict=True):
        print(f"{lesson} {kind}:")
        plan = samples.plan(samples.load_variants(lesson))
        for record in records:
            outcome = verdict(lesson, kind, record)
            failures += outcome != "ok"
            score = f"{round(record.score, 2):g}/{record.max_score:g}"
            print(f"  {record.submission:36s} {record.status:9s} {score:>9s}  {outcome}")
            if kind == "samples":
                for variant in plan.get(record.submission, []):
                    question = record.question(variant.question)
                    points = f"{question.score:g}/{question.possible:g}"
                    print(f"      {variant.kind:11s} {variant.name:40s} {variant.question} {points}")
    print(f"reports in {Path(out)}/<lesson>/<kind>/report.html")
    return 1 if failures else 0

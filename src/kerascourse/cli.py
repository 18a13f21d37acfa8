"""The ``kerascourse`` command: assign lessons, check a notebook, grade a folder, run the demo, prepare data."""

import argparse
import os
import sys
import tempfile
from pathlib import Path

from kerascourse import ROOT


def check(lesson, notebook):
    """Run a lesson's public tests on a notebook, in its kernel after its cells as ``otter check`` does;
    exit status 1 unless every test passes."""
    from kerascourse.grader import runner

    tests = sorted((ROOT / "exercises" / lesson / "tests").glob("q*.py"))
    with tempfile.TemporaryDirectory() as scratch:
        results = runner.public_tests(notebook, tests, scratch)
    if results is None:
        print(f"{lesson}: the public tests did not finish: the kernel died or the notebook stopped them")
        return 1
    for question in results.values():
        print(question["summary"])
    score, possible = (sum(q[key] for q in results.values()) for key in ("score", "possible"))
    print(f"{lesson}: {score:g} / {possible:g} points on the public tests")
    return 0 if score == possible else 1


def grade(args):
    from kerascourse.grader import pool
    from kerascourse.grader.pipeline import Settings
    from kerascourse.grader.results import Status

    settings = Settings(args.lesson, timeout=args.timeout, cell_timeout=args.cell_timeout,
                        memory_mb=args.memory_mb, disk_mb=args.disk_mb)
    records = pool.grade_folder(settings, args.submissions, args.out, workers=args.workers, force=args.force)
    counts = {status: sum(r.status == status for r in records) for status in Status}
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    print(f"graded {len(records)} submissions into {args.out}: {summary}")
    return 0


def data(names):
    from kerascourse.course import data, pretrained

    for name in names:
        builder = data.prepared_builder(name, size="grading" if name in data.OFFLINE_BUILDERS else "full")
        print(f"{builder.info.full_name} ready in {data.data_dir()}")
        if name == pretrained.BASE_DATASET:
            print(f"the digits base, pre-trained on its pretrain split, ready: {pretrained.base_weights('grading')}")
    return 0


def parser():
    parser = argparse.ArgumentParser(prog="kerascourse", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("assign", help="generate exercises/ and autograder/ from reference/").add_argument(
        "lessons", nargs="*"
    )
    check_parser = commands.add_parser("check", help="run a lesson's public tests on a notebook")
    check_parser.add_argument("lesson")
    check_parser.add_argument("notebook", type=Path)
    demo_parser = commands.add_parser("demo", help="build lessons and grade their sample submissions")
    demo_parser.add_argument("lessons", nargs="*")
    demo_parser.add_argument("--out", type=Path, default=ROOT / "demo-out")
    grade_parser = commands.add_parser("grade", help="grade a folder of submissions (no Docker needed)")
    grade_parser.add_argument("lesson")
    grade_parser.add_argument("submissions", type=Path)
    grade_parser.add_argument("out", type=Path)
    grade_parser.add_argument("--workers", type=int, default=None, help="parallel notebooks (default: cores)")
    grade_parser.add_argument("--force", action="store_true", help="regrade submissions already graded")
    grade_parser.add_argument("--timeout", type=float, default=600.0, help="seconds for a whole notebook")
    grade_parser.add_argument("--cell-timeout", type=float, default=60.0, help="seconds before a cell is stopped")
    grade_parser.add_argument("--memory-mb", type=float, default=3000.0, help="memory limit per notebook")
    grade_parser.add_argument("--disk-mb", type=float, default=1024.0, help="what a notebook may write to disk")
    commands.add_parser("data", help="prepare TFDS datasets in the data directory").add_argument(
        "names", nargs="+"
    )
    return parser


def main(argv=None):
    args = parser().parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if args.command == "assign":
        from kerascourse.authoring import assign

        assign.main(args.lessons)
        return 0
    if args.command == "check":
        return check(args.lesson, args.notebook)
    if args.command == "demo":
        from kerascourse.authoring.demo import demo

        return demo(args.lessons, args.out)
    if args.command == "grade":
        return grade(args)
    return data(args.names)


if __name__ == "__main__":
    sys.exit(main())

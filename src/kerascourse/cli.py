"""The ``kerascourse`` command: assign lessons, check a notebook, grade samples, prepare data."""

import argparse
import os
import sys
from pathlib import Path

from kerascourse.assign import ROOT


def check(lesson, notebook):
    """Run a lesson's public tests on a notebook; exit status 1 unless every test passes."""
    from otter.check.utils import list_test_files
    from otter.execute import grade_notebook

    tests = ROOT / "exercises" / lesson / "tests"
    results = grade_notebook(str(notebook), tests_glob=list_test_files(str(tests)), test_dir=str(tests), script=False)
    for _, test_file in results.results.items():
        print(repr(test_file))
    print(f"{lesson}: {results.total:g} / {results.possible:g} public points")
    return 0 if results.total == results.possible else 1


def demo(lessons):
    """Build every lesson and grade its sample submissions; exit 1 when a sample misbehaves."""
    from kerascourse import assign, grading, samples

    failures = 0
    for lesson in lessons or assign.lessons():
        assign.assign(lesson)
        folder = ROOT / "autograder" / lesson / "samples"
        expected = {variant.filename: variant for variant in samples.load_variants(lesson)}
        notebooks = sorted(folder.glob("*.ipynb"))
        print(f"{lesson}: grading {len(notebooks)} sample submissions")
        for result in grading.grade_all(notebooks, lesson):
            verdict = samples.judge(result, expected.get(result.submission))
            failures += verdict != "ok"
            score = f"{round(result.score, 2):g}/{result.max_score:g}"
            print(f"  {result.submission:52s} {score:>9s}  {result.percent:5.1f}%  {verdict}")
    return 1 if failures else 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="kerascourse", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("assign", help="generate exercises/ and autograder/ from reference/").add_argument(
        "lessons", nargs="*"
    )
    check_parser = commands.add_parser("check", help="run a lesson's public tests on a notebook")
    check_parser.add_argument("lesson")
    check_parser.add_argument("notebook", type=Path)
    commands.add_parser("demo", help="build lessons and grade their sample submissions").add_argument(
        "lessons", nargs="*"
    )
    commands.add_parser("data", help="prepare TFDS datasets in the data directory").add_argument(
        "names", nargs="+"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if args.command == "assign":
        from kerascourse import assign

        assign.main(args.lessons)
        return 0
    if args.command == "check":
        return check(args.lesson, args.notebook)
    if args.command == "demo":
        return demo(args.lessons)
    from kerascourse import data

    for name in args.names:
        builder = data.prepared_builder(name, size="grading" if name in data.OFFLINE_BUILDERS else "full")
        print(f"{builder.info.full_name} ready in {data.data_dir()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The ``kerascourse`` command. For students, from any folder: start a lesson, check a notebook. For
instructors and maintainers, in a clone of the course: assign lessons, take in an LMS export, grade a folder,
build the gradebook, run the demo, prepare data."""

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from kerascourse import ROOT


def start(lesson, folder):
    """Write the lesson's student notebook and public tests into ``folder``; a notebook already there is
    the student's work and is kept."""
    from kerascourse.course import material

    source = material.folder(lesson)
    folder = Path(folder or lesson)
    notebook = folder / f"{lesson}.ipynb"
    shutil.copytree(source / "tests", folder / "tests", dirs_exist_ok=True)
    kept = notebook.exists()
    if not kept:
        shutil.copy(source / notebook.name, notebook)
    tests = len(material.test_files(lesson))
    wrote = f"kept your {notebook} and updated" if kept else f"wrote {notebook} and"
    print(f"{wrote} its {tests} public tests in {folder / 'tests'}; open it with `jupyter lab {notebook}`, "
          f"check it with `kerascourse check {lesson} {notebook}`")
    return 0


def check(lesson, notebook):
    """Run a lesson's public tests on a notebook, in its kernel after its cells as ``otter check`` does;
    exit status 1 unless every test passes."""
    from kerascourse.course import material
    from kerascourse.grader import runner

    tests = material.test_files(lesson)
    with tempfile.TemporaryDirectory() as scratch:
        # The notebook's own grader.check cells and setup cell find the tests beside it, as in its folder.
        shutil.copytree(material.folder(lesson) / "tests", Path(scratch) / "tests")
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
    from kerascourse.grader.results import Status
    from kerascourse.grader.settings import Settings

    settings = Settings(args.lesson, timeout=args.timeout, cell_timeout=args.cell_timeout,
                        memory_mb=args.memory_mb, disk_mb=args.disk_mb)
    if args.scheduler and args.workers:
        print("--workers sets the local pool's or --cluster local's workers; a scheduler's cluster has its own")
        return 2
    for name, why in pool.skipped_entries(args.submissions):
        print(f"skipped {name}: {why}")
    if args.scheduler or args.cluster:
        from kerascourse.grader import cluster

        with cluster.connect(args.scheduler, args.workers) as client:
            records = cluster.grade_folder(settings, args.submissions, args.out, client, force=args.force)
    else:
        records = pool.grade_folder(settings, args.submissions, args.out, workers=args.workers, force=args.force)
    counts = {status: sum(r.status == status for r in records) for status in Status}
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    print(f"graded {len(records)} submissions into {args.out}: {summary}")
    return 0


def intake(args):
    from kerascourse.term import config
    from kerascourse.term.intake import intake as take_in

    term = config.load(args.term, args.lesson) if args.term else None
    roster, preset = args.roster or (term and term.roster), args.preset or (term and term.preset)
    if not (roster and preset):
        print("give --roster and --preset, or a --term config that names them")
        return 2
    naming = config.Naming(args.pattern, args.column) if args.pattern else term and term.naming
    rows = take_in(args.lesson, args.export, args.intake, roster, preset, args.manifest, naming)
    for row in rows:
        if row["status"] == "skipped":
            print(f"skipped {row['source']}: {row['reason']}")
    counts = {status: sum(r["status"] == status for r in rows) for status in ("submitted", "missing", "skipped")}
    print(f"intake into {args.intake}: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    return 0


def gradebook(args):
    from kerascourse.term import config
    from kerascourse.term.gradebook import gradebook as build

    term = config.load(args.term, args.lesson)
    if not (args.intake or term.intake):
        print(f"give --intake or `intake:` in {args.term}")
        return 2
    rows = build(term, args.out, args.gradebook, args.intake)
    late = sum(row["penalty"] > 0 for row in rows)
    print(f"wrote {args.gradebook}/grades.csv and canvas.csv: {len(rows)} students, {late} with a late penalty")
    return 0


def similarity(args):
    from kerascourse.grader import pool
    from kerascourse.grader import similarity as similar

    notebooks = [path for path in pool.submission_files(args.submissions) if path.suffix == ".ipynb"]
    pairs = similar.report(args.lesson, notebooks, threshold=args.threshold or similar.THRESHOLD)
    similar.write_html(pairs, args.page)
    print(f"{len(pairs)} pairs of answers at or above {pairs.threshold:g} similarity, {len(pairs.skipped)} answers "
          f"not compared: {args.page} (for a person to review; nothing is penalized)")
    return 0


def data(names):
    from kerascourse.course import data, pretrained

    for name in names or sorted(data.OFFLINE_BUILDERS):
        builder = data.prepared_builder(name, size="grading" if name in data.OFFLINE_BUILDERS else "full")
        print(f"{builder.info.full_name} ready in {data.data_dir()}")
        if name == pretrained.BASE_DATASET:
            print(f"the digits base, pre-trained on its pretrain split, ready: {pretrained.base_weights('grading')}")
        if name == data.dataset_name("imdb_reviews", "grading"):
            from kerascourse.course import language_model

            preset = language_model.bert_preset("grading")
            print(f"the small BERT, pre-trained on its unsupervised split, ready: {preset}")
    return 0


def parser():
    parser = argparse.ArgumentParser(prog="kerascourse", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    start_parser = commands.add_parser("start", help="write a lesson's student notebook and public tests into a folder")
    start_parser.add_argument("lesson")
    start_parser.add_argument("folder", nargs="?", type=Path, help="default: a folder named after the lesson")
    assign_parser = commands.add_parser("assign", help="generate exercises/ and autograder/ from reference/")
    assign_parser.add_argument("lessons", nargs="*")
    assign_parser.add_argument("--root", type=Path, default=ROOT, help="the course checkout (default: this one)")
    check_parser = commands.add_parser("check", help="run a lesson's public tests on a notebook")
    check_parser.add_argument("lesson")
    check_parser.add_argument("notebook", type=Path)
    demo_parser = commands.add_parser("demo", help="build lessons and grade their sample submissions")
    demo_parser.add_argument("lessons", nargs="*")
    demo_parser.add_argument("--out", type=Path, default=Path("demo-out"))
    grade_parser = commands.add_parser("grade", help="grade a folder of submissions (no Docker needed)")
    grade_parser.add_argument("lesson")
    grade_parser.add_argument("submissions", type=Path)
    grade_parser.add_argument("out", type=Path)
    grade_parser.add_argument("--workers", type=int, default=None,
                              help="parallel notebooks, or --cluster local's worker processes (default: cores)")
    where = grade_parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="grade on the Dask cluster of this scheduler")
    where.add_argument("--cluster", choices=["local"], help="grade on a Dask LocalCluster on this machine")
    grade_parser.add_argument("--force", action="store_true", help="regrade submissions already graded")
    grade_parser.add_argument("--timeout", type=float, default=600.0, help="seconds for a whole notebook")
    grade_parser.add_argument("--cell-timeout", type=float, default=60.0, help="seconds before a cell is stopped")
    grade_parser.add_argument("--memory-mb", type=float, default=3000.0, help="memory limit per notebook")
    grade_parser.add_argument("--disk-mb", type=float, default=1024.0, help="what a notebook may write to disk")
    intake_parser = commands.add_parser("intake", help="match an LMS export to the roster: one notebook a student")
    intake_parser.add_argument("lesson")
    intake_parser.add_argument("export", type=Path, help="the LMS's download: a folder, or Gradescope's zip")
    intake_parser.add_argument("intake", type=Path, help="writes <student_id>.ipynb and intake.csv here")
    intake_parser.add_argument("--roster", type=Path, help="default: the --term config's")
    intake_parser.add_argument("--preset", help="how the export names students: canvas, moodle, github, gradescope, "
                               "or pattern (with --pattern); default: the --term config's")
    intake_parser.add_argument("--pattern", help="with --preset pattern: a regular expression whose group key, "
                               "in each file's or folder's name, is a roster --column value")
    intake_parser.add_argument("--column", default="student_id", help="the roster column --pattern's key matches")
    intake_parser.add_argument("--term", type=Path, help="the assignment's config, term/LESSON.yaml")
    intake_parser.add_argument("--manifest", type=Path, help="a CSV of student_id, submitted_at")
    book_parser = commands.add_parser("gradebook", help="grades.csv and Canvas's canvas.csv from a graded intake")
    book_parser.add_argument("lesson")
    book_parser.add_argument("out", type=Path, help="the folder `kerascourse grade` wrote")
    book_parser.add_argument("gradebook", type=Path)
    book_parser.add_argument("--term", type=Path, required=True, help="the assignment's config, term/LESSON.yaml")
    book_parser.add_argument("--intake", type=Path, help="the intake folder (default: the config's)")
    similar_parser = commands.add_parser("similarity", help="pairs of answers too alike, for a person to review")
    similar_parser.add_argument("lesson")
    similar_parser.add_argument("submissions", type=Path, help="a folder of notebooks, an intake folder for one")
    similar_parser.add_argument("page", type=Path, help="the HTML page to write")
    similar_parser.add_argument("--threshold", type=float,
                                help="the share of shared code fragments from which a pair is listed (default 0.8)")
    commands.add_parser("data", help="prepare TFDS datasets in the data directory").add_argument(
        "names", nargs="*", help="default: every dataset the lessons read at grading size"
    )
    return parser


def main(argv=None):
    args = parser().parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if args.command == "assign":
        from kerascourse.authoring import assign

        assign.main(args.lessons, args.root)
        return 0
    try:
        if args.command == "start":
            return start(args.lesson, args.folder)
        if args.command == "check":
            if not args.notebook.is_file():
                print(f"there is no notebook {args.notebook}")
                return 2
            return check(args.lesson, args.notebook)
    except LookupError as unknown:
        print(unknown)
        return 2
    if args.command == "demo":
        from kerascourse.authoring.demo import demo

        return demo(args.lessons, args.out)
    if args.command == "grade":
        return grade(args)
    if args.command == "similarity":
        return similarity(args)
    if args.command in ("intake", "gradebook"):
        try:
            return (intake if args.command == "intake" else gradebook)(args)
        except (OSError, ValueError, KeyError) as wrong:
            why = f"a CSV or YAML file lacks {wrong}" if isinstance(wrong, KeyError) else wrong
            print(f"{args.command}: {why}")
            return 2
    return data(args.names)


if __name__ == "__main__":
    sys.exit(main())

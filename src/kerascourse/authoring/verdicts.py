"""Whether a graded sample or corpus file got what it must: the reference full marks, the stub none, each
known mistake fewer points with feedback that names it, each valid alternative full marks on every question
up to its last (its notebook ends there), and each
hostile file its expected status and score."""

from kerascourse import ROOT
from kerascourse.authoring import hostile, samples
from kerascourse.grader.results import Status


def verdict(lesson, kind, record, root=ROOT):
    """``ok`` when a file of ``autograder/<lesson>/<kind>/`` graded as it must, else what went wrong."""
    if kind == "samples":
        plan = samples.plan(samples.load_variants(lesson, root))
        return sample_verdict(record, plan.get(record.submission, []))
    return corpus_verdict(record, hostile.expectations(lesson, root)[record.submission])


def sample_verdict(record, members):
    """``members`` are the variants the sample carries; none for the reference (which must score 100%) and
    the stub (which must score 0)."""
    if record.status != Status.GRADED:
        return f"{record.status}: {record.reason}"
    if not members:
        wanted = record.max_score if record.submission == "reference.ipynb" else 0.0
        return "ok" if record.score == wanted else f"expected {wanted:g} points"
    if members[0].kind == "alternative":
        lost = [q for q in samples.questions_up_to(record.questions, members)
                if record.question(q).score < record.question(q).possible]
        return f"a valid alternative lost points on {', '.join(lost)}" if lost else "ok"
    problems = [problem for variant in members if (problem := mistake_problem(record, variant))]
    return "; ".join(problems) or "ok"


def mistake_problem(record, variant):
    """What is wrong with how ``record`` graded the mistake ``variant``, or an empty string."""
    question = record.question(variant.question)
    if question.score >= question.possible:
        return f"{variant.name} kept all {question.possible:g} points of {variant.question}"
    if variant.feedback not in " ".join(question.messages()):
        return f"the feedback on {variant.question} does not say {variant.feedback!r} ({variant.name})"
    return ""


def corpus_verdict(record, expected):
    """``ok`` when a corpus file got its expected status and score, else what went wrong."""
    if record.status != expected["status"]:
        return f"status {record.status} ({record.reason}), expected {expected['status']}"
    wanted = {
        "zero": record.score == 0,
        "full": record.score == record.max_score,
        "partial": 0 < record.score < record.max_score,
    }[expected["score"]]
    return "ok" if wanted else f"score {record.score:g}/{record.max_score:g} is not {expected['score']}"

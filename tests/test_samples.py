"""Variants share sample notebooks without replacing each other's answers, and are judged one by one."""

from kerascourse.authoring import samples
from kerascourse.authoring.samples import Variant
from kerascourse.authoring.verdicts import sample_verdict
from kerascourse.grader.results import CaseResult, QuestionResult, Record, Status, total


def variant(kind, name, question, *also, alone=False):
    return Variant(kind, name, question, {q: "..." for q in (question, *also)}, "fix it", alone)


def test_plan_puts_the_kth_variant_of_each_question_together():
    variants = [
        variant("mistake", "a1", "q1"), variant("mistake", "a2", "q1"), variant("mistake", "b1", "q2"),
        variant("mistake", "c1", "q3", "q1"), variant("mistake", "d1", "q4", alone=True),
        variant("alternative", "e1", "q1"), variant("alternative", "f1", "q2"),
    ]
    plan = samples.plan(variants)
    names = {filename: [v.name for v in members] for filename, members in plan.items()}
    assert names == {
        "mistakes-1.ipynb": ["a1", "b1"],
        "mistakes-2.ipynb": ["a2"],
        "mistakes-3.ipynb": ["c1"],  # it also replaces q1's cell, taken in notebooks 1 and 2
        "mistake-d1.ipynb": ["d1"],
        "alternatives-1.ipynb": ["e1", "f1"],
    }
    for members in plan.values():
        cells = [q for v in members for q in v.answers]
        assert len(cells) == len(set(cells)), "no two variants in a notebook replace the same cell"


def record(name, **questions):
    """A graded record whose question q scored s of p points, with a failed case saying m."""
    def result(q, s, p, m):
        return QuestionResult(q, [CaseResult(False, p - s, False, m), CaseResult(False, s, True)])

    return Record(name, Status.GRADED, score=sum(s for s, _, _ in questions.values()), max_score=8.0,
                  questions={q: result(q, *values) for q, values in questions.items()})


def test_each_mistake_is_judged_on_its_own_question():
    first, second = variant("mistake", "a1", "q1"), variant("mistake", "b1", "q2")
    graded = record("mistakes-1.ipynb", q1=(1.0, 4.0, "please fix it"), q2=(2.0, 4.0, "fix it now"))
    assert sample_verdict(graded, [first, second]) == "ok"
    kept = record("mistakes-1.ipynb", q1=(1.0, 4.0, "fix it"), q2=(4.0, 4.0, ""))
    assert sample_verdict(kept, [first, second]) == "b1 kept all 4 points of q2"
    silent = record("mistakes-1.ipynb", q1=(1.0, 4.0, "something else"), q2=(2.0, 4.0, "fix it"))
    assert "does not say 'fix it' (a1)" in sample_verdict(silent, [first, second])


def test_reference_alternatives_and_stub_need_exact_totals_up_to_rounding():
    assert sum([4 / 3] * 6) != 8.0, "cases of 4/3 points do not add up to 8.0 exactly"
    thirds = QuestionResult("q1", [CaseResult(False, 4 / 3, True) for _ in range(3)])
    assert thirds.score == thirds.possible == 4.0 and total([4 / 3] * 6) == 8.0
    full = record("reference.ipynb", q1=(thirds.score, thirds.possible, ""), q2=(4.0, 4.0, ""))
    full.score = total([4 / 3] * 6)
    assert sample_verdict(full, []) == "ok"
    assert sample_verdict(record("stub.ipynb", q1=(0.0, 4.0, "")), []) == "ok"
    assert sample_verdict(record("alternatives-1.ipynb", q1=(3.0, 4.0, "")), [variant("alternative", "e", "q1")]) == (
        "a valid alternative lost points on q1"
    )


def test_an_alternative_is_judged_on_every_question_up_to_the_last_it_carries():
    """Its notebook ends after that question: later ones score nothing, earlier ones must keep full marks."""
    members = [variant("alternative", "e", "q2")]
    cut = record("alternatives-3.ipynb", q1=(4.0, 4.0, ""), q2=(4.0, 4.0, ""), q3=(0.0, 4.0, "not defined"))
    assert sample_verdict(cut, members) == "ok"
    broke_earlier = record("alternatives-3.ipynb", q1=(2.0, 4.0, "no"), q2=(4.0, 4.0, ""), q3=(0.0, 4.0, ""))
    assert sample_verdict(broke_earlier, members) == "a valid alternative lost points on q1"
    assert samples.questions_up_to(["q1", "q2", "q10"], [variant("alternative", "e", "q2", "q10")]) == [
        "q1", "q2", "q10"]


def test_a_variants_notebook_ends_after_the_last_question_it_carries():
    import nbformat

    cells = [nbformat.v4.new_code_cell(source) for source in (
        "import keras", "x = 1", 'grader.check("q1")', "y = 2", 'grader.check("q2")', "z = 3", 'grader.check("q3")'
    )]
    notebook = nbformat.v4.new_notebook(cells=cells)
    samples.end_after_questions(notebook, {"q2", "q1"})
    assert [cell.source for cell in notebook.cells][-2:] == ["y = 2", 'grader.check("q2")']
    samples.end_after_questions(notebook, {"q9"})
    assert len(notebook.cells) == 5, "a question without a check cell keeps the notebook whole"

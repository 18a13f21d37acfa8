"""The similarity report, on a real lesson's sample notebooks (read as data, never run)."""

import ast
import builtins
import html
import itertools
from html.parser import HTMLParser

import nbformat
import pytest

from kerascourse import ROOT
from kerascourse.grader import similarity
from kerascourse.grader.similarity import MIN_TOKENS, THRESHOLD, report, write_html

HIGHLIGHT, DISCLAIMER = (0xFF, 0xD6, 0xD6), (0xFF, 0xF4, 0xCE)  # the page's colours for shared lines and its notice

LESSON = "03_dnn"
SAMPLES = ROOT / "autograder" / LESSON / "samples"
STUB = SAMPLES / "stub.ipynb"
REFERENCE = SAMPLES / "reference.ipynb"
ALTERNATIVES = [SAMPLES / "alternatives-1.ipynb", SAMPLES / "alternatives-2.ipynb"]


def answer_cells(notebook):
    return [cell for cell in notebook.cells if any(t.startswith("answer-") for t in cell.metadata.get("tags", []))]


def assigned_names(tree):
    """Names a cell binds: assignment targets, loop and ``with`` targets, functions and their arguments."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names - set(dir(builtins))


class Rename(ast.NodeTransformer):
    def __init__(self, mapping):
        self.mapping = mapping

    def visit_Name(self, node):
        node.id = self.mapping.get(node.id, node.id)
        return node

    def visit_arg(self, node):
        node.arg = self.mapping.get(node.arg, node.arg)
        return node

    def visit_FunctionDef(self, node):
        node.name = self.mapping.get(node.name, node.name)
        self.generic_visit(node)
        return node


def independent(first, second):
    """Whether two statements could run in either order: neither binds a name the other uses."""
    def used(stmt):
        return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)}
    return not (assigned_names(first) & used(second)) and not (assigned_names(second) & used(first))


def swap_first_independent(body):
    """Swap the first two adjacent independent statements (neither a bare string); whether it did."""
    for i in range(len(body) - 1):
        a, b = body[i], body[i + 1]
        if any(isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) for s in (a, b)):
            continue
        if independent(a, b):
            body[i], body[i + 1] = b, a
            return True
    return False


def disguise(notebook):
    """A copy's answer cells: every assigned name renamed (the same way across the notebook), and two
    adjacent independent statements swapped per cell where there are some. Returns how many cells were
    reordered."""
    cells = answer_cells(notebook)
    trees = [ast.parse(cell.source) for cell in cells]
    names = sorted(set().union(*(assigned_names(tree) for tree in trees)))
    mapping = {name: f"my_thing_{i}" for i, name in enumerate(names)}
    reordered = 0
    for cell, tree in zip(cells, trees, strict=True):
        tree = Rename(mapping).visit(tree)
        reordered += swap_first_independent(tree.body)
        cell.source = ast.unparse(tree)
    return reordered


@pytest.fixture
def disguised(tmp_path):
    notebook = nbformat.read(REFERENCE, as_version=4)
    reordered = disguise(notebook)
    path = tmp_path / "copied <from> reference & renamed.ipynb"
    nbformat.write(notebook, path)
    return path, reordered


def _questions(notebook):
    cells, _ = similarity.read(notebook)
    stub, _ = similarity.read(STUB)
    return {q for q, source in cells.items()
            if similarity.answer(source, similarity.normalize(stub.get(q, ""))[0]).tokens >= MIN_TOKENS}


def test_normalization_keeps_structure_and_drops_names_and_literals():
    lines, error = similarity.normalize(
        '# a comment\n"""a docstring"""\n\nhidden = keras.layers.Dense(units=32, activation="relu")(inputs)\n')
    assert not error
    assert len(lines) == 1
    tokens = lines[0].tokens
    assert {"layers", "Dense", "units", "activation"} <= set(tokens)
    assert not {"hidden", "keras", "inputs", "relu", "32", "a comment"} & set(tokens)
    renamed, _ = similarity.normalize("h = keras.layers.Dense(units=8, activation='tanh')(x)  # other\n")
    assert renamed[0].tokens == tokens


def test_renamed_and_reordered_copy_is_flagged(disguised):
    path, reordered = disguised
    assert reordered > 0  # the transform did reorder lines somewhere
    original, copied = similarity.read(REFERENCE)[0], similarity.read(path)[0]
    assert original["q1"] != copied["q1"] and "my_thing_" in copied["q1"]
    pairs = report(LESSON, [REFERENCE, path], STUB, THRESHOLD)
    questions = _questions(REFERENCE)
    assert questions  # the lesson has answers long enough to compare
    assert {p.question for p in pairs} == questions
    for pair in pairs:
        assert {pair.a, pair.b} == {REFERENCE.name, path.name}
        assert THRESHOLD <= pair.score <= 1
        assert pair.a_matched and pair.b_matched


def test_independent_solutions_written_differently_are_not_flagged():
    notebooks = [REFERENCE, *ALTERNATIVES]
    assert report(LESSON, notebooks, STUB, THRESHOLD) == []
    everything = report(LESSON, notebooks, STUB, threshold=0)
    for question in set.intersection(*(_questions(nb) for nb in notebooks)):
        scores = [p.score for p in everything if p.question == question]
        assert len(scores) == len(list(itertools.combinations(notebooks, 2)))
        assert max(scores) < THRESHOLD
    assert everything.skipped == []


def test_starter_code_alone_is_not_flagged(tmp_path):
    stubs = []
    for name in ("untouched-1.ipynb", "untouched-2.ipynb"):
        stubs.append(tmp_path / name)
        stubs[-1].write_bytes(STUB.read_bytes())
    assert report(LESSON, stubs, STUB, threshold=0) == []
    assert report(LESSON, stubs, STUB, THRESHOLD) == []


def test_default_stub_is_the_exercise_notebook():
    assert similarity.default_stub(LESSON) == ROOT / "exercises" / LESSON / f"{LESSON}.ipynb"
    assert similarity.default_stub(LESSON).exists()


def test_unreadable_files_and_syntax_errors_are_skipped_with_a_reason(tmp_path, disguised):
    garbage = tmp_path / "garbage.ipynb"
    garbage.write_text("this is not json")
    broken = nbformat.read(REFERENCE, as_version=4)
    cell = next(c for c in answer_cells(broken) if "answer-q4" in c.metadata["tags"])
    cell.source = cell.source + "\n    return (((\n"  # unbalanced: tokenize fails at the end
    broken_path = tmp_path / "broken.ipynb"
    nbformat.write(broken, broken_path)
    pairs = report(LESSON, [REFERENCE, garbage, broken_path], STUB, THRESHOLD)
    reasons = {(s.name, s.question): s.reason for s in pairs.skipped}
    assert "not a readable notebook" in reasons[("garbage.ipynb", "")]
    assert "tokenize" in reasons[("broken.ipynb", "q4")]
    assert "q4" in {p.question for p in pairs}  # compared on what tokenized


def test_html_page(tmp_path, disguised):
    path, _ = disguised
    garbage = tmp_path / "not<a>notebook.ipynb"
    garbage.write_text("{")
    pairs = report(LESSON, [REFERENCE, path, garbage], STUB, THRESHOLD)
    assert pairs
    page_path = write_html(pairs, tmp_path / "similarity.html")
    page = page_path.read_text()
    assert html.escape(similarity.DISCLAIMER) in page
    assert page.index(html.escape(similarity.DISCLAIMER)) < page.index(f"<h2>{pairs[0].question}</h2>")
    assert html.escape(REFERENCE.name) in page
    assert html.escape(path.name) in page and path.name not in page  # the name has < > &: escaped
    assert html.escape('layers.Dense(128, activation="relu"),') in page
    assert 'activation="relu"' not in page  # code is escaped
    assert 'class="same"' in page
    assert html.escape(garbage.name) in page and "not a readable notebook" in page
    for question in {p.question for p in pairs}:
        assert f"<h2>{question}</h2>" in page

    class Balanced(HTMLParser):
        VOID = {"meta", "br"}

        def __init__(self):
            super().__init__()
            self.stack = []

        def handle_starttag(self, tag, attrs):
            if tag not in self.VOID:
                self.stack.append(tag)

        def handle_endtag(self, tag):
            assert self.stack.pop() == tag

    parser = Balanced()
    parser.feed(page)
    parser.close()
    assert parser.stack == []


def test_pairs_are_ordered_highest_first_within_a_question(disguised):
    path, _ = disguised
    pairs = report(LESSON, [REFERENCE, path, *ALTERNATIVES], STUB, threshold=0)
    for _, group in itertools.groupby(pairs, key=lambda p: p.question):
        scores = [p.score for p in group]
        assert scores == sorted(scores, reverse=True)


def test_the_command_writes_the_page_for_the_notebooks_of_a_folder(tmp_path, disguised, capsys):
    from kerascourse import cli

    path, _ = disguised
    folder = tmp_path / "class"
    folder.mkdir()
    for source in (REFERENCE, path):
        (folder / source.name).write_bytes(source.read_bytes())
    (folder / "notes.txt").write_text("not a notebook")
    assert cli.main(["similarity", LESSON, str(folder), str(tmp_path / "similar.html")]) == 0
    pairs = report(LESSON, sorted(folder.glob("*.ipynb")), STUB, THRESHOLD)
    assert f"{len(pairs)} pairs of answers" in capsys.readouterr().out and pairs
    assert html.escape(path.name) in (tmp_path / "similar.html").read_text()


def test_the_page_renders_in_a_real_browser_with_the_shared_lines_highlighted(tmp_path, disguised):
    import shutil
    import subprocess

    from PIL import Image

    path, _ = disguised
    page = write_html(report(LESSON, [REFERENCE, path], STUB, THRESHOLD), tmp_path / "similar.html")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "install Debian's chromium (make does this) to render the page"
    screenshot = tmp_path / "similar.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={screenshot}",
                    "--window-size=1280,1600", page.as_uri()], check=True, capture_output=True, timeout=120)
    colours = dict((colour, count) for count, colour in Image.open(screenshot).convert("RGB").getcolors(1_000_000))
    highlighted = colours.get(HIGHLIGHT, 0)
    assert highlighted > len(colours), "the shared lines should be highlighted"
    assert colours.get(DISCLAIMER, 0) > len(colours), "the disclaimer should be on the first screen"


def test_a_question_left_as_the_stub_has_it_is_not_attempted(disguised):
    stub, reference = (nbformat.read(path, as_version=4) for path in (STUB, REFERENCE))
    questions = sorted(similarity.answer_cells(stub), key=similarity._question_key)
    assert questions and similarity.unattempted(stub, stub) == questions
    assert similarity.unattempted(reference, stub) == []
    first = next(cell for cell in reference.cells if f"answer-{questions[0]}" in cell.metadata.get("tags", []))
    reference.cells.remove(first)
    assert similarity.unattempted(reference, stub) == questions[:1]

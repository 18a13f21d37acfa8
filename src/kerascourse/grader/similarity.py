"""Similar answers across a lesson's submissions, flagged for a human to review; nothing is penalized.

Submissions are read as data (``nbformat``), never executed. For each question, the answer cells
(tagged ``answer-qN``) of every pair of submissions are compared:

- **Normalization** (Python's ``tokenize``): comments, blank lines and bare string statements
  (docstrings, otter-assign's ``\"\"\" # BEGIN PROMPT ... \"\"\";``) are dropped; every name that is not a
  keyword or a builtin becomes ``V``, except attribute names (after ``.``) and keyword-argument names
  (``Dense(units=...)``), which carry the solution's structure; numbers become ``N`` and strings ``S``;
  a comma before a closing bracket (formatting only) is dropped.
  The answer is a list of logical lines, each a tuple of such tokens. The lines of the stub's answer
  cell (the provided starter code) are dropped, one occurrence each. A cell that does not tokenize is compared
  on what tokenized before the error, and listed among the notes.
- **Similarity**: the multiset Jaccard index of the answers' k-grams of normalized tokens (MOSS's
  fingerprints, Schleimer et al. 2003), taken within each logical line only, so that reordering
  independent lines does not change the score, and renaming variables cannot either. A line shorter
  than ``K`` tokens is one gram of its own. Answer cells hold tens of tokens, so every k-gram is kept:
  winnowing only thins the fingerprints to keep a large index small, at the cost of missing short
  matches. Jaccard, rather than containment, so that a short answer is not flagged for being
  contained in a longer one (a class's short answers share their structure by necessity).
- Answers with fewer than ``MIN_TOKENS`` normalized tokens, once the starter code is removed, are not
  compared: they cannot mean anything.

``report(...)`` lists the pairs at or above the threshold, ``write_html(...)`` writes them on a page of
its own, the two cells side by side, the lines that the other cell shares (most of their k-grams) highlighted.
"""

import builtins
import html
import io
import itertools
import keyword
import tokenize
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import nbformat

K = 4  # tokens per gram
MIN_TOKENS = 8  # answers shorter than this, once the starter code is removed, are not compared
THRESHOLD = 0.8  # multiset Jaccard of k-grams at or above which a pair is flagged
DISCLAIMER = ("For a human to review: similar answers are not proof of anything, and nothing here "
              "changes a grade. No submission is penalized by this report.")

_BUILTINS = frozenset(dir(builtins))
_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING,
         tokenize.ENDMARKER}


@dataclass(frozen=True)
class Line:
    """One logical line of an answer: its normalized tokens and the physical lines (1-based) it spans."""

    tokens: tuple
    first: int
    last: int
    rows: tuple = ()  # the physical line of each token


@dataclass
class Answer:
    source: str
    lines: list  # [Line], starter code removed
    error: str = ""  # why tokenizing stopped early, if it did

    @property
    def tokens(self):
        return sum(len(line.tokens) for line in self.lines)


@dataclass(frozen=True)
class Pair:
    question: str
    a: str  # the submissions' file names
    b: str
    score: float
    a_source: str = ""
    b_source: str = ""
    a_matched: frozenset = frozenset()  # physical line numbers (1-based) to highlight: what b shares
    b_matched: frozenset = frozenset()


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str
    question: str = ""  # empty when the whole notebook is skipped


class Pairs(list):
    """The flagged pairs, highest score first within a question; ``skipped`` lists what was not (fully)
    compared and why."""

    def __init__(self, pairs=(), skipped=(), lesson="", threshold=THRESHOLD):
        super().__init__(pairs)
        self.skipped = list(skipped)
        self.lesson = lesson
        self.threshold = threshold


def normalize(source):
    """``(lines, error)``: the normalized logical lines of ``source`` (starter code not yet removed),
    and why tokenizing stopped early ("" if it did not)."""
    lines, current, error = [], [], ""
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.NEWLINE or (token.type == tokenize.OP and token.string == ";"):
                _close(lines, current)
                current = []
            elif token.type not in _SKIP:
                current.append(token)
    except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
        error = f"{type(exc).__name__}: {exc.args[0] if exc.args else exc}"
    _close(lines, current)
    return lines, error


def _close(lines, tokens):
    if not tokens or all(t.type == tokenize.STRING for t in tokens):  # empty, or a docstring
        return
    tokens = [t for i, t in enumerate(tokens) if not _trailing_comma(tokens, i)]
    normalized = [_normalize_token(tokens, i) for i in range(len(tokens))]
    lines.append(Line(tuple(normalized), tokens[0].start[0], tokens[-1].end[0], tuple(t.start[0] for t in tokens)))


def _trailing_comma(tokens, i):
    """A comma before a closing bracket: a matter of formatting (black adds them, ``ast.unparse`` drops them)."""
    return tokens[i].string == "," and i + 1 < len(tokens) and tokens[i + 1].string in {")", "]", "}"}


def _normalize_token(tokens, i):
    token = tokens[i]
    if token.type == tokenize.NUMBER:
        return "N"
    if token.type == tokenize.STRING:
        return "S"
    if token.type != tokenize.NAME:
        return token.string
    name = token.string
    before = tokens[i - 1].string if i else ""
    after = tokens[i + 1].string if i + 1 < len(tokens) else ""
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in _BUILTINS or before == ".":
        return name
    if after == "=" and before in {"(", ","} and _in_call(tokens, i):
        return name  # a keyword argument
    return "V"


def _in_call(tokens, i):
    """Whether token ``i`` sits directly inside parentheses (a call or a signature), not brackets."""
    depth = 0
    for token in reversed(tokens[:i]):
        if token.string in {")", "]", "}"}:
            depth += 1
        elif token.string in {"(", "[", "{"}:
            if depth == 0:
                return token.string == "("
            depth -= 1
    return False


def answer(source, starter=()):
    """The ``Answer`` of an answer cell, the lines of ``starter`` (normalized lines) removed: each starter
    line removes one occurrence (the first), so that a line the answer repeats on its own still counts."""
    lines, error = normalize(source)
    left = Counter(line.tokens for line in starter)
    kept = []
    for line in lines:
        if left[line.tokens]:
            left[line.tokens] -= 1
        else:
            kept.append(line)
    return Answer(source, kept, error)


def grams(answer_):
    """The multiset of the answer's k-grams, each within one logical line."""
    counts = Counter()
    for line in answer_.lines:
        tokens = line.tokens
        if len(tokens) <= K:
            counts[tokens] += 1
        else:
            counts.update(tokens[i:i + K] for i in range(len(tokens) - K + 1))
    return counts


def similarity(a, b):
    """Multiset Jaccard of the k-grams of two answers, in [0, 1]."""
    ga, gb = grams(a), grams(b)
    union = sum((ga | gb).values())
    return sum((ga & gb).values()) / union if union else 0.0


def answer_cells(notebook):
    """``{question: source}`` of a notebook's answer cells (several cells of a question are joined)."""
    cells = {}
    for cell in notebook.cells:
        for tag in cell.get("metadata", {}).get("tags", []) or []:
            if isinstance(tag, str) and tag.startswith("answer-"):
                source = cell.get("source", "")
                source = "".join(source) if isinstance(source, list) else str(source)
                question = tag.removeprefix("answer-")
                cells[question] = f"{cells[question]}\n{source}" if question in cells else source
    return cells


def unattempted(notebook, stub):
    """The questions of ``stub`` whose answer cells in ``notebook`` hold nothing beyond the starter code
    (or are gone)."""
    answers = answer_cells(notebook)
    return sorted(
        (q for q, source in answer_cells(stub).items() if not answer(answers.get(q, ""), normalize(source)[0]).lines),
        key=_question_key,
    )


def read(path):
    """``(cells, reason)``: the answer cells of the notebook at ``path``, or why it cannot be read."""
    try:
        notebook = nbformat.read(str(path), as_version=4)
        return answer_cells(notebook), ""
    except Exception as exc:  # noqa: BLE001 — anything unreadable is skipped, with the reason
        return None, f"not a readable notebook: {type(exc).__name__}: {str(exc)[:200]}"


def default_stub(lesson, root=None):
    """The stub a student starts from: ``exercises/<lesson>/<lesson>.ipynb``."""
    if root is None:
        from kerascourse import ROOT as root
    return Path(root) / "exercises" / lesson / f"{lesson}.ipynb"


def report(lesson, notebooks, stub=None, threshold=THRESHOLD):
    """The pairs of ``notebooks`` (paths) whose answers to a question score at or above ``threshold``,
    per question (in question order), highest score first; ``.skipped`` lists the notebooks and answers
    not (fully) compared, with the reason. ``stub``: the lesson's stub notebook (default
    ``exercises/<lesson>/<lesson>.ipynb``), whose answer cells are the starter code to remove."""
    stub = default_stub(lesson) if stub is None else stub
    notebooks = list(notebooks)
    stub_cells, reason = read(stub)
    skipped = []
    if stub_cells is None:
        skipped.append(Skipped(_name(stub), f"stub: {reason}; starter code not removed"))
        stub_cells = {}
    starters = {q: normalize(source)[0] for q, source in stub_cells.items()}

    answers = {}  # question -> [(name, Answer)]
    names = _names(notebooks)
    for path, name in zip(notebooks, names, strict=True):
        cells, reason = read(path)
        if cells is None:
            skipped.append(Skipped(name, reason))
            continue
        for question, source in cells.items():
            parsed = answer(source, starters.get(question, ()))
            if parsed.error:
                skipped.append(Skipped(name, f"compared on the code before a tokenize error ({parsed.error})",
                                       question))
            if parsed.tokens < MIN_TOKENS:
                continue
            answers.setdefault(question, []).append((name, parsed))

    pairs = []
    for question in sorted(answers, key=_question_key):
        found = []
        for (name_a, a), (name_b, b) in itertools.combinations(answers[question], 2):
            score = similarity(a, b)
            if score >= threshold:
                found.append(Pair(question, name_a, name_b, score, a.source, b.source,
                                  *_matched(a, b)))
        pairs.extend(sorted(found, key=lambda p: (-p.score, p.a, p.b)))
    return Pairs(pairs, skipped, lesson, threshold)


def _name(path):
    return Path(path).name


def _names(paths):
    """File names, or paths where two submissions share a file name."""
    names = [_name(p) for p in paths]
    repeated = {n for n, c in Counter(names).items() if c > 1}
    return [str(p) if n in repeated else n for p, n in zip(paths, names, strict=True)]


def _question_key(question):
    digits = question.lstrip("q")
    return (0, int(digits), question) if digits.isdigit() else (1, 0, question)


def _matched(a, b):
    """The physical lines of ``a`` most of whose tokens lie in k-grams that ``b`` shares, and of ``b`` in
    ``a``: the lines to highlight. (Lines, not whole logical lines, so that one changed argument in a long
    call does not hide that the rest of it matches.)"""
    def lines(x, y):
        others = set(grams(y))
        covered, total = Counter(), Counter()
        for line in x.lines:
            tokens = line.tokens
            hit = [False] * len(tokens)
            for start in range(max(len(tokens) - K + 1, 1)):
                if tokens[start:start + K] in others:
                    hit[start:start + K] = [True] * min(K, len(tokens) - start)
            for row, is_hit in zip(line.rows, hit, strict=True):
                total[row] += 1
                covered[row] += is_hit
        return frozenset(row for row in total if 2 * covered[row] >= total[row])
    return lines(a, b), lines(b, a)


_STYLE = """
body { font-family: sans-serif; margin: 1.5em; }
.disclaimer { background: #fff4ce; border: 1px solid #e0c060; padding: .6em 1em; }
table.pair { border-collapse: collapse; width: 100%; margin-bottom: 1.5em; table-layout: fixed; }
table.pair th, table.pair td { border: 1px solid #ccc; vertical-align: top; padding: .3em; text-align: left; }
pre { margin: 0; white-space: pre-wrap; font-size: 0.9em; }
pre span { display: block; }
span.same { background: #ffd6d6; }
"""


def write_html(pairs, path, lesson=None, threshold=None, skipped=None):
    """Write the page of flagged ``pairs`` to ``path``: per question, each pair's cells side by side,
    matching lines highlighted. ``lesson``, ``threshold`` and ``skipped`` default to those ``report`` set."""
    lesson = getattr(pairs, "lesson", "") if lesson is None else lesson
    threshold = getattr(pairs, "threshold", THRESHOLD) if threshold is None else threshold
    skipped = getattr(pairs, "skipped", []) if skipped is None else skipped
    e = html.escape
    title = f"Similar answers{f' — {lesson}' if lesson else ''}"
    out = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f'<p class="disclaimer">{e(DISCLAIMER)}</p>',
        f"<p>Pairs of answers whose similarity (Jaccard index of {K}-grams of normalized tokens, robust to "
        f"renamed variables and reordered lines) is at least {threshold:.2f}; starter code is not counted. "
        "Highlighted: lines most of whose tokens lie in k-grams that the other answer shares, once names "
        "and literals are normalized.</p>",
    ]
    if not pairs:
        out.append("<p>No pair of answers reached the threshold.</p>")
    for question, group in itertools.groupby(pairs, key=lambda p: p.question):
        out.append(f"<h2>{e(question)}</h2>")
        for pair in group:
            out += [
                '<table class="pair"><tr>',
                f"<th>{e(pair.a)}</th><th>{e(pair.b)}</th></tr>",
                f'<tr><td colspan="2">similarity {pair.score:.2f}</td></tr>',
                f"<tr><td>{_code(pair.a_source, pair.a_matched)}</td>",
                f"<td>{_code(pair.b_source, pair.b_matched)}</td></tr></table>",
            ]
    if skipped:
        out.append("<h2>Not compared</h2><ul>")
        for item in skipped:
            where = f" ({e(item.question)})" if item.question else ""
            out.append(f"<li>{e(item.name)}{where}: {e(item.reason)}</li>")
        out.append("</ul>")
    out.append("</body></html>")
    Path(path).write_text("\n".join(out), encoding="utf-8")
    return Path(path)


def _code(source, matched):
    lines = source.split("\n")
    spans = [f'<span class="same">{html.escape(text) or " "}</span>' if n in matched
             else f"<span>{html.escape(text) or ' '}</span>"
             for n, text in enumerate(lines, start=1)]
    return "<pre>" + "".join(spans) + "</pre>"


__all__ = ["DISCLAIMER", "K", "MIN_TOKENS", "THRESHOLD", "Answer", "Line", "Pair", "Pairs", "Skipped",
           "answer", "answer_cells", "default_stub", "grams", "normalize", "read", "report", "similarity",
           "write_html"]

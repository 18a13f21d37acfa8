"""Student feedback (Markdown) and the instructor's batch report (one self-contained HTML page)."""

import base64
import html
import io
from collections import Counter
from urllib.parse import quote

from kerascourse.grader.results import Status


def question_feedback(question):
    """Each test's outcome and check message; never a test's source."""
    lines = []
    for number, case in enumerate(question.cases, start=1):
        kind = "hidden test" if case.hidden else "test"
        if case.passed:
            lines.append(f"{kind} {number} ({case.points:g} pt): passed")
        else:
            lines.append(f"{kind} {number} ({case.points:g} pt): failed. {case.message}")
    return "\n".join(lines) or "not graded"


def feedback_markdown(record):
    lines = [
        f"# Feedback for {record.submission}",
        "",
        f"**Score: {record.score:.4g} / {record.max_score:g}** · status: {record.status}",
    ]
    if record.reason:
        lines += ["", f"> {record.reason}"]
    for name, question in record.questions.items():
        used = f" · {record.hints[name]} hint(s) used" if record.hints.get(name) else ""
        lines += ["", f"## {name}: {question.score:.4g} / {question.possible:g}{used}", ""]
        lines += [f"- {line}" for line in question_feedback(question).splitlines()]
    return "\n".join(lines) + "\n"


def _histogram(values, maximum, title, unit="points"):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(3.2, 2.2), dpi=100)
    axes.hist(values, bins=min(10, max(1, int(maximum * 2) or 1)), range=(0, maximum or 1), color="#3b6ea5")
    axes.set_title(title, fontsize=9)
    axes.set_xlabel(unit, fontsize=8)
    axes.set_ylabel("submissions", fontsize=8)
    axes.tick_params(labelsize=7)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def failing_checks(records):
    """(question, message) -> how many submissions failed with it."""
    counts = Counter()
    for record in records:
        for name, question in record.questions.items():
            for message in set(question.messages()):
                counts[name, message] += 1
    return counts


def share(count, records):
    """``count`` of ``records`` as a whole percentage."""
    return f"{100 * count / max(len(records), 1):.0f}%"


def question_rows(records, questions, maxima):
    """Per question: its points, the mean, the shares with full marks, with nothing and not attempted
    (the starter code left as it was), the check that fails most often and its share, and the hints used."""
    failing = failing_checks(records)
    rows = []
    for q in questions:
        scores = [r.question(q).score for r in records]
        top = max(((message, n) for (name, message), n in failing.items() if name == q), key=lambda m: m[1],
                  default=("-", 0))
        rows.append(
            f"<tr><td>{html.escape(q)}</td><td>{maxima[q]:g}</td><td>{sum(scores) / max(len(scores), 1):.2f}</td>"
            f"<td>{share(sum(score >= maxima[q] for score in scores), records)}</td>"
            f"<td>{share(sum(score == 0 for score in scores), records)}</td>"
            f"<td>{share(sum(q in r.unattempted for r in records), records)}</td>"
            f"<td>{html.escape(top[0])}</td><td>{share(top[1], records)}</td>"
            f"<td>{sum(bool(r.hints.get(q)) for r in records)}</td>"
            f"<td>{sum(r.hints.get(q, 0) for r in records)}</td></tr>"
        )
    return "".join(rows)


def hints_used(record):
    """``q1: 2, q3: 1``: the hints the submitted notebook shows, per question."""
    return ", ".join(f"{q}: {n}" for q, n in sorted(record.hints.items()) if n)


def write(path, records, lesson):
    """The batch report: score and run-time distributions, per-question analytics, common failing checks,
    submissions needing attention, and every submission linked to its feedback."""
    questions = sorted({name for record in records for name in record.questions})
    maxima = {q: max(r.questions[q].possible for r in records if q in r.questions) for q in questions}
    total = max((r.max_score for r in records), default=0)
    plots = [("total", [r.score for r in records], total)] + [
        (q, [r.question(q).score for r in records], maxima[q]) for q in questions
    ]
    figures = "".join(
        f'<figure><img alt="score distribution for {name}" src="data:image/png;base64,'
        f'{_histogram(values, maximum, name)}"><figcaption>{name}: mean {sum(values) / max(len(values), 1):.2f}'
        f" / {maximum:g}</figcaption></figure>"
        for name, values, maximum in plots
    )
    seconds = [r.seconds for r in records]
    figures += (
        f'<figure><img alt="time distribution" src="data:image/png;base64,'
        f'{_histogram(seconds, max(seconds, default=0), "notebook run time", "seconds")}">'
        f"<figcaption>run time: median {sorted(seconds)[len(seconds) // 2] if seconds else 0:.0f} s"
        f"</figcaption></figure>"
    )
    status_counts = Counter(r.status for r in records)
    statuses = "".join(f"<li>{html.escape(s)}: {n}</li>" for s, n in sorted(status_counts.items()))
    checks = "".join(
        f"<tr><td>{html.escape(q)}</td><td>{html.escape(message)}</td><td>{n}</td><td>{share(n, records)}</td></tr>"
        for (q, message), n in failing_checks(records).most_common(15)
    )
    attention = "".join(
        f"<tr><td>{html.escape(r.submission)}</td><td class='{r.status}'>{r.status}</td>"
        f"<td>{html.escape(r.reason)}</td></tr>"
        for r in records
        if r.status != Status.GRADED
    )
    rows = "".join(
        f'<tr><td><a href="feedback/{quote(r.submission)}.md">{html.escape(r.submission)}</a></td><td>{r.status}</td>'
        f"<td>{r.score:.4g} / {r.max_score:g}</td><td>{html.escape(hints_used(r)) or '-'}</td></tr>"
        for r in records
    )
    path.write_text(
        PAGE.format(
            lesson=html.escape(lesson),
            count=len(records),
            statuses=statuses,
            figures=figures,
            checks=checks or "<tr><td colspan=4>none</td></tr>",
            attention=attention or "<tr><td colspan=3>none</td></tr>",
            questions=question_rows(records, questions, maxima),
            rows=rows,
        )
    )


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{lesson}: grading report</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; }}
h1 {{ font-size: 1.6em; }} h2 {{ font-size: 1.2em; margin-top: 1.6em; }}
.figures {{ display: flex; flex-wrap: wrap; gap: 1em; }}
figure {{ margin: 0; border: 1px solid #ddd; padding: 0.4em; }}
figcaption {{ font-size: 0.8em; text-align: center; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }}
.timeout, .memory, .disk, .crashed, .invalid {{ color: #a35d00; font-weight: bold; }}
.tampered {{ color: #b00020; font-weight: bold; }}
</style></head>
<body>
<h1>Grading report: {lesson}</h1>
<p>{count} submissions.</p><ul>{statuses}</ul>
<h2>Score and time distributions</h2><div class="figures">{figures}</div>
<h2>Per question</h2>
<table><tr><th>question</th><th>points</th><th>mean</th><th>full marks</th><th>nothing</th><th>not attempted</th>
<th>check failed most often</th><th>its share</th><th>submissions that used hints</th><th>hints shown in all</th></tr>
{questions}</table>
<h2>Most common failing checks</h2>
<table><tr><th>question</th><th>check message</th><th>submissions</th><th>share</th></tr>{checks}</table>
<h2>Submissions needing attention</h2>
<table><tr><th>submission</th><th>status</th><th>reason</th></tr>{attention}</table>
<h2>All submissions</h2>
<table><tr><th>submission (its feedback)</th><th>status</th><th>score</th><th>hints used</th></tr>{rows}</table>
</body></html>
"""

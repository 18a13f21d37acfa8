"""Hints on demand, progressive as in Kaggle's learntools: ``hint("q1")`` shows question 1's next hint,
``hint("q1", 2)`` its second. Each hint is shown as a cell output that carries its question and number
in the output's metadata, so the saved notebook records which hints were used and the batch grader
reports them."""

METADATA_KEY = "kerascourse_hint"  # output metadata: {"question": "q1", "number": 2}


class Hints:
    def __init__(self, hints):
        self.hints, self.shown = hints, {}

    def __call__(self, question, number=None):
        """Show ``question``'s hint ``number``, or the next one not yet shown."""
        hints = self.hints.get(question)
        if not hints:
            known = ", ".join(self.hints) or "none: the lesson's hints are not installed here"
            _show(f"{question!r} has no hints; the questions with hints are {known}.")
            return
        count = len(hints)
        if number is None:
            number = min(self.shown.get(question, 0) + 1, count)
        if not (isinstance(number, int) and 1 <= number <= count):
            _show(f"{question} has hints 1 to {count}; call hint({question!r}) for the next one.")
            return
        self.shown[question] = max(self.shown.get(question, 0), number)
        last = " That is the last hint for this question." if number == count else ""
        _show(f"**Hint {number} of {count} for {question}:** {hints[number - 1]}{last}",
              {METADATA_KEY: {"question": question, "number": number}})


def _show(markdown, metadata=None):
    """Markdown in a notebook (with ``metadata`` on the output), plain text elsewhere."""
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:
        get_ipython = None
    if get_ipython is None or get_ipython() is None:
        print(markdown)
        return
    display(Markdown(markdown), metadata=metadata or {})

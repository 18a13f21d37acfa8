"""The course maintainers' tools: ``assign`` (student and autograder material from the masters),
``samples`` and ``hostile`` (the corpus every lesson is graded on), ``verdicts`` (what each file of the
corpus must get) and ``demo``."""

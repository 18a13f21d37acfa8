"""Batch grading. ``runner`` and ``exporter`` run inside the sandbox, next to student code; everything else
(``submissions``, ``sandbox``, ``pipeline``, ``loader``, ``judge``, ``pool``, ``results``, ``report``) is the
trusted side, which treats every file a submission or its sandbox produced as hostile. ``otter_run`` grades
one notebook the way Gradescope's zip does."""

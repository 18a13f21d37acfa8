"""What a lesson test's source imports from kerascourse, for the static tests that read test sources."""

import ast
import importlib


def kerascourse_modules(tree):
    """``{name: module}`` of the ``from kerascourse... import module [as name]`` lines in ``tree``."""
    return {
        alias.asname or alias.name: importlib.import_module(f"{node.module}.{alias.name}")
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "kerascourse"
        for alias in node.names
    }

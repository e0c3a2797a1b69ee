"""The library's imports point one way: no cycles, nn/ on its own, nothing of the tools or tests inside."""

import ast
from pathlib import Path

LIBRARY = Path(__file__).resolve().parents[2] / "scripts" / "digitnet"
NEVER = ("bench", "tests", "conftest", "data_helpers", "snakemake", "torch", "sklearn", "pytest")


def module_name(path: Path) -> str:
    parts = path.relative_to(LIBRARY.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in it (functions import lazily too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def graph() -> dict[str, set[str]]:
    """{library module: the library modules it imports}."""
    files = {module_name(path): path for path in LIBRARY.rglob("*.py")}
    return {name: {other for other in imports_of(path) if other in files and other != name} for name, path in files.items()}


def test_the_library_imports_no_benchmark_test_helper_workflow_or_yardstick():
    for path in LIBRARY.rglob("*.py"):
        bad = sorted(name for name in imports_of(path) if name.split(".")[0] in NEVER)
        assert not bad, f"{path.relative_to(LIBRARY.parent)} imports {bad}"


def test_the_librarys_imports_have_no_cycle():
    edges = graph()
    visiting, done = set(), set()

    def visit(node: str, path: list[str]) -> None:
        if node in done:
            return
        assert node not in visiting, "import cycle: " + " -> ".join([*path, node])
        visiting.add(node)
        for nxt in sorted(edges[node]):
            visit(nxt, [*path, node])
        visiting.discard(node)
        done.add(node)

    for node in sorted(edges):
        visit(node, [])


def test_the_network_knows_nothing_of_files_figures_or_the_workflow():
    for name, targets in graph().items():
        if name.startswith("digitnet.nn"):
            outside = sorted(t for t in targets if not t.startswith("digitnet.nn") and t not in ("digitnet", "digitnet.errors"))
            assert not outside, f"{name} imports {outside}"


def test_no_library_module_is_over_400_lines():
    long = {str(path.relative_to(LIBRARY)): n for path in LIBRARY.rglob("*.py") if (n := len(path.read_text().splitlines())) > 400}
    assert not long, long

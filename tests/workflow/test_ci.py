"""The hosted CI workflow: actionlint finds nothing, and it runs what .ci/run and the README run."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import REPO

WORKFLOW = REPO / ".github/workflows/report.yml"
ACTIONLINT = Path(sys.executable).parent / "actionlint"


def workflow_commands() -> list[str]:
    """Every command line of the regenerate job's ``run:`` steps, in order (continued lines joined)."""
    job = yaml.safe_load(WORKFLOW.read_text())["jobs"]["regenerate"]
    scripts = [step["run"] for step in job["steps"] if "run" in step]
    return [line.strip() for script in scripts for line in script.replace("\\\n", " ").splitlines() if line.strip()]


def make_targets(commands: list[str]) -> list[str]:
    """The make targets that ``commands`` run, in order."""
    return [shlex.split(command)[1] for command in commands if command.startswith("make ")]


def test_actionlint_finds_nothing_in_the_hosted_workflow():
    # shellcheck and pyflakes are off: whether they are installed would change the verdict between machines.
    result = subprocess.run([ACTIONLINT, "-shellcheck=", "-pyflakes=", WORKFLOW], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_hosted_workflow_runs_the_readmes_two_commands():
    readme = (REPO / "README.md").read_text()
    two_commands = re.search(r"## The two commands\n\n```bash\n(.*?)```", readme, re.DOTALL).group(1)
    readme_targets = [shlex.split(line)[1] for line in two_commands.splitlines() if line.startswith("make ")]
    assert sorted(make_targets(workflow_commands())) == sorted(readme_targets) == ["report", "test"]


def test_the_hosted_workflow_runs_ci_runs_commands_the_same_way():
    ci_run = [line.strip() for line in (REPO / ".ci/run").read_text().splitlines() if line.strip()]
    ci_commands = [line for line in ci_run if line.startswith(("make ", ".ci/"))]
    assert ci_commands == [".ci/system-packages", 'make test PYTEST_ARGS="-p no:cacheprovider"']
    hosted = workflow_commands()
    for command in ci_commands:
        assert command in hosted, f"{command!r} of .ci/run is not in {WORKFLOW.name}"


def test_the_hosted_workflow_publishes_from_the_default_branch_only():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    publish = workflow["jobs"]["publish"]
    assert publish["needs"] == "regenerate"
    assert "github.event.repository.default_branch" in publish["if"]
    assert publish["permissions"] == {"pages": "write", "id-token": "write"}
    assert publish["environment"]["name"] == "github-pages"
    # PyYAML reads the bare key `on` as True.
    assert set(workflow[True]) == {"push", "pull_request", "schedule", "workflow_dispatch"}


def test_every_action_is_pinned_to_a_full_commit():
    uses = re.findall(r"uses: (\S+)", WORKFLOW.read_text())
    assert uses
    for action in uses:
        assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", action), action

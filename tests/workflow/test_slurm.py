"""The model comparison on a real SLURM cluster: one node, started on this machine from Debian's packages.

The workflow runs with the profile a cluster user copies (workflow/profiles/slurm), changed only
in its site values, and must give the same results as the same config run locally.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from regeneration import differences

from conftest import REPO, copy_workflow

CLUSTER = REPO / "workflow/cluster/slurm-local.sh"
PARTITION = "digitnet-test"
# A hang (a job SLURM lost, a plugin waiting for a status it never gets) fails the test after this:
# about three times what the comparison run takes on two cores busy with other work.
TIMEOUT_S = 420
# Site values of this local cluster, which the profile leaves to each site: it has no accounting
# database, so the plugin must ask squeue for job states (and may ask after 2 s, as jobs here are short).
SITE_OPTIONS = ["--slurm-status-command", "squeue", "--slurm-init-seconds-before-status-checks", "2"]
# The comparison table: what the run is asked to make.
COMPARISON = "results/compare/models.json"
SUBMITTED = re.compile(r"Job (\d+) has been submitted with SLURM jobid (\d+)")


# Where `make test` installs the SLURM plugins, beside the venv rather than in it (Makefile,
# $(VENV)/.cluster): every Snakemake run elsewhere in the suite would import them at its start.
# This test's runs, and the jobs they submit (SLURM passes the environment on), find them on PYTHONPATH.
PLUGINS = Path(sys.prefix) / "slurm-plugins"


def with_plugins(env: dict) -> dict:
    """``env`` with PLUGINS first on PYTHONPATH (a venv with the plugins installed needs none)."""
    return {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(PLUGINS), env.get("PYTHONPATH")]))}


def missing_requirement() -> str | None:
    """Why a SLURM cluster cannot be started here, or None."""
    if os.geteuid() != 0:
        return "starting slurmd needs root"
    for program in ("slurmctld", "slurmd", "munged"):
        if shutil.which(program) is None and not Path(f"/usr/sbin/{program}").exists():
            return f"{program} not found: apt-get install slurm-wlm munge (.ci/run does)"
    check = [sys.executable, "-c", "import snakemake_executor_plugin_slurm"]
    if subprocess.run(check, env=with_plugins(dict(os.environ)), capture_output=True).returncode != 0:
        return "snakemake-executor-plugin-slurm not installed: make .venv/.cluster (or pip install -r requirements-cluster.txt)"
    return None


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> dict:
    """A running single-node SLURM cluster; yields the environment that started it."""
    reason = missing_requirement()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("slurm")
    env = with_plugins({**os.environ, "SLURM_LOCAL_DIR": str(folder), "SLURM_LOCAL_PARTITION": PARTITION})
    started = subprocess.run([CLUSTER, "start"], env=env, capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr
    yield env
    subprocess.run(["scancel", "--partition", PARTITION], env=env, capture_output=True, timeout=30)
    subprocess.run([CLUSTER, "stop"], env=env, capture_output=True, timeout=120)


def on_local_cluster(workdir: Path) -> None:
    """Set the copied profile's site values for the local cluster: its partition, and no account."""
    profile = workdir / "workflow/profiles/slurm/config.yaml"
    settings = yaml.safe_load(profile.read_text())
    settings["default-resources"]["slurm_partition"] = PARTITION
    del settings["default-resources"]["slurm_account"]
    profile.write_text(yaml.safe_dump(settings, sort_keys=False))


def snakemake_on_slurm(workdir: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    """Run the workflow through the SLURM profile; a run past TIMEOUT_S fails the test."""
    command = [sys.executable, "-m", "snakemake", "--workflow-profile", "workflow/profiles/slurm", *SITE_OPTIONS, *args]
    try:
        return subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"snakemake on SLURM still running after {TIMEOUT_S} s:\n{(error.stderr or b'')[-3000:]}")


def job_field(env: dict, job_id: str, field: str) -> str:
    """One field of ``scontrol show job``, e.g. JobState."""
    shown = subprocess.run(["scontrol", "show", "job", job_id], env=env, capture_output=True, text=True, check=True)
    return re.search(rf"\b{field}=(\S+)", shown.stdout).group(1)


@pytest.fixture(scope="module")
def slurm_run(cluster, sweep_run, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """The two-model comparison of ``sweep_run`` (same config, one training thread), run on SLURM.

    Up to the comparison table: data, both models' training and evaluation, the table. The figures
    and the report add some 40 jobs that would each start Snakemake twice more, and test nothing new.
    """
    workdir = copy_workflow(tmp_path_factory.mktemp("slurm-run") / "digitnet")
    shutil.copy(sweep_run / "test-config.yaml", workdir / "test-config.yaml")
    on_local_cluster(workdir)
    args = [COMPARISON, "--set-threads", "train=1", "--configfile", "test-config.yaml"]
    result = snakemake_on_slurm(workdir, cluster, *args)
    assert result.returncode == 0, result.stderr[-5000:]
    return workdir, result


def test_every_job_ran_as_a_completed_slurm_job(slurm_run, cluster):
    workdir, result = slurm_run
    output = result.stdout + result.stderr
    table = output.split("Job stats:", 1)[1].split("\n\n", 1)[0]
    planned = dict(re.findall(r"^(\w+)\s+(\d+)\s*$", table, re.MULTILINE))
    assert planned == {"prepare_data": "1", "train": "2", "evaluate": "2", "compare_models": "1", "total": "6"}
    submitted = dict(SUBMITTED.findall(output))
    assert len(submitted) == 6
    for job_id in submitted.values():
        assert job_field(cluster, job_id, "JobState") == "COMPLETED"
        assert job_field(cluster, job_id, "Partition") == PARTITION
    # Snakemake's own log of the run records each job's SLURM id.
    (log,) = (workdir / ".snakemake/log").glob("*.snakemake.log")
    assert dict(SUBMITTED.findall(log.read_text())) == submitted


def test_training_asked_slurm_for_its_threads_and_the_profiles_memory(slurm_run, cluster):
    _, result = slurm_run
    output = result.stdout + result.stderr
    train_jobs = re.findall(r"rule train:\n(?:.*\n)*?\s+jobid: (\d+)", output)
    submitted = dict(SUBMITTED.findall(output))
    assert len(train_jobs) == 2
    for job in train_jobs:
        assert job_field(cluster, submitted[job], "NumCPUs") == "1"  # --set-threads train=1
        assert job_field(cluster, submitted[job], "MinMemoryNode") == "4000M"


def test_the_results_are_those_of_the_same_config_run_locally(slurm_run, sweep_run):
    workdir, _ = slurm_run
    made = (workdir / "results").rglob("*")
    assert {"weights.npz", "metrics.json", "predictions.csv", "models.csv"} <= {path.name for path in made}
    # The recorded command differs (the profile against --cores 2); nothing else may.
    assert differences(sweep_run, workdir, ignore_invocation=True, partial=True) == []


def test_a_failing_job_is_reported_as_failed(slurm_run, cluster):
    workdir, _ = slurm_run
    # A model whose training diverges: its train step exits with an error inside its SLURM job.
    models = [{"name": "diverges", "train": {"lr": 1.0e6}}]
    (workdir / "failing.yaml").write_text(yaml.safe_dump({"compare": {"models": models}}))
    target = "results/models/mnist/diverges/model.json"
    result = snakemake_on_slurm(workdir, cluster, target, "--configfile", "test-config.yaml", "failing.yaml")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    (job_id,) = [slurm for _, slurm in SUBMITTED.findall(output)]
    assert f"SLURM-job '{job_id}' failed" in output
    assert job_field(cluster, job_id, "JobState") == "FAILED"
    assert "training diverged" in (workdir / "logs/train/mnist/diverges.log").read_text()

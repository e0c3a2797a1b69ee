"""What the report records about how it was made: its date, the commit, the package versions."""

import shutil
import subprocess

import pytest

from digitnet.report import RUNTIME_PACKAGES, generation_time, git_state, package_versions


def git(folder, *args: str) -> str:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, check=True).stdout.strip()


def test_source_date_epoch_sets_the_generation_time():
    assert generation_time({"SOURCE_DATE_EPOCH": "1700000000"}) == "2023-11-14 22:13 UTC"


def test_without_source_date_epoch_the_generation_time_is_now():
    assert generation_time({}).endswith(" UTC")
    assert generation_time({}) != generation_time({"SOURCE_DATE_EPOCH": "0"})


def test_a_folder_outside_git_has_no_commit(tmp_path):
    assert git_state(tmp_path) is None


def test_a_checkout_names_its_commit_and_whether_tracked_files_changed(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("results/\n")
    (tmp_path / "config.yaml").write_text("a: 1\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "first")
    (tmp_path / "results").mkdir()
    (tmp_path / "results/out.txt").write_text("ignored output\n")
    assert git_state(tmp_path) == {"commit": git(tmp_path, "rev-parse", "HEAD"), "dirty": False}
    (tmp_path / "config.yaml").write_text("a: 2\n")
    assert git_state(tmp_path)["dirty"] is True


def test_the_versions_cover_python_and_every_runtime_package():
    versions = package_versions()
    assert list(versions) == ["python", *RUNTIME_PACKAGES]
    assert all(versions.values())

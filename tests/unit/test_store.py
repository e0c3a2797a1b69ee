"""The custom images' one cache: shelves, versions, and entries named by their input's hash."""

import os

import pytest

from digitnet.store import Shelf, code_digest, digest, file_digest


def test_digests_tell_apart_parts_that_concatenate_alike():
    assert digest("ab", "c") != digest("a", "bc")
    assert digest(b"ab") == digest("ab") and len(digest("x")) == 64


def test_a_file_is_named_by_its_bytes_and_a_code_version_by_code_and_settings(tmp_path):
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("x = 1\n")
    b.write_text("x = 1\n")
    assert file_digest(a) == file_digest(b)
    assert code_digest([a], "{}") != code_digest([a], '{"mode": "single"}')
    before = code_digest([a, b])
    b.write_text("x = 2\n")
    assert code_digest([b, a]) != before and len(before) == 16


def test_a_missing_or_special_file_is_named_without_being_opened(tmp_path):
    assert file_digest(tmp_path / "gone.png").startswith("unreadable-")
    os.mkfifo(tmp_path / "pipe")  # opening it would block
    assert file_digest(tmp_path / "pipe").startswith("not-a-file-")


def test_a_new_version_replaces_the_old_one_on_its_shelf_alone(tmp_path):
    old = Shelf(tmp_path, "readings", "v1")
    old.entry("k", ".npz").write_bytes(b"1")
    figures = Shelf(tmp_path, "figures", "v1")
    figures.entry("k", ".png").write_bytes(b"2")
    new = Shelf(tmp_path, "readings", "v2")
    assert not old.folder.exists() and new.folder.is_dir()
    assert figures.entry("k", ".png").read_bytes() == b"2"


def test_without_pruning_other_versions_stay(tmp_path):
    Shelf(tmp_path, "readings", "v1").entry("k", ".npz").write_bytes(b"1")
    Shelf(tmp_path, "readings", "v2", prune=False)
    assert sorted(p.name for p in (tmp_path / "readings").iterdir()) == ["v1", "v2"]


@pytest.mark.parametrize("kept", [set(), {"a"}, {"a", "b"}])
def test_keep_only_leaves_exactly_the_entries_in_use(tmp_path, kept):
    shelf = Shelf(tmp_path, "figures", "v1")
    for key in "abc":
        shelf.entry(key, ".png").write_bytes(key.encode())
    shelf.keep_only({shelf.entry(key, ".png") for key in kept})
    assert {p.stem for p in shelf.folder.iterdir()} == kept

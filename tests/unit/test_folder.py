"""The custom-digits folder as people fill it: odd files, linked folders, labels.csv as spreadsheets save it."""

import os

import pytest

from digitnet.errors import DataError
from digitnet.folder import manifest, scan_folder, write_if_changed

EXTENSIONS = [".png", ".jpg", ".jpeg", ".jfif"]


def touch(path, data=b"x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_only_regular_files_named_like_images_are_read_the_rest_is_named_with_why(tmp_path):
    touch(tmp_path / "a_1.png")
    touch(tmp_path / "anna" / "b_2.JPG")
    touch(tmp_path / "photo_3.jfif")
    os.mkfifo(tmp_path / "x_4.png")
    (tmp_path / "folder_5.png").mkdir()
    touch(tmp_path / ".hidden_6.png")
    touch(tmp_path / "IMG_7.heic")
    touch(tmp_path / "notes.txt")
    scan = scan_folder(tmp_path, EXTENSIONS, "single", None)
    assert scan.images == ["a_1.png", "anna/b_2.JPG", "photo_3.jfif"]
    assert scan.unreadable == {
        "folder_5.png": "a folder, not an image file",
        "x_4.png": "not a regular file (a pipe, device or socket): not opened",
    }
    assert scan.labels == {"a_1.png": "1", "anna/b_2.JPG": "2", "photo_3.jfif": "3"}
    assert scan.skipped == {".heic": 1, ".txt": 1}
    assert any("HEIC" in line and "export them as JPEG" in line for line in scan.skipped_notes)


def test_a_linked_sub_folder_is_read_and_a_link_back_up_is_not_followed_forever(tmp_path):
    outside = tmp_path / "elsewhere"
    touch(outside / "c_8.png")
    folder = tmp_path / "digits"
    touch(folder / "a_1.png")
    (folder / "linked").symlink_to(outside, target_is_directory=True)
    (outside / "loop").symlink_to(folder, target_is_directory=True)
    scan = scan_folder(folder, EXTENSIONS, "single", None)
    assert "linked/c_8.png" in scan.images and "a_1.png" in scan.images
    assert len(scan.images) == len(set(os.path.realpath(folder / name) for name in scan.images))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_labels_csv_is_read_with_or_without_a_byte_order_mark(tmp_path, encoding):
    touch(tmp_path / "a.png")
    (tmp_path / "labels.csv").write_text("file,label\na.png,7\n", encoding=encoding)
    assert scan_folder(tmp_path, EXTENSIONS, "single", "labels.csv").labels == {"a.png": "7"}


def test_a_labels_csv_in_another_encoding_names_the_file_and_line(tmp_path):
    touch(tmp_path / "a.png")
    (tmp_path / "labels.csv").write_bytes("file,label\na.png,7\nb\xe9b\xe9.png,3\n".encode("latin-1"))
    with pytest.raises(DataError, match=r"labels.csv: line 3 is not UTF-8 text: save the file as CSV UTF-8"):
        scan_folder(tmp_path, EXTENSIONS, "single", "labels.csv")


@pytest.mark.parametrize("label", ["٣", "²", "3a", "-1"])
def test_a_label_that_is_not_ascii_digits_is_refused_with_its_line(tmp_path, label):
    touch(tmp_path / "a.png")
    (tmp_path / "labels.csv").write_text(f"file,label\na.png,{label}\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 2: label .* is not a string of the digits 0-9"):
        scan_folder(tmp_path, EXTENSIONS, "single", "labels.csv")


def test_duplicate_rows_and_rows_for_missing_files_are_warnings_and_an_empty_file_means_no_labels(tmp_path):
    touch(tmp_path / "a.png")
    (tmp_path / "labels.csv").write_text("file,label\na.png,7\na.png,1\ngone.png,4\n")
    scan = scan_folder(tmp_path, EXTENSIONS, "single", "labels.csv")
    assert scan.labels == {"a.png": "1"}
    assert scan.label_warnings == [
        "labels.csv, line 3: a.png is labelled again (7, now 1): the last label counts",
        "labels.csv labels 1 files that are not images of the folder: gone.png",
    ]
    (tmp_path / "labels.csv").write_text("")
    empty = scan_folder(tmp_path, EXTENSIONS, "single", "labels.csv")
    assert empty.labels == {} and empty.label_warnings == ["labels.csv is empty: no labels were taken from it"]


def test_the_manifest_changes_exactly_when_an_image_does(tmp_path):
    folder = tmp_path / "digits"
    touch(folder / "a_1.png")
    touch(folder / "brace{x}_2.png")
    target = tmp_path / "folder.json"
    write_if_changed(target, manifest(scan_folder(folder, EXTENSIONS, "single", None), folder))
    first = target.stat().st_mtime_ns
    os.utime(target, ns=(first - 10**9, first - 10**9))
    write_if_changed(target, manifest(scan_folder(folder, EXTENSIONS, "single", None), folder))
    assert target.stat().st_mtime_ns == first - 10**9  # nothing changed: not rewritten
    assert "brace{x}_2.png" in target.read_text()
    touch(folder / "a_1.png", b"edited")
    write_if_changed(target, manifest(scan_folder(folder, EXTENSIONS, "single", None), folder))
    assert target.stat().st_mtime_ns > first - 10**9

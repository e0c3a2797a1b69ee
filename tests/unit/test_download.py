"""Downloads against a real HTTP server on 127.0.0.1 serving the official MNIST files.

Cases: a good mirror; a mirror answering 404, then a good one; a corrupted file; a
transfer cut halfway. Failures end in one clear error and leave nothing behind.
"""

import gzip
import http.server
import threading
from pathlib import Path

import pytest

from digitnet.data.download import MNIST_SHA256, download_verified
from digitnet.errors import DataError

NAME = "t10k-labels-idx1-ubyte.gz"


class MirrorHandler(http.server.BaseHTTPRequestHandler):
    """Serves /good/<file> intact, /missing/ as 404, /corrupt/ with bytes flipped, /cut/ stopping halfway."""

    files: dict[str, bytes] = {}

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        mode, _, name = self.path.strip("/").partition("/")
        body = self.files.get(name)
        if body is None or mode == "missing":
            self.send_error(404, "Not Found")
            return
        if mode == "corrupt":
            # A valid gzip stream with different content: the SHA-256 check must catch it.
            content = bytearray(gzip.decompress(body))
            content[100] ^= 0xFF
            body = gzip.compress(bytes(content))
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "cut":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(mnist_path):
    MirrorHandler.files = {NAME: (mnist_path / NAME).read_bytes()}
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), MirrorHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_good_mirror_downloads_and_verifies(server, tmp_path, mnist_path):
    messages = []
    dest = download_verified(NAME, MNIST_SHA256[NAME], [f"{server}/good/"], tmp_path / NAME, progress=messages.append)
    assert dest.read_bytes() == (mnist_path / NAME).read_bytes()
    assert leftovers(tmp_path) == [NAME]
    assert any("verified" in m for m in messages)


def test_mirror_answering_404_is_skipped_for_the_next(server, tmp_path):
    messages = []
    download_verified(
        NAME, MNIST_SHA256[NAME], [f"{server}/missing/", f"{server}/good/"], tmp_path / NAME, progress=messages.append
    )
    assert leftovers(tmp_path) == [NAME]
    assert any("HTTP 404" in m for m in messages)


def test_corrupted_file_fails_the_checksum_and_leaves_nothing(server, tmp_path):
    with pytest.raises(DataError, match=r"could not download t10k-labels-idx1-ubyte.gz: .*content SHA-256 .* does not match"):
        download_verified(NAME, MNIST_SHA256[NAME], [f"{server}/corrupt/"], tmp_path / NAME, progress=lambda m: None)
    assert leftovers(tmp_path) == []


def test_transfer_cut_halfway_fails_clearly_and_leaves_nothing(server, tmp_path):
    with pytest.raises(DataError) as error:
        download_verified(NAME, MNIST_SHA256[NAME], [f"{server}/cut/"], tmp_path / NAME, progress=lambda m: None)
    message = str(error.value)
    assert "\n" not in message
    assert "every mirror failed" in message and "transfer cut after" in message
    assert leftovers(tmp_path) == []


def test_unreachable_mirror_then_good_one_succeeds(server, tmp_path):
    # Port 9 on loopback: nothing listens there, so the connection is refused at once.
    download_verified(
        NAME, MNIST_SHA256[NAME], ["http://127.0.0.1:9/", f"{server}/good/"], tmp_path / NAME, progress=lambda m: None
    )
    assert leftovers(tmp_path) == [NAME]


def test_fashion_mnist_checksums_match_debians_copy_when_installed():
    from digitnet.data.download import FASHION_SHA256, sha256_of_content
    from digitnet.data.sources import PACKAGED, packaged_copy

    folder = PACKAGED["fashion-mnist"]
    if not folder.is_dir():
        pytest.skip(f"{folder} missing: apt-get install dataset-fashion-mnist")
    assert packaged_copy("fashion-mnist") == folder
    for name, expected in FASHION_SHA256.items():
        assert sha256_of_content(folder / name) == expected, name

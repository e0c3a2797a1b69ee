"""docs/results.md is generated from the benchmarks' records, never typed: the committed page is what they make."""

import json
import subprocess
import sys
from pathlib import Path

from bench.results_page import PAGE, README, RECORDS, load_records, page, readme_block, with_block

REPO = Path(__file__).resolve().parents[2]


def test_the_committed_results_page_is_what_the_committed_records_make():
    assert PAGE.read_text() == page(load_records(RECORDS)), "run make results and commit docs/results.md"


def test_the_readmes_headline_figures_are_what_the_committed_records_make():
    readme = README.read_text()
    assert readme == with_block(readme, readme_block(load_records(RECORDS))), "run make results and commit README.md"


def test_every_record_names_its_command_commit_date_processor_and_blas():
    records = load_records(RECORDS)
    assert records
    for record in records:
        assert record["command"] and record["commit"] and record["date"], record["file"]
        assert record["processor"]["vector"] in ("AVX-512", "AVX2", "neither AVX2 nor AVX-512"), record["file"]
        assert record["headline"] and record["tables"].strip(), record["file"]


def test_the_page_shows_the_latest_run_per_processor_and_every_run_in_the_history(tmp_path):
    def record(date, vector, accuracy):
        return {
            "benchmark": "handwriting",
            "command": "python scripts/bench/handwriting.py",
            "commit": "abc",
            "date": date,
            "processor": {"name": "cpu", "vector": vector, "cores": 2, "blas": []},
            "headline": {"real photos": accuracy},
            "tables": f"| a |\n|---|\n| {accuracy} |",
            "figures": {},
        }

    for n, (date, vector, accuracy) in enumerate([("2026-12-01", "AVX2", "90%"), ("2026-12-03", "AVX2", "95%"), ("2026-12-02", "AVX-512", "93%")]):
        (tmp_path / f"r{n}.json").write_text(json.dumps(record(date, vector, accuracy)))
    text = page(load_records(tmp_path))
    assert "### Latest on AVX2: 2026-12-03" in text and "### Latest on AVX-512: 2026-12-02" in text
    assert "| 95% |" in text and "| 90% |" not in text.split("### Every run")[0]
    history = text.split("### Every run of handwriting")[1]
    assert history.index("2026-12-03") < history.index("2026-12-02") < history.index("2026-12-01")


def test_make_results_and_its_check_agree():
    result = subprocess.run([sys.executable, "scripts/bench/results_page.py", "--check"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_record_names_its_commit_changed_by_other_files_but_not_by_other_records(tmp_path):
    from bench.record import commit

    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    records = tmp_path / "docs" / "results" / "records"
    records.mkdir(parents=True)
    (records / "handwriting.json").write_text("{}")
    (tmp_path / "train.py").write_text("epochs = 3\n")
    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "first")
    clean = commit(tmp_path)
    assert len(clean) == 12 and "+" not in clean
    (records / "handwriting.json").write_text('{"written": "by the benchmark before"}')
    assert commit(tmp_path) == clean
    (tmp_path / "train.py").write_text("epochs = 4\n")
    assert commit(tmp_path) == clean + "+changes"


def test_the_readme_puts_each_figure_on_one_row_with_a_column_per_machine(tmp_path):
    def record(benchmark, date, vector, headline):
        return {
            "benchmark": benchmark,
            "command": "python scripts/bench/x.py",
            "commit": "abc",
            "date": date,
            "processor": {"name": "cpu", "vector": vector, "cores": 2, "blas": []},
            "headline": headline,
            "tables": "| a |\n|---|\n| 1 |",
            "figures": {},
        }

    runs = [
        record("torch-mlp", "2026-12-01", "AVX2", {"ratio": "0.80"}),
        record("torch-mlp", "2026-12-03", "AVX2", {"ratio": "0.75"}),
        record("torch-mlp", "2026-12-02", "AVX-512", {"ratio": "0.70"}),
        record("finetune", "2026-12-02", "AVX-512", {"gain": "3 of 31"}),
    ]
    for n, run in enumerate(runs):
        (tmp_path / f"r{n}.json").write_text(json.dumps(run))
    lines = readme_block(load_records(tmp_path)).splitlines()
    assert lines[0] == "| benchmark | figure | cpu (AVX-512) | cpu (AVX2) |"
    assert "| torch-mlp | ratio | 0.70 | 0.75 |" in lines  # the latest on each machine, side by side
    assert "| finetune | gain | 3 of 31 |  |" in lines  # not measured on AVX2: blank
    assert len(lines) == 4


def test_a_record_tells_how_fast_the_machine_multiplied_when_it_was_written():
    from bench.record import sgemm_now
    from bench.results_page import machine

    rates = sgemm_now((1,))
    assert set(rates) == {"1"} and rates["1"] > 1  # GFLOP/s of a 2048 x 2048 product, in a fresh process
    processor = {"name": "cpu", "vector": "AVX2", "cores": 2, "blas": []}
    assert machine({"processor": processor | {"sgemm_gflops": {"1": 96.4, "2": 122.5}}}).endswith(
        "; sgemm as the record was written: 96 GFLOP/s on 1 thread, 122 GFLOP/s on 2 threads"
    )
    assert "sgemm" not in machine({"processor": processor})  # records from before it was measured

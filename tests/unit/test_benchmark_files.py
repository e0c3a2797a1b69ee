"""Reading Snakemake's ``benchmark:`` files."""

from pathlib import Path

from digitnet.benchmarks import read_benchmark, read_benchmarks

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def test_repeats_add_up_and_the_largest_memory_peak_is_kept(tmp_path):
    path = tmp_path / "train.tsv"
    path.write_text(HEADER + "1.5\t0:00:01\t120.5\t300\t100\t110\t0\t1\t90\t1.4\n2.25\t0:00:02\t180.0\t310\t150\t160\t0\t1\t95\t2.1\n")
    assert read_benchmark(path) == {"seconds": 3.75, "max_rss_mb": 180.0}


def test_a_memory_snakemake_could_not_measure_is_none_not_zero(tmp_path):
    path = tmp_path / "quick.tsv"
    path.write_text(HEADER + "0.01\t0:00:00\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\n0.02\t0:00:00\t-\t-\t-\t-\t-\t-\t-\t-\n")
    assert read_benchmark(path) == {"seconds": 0.03, "max_rss_mb": None}


def test_one_row_per_rule_with_the_jobs_of_a_wildcard_rule_summed(tmp_path, monkeypatch):
    # Paths as the report step gets them: relative to the workflow's folder.
    monkeypatch.chdir(tmp_path)
    Path("benchmarks/evaluate").mkdir(parents=True)
    files = {
        "benchmarks/train.tsv": "4.0\t0:00:04\t200\t0\t0\t0\t0\t0\t0\t0\n",
        "benchmarks/evaluate/a.tsv": "1.0\t0:00:01\t50\t0\t0\t0\t0\t0\t0\t0\n",
        "benchmarks/evaluate/b.tsv": "2.0\t0:00:02\tNA\t0\t0\t0\t0\t0\t0\t0\n",
    }
    for name, row in files.items():
        Path(name).write_text(HEADER + row)
    assert read_benchmarks(list(files)) == [
        {"rule": "train", "seconds": 4.0, "max_rss_mb": 200.0},
        {"rule": "evaluate", "seconds": 3.0, "max_rss_mb": 50.0},
    ]

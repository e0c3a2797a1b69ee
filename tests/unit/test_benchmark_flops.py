"""The benchmark's floor (floating-point operations per epoch counted from the layer shapes), its summary and its per-layer times."""

from bench.flops import calls, epoch_flops, method_flops
from bench.torch_compare import REPO, layer_seconds, load_config, summarize
from digitnet.model import CNN_PRESET


def test_an_mlp_epoch_costs_its_products_three_times_in_training_and_once_in_validation():
    config = {"model": {"hidden": [128], "activation": "relu", "init": "auto", "dropout": 0.0, "leaky_alpha": 0.01}}
    first, second = 2 * 784 * 128, 2 * 128 * 10  # per sample, forward
    # The first layer needs no input gradient: forward and dW only.
    assert epoch_flops(config, 1000, 100) == 1000 * (2 * first + 3 * second) + 100 * (first + second)


def test_a_convolution_costs_its_filter_bank_at_every_output_position():
    conv1, conv2 = 2 * (32 * 25) * 28 * 28, 2 * (64 * 32 * 25) * 14 * 14
    dense = 2 * 3136 * 128 + 2 * 128 * 10
    forward = conv1 + conv2 + dense
    assert epoch_flops({"stack": CNN_PRESET}, 10, 3) == 10 * (3 * forward - conv1) + 3 * forward


def test_quick_mode_summarizes_the_cpu_seconds_of_each_framework_beside_the_wall_seconds():
    def run(framework, seconds, cpu):
        return {
            "framework": framework,
            "threads": 1,
            "epochs": 1,
            "train_seconds": seconds,
            "epoch_seconds": [seconds],
            "cpu_seconds": cpu,
            "test_accuracy": float("nan"),
            "peak_rss_mb": 1.0,
            "sgemm_gflops": 90.0,
            "epoch_gflop": 9.0,
        }

    runs = [run("numpy", 0.5, 0.30), run("torch", 0.4, 0.40), run("numpy", 0.9, 0.32), run("torch", 0.5, 0.38)]
    numpy_row, torch_row = summarize(runs, [1])
    assert numpy_row["seconds_per_epoch"] == 0.7 and numpy_row["cpu_seconds_per_epoch"] == 0.31
    assert torch_row["cpu_seconds_per_epoch"] == 0.39


def test_the_layer_profile_times_every_layer_and_no_backward_below_the_first_weights():
    config = load_config(REPO / "config.yaml", 1, "cnn")
    config["train"]["batch_size"] = 4
    rows = layer_seconds(config, steps=1, seed=0, warmup=1)
    assert [name for name, _, _ in rows][:2] == ["Reshape((1, 28, 28))", "Conv2D(1->32, 5x5, stride=1, padding=2)"]
    assert len(rows) == 11 and rows[0][2] == 0.0
    assert all(forward >= 0 and backward >= 0 for _, forward, backward in rows[1:])
    conv2 = next(row for row in rows if row[0].startswith("Conv2D(32"))
    assert conv2[1] > 0 and conv2[2] > 0


def test_an_mlps_own_arithmetic_is_its_products():
    config = {"model": {"hidden": [128], "activation": "relu", "init": "auto", "dropout": 0.0, "leaky_alpha": 0.01}, "train": {"batch_size": 256}}
    assert method_flops(config, 1000, 100) == {"products": epoch_flops(config, 1000, 100), "transforms": 0.0}


def test_a_convolution_by_the_dft_counts_its_transforms_and_per_frequency_products_not_the_direct_sums():
    from digitnet.nn.fourier import transform_operations, transform_shape

    # Two training steps of 256 images, and a validation set of one image: too few for the second
    # convolution's forward pass to go by the DFT there (its per-call costs would outweigh the
    # layer), as the run itself takes it.
    config = {"stack": CNN_PRESET, "train": {"batch_size": 256}}
    own = method_flops(config, 512, 1)
    conv1, conv2, dense = 2 * (32 * 25) * 28 * 28, 2 * (64 * 32 * 25) * 14 * 14, 2 * 3136 * 128 + 2 * 128 * 10
    L1, L2 = transform_shape((14, 14), (5, 5), 1, 2)  # the second convolution: 14 x 14 maps padded by 2
    frequencies = L1 * (L2 // 2 + 1)
    product = 8 * 64 * 32 * frequencies
    # Per step, the filters' spectrum and the inverse of their gradients: a product of 25 kernel values each way.
    per_step = 2 * 4 * frequencies * 25 * 64 * 32
    assert own["products"] == 512 * (2 * conv1 + 3 * product + 3 * dense) + 2 * per_step + (conv1 + conv2 + dense)
    # Per image, the 32 input and 64 output maps of 14 x 14 pixels, each transformed both ways.
    assert own["transforms"] == 512 * 2 * (32 + 64) * transform_operations(14, 14, L1, L2)
    assert own["products"] + own["transforms"] < epoch_flops(config, 512, 1) / 3


def test_a_batch_that_does_not_divide_the_images_leaves_a_shorter_last_call():
    assert calls(600, 256) == [(256, 2), (88, 1)]
    assert calls(512, 256) == [(256, 2)]
    assert calls(8, 512) == [(8, 1)]
    assert calls(0, 512) == []

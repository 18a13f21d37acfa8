"""Device detection, with GPUs mocked so no real device is needed."""

import sys
from types import SimpleNamespace

import keras
import pytest
import tensorflow as tf

from kerascourse.course import hardware


class FakeMirroredStrategy:
    """Stands in for ``tf.distribute.MirroredStrategy``."""


@pytest.fixture(autouse=True)
def float32_policy():
    yield
    keras.mixed_precision.set_global_policy("float32")


@pytest.fixture
def gpus(monkeypatch):
    """Call with ``[(name, compute capability), ...]`` to mock that many GPUs; returns the growth calls."""
    growth = []

    def mock(specs, growth_error=None):
        devices = [
            SimpleNamespace(name=f"/physical_device:GPU:{i}", device_type="GPU", spec=spec)
            for i, spec in enumerate(specs)
        ]

        def set_memory_growth(device, enable):
            if growth_error:
                raise growth_error
            growth.append((device.name, enable))

        def get_device_details(device):
            name, capability = device.spec
            return {"device_name": name, "compute_capability": capability}

        monkeypatch.setattr(
            tf.config, "list_physical_devices", lambda kind=None: devices if kind == "GPU" else []
        )
        monkeypatch.setattr(tf.config.experimental, "set_memory_growth", set_memory_growth)
        monkeypatch.setattr(tf.config.experimental, "get_device_details", get_device_details)
        monkeypatch.setattr(tf.distribute, "MirroredStrategy", FakeMirroredStrategy)
        return growth

    return mock


def test_no_gpu_means_float32_default_strategy_and_cpu(gpus):
    gpus([])
    hw = hardware.setup(verbose=False)
    assert hw.gpus == () and hw.compute_capabilities == ()
    assert hw.precision == "float32"
    assert hardware.recommended_precision(hw.compute_capabilities) == "float32"
    assert hw.strategy is tf.distribute.get_strategy()
    assert "CPU only" in hw.summary() and "strategy: default" in hw.summary()
    assert "available" not in hw.summary()


def test_one_modern_gpu_recommends_mixed_precision_and_grows_memory(gpus):
    growth = gpus([("NVIDIA A100", (8, 0))])
    hw = hardware.setup(verbose=False)
    assert growth == [("/physical_device:GPU:0", True)]
    assert hw.gpus == ("NVIDIA A100",) and hw.compute_capabilities == ((8, 0),)
    assert hw.strategy is tf.distribute.get_strategy()
    assert hw.precision == "float32"  # not applied without mixed_precision=True
    summary = hw.summary()
    assert "1 GPU (NVIDIA A100, compute capability 8.0)" in summary
    assert "precision: float32 (mixed_float16 available)" in summary
    assert keras.mixed_precision.global_policy().name == "float32"


def test_two_gpus_use_mirrored_strategy(gpus):
    growth = gpus([("NVIDIA H100", (9, 0)), ("NVIDIA H100", (9, 0))])
    hw = hardware.setup(verbose=False)
    assert isinstance(hw.strategy, FakeMirroredStrategy)
    assert len(growth) == 2
    assert "2 GPUs" in hw.summary()


def test_old_gpu_stays_float32(gpus):
    gpus([("Tesla P100", (6, 1))])
    hw = hardware.setup(mixed_precision=True, verbose=False)
    assert hw.precision == "float32"
    assert "available" not in hw.summary()


def test_recommended_precision_needs_every_gpu_modern():
    assert hardware.recommended_precision([]) == "float32"
    assert hardware.recommended_precision([(7, 0)]) == "mixed_float16"
    assert hardware.recommended_precision([(8, 6), (6, 1)]) == "float32"
    assert hardware.recommended_precision([None]) == "float32"


def test_memory_growth_runtime_error_is_tolerated(gpus):
    gpus([("NVIDIA A100", (8, 0))], growth_error=RuntimeError("Physical devices cannot be modified"))
    assert hardware.setup(verbose=False).gpus == ("NVIDIA A100",)


def test_mixed_precision_true_sets_global_policy(gpus):
    gpus([("NVIDIA A100", (8, 0))])
    hw = hardware.setup(mixed_precision=True, verbose=False)
    assert keras.mixed_precision.global_policy().name == "mixed_float16"
    assert hw.precision == "mixed_float16"
    assert "precision: mixed_float16 ·" in hw.summary()


def test_real_setup_on_this_cpu_machine(capsys):
    if tf.config.list_physical_devices("GPU"):
        pytest.skip("this machine has a GPU")
    hw = hardware.setup()
    out = capsys.readouterr().out
    assert hw.precision == "float32"
    assert out.splitlines() == [hw.summary()]
    assert f"TensorFlow {tf.__version__}" in out and f"Keras {keras.__version__}" in out


def test_pytorchs_device_is_reported_only_where_the_notebook_imported_torch(gpus, monkeypatch):
    import torch

    gpus([])
    found = hardware.setup(verbose=False)
    assert found.torch_device == "cpu"
    assert found.summary().endswith(f"PyTorch {torch.__version__} on cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert hardware.setup(verbose=False).torch_device == "cuda"
    monkeypatch.setattr(keras.config, "backend", lambda: "torch")
    assert "Keras 3" in found.summary() and "on its torch backend" in found.summary()
    monkeypatch.delitem(sys.modules, "torch")
    without = hardware.setup(verbose=False)
    assert without.torch_device is None and "PyTorch" not in without.summary()

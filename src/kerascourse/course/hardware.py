"""Device detection: GPUs, their compute capability, a distribution strategy and a precision; and, in a
notebook that imported PyTorch, the device PyTorch computes on."""

import os
import sys
from dataclasses import dataclass

import keras
import tensorflow as tf

# Tensor cores, which make float16 fast, arrived with compute capability 7.0 (Volta).
MIXED_PRECISION_MIN_CAPABILITY = (7, 0)


@dataclass(frozen=True)
class Hardware:
    """What ``setup`` found and chose."""

    gpus: tuple
    compute_capabilities: tuple
    cpu_cores: int
    strategy: tf.distribute.Strategy
    precision: str
    torch_device: str | None = None  # "cuda" or "cpu" where the notebook imported torch, else None

    def summary(self):
        """One line: devices, strategy, precision and library versions."""
        if self.gpus:
            details = "; ".join(
                f"{name}, compute capability {'.'.join(map(str, cc)) if cc else 'unknown'}"
                for name, cc in zip(self.gpus, self.compute_capabilities, strict=True)
            )
            devices = f"{len(self.gpus)} GPU{'s' if len(self.gpus) > 1 else ''} ({details})"
        else:
            devices = f"CPU only ({self.cpu_cores} cores)"
        precision = self.precision
        recommended = recommended_precision(self.compute_capabilities)
        if recommended != precision:
            precision += f" ({recommended} available)"
        return " · ".join(
            [
                f"Running on {devices}",
                f"strategy: {_strategy_name(self.strategy)}",
                f"precision: {precision}",
                f"TensorFlow {tf.__version__}",
                f"Keras {keras.__version__}" + ("" if keras.config.backend() == "tensorflow"
                                                 else f" on its {keras.config.backend()} backend"),
                *([f"PyTorch {sys.modules['torch'].__version__} on {self.torch_device}"] if self.torch_device else []),
            ]
        )


def _strategy_name(strategy):
    """``MirroredStrategy`` -> ``mirrored``; TensorFlow's default strategy -> ``default``."""
    name = type(strategy).__name__.lstrip("_")
    return name.removesuffix("DistributionStrategy").removesuffix("Strategy").lower()


def recommended_precision(compute_capabilities):
    """``mixed_float16`` when every GPU (at least one) has tensor cores; ``float32`` otherwise.

    Never on CPU: float16 arithmetic is several times slower there.
    """
    fast = [cc is not None and tuple(cc) >= MIXED_PRECISION_MIN_CAPABILITY for cc in compute_capabilities]
    return "mixed_float16" if fast and all(fast) else "float32"


def pick_strategy(gpus):
    """``MirroredStrategy`` across several GPUs, TensorFlow's default strategy otherwise."""
    if len(gpus) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def _torch_device():
    """PyTorch's device, only where the notebook imported torch: the Keras lessons never pay for its import."""
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    return "cuda" if torch.cuda.is_available() else "cpu"


def setup(mixed_precision=False, verbose=True):
    """Detect devices, enable GPU memory growth, pick a strategy and (optionally) mixed precision."""
    physical = tf.config.list_physical_devices("GPU")
    names, capabilities = [], []
    for gpu in physical:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # devices already initialised: memory growth can no longer change
            pass
        details = tf.config.experimental.get_device_details(gpu)
        names.append(details.get("device_name", gpu.name))
        capability = details.get("compute_capability")
        capabilities.append(tuple(capability) if capability else None)
    if mixed_precision:
        keras.mixed_precision.set_global_policy(recommended_precision(capabilities))
    hardware = Hardware(
        gpus=tuple(names),
        compute_capabilities=tuple(capabilities),
        cpu_cores=os.cpu_count() or 1,
        strategy=pick_strategy(physical),
        precision=keras.mixed_precision.global_policy().name,
        torch_device=_torch_device(),
    )
    if verbose:
        print(hardware.summary())
    return hardware

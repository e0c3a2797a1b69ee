"""The one contract every layer follows, and the description each layer type gives of itself."""

from typing import ClassVar

import numpy as np

from digitnet.nn.parameter import Parameter


class Layer:
    """A step of the network: ``forward`` computes the output, ``backward`` its gradients.

    ``forward(X)`` keeps what ``backward`` will need (the cache) on the layer, so the
    two sit side by side and a model is just a list of layers.
    ``backward(dout)`` receives dL/d(output) and returns dL/d(input), writing the
    gradient of every parameter into ``Parameter.grad`` on the way. It never changes
    a parameter: that is the optimizer's job.

    Each layer type also describes itself, and building, loading, the architecture figure
    and the explanation read only that description:

    - ``type``: its key in config.yaml's ``model.layers`` and in a saved model's layer list.
      A subclass that sets ``type`` is registered in ``Layer.registry`` under it, so a new
      layer type is one new class (in a module that ``digitnet.model`` imports).
    - ``role``: "weights" (dense, conv), "pool", "activation", "reshape" or "dropout".
    - ``input_rank``: 1 when it reads vectors (N, D), 3 when it reads images (N, C, H, W),
      None when any shape will do; ``build_stack`` inserts the Reshape or Flatten between.
    - ``name_prefix``: for layers with parameters, the start of their names ("dense" gives
      dense0.W, dense0.b, then dense1.W ...), numbered per prefix in the stack.
    - ``words`` and ``formula``: what it does, in a sentence and in symbols; ``backward_words``:
      what its backward pass does to the gradient.
    - ``from_config`` / ``from_spec``: build it from a config entry, or rebuild it from its
      saved ``spec()`` and arrays; ``output_shape``: its per-sample output shape.
    """

    registry: ClassVar[dict[str, type["Layer"]]] = {}
    type: ClassVar[str] = ""
    role: ClassVar[str] = "other"
    input_rank: ClassVar[int | None] = None
    name_prefix: ClassVar[str | None] = None
    words: ClassVar[str] = ""
    formula: ClassVar[str] = ""
    backward_words: ClassVar[str] = "its backward pass turns dL/d(output) into dL/dX"

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "type" in cls.__dict__:
            Layer.registry[cls.type] = cls

    @classmethod
    def from_config(cls, entry: dict, in_shape: tuple[int, ...], rng: np.random.Generator, name: str | None, dtype) -> "Layer":
        """The layer a config entry such as {"type": "relu"} asks for, reading inputs of per-sample
        shape ``in_shape``; ``name`` names its parameters (None for a layer without any)."""
        return cls()

    @classmethod
    def from_spec(cls, entry: dict, arrays, rng: np.random.Generator, name: str | None) -> "Layer":
        """Rebuild the layer from its ``spec()`` and the saved arrays (``{name}.W`` ...).

        A layer without parameters is rebuilt as its config entry would build it: its spec
        is such an entry. Layers with parameters read theirs from ``arrays``.
        """
        return cls.from_config(entry, (), rng, name, np.float32)

    def output_shape(self, in_shape: tuple[int, ...]) -> tuple[int, ...]:
        """The per-sample shape of the output for inputs of per-sample shape ``in_shape``."""
        return tuple(in_shape)

    def known_input_shape(self) -> tuple[int, ...] | None:
        """The per-sample input shape this layer alone fixes (a dense layer's D_in), else None."""
        return None

    def window(self) -> tuple[int, int, int] | None:
        """(size, stride, padding) of the square window the layer slides over its input maps
        (a convolution's kernel, a pooling window), or None for a layer without one."""
        return None

    def label(self) -> str:
        """A short title for figures: "dense", "conv 5x5", "max pool 2x2"."""
        return self.type.replace("_", " ")

    def summary(self) -> str:
        """What this layer computes, in a few words with its sizes: "32 filters of 1 x 5 x 5"."""
        return self.formula

    def n_parameters(self) -> int:
        return int(sum(p.value.size for p in self.parameters()))

    def trace_fields(self) -> dict[str, str]:
        """What the recorded training step holds for this layer: field name -> meaning."""
        fields = {
            "input": "X, what the layer received (batch of one)",
            "output": "its output",
            "d_output": "dL/d(output), the gradient arriving from above",
            "d_input": "dL/dX, the gradient it passes down",
        }
        for p in self.parameters():
            short = p.name.rsplit(".", 1)[-1]
            fields[f"{short}.before"] = f"{short} before the optimizer's step"
            fields[f"{short}.grad"] = f"dL/d{short}, weight decay included where it applies"
            fields[f"{short}.after"] = f"{short} after the step"
        return fields

    def parameters(self) -> list[Parameter]:
        """The layer's trainable arrays (none for activations)."""
        return []

    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray, need_dX: bool = True) -> np.ndarray | None:
        """Return dL/dX, or None when ``need_dX`` is False (the first layer skips it)."""
        raise NotImplementedError

    def spec(self) -> dict:
        """A JSON-ready description from which the layer can be rebuilt."""
        return {"type": self.type}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

"""digitnet: a neural network for handwritten digits, written from scratch in NumPy.

Sub-packages, each one concept:

- ``digitnet.nn``: the network's parts (parameters, layers, activations, the loss,
  initializers, optimizers, learning-rate schedules). Knows nothing of files or plots.
- ``digitnet.model``: builds a network from a config and saves or loads it.
- ``digitnet.train``: the mini-batch training loop.
- ``digitnet.metrics``: accuracy, confusion matrix, per-class precision and recall.
- ``digitnet.data``: reading, downloading, verifying and preparing MNIST-style data.
- ``digitnet.viz``: figures, each a function that returns a matplotlib Figure.
- ``digitnet.report``: collects results and renders the HTML report.

Importing the package does no work: no data is read, no seed is set.
"""

__version__ = "0.1.0"

"""MNIST-style data: read the known file formats, download and verify, prepare for training.

- ``formats``: readers for IDX (plain or gzip), Kaggle and "MNIST in CSV" CSVs, and .npz.
- ``sources``: find which format a folder holds and load its train and test sets.
- ``download``: fetch the official files from mirrors, verified by SHA-256.
- ``prepare``: scale to [0, 1] float32 and split off a validation set.
"""

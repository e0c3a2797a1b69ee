"""Classification metrics from true and predicted labels."""

import numpy as np


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of samples whose predicted label equals the true one; y_true, y_pred : (N,)."""
    return float(np.mean(y_true == y_pred)) if len(y_true) else float("nan")


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """C : (K, K) int64 with C[i, j] = number of samples of true class i predicted as j.

    np.bincount over the flat index i * K + j counts every pair in one vectorized pass.
    """
    flat = y_true.astype(np.int64) * n_classes + y_pred.astype(np.int64)
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def per_class_metrics(confusion: np.ndarray) -> dict[str, np.ndarray]:
    """Precision, recall, F1 and support per class from a confusion matrix C : (K, K).

    precision[k] = C[k, k] / sum_i C[i, k]   (of the samples predicted k, how many are k)
    recall[k]    = C[k, k] / sum_j C[k, j]   (of the samples that are k, how many were found)
    f1[k]        = 2 * precision * recall / (precision + recall)
    A class never predicted (or never present) gets 0 rather than a division by zero.
    """
    true_positive = np.diag(confusion).astype(np.float64)
    predicted = confusion.sum(axis=0)
    support = confusion.sum(axis=1)
    precision = np.divide(true_positive, predicted, out=np.zeros_like(true_positive), where=predicted > 0)
    recall = np.divide(true_positive, support, out=np.zeros_like(true_positive), where=support > 0)
    denominator = precision + recall
    f1 = np.divide(2 * precision * recall, denominator, out=np.zeros_like(true_positive), where=denominator > 0)
    return {"precision": precision, "recall": recall, "f1": f1, "support": support}

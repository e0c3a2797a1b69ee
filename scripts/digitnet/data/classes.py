"""What the ten labels of each data set mean."""

# Fashion-MNIST's labels, in the order its README gives them (label 0 is "T-shirt/top").
CLASS_NAMES = {
    "mnist": [str(digit) for digit in range(10)],
    "fashion-mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
}

# How the report names each data set.
TITLES = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}

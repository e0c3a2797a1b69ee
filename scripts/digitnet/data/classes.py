"""What the ten labels of each data set mean."""

# Fashion-MNIST's labels, in the order its README gives them (label 0 is "T-shirt/top").
CLASS_NAMES = {
    "mnist": [str(digit) for digit in range(10)],
    "fashion-mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
}

# How the report and the figures name each data set and one of its images.
TITLES = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}
ITEM = {"mnist": "digit", "fashion-mnist": "item"}

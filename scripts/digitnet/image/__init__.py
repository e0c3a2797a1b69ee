"""Image stages of the MNIST-style preparation, one concept per module.

- ``load``: decoding a file safely, EXIF orientation, transparency, gray levels by real range.
- ``morphology``: sliding maximum, box blur, runs and connected components on whole arrays.
- ``ink``: paper polarity, uneven lighting, ink by Otsu's threshold, faint ghosts, specks, edge clutter.
- ``lines``: the printed lines of ruled and squared paper.
- ``mnist``: crop, stroke width, scale into 20 x 20, paste in 28 x 28, center by mass.

``digitnet.preprocess`` chains them for one digit, ``digitnet.segment`` for a sheet.
"""

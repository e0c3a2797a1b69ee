"""Figures. Each function takes what it draws and returns a matplotlib Figure.

Figures are built with ``matplotlib.figure.Figure`` directly, never pyplot: no window
can open, no global state is touched, and the step script that saves the figure
decides the file name. Nothing here trains or reads files.
"""

"""The simulator: the device drawn in a window or a terminal, driven through mock pins."""

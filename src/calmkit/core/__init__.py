"""calmkit.core."""

"""calmkit.faces."""

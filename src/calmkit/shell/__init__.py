"""calmkit.shell."""

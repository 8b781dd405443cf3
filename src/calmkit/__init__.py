"""calmkit: a one-button bedside box for moments of crying or overwhelm."""

__version__ = "0.1.0"

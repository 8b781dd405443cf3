"""Shared test setup: no display, no sound card, and small builders for a calmkit on mock pins."""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

# tests/helpers.py serves the test folders below this one (core/, config/, devices/, ...)
sys.path.insert(0, str(Path(__file__).parent))

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
# Voice packs the person running the tests has installed never speak in them: an empty data folder.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="calmkit-tests-data-")
atexit.register(shutil.rmtree, os.environ["XDG_DATA_HOME"], True)

"""`python -m calmkit` is the `calmkit` command."""

import sys

from calmkit.faces.cli import main

sys.exit(main())

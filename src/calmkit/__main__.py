"""`python -m calmkit` is the `calmkit` command."""

import sys

from calmkit.cli import main

sys.exit(main())

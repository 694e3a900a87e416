"""``python -m neurosym``: the same as the ``neurosym`` command."""

import sys

from .cli import main

sys.exit(main())

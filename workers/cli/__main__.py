"""``python -m workers.cli``: the same as the ``newsworker`` command."""

import sys

from workers.cli import main

sys.exit(main())

import sys

from siree_metrics.cli import main

sys.exit(main())

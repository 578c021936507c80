import sys

from healthlab.cli import main

sys.exit(main())

"""`python -m rnncourse.data list | fetch NAME... | verify` (see rnncourse.data.cli)."""

from rnncourse.data.cli import main

raise SystemExit(main())

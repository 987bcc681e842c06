"""The cast moved to tests/cast.py (helpers) and tests/conftest.py (fixtures); these names stay importable only for
branches written before the move: new tests import from tests.cast."""

from tests.cast import *  # noqa: F403
from tests.cast import make_user as _user  # noqa: F401

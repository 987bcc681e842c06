# The web tests' fixed cast (a hand-written county with one of each carrier) serves the language checks too.
from tests.web.conftest import _fast_hashing, _fresh_cache, as_user, cast, county_folder  # noqa: F401

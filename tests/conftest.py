import os
import tempfile

os.environ.setdefault("JIANFU_HOME", tempfile.mkdtemp(prefix="jianfu-test-"))

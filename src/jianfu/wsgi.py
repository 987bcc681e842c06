import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianfu.settings")
# Files this server writes (database, uploads) are readable by its owner only, as under `jianfu serve`.
os.umask(0o077)
application = get_wsgi_application()

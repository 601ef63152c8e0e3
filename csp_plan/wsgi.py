"""The WSGI entry point (`application`) that gunicorn serves: see docs/deployment.md."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csp_plan.settings")
application = get_wsgi_application()

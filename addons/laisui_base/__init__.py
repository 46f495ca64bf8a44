# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.wsgi import app

# Portal routes register themselves with trytond's WSGI app on import.
from . import (  # noqa: F401
    credential_routes, form_routes, guide_routes, health, http_headers,
    log_mask, message_routes, portal_errors, routes, sms_provider)

# No production server with an SMS gateway that sends nothing.
sms_provider.check_environment()

# Every log record of the process is masked from now on (log_mask.py).
log_mask.install()

# Process-wide, like the routes: every response of every database.
http_headers.install(app)
portal_errors.install(app)

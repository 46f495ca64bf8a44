# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.

# Routes (designer page, applicant portal) register themselves with
# trytond's WSGI app on import.
from . import designer_routes, portal_routes  # noqa: F401

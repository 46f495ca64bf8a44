# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.

# Portal and public pages register themselves with trytond's WSGI app on
# import.
from . import publication_routes, routes  # noqa: F401

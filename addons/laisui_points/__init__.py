# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.

# Portal routes register themselves with trytond's WSGI app on import.
from . import identity_correction_routes, routes

__all__ = ["identity_correction_routes", "routes"]

# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.

# The API's routes register themselves with trytond's WSGI app on import.
from . import routes  # noqa: F401

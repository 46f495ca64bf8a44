# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Import our add-ons from the mutation copy, not from the checkout.

The editable install maps trytond.modules.laisui_* to the checkout's
addons/; a mutant lives in a copy of the tree (cosmic-ray edits files in
place, and the checkout must never hold a mutant).  Loaded as a pytest
plugin (-p redirect) before any test module is imported."""
import importlib.util
import os
import sys

ADDONS = os.environ['LAISUI_MUTATION_ADDONS']
PREFIX = 'trytond.modules.laisui_'


class CopyFinder:
    "Finds trytond.modules.laisui_X in ADDONS/laisui_X"

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if not name.startswith(PREFIX) or name.count('.') != 2:
            return None
        folder = os.path.join(ADDONS, name.rsplit('.', 1)[1])
        return importlib.util.spec_from_file_location(
            name, os.path.join(folder, '__init__.py'),
            submodule_search_locations=[folder])


sys.meta_path.insert(0, CopyFinder)

# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.tests.test_tryton import ModuleTestCase


class ReviewTestCase(ModuleTestCase):
    "Test laisui_review module"
    module = 'laisui_review'


del ModuleTestCase

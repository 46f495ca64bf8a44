# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.laisui_base.tests.tools import ViewChecksMixin
from trytond.tests.test_tryton import ModuleTestCase


class ApiTestCase(ViewChecksMixin, ModuleTestCase):
    "laisui_api"
    module = 'laisui_api'
    language = 'zh_CN'


del ModuleTestCase

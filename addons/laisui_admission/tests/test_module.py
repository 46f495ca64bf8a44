# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.laisui_base.tests.tools import ViewChecksMixin
from trytond.tests.test_tryton import ModuleTestCase


class AdmissionTestCase(ViewChecksMixin, ModuleTestCase):
    "Test laisui_admission module"
    module = 'laisui_admission'
    language = 'zh_CN'


del ModuleTestCase

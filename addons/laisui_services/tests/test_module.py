# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.laisui_base.tests.tools import (
    bare_datetime_columns, untranslated_view_strings)
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class ServicesTestCase(ModuleTestCase):
    "Test laisui_services module"
    module = 'laisui_services'
    language = 'zh_CN'

    @with_transaction()
    def test_list_date_times_have_widgets(self):
        "Every date-time of a list is shown as a date or a time column"
        self.assertEqual(bare_datetime_columns(self.module), [])

    @with_transaction()
    def test_views_translated(self):
        "Every string of the views reads in zh_CN"
        self.assertEqual(untranslated_view_strings(self.module), [])


del ModuleTestCase

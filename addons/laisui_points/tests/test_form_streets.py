# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""An address in Yuexiu on a data form names a street the geography
keeps for this district."""
from trytond.modules.laisui_base.exceptions import FormAnswersError
from trytond.modules.laisui_base.tests.forms import make_form
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction


class FormStreetsTestCase(ActivatedTestCase):
    "Streets of the forms' addresses"
    modules = ['laisui_points']

    @with_transaction()
    def test_streets_from_geography(self):
        "The home district's 18 streets, and a new one once it is added"
        pool = Pool()
        Form = pool.get('laisui.form')
        Street = pool.get('laisui.street')
        District = pool.get('laisui.district')
        streets = Form.yuexiu_streets()
        self.assertEqual(len(streets), 18)
        self.assertIn('矿泉街道', streets)
        self.assertNotIn('石牌街道', streets)
        form = make_form('address', [{'name': 'address', 'label': '地址',
                        'type': 'address', 'required': True}])
        with self.assertRaises(FormAnswersError) as cm:
            form.validate_answers(
                {'address': {'street': '新设街道', 'detail': '1号'}})
        self.assertEqual(cm.exception.errors,
            {'address': '“地址”请选择越秀区的街道。'})
        home, = District.search([('home', '=', True)])
        Street.create([{'name': '新设街道', 'district': home.id}])
        form = make_form('address2', [{'name': 'address', 'label': '地址',
                        'type': 'address', 'required': True}])
        self.assertEqual(form.validate_answers(
                {'address': {'street': '新设街道', 'detail': '1号'}}),
            {'address': {'street': '新设街道', 'detail': '1号'}})

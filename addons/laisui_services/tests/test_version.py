# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The catalogue: a published version is frozen; a change is a new
version, and publishing it retires the one it replaces."""
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from .tools import department, make_service, rolled_back


class VersionTestCase(ActivatedTestCase):
    "Service versions"
    modules = ['laisui_services']

    @with_transaction()
    def test_service_is_a_blacklist_scope(self):
        "A new service names a blacklist scope of its code"
        service = make_service('volunteer')
        self.assertEqual(service.integrity_service.code, 'volunteer')
        self.assertEqual(service.integrity_service.name, '服务volunteer')

    @with_transaction()
    def test_code_refused(self):
        "A code the portal cannot address is refused in zh_CN"
        Service = Pool().get('laisui.service')
        for code in ['1training', 'zh-CN', '培训', 'a b']:
            with self.subTest(code=code), \
                    self.assertRaises(ValidationError) as cm, \
                    rolled_back():
                Service.create([{'code': code, 'name': 'x',
                            'category': 'other',
                            'department': department().id}])
            self.assertIn('须以字母开头', cm.exception.message)
        self.assertEqual(Service.search([]), [])

    @with_transaction()
    def test_published_version_frozen(self):
        "Editing a published version or its rows is refused: new version"
        pool = Pool()
        Version = pool.get('laisui.service.version')
        Condition = pool.get('laisui.service.condition')
        service = make_service(conditions=[
                {'kind': 'points', 'value': 60}], materials=['photo'])
        version = service.current_version
        with self.assertRaises(UserError) as cm, rolled_back():
            Version.write([version], {'description': '改过的说明'})
        self.assertIn('不能再修改，请新建版本', cm.exception.message)
        condition, = version.conditions
        with self.assertRaises(UserError), rolled_back():
            Condition.write([condition], {'value': 10})
        with self.assertRaises(UserError), rolled_back():
            Condition.create([{'version': version.id, 'kind': 'permit'}])
        with self.assertRaises(UserError), rolled_back():
            Version.delete([version])
        version = Version(version.id)
        self.assertEqual(version.description, '面向来穗人员的融合培训。')
        self.assertEqual([c.value for c in version.conditions], [60])

    @with_transaction()
    def test_new_version_retires_the_old(self):
        "A new version is a draft copy; publishing it retires the old"
        Version = Pool().get('laisui.service.version')
        service = make_service(conditions=[
                {'kind': 'points', 'value': 60}], materials=['photo'])
        old = service.current_version
        result = Version.new_version([old])
        new, = Version.browse(result['res_id'])
        self.assertEqual((new.state, new.number), ('draft', 2))
        self.assertEqual([c.value for c in new.conditions], [60])
        self.assertEqual([m.type.code for m in new.materials], ['photo'])
        new.description = '新的说明'
        new.conditions[0].value = 80
        new.save()
        self.assertEqual(Version(old.id).conditions[0].value, 60)
        Version.publish([new])
        self.assertEqual(Version(old.id).state, 'retired')
        self.assertEqual(type(service)(service.id).current_version, new)

    @with_transaction()
    def test_publish_needs_guidance(self):
        "A version without guidance is not published"
        Version = Pool().get('laisui.service.version')
        service = make_service(publish=False, guidance=None)
        version, = service.versions
        with self.assertRaises(UserError) as cm:
            Version.publish([version])
        self.assertIn('办事指南', cm.exception.message)
        self.assertEqual(Version(version.id).state, 'draft')

    @with_transaction()
    def test_incomplete_condition_refused(self):
        "A points-variable condition without its variable is not saved"
        Version = Pool().get('laisui.service.version')
        service = make_service(publish=False)
        version, = service.versions
        with self.assertRaises(ValidationError), rolled_back():
            Version.write([version], {'conditions': [('create', [{
                                'kind': 'variable', 'operator': '>='}])]})
        self.assertEqual(Version(version.id).conditions, ())

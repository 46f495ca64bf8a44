# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Service guides (办事指南): kept by the district admin in the back
office, read by everybody on the public portal pages /guide and
/guide/<code>, their plain text shown as text whatever it holds."""
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.laisui_base.plain_text import blocks
from trytond.modules.laisui_base.tests.tools import (
    PortalTestMixin, acting, staff)
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase, with_transaction
from trytond.transaction import Transaction

NOT_FOUND = '没有找到这份办事指南。'
CODE_INVALID = '服务代码“Bad/Code”只能由小写字母、数字和“_”组成，并以字母开头。'
CODE_UNIQUE = '该服务已有办事指南。'


class GuideTestCase(PortalTestMixin, RouteTestCase):
    "Service guides"
    module = 'laisui_base'
    language = 'zh_CN'

    @classmethod
    def setUpDatabase(cls):
        pool = Pool()
        Guide = pool.get('laisui.guide')
        Guide.create([{
                    'code': 'housing',
                    'title': "住房保障办事指南",
                    'summary': "申请积分制住房保障。",
                    'sequence': 10,
                    'sections': [('create', [{
                                    'sequence': 10,
                                    'kind': 'who_may_apply',
                                    'heading': "谁可以申请",
                                    'text': "持有有效居住证的来穗人员。",
                                    }, {
                                    'sequence': 20,
                                    'kind': 'materials',
                                    'heading': "申请材料",
                                    'text': "基本材料：\n- 居民身份证\n"
                                    "- 居住证\n\n1. 网上上传\n2. 窗口核验",
                                    }, {
                                    'sequence': 30,
                                    'kind': 'faq',
                                    'heading': "常见问题（一）",
                                    'text': "问：可以代办吗？",
                                    }, {
                                    'sequence': 40,
                                    'kind': 'faq',
                                    'heading': "常见问题（二）",
                                    'text': "问：要收费吗？",
                                    }])],
                    }, {
                    'code': 'retired',
                    'title': "已停用的指南",
                    'active': False,
                    }])

    # Helpers ---------------------------------------------------------------
    def page(self, path, **kwargs):
        return self.client().get(self.url(path), **kwargs)

    def section_text(self, heading):
        with Transaction().start(self.db_name, 0):
            Section = Pool().get('laisui.guide.section')
            section, = Section.search([('heading', '=', heading)])
            return section.text

    # Pages -------------------------------------------------------------
    def test_list(self):
        "/guide lists the active guides, linked, with their summary"
        response = self.page('/guide')
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn(
            f'<a href="/{self.db_name}/portal/guide/housing">住房保障办事指南</a>',
            page)
        self.assertIn("申请积分制住房保障。", page)
        self.assertNotIn("已停用的指南", page)

    def test_guide_page(self):
        "A guide: its sections in order, a table of contents with anchors"
        response = self.page('/guide/housing')
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn('<h1>住房保障办事指南</h1>', page)
        # The only section of a kind is linked to by its kind; two of one
        # kind by their ids.
        self.assertIn('<a href="#who_may_apply">谁可以申请</a>', page)
        self.assertIn('id="who_may_apply"', page)
        self.assertIn('<a href="#materials">申请材料</a>', page)
        self.assertNotIn('id="faq"', page)
        self.assertRegex(page, r'<a href="#section-\d+">常见问题（一）</a>')
        self.assertLess(page.index('id="who_may_apply"'),
            page.index('id="materials"'))
        self.assertIn('<p>基本材料：</p>', page)
        self.assertIn('<ul><li>居民身份证</li><li>居住证</li></ul>', page)
        self.assertIn('<ol><li>网上上传</li><li>窗口核验</li></ol>', page)
        # The footer links the guides and the notice on every page.
        self.assertIn(f'<a href="/{self.db_name}/portal/privacy">', page)

    def test_unknown_code(self):
        "An unknown or inactive code: 404 with the zh_CN message"
        for code in ['nope', 'retired', 'HOUSING', '%3Cscript%3E']:
            with self.subTest(code=code):
                response = self.page(f'/guide/{code}')
                self.assertEqual(response.status_code, 404)
                self.assertIn(NOT_FOUND, response.text)
                self.assertIn('<html lang="zh-CN">', response.text)

    def test_public_headers(self):
        """The pages are public: cacheable a little while, no cookie set,
        the same for a signed-in visitor as for anybody"""
        for path in ['/guide', '/guide/housing']:
            with self.subTest(path=path):
                client = self.client()
                client.set_cookie('laisui_session', 'whatever',
                    path=f'/{self.db_name}/portal')
                response = client.get(self.url(path))
                self.assertEqual(response.status_code, 200)
                self.assertEqual(
                    response.headers['Cache-Control'], 'public, max-age=300')
                self.assertIn("frame-ancestors 'none'",
                    response.headers['Content-Security-Policy'])
                self.assertEqual(
                    response.headers['X-Content-Type-Options'], 'nosniff')
                self.assertNotIn('Set-Cookie', response.headers)
                self.assertNotIn('退出', response.text)

    # Editing -----------------------------------------------------------
    def test_admin_edit_shows_on_page(self):
        "What the district admin writes is on the page, and audited"
        with Transaction().start(self.db_name, 0) as transaction:
            pool = Pool()
            Section = pool.get('laisui.guide.section')
            AuditLog = pool.get('laisui.audit.log')
            admin = staff('guide_district_admin', 'group_district_admin')
            with acting(admin):
                section, = Section.search([('heading', '=', "谁可以申请")])
                Section.write([section], {
                        'text': "持有在越秀区办理的居住证的来穗人员。"})
            entry, = AuditLog.search([
                    ('resource', '=', str(section)),
                    ('action', '=', 'write'),
                    ('detail', 'like', '%: text'),
                    ])
            self.assertEqual(entry.user, admin)
            self.assertEqual(entry.from_value, "持有有效居住证的来穗人员。")
            self.assertEqual(entry.to_value, "持有在越秀区办理的居住证的来穗人员。")
            transaction.commit()
        page = self.page('/guide/housing').text
        self.assertIn('<p>持有在越秀区办理的居住证的来穗人员。</p>', page)
        self.assertNotIn("持有有效居住证的来穗人员。", page)

    def test_others_cannot_edit(self):
        "Other staff read the guides but cannot change them"
        with Transaction().start(self.db_name, 0):
            pool = Pool()
            Guide = pool.get('laisui.guide')
            Section = pool.get('laisui.guide.section')
            for group in ['group_window_clerk', 'group_district_reviewer',
                    'group_system_admin', 'group_auditor']:
                user = staff(f'guide_{group}', group)
                with self.subTest(group=group), acting(user):
                    section, = Section.search(
                        [('heading', '=', "申请材料")])
                    self.assertTrue(Guide.search([('code', '=', 'housing')]))
                    with self.assertRaises(AccessError):
                        Section.write([section], {'text': "改"})
                    with self.assertRaises(AccessError):
                        Guide.create([{'code': 'other', 'title': "其他"}])
        self.assertTrue(self.section_text("申请材料").startswith("基本材料："))

    def test_section_text_escaped(self):
        "Markup in a section is shown as text, never run"
        with Transaction().start(self.db_name, 0) as transaction:
            Section = Pool().get('laisui.guide.section')
            section, = Section.search([('heading', '=', "常见问题（二）")])
            Section.write([section], {'text':
                    '<script>alert(1)</script>\n'
                    '- <img src=x onerror="alert(2)">\n'
                    '<a href="javascript:alert(3)">点我</a>',
                    'heading': '<b>常见问题（二）</b>'})
            transaction.commit()
        page = self.page('/guide/housing').text
        self.assertIn('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>', page)
        self.assertIn(
            '<li>&lt;img src=x onerror=&#34;alert(2)&#34;&gt;</li>', page)
        self.assertIn('&lt;a href=&#34;javascript:alert(3)&#34;&gt;', page)
        self.assertIn('&lt;b&gt;常见问题（二）&lt;/b&gt;', page)
        self.assertNotIn('<script>alert', page)
        self.assertNotIn('<img', page)
        self.assertNotIn('<b>', page)

    @with_transaction()
    def test_code_invalid(self):
        "A code that is no address part is refused with the rule"
        Guide = Pool().get('laisui.guide')
        with self.assertRaises(ValidationError):
            Guide.create([{'code': '', 'title': "错"}])
        for code in ['Bad/Code', '1abc', 'a' * 33, 'ü', 'Points']:
            with self.subTest(code=code):
                with self.assertRaises(ValidationError) as cm:
                    Guide.create([{'code': code, 'title': "错"}])
                self.assertEqual(cm.exception.message,
                    CODE_INVALID.replace('Bad/Code', code))

    @with_transaction()
    def test_code_unique(self):
        "One guide per service code"
        Guide = Pool().get('laisui.guide')
        with self.assertRaises(ValidationError) as cm:
            Guide.create([{'code': 'housing', 'title': "第二份"}])
        self.assertEqual(cm.exception.message, CODE_UNIQUE)

    def test_blocks(self):
        "Lines become paragraphs, bulleted and numbered items, headings"
        self.assertEqual(blocks(
                "一、条件\n第一段\n\n- 甲\n• 乙\n1. 一\n2、二\n"
                "1.5 分\n-5 分\n  \n"), [
                ('h', "一、条件"),
                ('p', "第一段"),
                ('ul', ["甲", "乙"]),
                ('ol', ["一", "二"]),
                ('p', "1.5 分"),
                ('p', "-5 分"),
                ])
        self.assertEqual(blocks(None), [])

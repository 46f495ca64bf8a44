# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Every portal page an applicant can reach speaks Chinese: a crawl from
the home page, signed out and signed in with records on every page, fails
on any English word of the text or of the attributes people read (labels,
placeholders, titles, button values)."""
import datetime as dt
import html.parser
import re

from trytond.modules.laisui_admission.tests.test_portal import (
    _type_a_facts)
from trytond.modules.laisui_admission.tests.tools import (
    CUTOFF, child_of, make_schools, verify_points)
from trytond.modules.laisui_base.tests.tools import PortalTestMixin
from trytond.modules.laisui_connectors.tests.tools import id_number
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase
from trytond.transaction import Transaction

PHONE = '13600136300'
# Latin letters a Chinese page may carry: units, file types, the codes of
# rule sets and numbers (GZ-2018, P2026-000001), the site's own name.
ALLOWED = {'PDF', 'JPG', 'JPEG', 'PNG', 'MB', 'KB', 'GZ', 'SHA', 'QR',
    'ID', 'X', 'P', 'A', 'B', 'SMS', 'PIPL', 'GB', 'T', 'WCAG', 'AA', 'ETL',
    'API', 'JS'}
WORD = re.compile(r'[A-Za-z]{2,}')
# Attributes whose text people read or hear
READ_ATTRIBUTES = {'title', 'placeholder', 'alt', 'aria-label'}


class _Text(html.parser.HTMLParser):
    "The text a person reads on a page, and the links it holds"

    def __init__(self):
        super().__init__()
        self.words = []
        self.links = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {'script', 'style'}:
            self._skip += 1
        if tag == 'a' and attrs.get('href'):
            self.links.append(attrs['href'])
        for name in READ_ATTRIBUTES & set(attrs):
            self.words.append(attrs[name] or '')
        if tag in {'button', 'input'} and attrs.get('type') in {
                'submit', 'button'} and tag == 'input':
            self.words.append(attrs.get('value') or '')

    def handle_endtag(self, tag):
        if tag in {'script', 'style'}:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.words.append(data)


def english(page):
    "The English words of the page's readable text"
    parser = _Text()
    parser.feed(page)
    found = set()
    for text in parser.words:
        for word in WORD.findall(text):
            if word.upper() not in ALLOWED:
                found.add(word)
    return found, parser.links


class PortalLanguageTestCase(PortalTestMixin, RouteTestCase):
    "The portal in Chinese, every page"
    module = 'laisui_admission'
    language = 'zh_CN'

    def setup_applicant(self):
        "Records on every page: family, facts, a request, an application"
        with Transaction().start(self.db_name, 0) as transaction:
            pool = Pool()
            Applicant = pool.get('laisui.applicant')
            Round = pool.get('laisui.admission.round')
            Application = pool.get('laisui.admission.application')
            Type = pool.get('laisui.admission.type')
            applicant, = Applicant.search([('phone', '=', PHONE)])
            _type_a_facts(applicant)
            verify_points(applicant)
            child = child_of(applicant, 61)
            now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
            round_, = Round.create([{
                        'name': '越秀区积分入学（语言）', 'year': 2021,
                        'points_cutoff': CUTOFF,
                        'age_date': dt.date(2021, 8, 31),
                        'application_start': now - dt.timedelta(days=1),
                        'application_end': now + dt.timedelta(days=1),
                        'max_preferences': 2,
                        'stages': [('create', [{'stage': 'grade1',
                                        'min_age': 6,
                                        'school_record': 'none'}])],
                        }])
            Round.open([round_])
            schools = make_schools(round_, [1, 1])
            type_, = Type.search([('code', '=', 'A')])
            Application.create([{
                        'round': round_.id, 'applicant': applicant.id,
                        'child': child.id, 'stage': 'grade1',
                        'type': type_.id,
                        'preferences': [('create', [
                                    {'school': schools[0].id,
                                        'sequence': 0}])],
                        }])
            # And a correction of the name waiting for a decision
            Correction = pool.get('laisui.applicant.identity_correction')
            Correction.request(applicant, "陈明亮", None, "户口簿上的姓名")
            transaction.commit()

    def crawl(self, client, start='/'):
        "{path: English words} of every page reachable from start"
        root = self.url('')
        seen, todo, found = set(), [start], {}
        while todo:
            path = todo.pop()
            if path in seen:
                continue
            seen.add(path)
            response = client.get(self.url(path))
            if response.status_code in {301, 302, 303}:
                location = response.headers['Location'].split(
                    root, 1)[-1]
                todo.append(location)
                continue
            if not response.content_type.startswith('text/html'):
                continue
            words, links = english(response.text)
            if words:
                found[path] = words
            for link in links:
                link = link.split('#')[0].split('?')[0]
                if link.startswith(root):
                    todo.append(link[len(root):] or '/')
        return found, seen

    def test_every_page_in_chinese(self):
        client = self.client()
        found, seen = self.crawl(client)
        self.assertEqual(found, {})
        self.assertIn('/login', seen)
        self.assertIn('/register', seen)

        self.assertEqual(self.register(
                client, PHONE, id_number(61, birth=dt.date(1985, 1, 1)),
                name="陈明").status_code, 302)
        self.setup_applicant()
        found, seen = self.crawl(client)
        self.assertEqual(found, {})
        # The crawl reached the applicant's pages.
        for path in ['/points', '/family', '/facts', '/evidence',
                '/reviews', '/admission', '/admission/apply',
                '/profile/identity']:
            self.assertIn(path, seen)
        # And the forms that change and delete what was declared
        for kind in ['family', 'facts']:
            for action in ['edit', 'delete']:
                self.assertTrue(any(re.fullmatch(rf'/{kind}/\d+/{action}', p)
                        for p in seen), (kind, action))
        # Each step links to its guide, at the section it needs.
        for path, guide, anchor in [
                ('/facts', '/guide/points', 'rules'),
                ('/evidence', '/guide/points', 'materials'),
                ('/family', '/guide/admission', 'who_may_apply'),
                ('/reviews', '/guide/points', 'process'),
                ('/reviews/apply', '/guide/points', None),
                ('/admission', '/guide/admission', None),
                ('/admission/apply', '/guide/admission', None)]:
            with self.subTest(path=path):
                link = self.url(guide) + (f'#{anchor}' if anchor else '')
                self.assertIn(f'href="{link}"',
                    client.get(self.url(path)).text)
                if anchor:
                    self.assertIn(f'id="{anchor}"',
                        client.get(self.url(guide)).text)
        # Error pages, in the portal's layout.
        for path in ['/no-such-page', '/admission/999999/check']:
            response = client.get(self.url(path))
            self.assertIn(response.status_code, {403, 404})
            self.assertEqual(english(response.text)[0], set(), path)

    def test_english_is_found(self):
        "The check finds English where there is some"
        words, _ = english('<p>积分 Points</p><input placeholder="Name">'
            '<script>var x;</script><p>GZ-2018 PDF</p>')
        self.assertEqual(words, {'Points', 'Name'})


del RouteTestCase

# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The public reads the rounds whose results are published, pages through
a round's list 50 rows at a time and finds a family's own row by the
application number or by the child's name and birth date; the applicant's
page links to that row. Every answer stays public and cacheable, and
shows nothing that the list does not."""
import datetime as dt
import re
from decimal import Decimal
from unittest.mock import patch

from trytond.modules.laisui_admission import publication_routes
from trytond.modules.laisui_admission.tests.test_portal_language import (
    english)
from trytond.modules.laisui_admission.tests.tools import (
    CLOSED, NOW, child_of, draft_application, make_round, make_schools)
from trytond.modules.laisui_base.tests.tools import PortalTestMixin
from trytond.modules.laisui_connectors.tests.tools import id_number
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase
from trytond.transaction import Transaction

PHONE = '13600136401'
# The child searched for: the last of the 51 rows (rank 51, page 2). Its
# ID number tells the birth date 2015-03-01 (id_number adds n days).
NAME = '欧阳小雨'
BIRTH = '2015-03-01'
SEARCHED = 900
NOT_FOUND = ('本批次公示名单中没有找到符合的记录。请核对填写的内容；'
    '已撤回或不符合条件的申请不在名单中。')
BAD_NUMBER = '请按“年份-数字”的格式填写申请编号，例如 2021-000123。'
BAD_NAME = '请填写子女身份证上的姓名（不超过 30 个字）。'
BAD_BIRTH = '请填写正确的子女出生日期，例如 2015-05-01。'
NAME_AND_BIRTH = '按姓名查询须同时填写子女姓名和出生日期。'
PUBLIC = 'public, max-age=300'
RANKS = re.compile(r'<tr[^>]*><td class="num" data-label="排名">(\d+)</td>')
MINE = '<tr class="mine" aria-current="true" id="mine">'


def ranks(page):
    "The ranks of the rows of the page's list"
    table = page.split('id="results"', 1)[1].split('</table>', 1)[0]
    return [int(r) for r in RANKS.findall(table)]


def mine(page):
    "The ranks of the highlighted rows of the page's list"
    table = page.split('id="results"', 1)[1].split('</table>', 1)[0]
    return [int(r) for r in re.findall(
            r'<tr class="mine"[^>]*><td class="num" data-label="排名">(\d+)</td>',
            table)]


class PublicationTestCase(PortalTestMixin, RouteTestCase):
    "The publication of a round's results, its pages and its search"
    module = 'laisui_admission'
    language = 'zh_CN'
    _data = None

    def setUp(self):
        super().setUp()
        publication_routes._publication_pages.clear()

    def data(self):
        """Once for the class: the applicant signed in on a client, with 51
        children; a round of the 51 (scores 950 down to 901, the searched
        child last with 1) and a round of 50 (children 1 to 50), both
        published; a round run but not published and a round published
        from tomorrow. {name: value}"""
        cls = type(self)
        if cls._data:
            return cls._data
        client = self.client()
        self.assertEqual(self.register(client, PHONE,
                id_number(401, birth=dt.date(1985, 1, 1)),
                name='欧阳明').status_code, 302)
        data = {'client': client}
        with Transaction().start(self.db_name, 0,
                context={'_laisui_now': NOW}) as transaction:
            pool = Pool()
            Applicant = pool.get('laisui.applicant')
            Round = pool.get('laisui.admission.round')
            applicant, = Applicant.search([('phone', '=', PHONE)])
            children = [child_of(applicant, n) for n in range(1, 51)]
            searched = child_of(applicant, SEARCHED,
                birth=dt.date(2015, 3, 1) - dt.timedelta(days=SEARCHED),
                name=NAME)
            tomorrow = (dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
                + dt.timedelta(days=1))
            for name, members, values in [
                    ('r51', children + [searched], {}),
                    ('r50', children, {}),
                    ('unpublished', children[:1], {}),
                    ('future', children[:1],
                        {'publication_start': tomorrow}),
                    ]:
                round_ = make_round(name=f'越秀区积分入学{name}', **values)
                data[name] = round_.id
                data[name, 'applications'] = self.apply(
                    round_, applicant, members)
                Round.commit_seed([round_])
            transaction.commit()
        for name in ['r51', 'r50', 'unpublished', 'future']:
            self.run_allocation(data[name], publish=name != 'unpublished')
        cls._data = data
        return data

    def apply(self, round_, applicant, children):
        """Eligible applications of the children, scored 950, 949, … and
        the searched child 1; their ids"""
        Application = Pool().get('laisui.admission.application')
        schools = make_schools(round_, [1, 1])
        ids = []
        for n, child in enumerate(children):
            application = draft_application(
                round_, applicant, child, schools)
            score = 1 if child.name == NAME else 950 - n
            Application.write([application], {
                    'state': 'eligible', 'score': Decimal(score),
                    'tie_points': f'{score},0',
                    'child_id_number': child.id_number})
            ids.append(application.id)
        return ids

    def run_allocation(self, round_id, publish=True):
        with Transaction().start(self.db_name, 0,
                context={'_laisui_now': NOW}) as transaction:
            Run = Pool().get('laisui.admission.run')
            run, = Run.create([{'round': round_id}])
            Run.execute([run])
            if publish:
                with Transaction().set_context(_laisui_now=CLOSED):
                    Run.publish([run])
            transaction.commit()

    def results(self, name, query=''):
        return self.client().get(self.url(
                f'/admission/rounds/{self.data()[name]}/results{query}'))

    def number(self, name, index):
        "The application number of the index-th application of round name"
        return f"2021-{self.data()[name, 'applications'][index]:06d}"

    def assertPublic(self, response):
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers['Cache-Control'], PUBLIC)
        self.assertNotIn('Set-Cookie', response.headers)

    def test_pages_of_51_rows(self):
        "50 rows a page: the 51st alone on page 2, and links between them"
        first = self.results('r51')
        self.assertPublic(first)
        self.assertRegex(first.headers['ETag'], r'^"[0-9a-f]{32}"$')
        self.assertEqual(ranks(first.text), list(range(1, 51)))
        self.assertIn('第1/2页（51条）', first.text)
        self.assertIn('<a href="?page=2" rel="next">下一页</a>', first.text)
        self.assertNotIn('上一页', first.text)
        self.assertEqual(mine(first.text), [])
        self.assertNotIn('aria-current', first.text)

        second = self.results('r51', '?page=2')
        self.assertPublic(second)
        self.assertEqual(ranks(second.text), [51])
        self.assertIn('第2/2页（51条）', second.text)
        self.assertIn('<a href="?page=1" rel="prev">上一页</a>', second.text)
        self.assertNotIn('下一页', second.text)
        self.assertIn('<td data-label="姓名">欧*</td>', second.text)
        self.assertNotIn(NAME, second.text)
        self.assertNotIn(BIRTH.replace('-', ''), second.text)

        # Page 0 and junk are the first; past the last is the last.
        for query in ['?page=0', '?page=abc', '?page=-1', '?page=１',
                '?page=']:
            with self.subTest(query=query):
                self.assertEqual(self.results('r51', query).data, first.data)
        for query in ['?page=3', '?page=' + '9' * 30]:
            with self.subTest(query=query):
                self.assertEqual(
                    self.results('r51', query).data, second.data)

    def test_pages_of_50_rows(self):
        "50 rows are one page: no link to a next one"
        page = self.results('r50')
        self.assertPublic(page)
        self.assertEqual(ranks(page.text), list(range(1, 51)))
        self.assertIn('第1/1页（50条）', page.text)
        self.assertNotIn('下一页', page.text)
        self.assertNotIn('上一页', page.text)
        self.assertEqual(self.results('r50', '?page=2').data, page.data)

    def test_search_by_number(self):
        "The number opens the page of its row, highlighted, however typed"
        number = self.number('r51', 50)
        found = self.results('r51', f'?number={number}')
        self.assertPublic(found)
        self.assertIn('第2/2页（51条）', found.text)
        self.assertEqual(ranks(found.text), [51])
        self.assertEqual(mine(found.text), [51])
        self.assertIn(MINE + '<td class="num" data-label="排名">51</td>'
            '<td data-label="姓名">欧*</td>',
            found.text)
        self.assertIn('查询到的结果在第2页，已在名单中标出。', found.text)
        self.assertEqual(found.text.count('aria-current'), 1)
        self.assertNotIn(number, found.text)
        # Spaces around and inside, full-width digits and dash, a long dash.
        full_width = number.translate(str.maketrans(
                '0123456789-', '０１２３４５６７８９－'))
        for typed in [f'  {number} ', number.replace('-', ' - '),
                full_width, number.replace('-', '—')]:
            with self.subTest(typed=typed):
                self.assertEqual(self.client().get(
                        self.url(f"/admission/rounds/{self.data()['r51']}"
                            '/results'),
                        query_string={'number': typed}).data, found.data)

        # The first of the round: page 1, its first row.
        found = self.results('r51', f"?number={self.number('r51', 0)}")
        self.assertEqual(mine(found.text), [1])
        self.assertIn('第1/2页（51条）', found.text)
        self.assertIn('<a href="?page=2" rel="next">下一页</a>', found.text)

    def test_search_by_number_not_found(self):
        "An unknown number, another year's, another round's: not found"
        application_id = self.data()['r51', 'applications'][0]
        for number in ['2021-999999', f'2020-{application_id:06d}',
                self.number('unpublished', 0), '2021-0',
                f'2021-{2 ** 31:d}']:
            with self.subTest(number=number):
                response = self.results('r51', f'?number={number}')
                self.assertPublic(response)
                self.assertIn(NOT_FOUND, response.text)
                self.assertNotIn('id="results"', response.text)
                self.assertIn(f'value="{number}"', response.text)

    def test_search_by_name_and_birth(self):
        "The full name and the birth date find the row; the list's mask not"
        url = self.url(f"/admission/rounds/{self.data()['r51']}/results")
        by_number = self.results('r51', f"?number={self.number('r51', 50)}")
        for name in [NAME, f' {NAME} ', '欧阳 小雨']:
            with self.subTest(name=name):
                found = self.client().get(url,
                    query_string={'name': name, 'birth': BIRTH})
                self.assertPublic(found)
                self.assertEqual(mine(found.text), [51])
                # The same page as by the number: nothing of what was typed.
                self.assertEqual(found.data, by_number.data)
        for name, birth in [
                (NAME, '2015-03-02'),  # the right name, a wrong date
                ('欧阳小雪', BIRTH),  # a wrong name, the right date
                ('欧阳', BIRTH),  # the surname
                ('陈小明', BIRTH),  # another family's name
                ]:
            with self.subTest(name=name, birth=birth):
                response = self.client().get(url,
                    query_string={'name': name, 'birth': birth})
                self.assertPublic(response)
                self.assertIn(NOT_FOUND, response.text)
                self.assertNotIn('id="results"', response.text)
        # A child of another round is not in this one.
        response = self.client().get(self.url(
                f"/admission/rounds/{self.data()['r50']}/results"),
            query_string={'name': NAME, 'birth': BIRTH})
        self.assertIn(NOT_FOUND, response.text)

    def test_search_cached(self):
        "A row found is rendered once, whichever way it was found"
        url = self.url(f"/admission/rounds/{self.data()['r51']}/results")
        client = self.client()
        with patch.object(publication_routes, '_render_publication',
                wraps=publication_routes._render_publication) as render:
            found = client.get(url, query_string={
                    'number': self.number('r51', 50)})
            again = client.get(url, query_string={
                    'name': NAME, 'birth': BIRTH})
            self.assertEqual(again.data, found.data)
            self.assertEqual(render.call_count, 1)
            etag = found.headers['ETag']
            self.assertEqual(again.headers['ETag'], etag)
            revalidated = client.get(url, query_string={
                    'number': self.number('r51', 50)},
                headers={'If-None-Match': etag})
            self.assertEqual(revalidated.status_code, 304)
            self.assertEqual(revalidated.headers['Cache-Control'], PUBLIC)
            # The page without the highlight is another entry.
            plain = client.get(url + '?page=2')
            self.assertNotEqual(plain.headers['ETag'], etag)
            self.assertEqual(mine(plain.text), [])
            self.assertEqual(render.call_count, 2)
        # No name nor date is kept in the cache.
        keys = repr(list(publication_routes._publication_pages._entries))
        self.assertNotIn(NAME, keys)
        self.assertNotIn(BIRTH, keys)

    def test_search_bad_input(self):
        "What is no number, name or date: the zh_CN message, nothing else"
        url = self.url(f"/admission/rounds/{self.data()['r51']}/results")
        with patch.object(publication_routes, '_render_publication',
                wraps=publication_routes._render_publication) as render:
            for query, message in [
                    ({'number': 'abc'}, BAD_NUMBER),
                    ({'number': '2021-'}, BAD_NUMBER),
                    ({'number': '2021-' + '9' * 11}, BAD_NUMBER),
                    ({'number': '9' * 5000}, BAD_NUMBER),
                    ({'number': '<script>alert(1)</script>'}, BAD_NUMBER),
                    ({'number': '٢٠٢١-١'}, BAD_NUMBER),
                    ({'name': NAME, 'birth': '2015-02-30'}, BAD_BIRTH),
                    ({'name': NAME, 'birth': '2015-3-1'}, BAD_BIRTH),
                    ({'name': NAME, 'birth': 'abc'}, BAD_BIRTH),
                    ({'name': NAME, 'birth': '<b>1</b>'}, BAD_BIRTH),
                    ({'name': '欧' * 31, 'birth': BIRTH}, BAD_NAME),
                    ({'name': '<b>欧阳</b>', 'birth': BIRTH}, BAD_NAME),
                    # The list's mask is no name.
                    ({'name': '欧*', 'birth': BIRTH}, BAD_NAME),
                    ({'name': '"><script>x()</script>', 'birth': BIRTH},
                        BAD_NAME),
                    ({'name': NAME}, NAME_AND_BIRTH),
                    ({'birth': BIRTH}, NAME_AND_BIRTH),
                    ]:
                with self.subTest(query=query):
                    response = self.client().get(url, query_string=query)
                    self.assertEqual(response.status_code, 400)
                    self.assertEqual(
                        response.headers['Cache-Control'], 'no-store')
                    self.assertNotIn('ETag', response.headers)
                    self.assertIn(message, response.text)
                    self.assertIn('子女出生日期', response.text)
                    for value in query.values():
                        if '<' in value:
                            self.assertNotIn(value[:30], response.text)
                    self.assertNotIn('<script>', response.text)
                    self.assertNotIn('<b>', response.text)
            self.assertEqual(render.call_count, 0)
        # Typed markup comes back escaped, cut to the form's length.
        response = self.client().get(url, query_string={
                'name': '<b>欧阳</b>', 'birth': BIRTH})
        self.assertIn('value="&lt;b&gt;欧阳&lt;/b&gt;"', response.text)
        response = self.client().get(url, query_string={
                'number': '9' * 5000})
        self.assertIn(f'value="{"9" * 30}"', response.text)
        self.assertNotIn('9' * 31, response.text)

    def test_rounds(self):
        "The rounds published and started, each linked to its results"
        response = self.client().get(self.url('/admission/rounds'))
        self.assertPublic(response)
        page = response.text
        data = self.data()
        for name in ['r51', 'r50']:
            self.assertIn(f'href="/{self.db_name}/portal/admission/rounds/'
                f'{data[name]}/results"', page)
            self.assertIn(f'越秀区积分入学{name}', page)
        self.assertIn('共 51 人符合条件，2 人获安排学位', page)
        # The latest round first.
        self.assertLess(page.index('越秀区积分入学r50'),
            page.index('越秀区积分入学r51'))
        for name in ['unpublished', 'future']:
            self.assertNotIn(f'越秀区积分入学{name}', page)
            self.assertNotIn(f'/rounds/{data[name]}/', page)
            self.assertEqual(self.results(name).status_code, 404)

        # Linked from the home page and from the admission guide.
        link = (f'<a href="/{self.db_name}/portal/admission/rounds">'
            '积分入学结果公示</a>')
        self.assertIn(link, self.client().get(self.url('/')).text)
        self.assertIn(link, self.client().get(
                self.url('/guide/admission')).text)
        self.assertNotIn('/admission/rounds"', self.client().get(
                self.url('/guide/points')).text)

    def test_rounds_when_publication_starts(self):
        "A round appears in the list when its publication starts"
        self.data()
        start = dt.datetime.now(dt.timezone.utc).replace(
            tzinfo=None) + dt.timedelta(days=2)
        with patch('trytond.modules.laisui_base.clock.now',
                return_value=start):
            page = self.client().get(self.url('/admission/rounds')).text
            self.assertIn('越秀区积分入学future', page)
            self.assertEqual(self.results('future').status_code, 200)

    def test_applicant_links_to_row(self):
        "The applicant's page links to each published application's row"
        data = self.data()
        page = data['client'].get(self.url('/admission')).text
        self.assertIn(f'href="/{self.db_name}/portal/admission/rounds"',
            page)
        number = self.number('r51', 50)
        link = (f"/{self.db_name}/portal/admission/rounds/{data['r51']}"
            f'/results?number={number}#mine')
        self.assertIn(f'href="{link}"', page)
        self.assertIn(f"/rounds/{data['r50']}/results?number="
            f"{self.number('r50', 0)}#mine", page)
        # Not before the publication, nor for a run not published.
        for name in ['unpublished', 'future']:
            self.assertNotIn(f"/rounds/{data[name]}/results", page)
        # The link, followed by anyone, without the session.
        response = self.client().get(link.split('#')[0])
        self.assertPublic(response)
        self.assertEqual(mine(response.text), [51])
        signed_in = data['client'].get(link.split('#')[0])
        self.assertEqual(signed_in.data, response.data)
        self.assertNotIn('136****6401', signed_in.text)

    def test_pages_in_chinese(self):
        "The list, a row found, not found, bad input: no English word"
        data = self.data()
        for path, query in [
                ('/admission/rounds', {}),
                (f"/admission/rounds/{data['r51']}/results", {}),
                (f"/admission/rounds/{data['r51']}/results",
                    {'number': self.number('r51', 50)}),
                (f"/admission/rounds/{data['r51']}/results",
                    {'number': '2021-999999'}),
                (f"/admission/rounds/{data['r51']}/results",
                    {'name': NAME, 'birth': 'x'}),
                ]:
            with self.subTest(path=path, query=query):
                response = self.client().get(
                    self.url(path), query_string=query)
                # The lottery seed and its hash are hexadecimal, not words.
                text = re.sub(r'<code id="(seed|commitment)">[0-9a-f]*</code>',
                    '', response.text)
                self.assertEqual(english(text)[0], set())


del RouteTestCase

# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The portal on a phone, 360 and 390 px wide (Debian chromium): no
serious or critical WCAG 2.1 A/AA violation (axe-core), every menu item
on screen without horizontal scrolling, targets of at least 44 × 44 px,
a skip link to the content, and form errors tied to their inputs."""
import datetime as dt
import json

import pytest

import phone
from test_browser import register
from trytond.modules.laisui_connectors.tests.tools import id_number

PHONE = '13712340360'
# A path no route serves: the 404 page.
MISSING = '/no-such-page'
SIGNED_OUT = ['/login', '/register', '/reset', '/guide', '/guide/points',
    '/privacy', '/admission/rounds', '/services',
    '/services/integration_training', MISSING]
SIGNED_IN = ['/', '/points', '/profile', '/family', '/facts', '/evidence',
    '/reviews', '/reviews/apply', '/admission', '/admission/apply',
    '/integrity', '/messages', '/password', '/profile/identity',
    '/services/volunteer_enrolment', '/services/volunteer_enrolment/apply',
    '/services/applications', '/vouchers']


def check_pages(page, server, paths):
    "Each page as itself (no redirect to the sign-in), and its problems"
    failures = {}
    for path in paths:
        response = page.goto(server.portal + path)
        assert response.status == (404 if path == MISSING else 200), path
        assert page.url == server.portal + path, (path, page.url)
        found = phone.problems(page)
        if found:
            failures[path] = found
    assert not failures, json.dumps(failures, ensure_ascii=False, indent=1)


@pytest.fixture(scope='module')
def applicant(laisui_server, browser):
    """The storage state of a signed-in applicant with a child, a fact
    and an open admission round: every page shows its forms and tables"""
    server = laisui_server
    context = phone.context(browser, *phone.VIEWPORTS[0])
    page = context.new_page()
    register(page, server, PHONE, '林晓彤',
        id_number(360, birth=dt.date(1988, 7, 7)))
    round_id = json.loads(server.python(f'''
        from trytond.modules.laisui_admission.tests.tools import (
            CUTOFF, child_of, make_schools)
        Applicant = pool.get('laisui.applicant')
        Round = pool.get('laisui.admission.round')
        Fact = pool.get('laisui.fact')
        applicant, = Applicant.search([('phone', '=', '{PHONE}')])
        child_of(applicant, 360)
        Fact.create([{{'applicant': applicant.id, 'kind': 'education',
            'level': 'bachelor', 'date_from': dt.date(2010, 7, 1)}}])
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        round_, = Round.create([{{'name': '2030年越秀区积分入学',
            'year': 2030, 'points_cutoff': CUTOFF,
            'age_date': dt.date(2030, 8, 31),
            'application_start': now - dt.timedelta(days=1),
            'application_end': now + dt.timedelta(days=1),
            'max_preferences': 2,
            'stages': [('create', [{{'stage': 'grade1', 'min_age': 6,
                'school_record': 'none'}}])]}}])
        Round.open([round_])
        make_schools(round_, [10, 20])
        print(json.dumps(round_.id))
        '''))
    state = context.storage_state()
    context.close()
    yield state
    # No later journey sees this round open.
    server.python(f'''
        Round = pool.get('laisui.admission.round')
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        Round.write([Round({round_id})],
            {{'application_end': now - dt.timedelta(days=1),
                'application_start': now - dt.timedelta(days=2)}})
        ''')


@pytest.mark.parametrize('width,height', phone.VIEWPORTS)
def test_signed_out_pages(laisui_server, browser, width, height):
    context = phone.context(browser, width, height)
    check_pages(context.new_page(), laisui_server, SIGNED_OUT)
    context.close()


@pytest.mark.parametrize('width,height', phone.VIEWPORTS)
def test_signed_in_pages(laisui_server, browser, applicant, width, height):
    context = phone.context(browser, width, height, storage_state=applicant)
    page = context.new_page()
    page.goto(laisui_server.portal + '/')
    # Ten services: none hidden behind a sideways scroll.
    assert page.locator('nav.menu a').count() == 10
    # The forms that change and delete a declared fact and a child.
    fact, member = json.loads(laisui_server.python(f'''
        Applicant = pool.get('laisui.applicant')
        applicant, = Applicant.search([('phone', '=', '{PHONE}')])
        print(json.dumps([applicant.facts[0].id, applicant.family[0].id]))
        '''))
    check_pages(page, laisui_server, SIGNED_IN + [
            f'/facts/{fact}/edit', f'/facts/{fact}/delete',
            f'/family/{member}/edit', f'/family/{member}/delete'])
    context.close()


def test_skip_link(laisui_server, browser):
    "The first Tab reaches 跳到主要内容, which moves the focus to main"
    context = phone.context(browser, *phone.VIEWPORTS[0])
    page = context.new_page()
    page.goto(laisui_server.portal + '/login')
    page.keyboard.press('Tab')
    focused = page.evaluate('document.activeElement.outerHTML')
    assert focused.startswith('<a') and '跳到主要内容' in focused, focused
    box = page.evaluate(
        'JSON.stringify(document.activeElement.getBoundingClientRect())')
    box = json.loads(box)
    # Shown on screen once focused, a target like any other.
    assert box['top'] >= 0 and box['height'] >= phone.TARGET, box
    page.keyboard.press('Enter')
    assert page.evaluate('document.activeElement.id') == 'main'
    assert page.evaluate('document.activeElement.tagName') == 'MAIN'
    context.close()


def tied_errors(page):
    """The error summary's {link: message}, once each linked field is
    marked invalid and described by an element holding its message"""
    page.wait_for_selector('#error-summary')
    summary = {a.get_attribute('href'): a.inner_text()
        for a in page.locator('#error-summary a').all()}
    for href, message in summary.items():
        field = page.locator(href)
        assert field.get_attribute('aria-invalid') == 'true', href
        described = field.get_attribute('aria-describedby').split()
        texts = [page.locator(f'#{i}').inner_text() for i in described]
        assert message in texts, (href, message, texts)
    # The error summary has the focus; nothing has to be searched for.
    assert page.evaluate('document.activeElement.id') == 'error-summary'
    return summary


def test_form_errors_tied_to_inputs(laisui_server, browser):
    """Each field of a refused form is marked invalid and described by
    its message, which the summary repeats and links to the field"""
    context = phone.context(browser, *phone.VIEWPORTS[0])
    page = context.new_page()
    page.goto(laisui_server.portal + '/register')
    page.click('button[value=register]')
    summary = tied_errors(page)
    # Phone, code, name, ID number, password and the consent.
    assert set(summary) == {'#input-phone', '#input-code', '#input-name',
        '#input-id_number', '#input-password', '#input-consent'}, summary
    phone.check(page)
    context.close()


def test_preference_error_tied_to_select(laisui_server, browser, applicant):
    "A school application without a school: the first preference says so"
    context = phone.context(browser, *phone.VIEWPORTS[0],
        storage_state=applicant)
    page = context.new_page()
    page.goto(laisui_server.portal + '/admission/apply')
    page.click('button >> text=保存并核对申请条件')
    assert tied_errors(page) == {'#input-school-1': '请至少选择一所学校。'}
    phone.check(page)
    context.close()


@pytest.mark.parametrize('width,height', phone.VIEWPORTS)
def test_credential_pages(laisui_server, browser, width, height):
    "The public verification page: valid, revoked and invalid"
    valid, revoked = json.loads(laisui_server.python('''
        Party = pool.get('party.party')
        Credential = pool.get('laisui.credential')
        party, = Party.create([{'name': '林晓彤'}])
        valid, revoked = [Credential.issue('certificate', party, None,
                '积分证明', [('积分', '120'), ('有效期', '2030年底')])
            for _ in range(2)]
        Credential.revoke([revoked], '申请已撤回')
        print(json.dumps([valid.token, revoked.token]))
        '''))
    context = phone.context(browser, width, height)
    page = context.new_page()
    failures = {}
    for token, status, shown in [(valid, 200, '#verify-valid'),
            (revoked, 200, '#verify-revoked'),
            (valid[:-2] + ('B' if valid[-2] == 'A' else 'A') + valid[-1], 404,
                '#verify-invalid')]:
        response = page.goto(f'{laisui_server.portal}/verify/{token}')
        assert response.status == status, shown
        page.wait_for_selector(shown)
        found = phone.problems(page)
        if found:
            failures[shown] = found
    context.close()
    assert not failures, json.dumps(failures, ensure_ascii=False, indent=1)

# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The Content-Security-Policy in a real browser: the portal and sao
(login, a list, a form, a chart) work without one violation."""
import re

from conftest import STAFF_PASSWORD

PHONE = '13712340099'
PASSWORD = 'Hongmian-2019'
# Records each violation the page reports, from before its first script.
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => {
    window.__violations.push(`${e.violatedDirective} ${e.blockedURI} `
        + `${e.sourceFile}:${e.lineNumber}`);
});
"""


def watched(browser, **kwargs):
    "A page, and the list its violations and script errors go to"
    context = browser.new_context(locale='zh-CN', **kwargs)
    context.add_init_script(WATCH)
    page = context.new_page()
    problems = []
    page.on('pageerror', lambda e: problems.append(str(e)))
    page.on('console', lambda m: m.type == 'error'
        and problems.append(m.text))
    return context, page, problems


def violations(page, problems):
    return page.evaluate('window.__violations') + [
        p for p in problems if 'Content Security Policy' in p]


def test_portal_without_violation(laisui_server, browser):
    server = laisui_server
    context, page, problems = watched(browser)
    page.goto(server.portal + '/register')
    page.fill('input[name=phone]', PHONE)
    page.click('button[value=send_code]')
    page.wait_for_selector('text=验证码已通过短信发送')
    page.fill('input[name=code]', server.last_code(PHONE))
    page.fill('input[name=name]', '林小安')
    page.fill('input[name=id_number]', '440104198806060010')
    page.fill('input[name=password]', PASSWORD)
    page.fill('input[name=password2]', PASSWORD)
    page.check('input[name=consent]')
    page.click('button[value=register]')
    page.wait_for_url(re.compile(r'/portal/$'))
    page.click('nav >> text=我的积分')
    page.wait_for_selector('#points-scores')
    assert not violations(page, problems), violations(page, problems)
    context.close()


def test_sao_without_violation(laisui_server, browser):
    "Login, a list, a form and a chart of sao under the policy"
    server = laisui_server
    context, page, problems = watched(
        browser, viewport={'width': 1366, 'height': 800})
    response = page.goto(f'{server.url}/#{server.db}')
    csp = response.headers['content-security-policy']
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-eval'" not in csp
    page.wait_for_selector('#login', timeout=30000)
    page.fill('#login', 'reviewer01')
    for _ in range(5):
        page.click('.modal-dialog button.btn-primary')
        try:
            page.wait_for_selector('input[type=password]', timeout=6000)
            break
        except Exception:
            continue
    page.fill('input[type=password]', STAFF_PASSWORD)
    page.keyboard.press('Enter')
    page.wait_for_selector('text=来穗积分', timeout=30000)
    page.click('text=来穗积分')
    page.click('text=积分明细')
    page.wait_for_selector('text=林小安', timeout=30000)
    page.dblclick('text=林小安')
    page.wait_for_selector('text=计算时间', timeout=30000)
    page.click('text=积分分布')
    page.wait_for_selector('.bb svg', state='attached', timeout=30000)
    page.wait_for_timeout(1000)
    # The menu toggle of index.html (a javascript: link)
    page.click('[data-toggle="menu"]')
    page.wait_for_timeout(500)
    assert not violations(page, problems), violations(page, problems)
    assert not problems, problems
    context.close()

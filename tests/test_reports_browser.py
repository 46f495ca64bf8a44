# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A district admin builds a report in sao, reads its pivot and chart,
exports it and sets a monitoring rule that fires."""
import io
import json
from decimal import Decimal

import openpyxl

from test_browser import SHOTS, STAFF_PASSWORD, settle, shot
from test_services_browser import (
    back_office, menu, new_record, save, type_in, visible)

REPORT = '短信发送结果（按状态）'
RULE = '短信失败超过 1 条'


def pick(sao, name, typed, label):
    """Fill a many-to-one field and take the suggestion `label`; typed
    again when the suggestions came for an earlier keystroke"""
    field = sao.locator(f'input[name={name}] >> visible=true').first
    for _ in range(4):
        field.fill('')
        field.type(typed, delay=50)
        suggestion = sao.locator('.dropdown-menu >> visible=true').get_by_text(
            label, exact=True).first
        try:
            suggestion.click(timeout=8000)
        except Exception:
            continue
        settle(sao)
        return
    raise AssertionError(f'no suggestion {label} for {name}')


def build_run_export_monitor(sao, expected):
    sao.set_viewport_size({'width': 1440, 'height': 900})
    menu(sao, '来穗积分', '报表管理', '报表设计')
    new_record(sao, 'input[name=name]')
    type_in(sao, 'input[name=name]', REPORT)
    pick(sao, 'dataset', '短信', '短信')
    pick(sao, 'row', '发送', '发送状态')
    save(sao, 'model.laisui.report.create')
    shot(sao, 'backoffice-report-design')

    # Run: the parameters asked, the pivot opened in its own tab.
    visible(sao, 'button:has-text("运行")').click()
    dialog = sao.locator('.modal-dialog').last
    dialog.locator('input[name=date_from]').wait_for()
    settle(sao)
    dialog.get_by_role('button', name='运行', exact=True).click()
    visible(sao, '.treeview td:has-text("失败")').wait_for(timeout=30000)
    settle(sao)
    body = sao.inner_text('#tabcontent')
    for text in ['发送状态', '计数', '已发送', '已送达', '失败']:
        assert text in body, (text, body)
    shot(sao, 'backoffice-report-pivot')
    visible(sao, 'button#switch_').click()
    visible(sao, '.graph canvas, .graph svg').wait_for(timeout=30000)
    settle(sao)
    shot(sao, 'backoffice-report-chart')

    # Export: the run's XLSX, as the district's staff open it.
    menu(sao, '查询分析（报表运行）')
    row = visible(sao, f'tr:has-text("{REPORT}")')
    row.wait_for(timeout=30000)
    row.dblclick()
    visible(sao, 'input[name=measure_title]').wait_for()
    settle(sao)
    visible(sao, 'button#print').click()
    # The XLSX is made on the server with its chart: slow on a busy host.
    with sao.expect_download(timeout=120000) as download:
        sao.locator('.dropdown-menu >> visible=true').get_by_text(
            '导出报表（XLSX）').first.click()
    content = open(download.value.path(), 'rb').read()
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = [[c.value for c in r] for r in sheet.iter_rows(min_row=4)]
    assert values == [['发送状态', '计数'], *expected,
        ['合计', sum(c for _, c in expected)]], values

    # The rule: more than one failed message in all.
    sao.keyboard.press('Escape')
    menu(sao, '监控规则')
    visible(sao, 'td:has-text("短信发送失败率超过 5%")').wait_for()
    settle(sao)
    new_record(sao, 'input[name=name]')
    type_in(sao, 'input[name=name]', RULE)
    pick(sao, 'report', '短信发送结果（按', REPORT)
    pick(sao, 'assignee', '区报表', '区报表管理员')
    texts = [('input[name=row_key]', 'failed'),
        ('input[name=threshold]', '1')]
    for selector, text in texts:
        type_in(sao, selector, text)
    # A late redraw (a slow server's on_change) may empty a field typed
    # meanwhile: typed again until every one stays.
    for _ in range(5):
        settle(sao)
        wrong = [(f, t) for f, t in texts
            if visible(sao, f).input_value() != t]
        if not wrong:
            break
        for selector, text in wrong:
            type_in(sao, selector, text)
    save(sao, 'model.laisui.report.monitor.create')
    with sao.expect_response(lambda r: 'report.monitor.check' in (
                r.request.post_data or ''), timeout=60000):
        visible(sao, 'button:has-text("立即检查")').click()
    settle(sao)
    visible(sao, 'select[name=state], input[name=state]').wait_for()
    shot(sao, 'backoffice-report-monitor')


def test_report_built_exported_and_monitored(laisui_server, browser):
    server = laisui_server
    # The outbox holds the other journeys' messages too: the report
    # counts them and the six of outbox() (sent 3, delivered 1, failed 2).
    before = json.loads(server.python('''
        Message = pool.get('laisui.sms.message')
        counts = {}
        for message in Message.search([]):
            counts[message.state] = counts.get(message.state, 0) + 1
        print(json.dumps(counts))
        '''))
    added = {'sent': 3, 'delivered': 1, 'failed': 2}
    expected = [(label, before.get(state, 0) + added.get(state, 0))
        for state, label in [('pending', '待发送'), ('sent', '已发送'),
            ('delivered', '已送达'), ('failed', '失败')]]
    expected = [[label, count] for label, count in expected if count]
    server.python(f'''
        from trytond.modules.laisui_report.tests.test_engine import outbox
        User = pool.get('res.user')
        Data = pool.get('ir.model.data')
        Lang = pool.get('ir.lang')
        zh, = Lang.search([('code', '=', 'zh_CN')])
        User.create([{{'name': '区报表管理员', 'login': 'report_admin',
            'password': '{STAFF_PASSWORD}', 'language': zh.id,
            'groups': [('add', [Data.get_id('laisui_base',
                'group_district_admin')])]}}])
        outbox()
        ''')
    with back_office(browser, server, 'report_admin') as sao:
        try:
            build_run_export_monitor(sao, expected)
        except Exception:
            sao.screenshot(path=str(SHOTS.parent.parent / 'var' / 'log'
                    / 'report-failure.png'))
            raise

    state = json.loads(server.python(f'''
        Monitor = pool.get('laisui.report.monitor')
        Notification = pool.get('res.notification')
        User = pool.get('res.user')
        rule, = Monitor.search([('name', '=', '{RULE}')])
        user, = User.search([('login', '=', 'report_admin')])
        print(json.dumps([rule.state, str(rule.last_value),
            [n.description for n in Notification.search(
                [('user', '=', user.id)])]]))
        '''))
    assert state[0] == 'firing', state
    assert Decimal(state[1]) == dict(expected)['失败'], state
    assert len(state[2]) == 1 and RULE in state[2][0], state

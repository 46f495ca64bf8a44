# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Journeys in a real browser (Debian chromium through Playwright).

Screenshots land in docs/screenshots/, which the README shows."""
import datetime as dt
import json
import re
from pathlib import Path

import phone
from conftest import STAFF_PASSWORD
from trytond.modules.laisui_base.tests.tools import png_bytes
from trytond.modules.laisui_connectors.tests.fake_sources import FakeSource
from trytond.modules.laisui_connectors.tests.tools import id_number, lease

SHOTS = Path(__file__).resolve().parent.parent / 'docs' / 'screenshots'
PHONE = '13712345678'
PASSWORD = 'Hongmian-2019'

# An 18-character ID number standing alone: the lottery seed's hex hash
# holds runs of digits by chance, and they are no ID number.
ID_NUMBER = re.compile(r'(?<![0-9A-Za-z])\d{17}[\dX](?![0-9A-Za-z])')


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f'{name}.png'), full_page=True)


def phone_context(browser):
    "The phone of the journeys' screenshots: 390 × 844"
    return phone.context(browser, *phone.VIEWPORTS[1])


def register(page, server, phone, name, id_number, shot_name=None):
    page.goto(server.portal + '/register')
    page.fill('input[name=phone]', phone)
    page.click('button[value=send_code]')
    page.wait_for_selector('text=验证码已通过短信发送')
    page.fill('input[name=code]', server.last_code(phone))
    page.fill('input[name=name]', name)
    page.fill('input[name=id_number]', id_number)
    page.fill('input[name=password]', PASSWORD)
    page.fill('input[name=password2]', PASSWORD)
    page.check('input[name=consent]')
    if shot_name:
        shot(page, shot_name)
    page.click('button[value=register]')
    page.wait_for_url(re.compile(r'/portal/$'))
    assert '我的积分' in page.inner_text('nav')


def test_applicant_journey(laisui_server, browser):
    "Sign up with the SMS code, add a child and facts, read the points"
    server = laisui_server
    context = phone_context(browser)
    page = context.new_page()
    register(page, server, PHONE, '陈小燕', '440524199001011221',
        shot_name='portal-register')

    page.click('nav >> text=家庭成员')
    page.fill('input[name=name]', '陈乐乐')
    page.fill('input[name=id_number]', '440104201303030017')
    page.click('button[type=submit] >> text=添加')
    page.wait_for_selector('#family >> text=陈乐乐')
    family = page.inner_text('#family')
    assert '440104********0017' in family
    assert '440104201303030017' not in page.content()
    shot(page, 'portal-family')

    page.click('nav >> text=积分资料')
    for kind, level, date_from in [
            ('education', 'bachelor', '2012-07-01'),
            ('insurance', 'pension', '2014-01-01'),
            ('insurance', 'medical', '2014-01-01')]:
        page.select_option('select[name=kind]', kind)
        page.select_option('select[name=level]', level)
        page.fill('input[name=date_from]', date_from)
        page.click('button >> text=提交申报')
        page.wait_for_selector('#facts')

    page.click('nav >> text=我的积分')
    page.wait_for_selector('#points-lines')
    label = page.locator('#points-scores dt').first.inner_text()
    total = page.locator('#points-scores dd').first.inner_text()
    lines = page.inner_text('#points-lines')
    # Age 29 → 30, bachelor 50, two insurances × 5 full years → 10.
    assert label.startswith('当前积分（截至'), label
    assert total == '90.00', total
    assert '文化程度' in lines and '50.00' in lines
    assert 'GZ-2018' in page.inner_text('main')
    shot(page, 'portal-points')

    # A request returned for correction: the whole list, then resubmit.
    request = json.loads(server.python(f'''
        Applicant = pool.get('laisui.applicant')
        Request = pool.get('laisui.review.points_request')
        Case = pool.get('laisui.review.case')
        Correction = pool.get('laisui.review.correction')
        applicant, = Applicant.search([('phone', '=', '{PHONE}')])
        request, = Request.create([{{'applicant': applicant.id}}])
        Request.submit([request])
        case = Request(request.id).review_case
        Correction.create([{{'case': case.id, 'description': d}}
            for d in ['请上传学士学位证书', '请补充2014年起的医疗保险缴费记录']])
        Case.decide([case], 'return', '材料不全')
        print(json.dumps(request.id))
        '''))
    page.click('nav >> text=我的申请')
    page.wait_for_selector(f'#request-{request} >> text=请上传学士学位证书')
    shot(page, 'portal-corrections')
    page.click('button >> text=补正完成，重新提交')
    page.wait_for_selector(f'#request-{request} >> text=审核中')
    assert '补正完成' not in page.inner_text('main')
    context.close()


BAR = """
Applicant = pool.get('laisui.applicant')
Record = pool.get('laisui.integrity.record')
applicant, = Applicant.search([('phone', '=', '{phone}')])
record, = Record.create([{{'applicant': applicant.id,
    'kind': 'false_material', 'description': '房东否认出租，合同系伪造'}}])
Record.confirm([record])
"""


def test_integrity_entry_and_appeal(laisui_server, browser):
    "A barred applicant reads the entry, is refused, appeals once"
    server = laisui_server
    phone = '13712345679'
    context = phone_context(browser)
    page = context.new_page()
    register(page, server, phone, '黄志强', '440104198503151230')
    server.python(BAR.format(phone=phone))

    page.click('nav >> text=积分资料')
    page.select_option('select[name=kind]', 'volunteer')
    page.fill('input[name=date_from]', '2025-05-01')
    page.click('button >> text=提交申报')
    page.wait_for_selector('text=被列入诚信黑名单')
    assert '前不能申请“积分申报”' in page.inner_text('main')

    page.goto(server.portal + '/integrity')
    entry = page.inner_text('main')
    assert '提供虚假材料' in entry and '生效中' in entry
    assert '房东否认' not in page.content()
    page.fill('textarea[name=statement]',
        '租赁合同真实有效，房东已出具书面情况说明，请予复核。')
    shot(page, 'portal-integrity')
    page.click('button >> text=提交申诉')
    page.wait_for_selector('.appeal >> text=待处理')
    assert page.locator('textarea[name=statement]').count() == 0
    context.close()


def staff_login(browser, server, login):
    "A sao page logged in as `login`, and the list its JS errors go to"
    context = browser.new_context(
        viewport={'width': 1366, 'height': 800}, locale='zh-CN')
    page = context.new_page()
    errors = []
    page.on('pageerror', lambda e: errors.append(str(e)))
    page.on('console', lambda m: m.type == 'error' and errors.append(m.text))
    page.goto(f'{server.url}/#{server.db}')
    try:
        page.wait_for_selector('#login', timeout=30000)
        page.fill('#login', login)
        # The dialog may still be loading the database list when first
        # submitted (several databases on PostgreSQL): submit until the
        # password step shows.
        for _ in range(5):
            page.click('.modal-dialog button.btn-primary')
            try:
                page.wait_for_selector('input[type=password]', timeout=6000)
                break
            except Exception:
                continue
        page.wait_for_selector('input[type=password]', timeout=1000)
        page.fill('input[type=password]', STAFF_PASSWORD)
        page.keyboard.press('Enter')
        page.wait_for_selector('text=来穗积分', timeout=30000)
    except Exception:
        page.screenshot(path=str(SHOTS.parent.parent / 'var' / 'log'
                / 'backoffice-login-failure.png'))
        raise
    return context, page, errors


def decision_result(page, expected):
    """The dialog a decision answers with says what it did (`expected` is
    part of its sentence); 确定 closes it."""
    dialog = page.locator('.wizard-dialog:has(textarea[name=message])')
    message = dialog.locator('textarea[name=message]')
    message.wait_for(timeout=30000)
    page.wait_for_function(
        "([sel, text]) => (document.querySelector(sel) || {}).value"
        " && document.querySelector(sel).value.includes(text)",
        arg=['.wizard-dialog textarea[name=message]', expected],
        timeout=30000)
    dialog.get_by_role('button', name='确定').click()
    dialog.wait_for(state='detached', timeout=30000)


def test_back_office_desk(laisui_server, browser):
    "A window clerk opens 工作台: their queue, today, the timeline"
    context, page, errors = staff_login(browser, laisui_server, 'window01')
    for name in ['来穗积分', '审核', '我的工作', '工作台']:
        page.locator(f'#menu >> text="{name}"').last.click()
    for title in ['待我处理的案件', '今日数据', '入学工作时间表']:
        page.wait_for_selector(f'.board-action >> text={title}',
            timeout=30000)
    # The queue's tabs, with their counts.
    page.locator('.board-action').first.get_by_text('本组未分派').wait_for(
        timeout=30000)
    page.wait_for_function('() => jQuery.active === 0')
    shot(page, 'backoffice-desk')
    assert not errors, errors
    context.close()


def test_back_office_statements(laisui_server, browser):
    "A district reviewer opens the statements in sao, numbers masked"
    server = laisui_server
    context, page, errors = staff_login(browser, server, 'reviewer01')
    page.click('text=来穗积分')
    page.click('text=积分明细')
    page.wait_for_selector('text=陈小燕', timeout=30000)
    body = page.inner_text('body')
    assert '440524********1221' in body
    assert '440524199001011221' not in body
    shot(page, 'backoffice-statements')
    # Opening the record shows the per-indicator breakdown.
    page.dblclick('text=2019-04-30')
    page.wait_for_selector('text=文化程度', timeout=30000)
    shot(page, 'backoffice-statement-form')

    # The integrity register: masked IDs, the decided state of each record.
    page.click('text="诚信管理"')
    page.click('text="诚信记录"')
    # The first tab lists the records waiting for a decision.
    page.wait_for_selector('text="已认定"', timeout=30000)
    page.click('text="已认定"')
    page.wait_for_selector('text=CX00000001', timeout=30000)
    body = page.inner_text('body')
    assert '已认定' in body
    assert not ID_NUMBER.search(body)
    shot(page, 'backoffice-integrity')
    assert not errors, errors
    context.close()


def test_back_office_synchronisation(laisui_server, browser):
    "A district admin synchronises the rental system and reads the run"
    server = laisui_server
    with FakeSource() as fake:
        fake.put('leases', [
                lease(1, id_number='440524199001011221', name='陈小燕',
                    record_no='ZL-BROWSER-1'),
                lease(2, record_no='ZL-BROWSER-2'),
                # A bad check digit: rejected with its reason
                lease(3, id_number='440524199001011222',
                    record_no='ZL-BROWSER-3'),
                ])
        server.python(f'''
            Source = pool.get('laisui.connector.source')
            source, = Source.search([('code', '=', 'rental')])
            Source.write([source], {{'base_url': '{fake.url}',
                'timeout': 5, 'retries': 1}})
            ''')
        context, page, errors = staff_login(browser, server, 'dadmin01')
        page.click('text=来穗积分')
        page.click('text="数据交换"')
        page.click('text="数据集"')
        page.dblclick('text="租赁备案"')
        # The form's record loaded: a click before that does nothing.
        page.wait_for_load_state('networkidle')
        # No worker on this server: the run is processed after the click's
        # commit, before the answer.
        with page.expect_response(lambda r: 'connector.dataset.sync' in (
                    r.request.post_data or ''), timeout=90000):
            page.click('button:has-text("立即同步")')
        run = json.loads(server.python('''
            Run = pool.get('laisui.connector.run')
            run, = Run.search([('dataset.code', '=', 'rental_lease')],
                order=[('id', 'DESC')], limit=1)
            print(json.dumps([run.state, run.error]))
            '''))
        assert run == ['done', None], (run, fake.requests)
        page.click('text="同步批次"')
        # The list opens on the failed runs: this one succeeded.
        page.click('text="全部"')
        row = page.locator('td:has-text("租赁备案") >> visible=true').first
        row.wait_for(timeout=30000)
        row.dblclick()
        page.wait_for_selector('text=身份证号码校验位错误', timeout=30000)
        body = page.inner_text('body')
        assert '已完成' in body
        assert not ID_NUMBER.search(body)
        shot(page, 'backoffice-sync-run')
        assert fake.requests, 'the source was not asked'

    page.click('text="外部数据记录"')
    page.wait_for_selector('text=ZL-BROWSER-1', timeout=30000)
    body = page.inner_text('body')
    assert '440524********1221' in body
    assert not ID_NUMBER.search(body)
    shot(page, 'backoffice-external-records')
    assert not errors, errors
    context.close()


def test_back_office_review(laisui_server, browser):
    """A district reviewer passes a case at first review: the automatic
    comparison confirms what external data backs and fans the rest out;
    a department reviewer confirms its line in the list."""
    server = laisui_server
    ids = json.loads(server.python(f'''
        from trytond.modules.laisui_review.tests.tools import (
            department, make_applicant, submit)
        User = pool.get('res.user')
        Data = pool.get('ir.model.data')
        Lang = pool.get('ir.lang')
        Case = pool.get('laisui.review.case')
        zh, = Lang.search([('code', '=', 'zh_CN')])
        User.create([{{'name': '刘敏', 'login': 'hr_browser',
            'password': '{STAFF_PASSWORD}', 'language': zh.id,
            'groups': [('add', [Data.get_id('laisui_base',
                'group_department_reviewer')])],
            'laisui_departments': [('add', [department('RS').id])]}}])
        case = submit(make_applicant(300, insurance_from=dt.date(2018, 1, 1)))
        with Transaction().set_user(0):
            for _ in range(2):
                Case.decide([Case(case.id)], 'pass')
        case = Case(case.id)
        print(json.dumps({{'case': case.id,
            'applicant': case.applicant.name}}))
        '''))
    state = f'''
        Case = pool.get('laisui.review.case')
        case = Case({ids['case']})
        print(json.dumps([case.stage.code, sorted(
            (l.indicator.code, l.state) for l in case.lines)]))
        '''

    context, page, errors = staff_login(browser, server, 'reviewer01')
    page.click('text=来穗积分')
    page.click('text="审核"')
    page.click('text="审核案件"')
    # The id cell: the document and applicant cells are links.
    cell = page.locator(f'tr:has-text("{ids["applicant"]}") >> visible=true'
        ).first.get_by_text(str(ids['case']), exact=True)
    cell.wait_for(timeout=30000)
    cell.dblclick()
    page.wait_for_selector('text=审核意见', timeout=30000)
    with page.expect_response(lambda r: 'review.case.pass_' in (
                r.request.post_data or ''), timeout=60000):
        page.get_by_role('button', name='通过', exact=True).click()
    decision_result(page, '案件进入“职能部门审核”')
    stage, lines = json.loads(server.python(state))
    assert stage == 'department_review', (stage, lines)
    assert ['insurance', 'pending'] in lines, lines
    assert ['permit', 'confirmed'] in lines, lines
    page.click('text="办理记录"')
    page.wait_for_selector('td:has-text("自动比对")', timeout=30000)
    page.wait_for_selector('td:has-text("职能部门审核")', timeout=30000)
    body = page.inner_text('body')
    assert not ID_NUMBER.search(body)
    shot(page, 'backoffice-review-case')
    assert not errors, errors
    context.close()

    unread = '''
        Notification = pool.get('res.notification')
        User = pool.get('res.user')
        user, = User.search([('login', '=', 'hr_browser')])
        print(json.dumps(Notification.search_count(
            [('user', '=', user.id), ('unread', '=', True)])))
        '''
    # The department was told of its task: the bell shows it.
    assert json.loads(server.python(unread)) >= 1
    context, page, errors = staff_login(browser, server, 'hr_browser')
    page.locator('.notification-badge >> visible=true').first.wait_for(
        timeout=30000)
    page.click('text=来穗积分')
    page.click('text="审核"')
    page.click('text="指标审核明细"')
    row = page.locator('tr:has-text("社会保险") >> visible=true').first
    row.wait_for(timeout=30000)
    body = page.inner_text('body')
    # Only the department's own line: no other indicator is listed.
    assert '学历' not in body and '居住证' not in body, body
    shot(page, 'backoffice-review-lines')
    # Select the row (its other cells are links), then press its button.
    row.locator('input[type=checkbox]').first.check()
    with page.expect_response(lambda r: 'review.line.confirm' in (
                r.request.post_data or ''), timeout=60000):
        row.get_by_role('button', name='确认').click()
    stage, lines = json.loads(server.python(state))
    assert ['insurance', 'confirmed'] in lines, lines
    assert not errors, errors
    context.close()
    # The task done, its notice is read: no bell at the next sign-in.
    assert json.loads(server.python(unread)) == 0
    context, page, errors = staff_login(browser, server, 'hr_browser')
    page.wait_for_function('() => jQuery.active === 0')
    assert not page.locator('.notification-badge >> visible=true').count()
    assert not errors, errors
    context.close()


def test_workflow_designer(laisui_server, browser):
    """A district admin opens a draft workflow in the graphical designer,
    drags a timer from the palette, connects it to an end and saves: the
    stage and transition land in the workflow's own records."""
    server = laisui_server
    draft = json.loads(server.python('''
        Workflow = pool.get('laisui.review.workflow')
        active, = Workflow.search([('state', '=', 'active'),
            ('document_model', '=', 'laisui.review.points_request')])
        draft, = Workflow.copy([active], default={'name': '积分核定流程（修订）'})
        print(json.dumps(draft.id))
        '''))

    context, page, errors = staff_login(browser, server, 'dadmin01')
    page.click('text=来穗积分')
    page.click('text="配置"')
    page.click('text="审核流程"')
    page.dblclick('text=积分核定流程（修订）')
    with context.expect_page(timeout=60000) as opened:
        page.get_by_role('button', name='图形化设计').click()
    designer = opened.value
    designer.on('pageerror', lambda e: errors.append(str(e)))
    designer.on('console',
        lambda m: m.type == 'error' and errors.append(m.text))
    designer.wait_for_selector('text=区来穗审核', timeout=30000)
    # The token left the address bar as soon as the page read it.
    assert 'token' not in designer.url

    # The palette: the five kinds of step and the end, nothing else.
    entries = designer.locator('.djs-palette .entry[data-action^="create."]')
    assert sorted(entries.evaluate_all(
            'es => es.map(e => e.dataset.action)')) == sorted(
        f'create.laisui-{k}' for k in [
            'task', 'department', 'condition', 'timer', 'automatic', 'end'])

    # Drop a timer below the drawing, then connect it to the approved end.
    box = designer.locator('#canvas').bounding_box()
    spot = (box['x'] + box['width'] / 2, box['y'] + box['height'] - 90)
    designer.click('.djs-palette .entry[data-action="create.laisui-timer"]')
    designer.mouse.move(*spot)
    designer.mouse.click(*spot)
    connect = designer.locator(
        '.djs-context-pad .entry[data-action="connect"]').bounding_box()
    end = designer.evaluate('''() => {
        const {modeler, props} = window.laisuiDesigner;
        const element = modeler.get('elementRegistry').filter(
            e => props.get(e.id) && props.get(e.id).code === 'approved')[0];
        const r = document.querySelector(
            `[data-element-id="${element.id}"]`).getBoundingClientRect();
        // Above the centre: a line to the other end crosses the centre.
        return [r.x + r.width / 2, r.y + r.height / 4];
    }''')
    # Drawn as a person does: drag from the connect handle to the end.
    designer.mouse.move(connect['x'] + connect['width'] / 2,
        connect['y'] + connect['height'] / 2)
    designer.mouse.down()
    designer.mouse.move(*end, steps=15)
    designer.mouse.up()
    # The new transition, labelled with the only exit a timer has.
    designer.wait_for_selector('text=期间届满 >> nth=1', timeout=10000)

    # Its properties: name and period.
    designer.mouse.click(box['x'] + 150, box['y'] + box['height'] - 40)
    designer.mouse.click(*spot)
    designer.wait_for_selector('#properties h2:has-text("定时")')
    designer.fill('#properties input >> nth=0', '补充公示')
    designer.press('#properties input >> nth=0', 'Tab')
    designer.fill('[id="p-等待（工作日）"]', '3')
    designer.press('[id="p-等待（工作日）"]', 'Tab')
    designer.click('#save')
    designer.wait_for_selector('#status.ok', timeout=30000)

    saved = json.loads(server.python(f'''
        Workflow = pool.get('laisui.review.workflow')
        workflow = Workflow({draft})
        timer, = [s for s in workflow.stages if s.name == '补充公示']
        print(json.dumps([timer.kind, timer.deadline_days,
            timer.x is not None, [(t.event, t.target.code)
                for t in workflow.transitions if t.source == timer]]))
        '''))
    assert saved == ['timer', 3, True, [['timeout', 'approved']]], saved
    assert not errors, errors
    context.close()


# The drawing as the browser shows it, in screen pixels: each stage's box,
# each transition's path sampled every 2 units with the points where a
# click reaches it, each transition label's box.
DRAWING = """() => {
    const {modeler, props} = window.laisuiDesigner;
    const registry = modeler.get('elementRegistry');
    const box = (element) => {
        const r = element.getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom];
    };
    const gfx = (id) => document.querySelector(
        `.djs-element[data-element-id="${id}"]`);
    const stages = {};
    const edges = [];
    const labels = [];
    for (const element of registry.getAll()) {
        const values = props.get(element.id);
        if (element.waypoints) {
            const path = gfx(element.id).querySelector('.djs-visual > path');
            const hit = gfx(element.id).querySelector('.djs-hit');
            const matrix = path.getScreenCTM();
            const points = [];
            const hits = [];
            for (let l = 0; l <= path.getTotalLength(); l += 2) {
                const p = path.getPointAtLength(l).matrixTransform(matrix);
                points.push([p.x, p.y]);
                const under = document.elementFromPoint(p.x, p.y);
                const owner = under && under.closest('.djs-connection');
                if (owner && owner.dataset.elementId === element.id) {
                    hits.push([p.x, p.y]);
                }
            }
            const style = getComputedStyle(hit);
            edges.push({id: element.id, source: element.source.id,
                target: element.target.id, event: values.event,
                points: points, hits: hits,
                hit: [parseFloat(style.strokeWidth),
                      parseFloat(style.strokeOpacity)],
                title: element.source.businessObject.name + ' → ' +
                    element.target.businessObject.name});
            const text = gfx(element.label.id).querySelector('text');
            labels.push({id: element.id, text: text.textContent,
                box: box(text)});
        } else if (values && element.type !== 'label') {
            stages[element.id] = {code: values.code, x: element.x,
                y: element.y, box: box(gfx(element.id).querySelector(
                    '.djs-visual'))};
        }
    }
    return {stages: stages, edges: edges, labels: labels,
        layout: document.getElementById('canvas').dataset.layout};
}"""

HITS = """(id) => {
    const g = document.querySelector(`.djs-element[data-element-id="${id}"]`);
    const path = g.querySelector('.djs-visual > path');
    const matrix = path.getScreenCTM();
    const hits = [];
    for (let l = 0; l <= path.getTotalLength(); l += 2) {
        const p = path.getPointAtLength(l).matrixTransform(matrix);
        const under = document.elementFromPoint(p.x, p.y);
        const owner = under && under.closest('.djs-connection');
        if (owner && owner.dataset.elementId === id) {
            hits.push([p.x, p.y]);
        }
    }
    return hits;
}"""


def _inside(point, box, margin=1):
    x, y = point
    left, top, right, bottom = box
    return (left + margin < x < right - margin
        and top + margin < y < bottom - margin)


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def assert_readable(drawing):
    """No transition through a stage other than its own two ends, no two
    labels on each other or on a stage, every transition with a spot
    where a click reaches it and none other."""
    stages, edges, labels = (
        drawing['stages'], drawing['edges'], drawing['labels'])
    for edge in edges:
        for id_, stage in stages.items():
            if id_ in (edge['source'], edge['target']):
                continue
            crossing = [p for p in edge['points']
                if _inside(p, stage['box'])]
            assert not crossing, (edge['title'], stage['code'], crossing[0])
        assert edge['hits'], f"{edge['title']} cannot be clicked"
        # bpmn-js's hit line: wide and invisible.
        width, opacity = edge['hit']
        assert width >= 15 and opacity < 0.01, edge['hit']
    for i, label in enumerate(labels):
        for other in labels[i + 1:]:
            assert not _overlap(label['box'], other['box']), (
                label['text'], other['text'])
        for stage in stages.values():
            assert not _overlap(label['box'], stage['box']), (
                label['text'], stage['code'])


POSITIONS = '''
Workflow = pool.get('laisui.review.workflow')
print(json.dumps({{s.code: [s.x, s.y] for s in Workflow({draft}).stages}}))
'''


def test_workflow_designer_layout(laisui_server, browser):
    """自动排版 on the seeded points workflow: stages in columns from left
    to right along the review path, no transition through a stage, no
    label on another, each transition selectable by a click; saved as the
    stages' x and y, and drawn the same way when the page is reopened."""
    server = laisui_server
    draft = json.loads(server.python('''
        Workflow = pool.get('laisui.review.workflow')
        active, = Workflow.search([('state', '=', 'active'),
            ('document_model', '=', 'laisui.review.points_request')])
        draft, = Workflow.copy([active], default={'name': '积分核定流程（排版）'})
        print(json.dumps(draft.id))
        '''))
    before = json.loads(server.python(POSITIONS.format(draft=draft)))
    session = server.rpc('dadmin01', STAFF_PASSWORD)
    action = session('laisui.review.workflow', 'design', [draft])
    context = browser.new_context(
        viewport={'width': 1366, 'height': 800}, locale='zh-CN')
    designer = context.new_page()
    errors = []
    designer.on('pageerror', lambda e: errors.append(str(e)))
    designer.on('console',
        lambda m: m.type == 'error' and errors.append(m.text))
    designer.goto(server.url + action['url'])
    designer.wait_for_selector('#canvas[data-layout]', timeout=30000)
    # The seeded drawing is placed by hand: bpmn-js's own routes.
    assert designer.evaluate(DRAWING)['layout'] == 'manual'

    # Every palette entry and toolbar button says what it does, in zh_CN.
    tips = designer.locator(
        '.djs-palette .entry[data-action], header button').evaluate_all(
        'es => es.map(e => [e.dataset.action || e.id, e.title,'
        ' e.getAttribute("aria-label")])')
    assert len(tips) == 11, tips
    for name, title, aria in tips:
        assert title and title == aria, (name, title, aria)
        assert re.search('[\u4e00-\u9fff]', title), (name, title)
    assert dict((n, t) for n, t, _ in tips)['create.laisui-timer'] == (
        '定时：拖到画布上，添加等待若干工作日后继续的环节（如公示）')

    designer.get_by_role('button', name='自动排版').click()
    designer.wait_for_selector('#canvas[data-layout="auto"]')
    assert '已自动排版' in designer.inner_text('#status')
    drawing = designer.evaluate(DRAWING)
    assert_readable(drawing)
    designer.click('#save')
    designer.wait_for_selector('#status.ok', timeout=30000)

    # Saved as the stages' places: what the page showed, moved from
    # before, the review path reading left to right.
    after = json.loads(server.python(POSITIONS.format(draft=draft)))
    shown = {s['code']: [round(s['x']), round(s['y'])]
        for s in drawing['stages'].values()}
    assert after == shown, (after, shown)
    assert after != before
    path = ['prereview', 'acceptance', 'first_review', 'comparison',
        'department_review', 'district_review', 'confirmation',
        'publication', 'approved']
    columns = [after[code][0] for code in path]
    assert columns == sorted(set(columns)), columns

    # Reopened: the saved places are the layout's, drawn with its routes.
    designer.reload()
    designer.wait_for_selector('#canvas[data-layout]', timeout=30000)
    drawing = designer.evaluate(DRAWING)
    assert drawing['layout'] == 'auto'
    assert_readable(drawing)
    # All 20 transitions, 退回补正 from 区来穗审核 back to 初审 beside the
    # 通过 path among them: each selected by a click on its line.
    assert len(drawing['edges']) == 20
    for edge in drawing['edges']:
        # Where a click reaches it now: the context pad of the transition
        # selected before covers some of the page.
        hits = designer.evaluate(HITS, edge['id'])
        assert hits, edge['title']
        x, y = hits[len(hits) // 2]
        designer.mouse.click(x, y)
        heading = designer.inner_text('#properties h2')
        assert heading == '流转：' + edge['title'], (heading, edge['title'])
        selected = designer.evaluate('''() => window.laisuiDesigner.modeler
            .get('selection').get().map(e => e.id)''')
        assert selected == [edge['id']], (selected, edge['title'])
    # The screenshot: a return for correction selected, the pointer away.
    back, = [e for e in drawing['edges']
        if e['title'] == '区来穗审核 → 初审']
    hits = designer.evaluate(HITS, back['id'])
    designer.mouse.click(*hits[len(hits) // 2])
    designer.wait_for_selector('#properties h2:has-text("区来穗审核 → 初审")')
    designer.mouse.move(1200, 700)
    shot(designer, 'backoffice-workflow-designer')
    assert not errors, errors
    context.close()


ADMISSION_PHONE = '13712340041'


def settle(sao):
    """Wait for sao's calls to the server to end: a click before the
    form's record has loaded does nothing, and an answer that comes late
    (a new record's on_change) redraws the fields typed meanwhile"""
    sao.wait_for_function('() => jQuery.active === 0')


def age_messages(server, phone_number):
    "The SMS sent to phone_number as if two minutes had passed (1 a minute)"
    server.python(f'''
        Message = pool.get('laisui.sms.message')
        table = Message.__table__()
        # Each date computed here: SQLite would subtract an interval from
        # the date's text as a number (2026-… − 120 s gives 1906).
        for message in Message.search([('phone', '=', '{phone_number}')]):
            cursor = t.connection.cursor()
            cursor.execute(*table.update([table.create_date],
                [message.create_date - dt.timedelta(minutes=2)],
                where=table.id == message.id))
        ''')


def confirm_with_code(page, server, phone_number, shot_name):
    "On 核对信息: ask for the code, type it, submit; the confirmation"
    age_messages(server, phone_number)
    page.click('button >> text=内容无误，获取验证码')
    page.wait_for_selector('text=确认验证码已发送')
    page.fill('input[name=code]', server.last_code(phone_number))
    phone.check(page)
    shot(page, shot_name)
    page.click('button >> text=确认提交')
    page.wait_for_selector('#document-number')
    phone.check(page)
    return page.inner_text('#document-number')


def pass_in_sao(browser, server, login, label, case, said, shot_name=None):
    """The staff member `login` opens the case in sao and passes its stage;
    the result dialog `said` what happened."""
    staff, sao, errors = staff_login(browser, server, login)
    sao.click('text=来穗积分')
    sao.click('text="审核"')
    sao.click('text="审核案件"')
    # The case's row, not the menu's entry of the same name.
    cell = sao.locator(f'tr:has-text("{label}") >> visible=true').filter(
        has=sao.get_by_text(str(case), exact=True)
        ).first.get_by_text(str(case), exact=True)
    try:
        cell.wait_for(timeout=30000)
    except Exception:
        sao.screenshot(path=str(SHOTS.parent.parent / 'var' / 'log'
                / f'backoffice-case-{login}-failure.png'))
        raise
    cell.dblclick()
    sao.wait_for_selector('text=审核意见', timeout=30000)
    if shot_name:
        shot(sao, shot_name)
    with sao.expect_response(lambda r: 'review.case.pass_' in (
                r.request.post_data or ''), timeout=60000):
        sao.get_by_role('button', name='通过', exact=True).click()
    decision_result(sao, said)
    assert not errors, errors
    staff.close()


def test_admission_journey(laisui_server, browser):
    """A new registrant uploads evidence and asks for points verification
    on the phone (核对信息, SMS code, confirmation with its number); the
    request is approved; the applicant applies for a school place the
    same way, withdraws, applies again; a district reviewer passes the
    case in sao; an admin commits the seed, runs and publishes the
    allocation; the applicant reads the result and downloads the notice,
    whose QR page and the public publication confirm it."""
    server = laisui_server
    context = phone_context(browser)
    page = context.new_page()
    register(page, server, ADMISSION_PHONE, '陈明',
        id_number(41, birth=dt.date(1985, 1, 1)))
    ids = json.loads(server.python(f'''
        from trytond.modules.laisui_admission.tests.tools import (
            CUTOFF, child_of, make_schools)
        Applicant = pool.get('laisui.applicant')
        District = pool.get('laisui.district')
        Round = pool.get('laisui.admission.round')
        yuexiu, = District.search([('code', '=', '440104')])
        applicant, = Applicant.search([('phone', '=', '{ADMISSION_PHONE}')])
        # What the source systems hold: the permit and the lease.
        Applicant.write([applicant], {{
            'permits': [('create', [{{'number': 'GD4401040041',
                'district': yuexiu.id, 'date_start': dt.date(2013, 3, 1),
                'source': 'external'}}])],
            'facts': [('create', [{{'kind': 'residence_rented',
                'flag': True, 'district': yuexiu.id,
                'date_from': dt.date(2013, 3, 1), 'source': 'external',
                'external_reference': 'rental_lease:41'}}])]}})
        child_of(applicant, 41)
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        round_, = Round.create([{{'name': '2021年越秀区积分入学',
            'year': 2021, 'points_cutoff': CUTOFF,
            'age_date': dt.date(2021, 8, 31),
            'application_start': now - dt.timedelta(days=1),
            'application_end': now + dt.timedelta(days=1),
            'publication_start': now - dt.timedelta(hours=1),
            'objection_end': now + dt.timedelta(days=5),
            'max_preferences': 2,
            'stages': [('create', [{{'stage': 'grade1', 'min_age': 6,
                'school_record': 'none'}}])]}}])
        Round.open([round_])
        schools = make_schools(round_, [30, 40])
        print(json.dumps({{'round': round_.id,
            'schools': [[s.id, s.name] for s in schools]}}))
        '''))
    phone.check(page)

    # The ID card the age indicator asks for, scanned on upload.
    page.click('nav >> text=证明材料')
    page.select_option('select[name=type]', label='居民身份证')
    page.set_input_files('input[name=file]', files=[{'name': 'id.png',
                'mimeType': 'image/png', 'buffer': png_bytes()}])
    page.click('form[enctype] button[type=submit]')
    page.wait_for_selector('#evidence >> text=居民身份证')
    phone.check(page)

    # Points verification (积分核定) from the portal; each page of the
    # journey passes axe-core and fits the phone (tests/phone.py).
    page.click('nav >> text=我的申请')
    phone.check(page)
    page.click('text=申请积分核定')
    page.wait_for_selector('#request-form')
    phone.check(page)
    assert '部门数据' in page.inner_text('main') or '外部' in page.inner_text(
        'main'), page.inner_text('main')
    shot(page, 'portal-points-request')
    page.click('button >> text=保存并核对信息')
    page.wait_for_selector('#summary')
    assert '合法稳定住所' in page.inner_text('#summary')
    phone.check(page)
    number = confirm_with_code(page, server, ADMISSION_PHONE,
        'portal-points-request-check')
    assert re.fullmatch(r'P\d{4}-\d{6}', number), number
    shot(page, 'portal-points-request-done')
    # A window clerk passes 网上预审 in sao; the other stages as the system.
    case = json.loads(server.python(f'''
        Request = pool.get('laisui.review.points_request')
        request, = Request.search(
            [('applicant.phone', '=', '{ADMISSION_PHONE}')])
        assert request.state == 'review', request.state
        assert request.confirmed_summary
        assert request.review_case.stage.code == 'prereview'
        print(json.dumps(request.review_case.id))
        '''))
    pass_in_sao(browser, server, 'window01', '积分核定申请', case,
        '案件进入“现场受理”', 'backoffice-points-prereview')
    state = json.loads(server.python(f'''
        Case = pool.get('laisui.review.case')
        Line = pool.get('laisui.review.line')
        Original = pool.get('laisui.review.original')
        case = Case({case})
        assert case.stage.code == 'acceptance', case.stage.code
        # The 公示 timer fires a month on.
        later = dt.datetime.now() + dt.timedelta(days=30)
        with Transaction().set_user(0):
            for _ in range(20):
                case = Case(case.id)
                if case.state != 'open':
                    break
                if case.stage.kind == 'task':
                    # The clerk has seen the originals.
                    Original.write(list(case.originals), {{'verified': True}})
                    Case.decide([case], 'pass')
                elif case.stage.kind == 'department':
                    Line.decide([(l, 'confirm', None, None)
                            for l in case.lines if l.state == 'pending'])
                elif case.stage.kind == 'timer':
                    with Transaction().set_context(_laisui_now=later):
                        Case.fire_timers()
        case = Case(case.id)
        print(json.dumps([case.document.state, case.state,
                    case.stage.code]))
        '''))
    assert state == ['approved', 'approved', 'approved'], state

    # The school application: save, 核对信息, code, confirmation.
    page.click('nav >> text=积分入学')
    phone.check(page)
    page.click('text=我要申请')
    phone.check(page)
    # The second school first: the allocation follows preferences.
    (first_id, _), (second_id, second_name) = ids['schools']
    page.locator('select[name=school]').nth(0).select_option(
        value=str(second_id))
    page.locator('select[name=school]').nth(1).select_option(
        value=str(first_id))
    shot(page, 'portal-admission-apply')
    page.click('button >> text=保存并核对申请条件')
    page.wait_for_selector('#summary')
    assert second_name in page.inner_text('#summary')
    phone.check(page)
    first_number = confirm_with_code(page, server, ADMISSION_PHONE,
        'portal-admission-check')
    shot(page, 'portal-admission-done')

    # Withdrawn while under review, then applied again.
    page.click('summary >> text=撤回申请')
    page.click('button >> text=确认撤回')
    page.wait_for_url(re.compile(r'/portal/admission$'))
    page.wait_for_selector('.application >> text=已撤回')
    phone.check(page)
    page.click('text=我要申请')
    page.locator('select[name=school]').nth(0).select_option(
        value=str(second_id))
    page.locator('select[name=school]').nth(1).select_option(
        value=str(first_id))
    page.click('button >> text=保存并核对申请条件')
    page.wait_for_selector('#summary')
    number = confirm_with_code(page, server, ADMISSION_PHONE,
        'portal-admission-check')
    assert number != first_number, number
    page.click('text=返回我的申请')
    page.wait_for_selector('.application >> text=审核中')
    assert '窗口受理' in page.inner_text('.application:has-text("审核中")')
    phone.check(page)

    # Window acceptance and the departments as the system; the district
    # reviewer's decision in sao.
    case = json.loads(server.python(f'''
        Application = pool.get('laisui.admission.application')
        Case = pool.get('laisui.review.case')
        Line = pool.get('laisui.review.line')
        application, = Application.search(
            [('applicant.phone', '=', '{ADMISSION_PHONE}'),
                ('state', '=', 'review')])
        case = application.review_case
        with Transaction().set_user(0):
            Case.decide([case], 'pass')
            case = Case(case.id)
            if case.stage.code == 'department_review':
                Line.decide([(l, 'confirm', None, None) for l in case.lines
                    if l.state == 'pending'])
        print(json.dumps(case.id))
        '''))
    pass_in_sao(browser, server, 'reviewer01', '积分入学申请', case, '已通过')
    state = json.loads(server.python(f'''
        Application = pool.get('laisui.admission.application')
        print(json.dumps(sorted(a.state for a in Application.search(
            [('applicant.phone', '=', '{ADMISSION_PHONE}')]))))
        '''))
    assert state == ['eligible', 'withdrawn'], state

    # The district admin: seed, dry run, publication.
    staff, sao, errors = staff_login(browser, server, 'dadmin01')
    sao.click('text=来穗积分')
    sao.click('text="积分入学"')
    sao.click('text="积分入学批次"')
    sao.dblclick('text=2021年越秀区积分入学')
    # A click before the form's record has loaded does nothing.
    settle(sao)
    with sao.expect_response(lambda r: 'admission.round.commit_seed' in (
                r.request.post_data or ''), timeout=60000):
        sao.get_by_role('button', name='生成摇号种子').click()
    # The application window has closed by the allocation.
    server.python(f'''
        Round = pool.get('laisui.admission.round')
        Run = pool.get('laisui.admission.run')
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        Round.write([Round({ids['round']})],
            {{'application_end': now - dt.timedelta(minutes=1)}})
        Run.create([{{'round': {ids['round']}}}])
        ''')
    sao.click('text="学位分配"')
    sao.locator('tr:has-text("2021年越秀区积分入学") >> visible=true'
        ).first.wait_for(timeout=30000)
    sao.locator('tr:has-text("2021年越秀区积分入学") >> visible=true'
        ).first.dblclick()
    settle(sao)
    with sao.expect_response(lambda r: 'admission.run.execute' in (
                r.request.post_data or ''), timeout=60000):
        sao.get_by_role('button', name='运行').click()
    sao.wait_for_selector(f'text={second_name}', timeout=30000)
    shot(sao, 'backoffice-admission-run')
    # 发布 opens the confirmation with the counts; 确认发布 publishes.
    sao.get_by_role('button', name='发布', exact=True).click()
    sao.wait_for_selector('text=确认发布', timeout=30000)
    # Nothing holds the publication: no reasons, no override asked.
    assert not sao.get_by_text('暂不能发布的原因').is_visible()
    sao.wait_for_timeout(500)  # the dialog's fade-in
    shot(sao, 'backoffice-admission-publish')
    with sao.expect_response(lambda r: 'wizard.laisui.admission.run.publish'
                in (r.request.post_data or '')
                and '"publish"' in (r.request.post_data or ''),
                timeout=60000):
        sao.get_by_role('button', name='确认发布').click()
    assert not errors, errors
    staff.close()

    page.goto(server.portal + '/admission')
    page.wait_for_selector('text=拟安排至')
    assert second_name in page.inner_text('.result')
    phone.check(page)
    shot(page, 'portal-admission-result')
    with page.expect_download() as download:
        page.click('text=下载学位通知书')
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b'%PDF'), pdf[:20]

    # The applicant's own row of the publication, highlighted.
    page.click('text=在公示名单中查看')
    page.wait_for_selector('tr.mine#mine[aria-current=true]')
    assert '陈*' in page.inner_text('tr.mine')
    phone.check(page)
    page.goto(server.portal + '/admission')

    # The public, on a phone: from the home page to the round's list.
    public = phone.context(browser, *phone.VIEWPORTS[0])
    board = public.new_page()
    board.goto(server.portal + '/')
    board.click('text=积分入学结果公示')
    board.click('text=查看分配名单')
    board.wait_for_selector('#results')
    text = board.inner_text('main')
    assert '陈*' in text and second_name in text, text
    assert not ID_NUMBER.search(text)
    # The seed and its hash wrap inside their card on a 360 px phone.
    assert board.evaluate('''() => [...document.querySelectorAll(
            'main .card')].every(c => c.scrollWidth <= c.clientWidth)''')
    phone.check(board)
    shot(board, 'portal-admission-publication')
    token = json.loads(server.python(f'''
        from trytond.modules.laisui_admission import notice
        Result = pool.get('laisui.admission.run.result')
        result, = Result.search(
            [('application.applicant.phone', '=', '{ADMISSION_PHONE}')])
        print(json.dumps(notice.token(result)))
        '''))
    board.goto(f'{server.portal}/admission/verify/{token}')
    board.wait_for_selector('#verify-valid')
    phone.check(board)
    public.close()
    context.close()

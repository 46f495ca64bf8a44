# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A window clerk works their queue: opens the case waiting at 现场受理,
ticks the originals seen, passes it and prints the acceptance receipt."""
import io
import json

from pypdf import PdfReader

from test_browser import ID_NUMBER, SHOTS, settle, shot
from test_services_browser import back_office, menu, visible


def test_clerk_accepts_and_prints_receipt(laisui_server, browser):
    server = laisui_server
    ids = json.loads(server.python('''
        from trytond.modules.laisui_base.tests.tools import png_bytes
        from trytond.modules.laisui_review.tests.tools import (
            make_applicant, submit)
        Case = pool.get('laisui.review.case')
        Evidence = pool.get('laisui.evidence')
        EvidenceType = pool.get('laisui.evidence.type')
        applicant = make_applicant(320)
        Evidence.create([{'applicant': applicant.id,
            'type': EvidenceType.search([('code', '=', code)])[0].id,
            'data': png_bytes()}
            for code in ['residence_permit', 'rental_cert']])
        case = submit(applicant)
        with Transaction().set_user(0):
            Case.decide([Case(case.id)], 'pass')
        case = Case(case.id)
        assert case.stage.code == 'acceptance', case.stage.code
        print(json.dumps({'case': case.id, 'applicant': applicant.name}))
        '''))
    with back_office(browser, server, 'window01') as sao:
        try:
            accept(sao, ids)
        except Exception:
            sao.screenshot(path=str(SHOTS.parent.parent / 'var' / 'log'
                    / 'desk-failure.png'))
            raise
    number = json.loads(server.python(f'''
        Case = pool.get('laisui.review.case')
        case = Case({ids['case']})
        print(json.dumps([case.stage.code, case.acceptance_number,
            sorted(o.verified for o in case.originals)]))
        '''))
    assert number[0] == 'first_review', number
    assert number[1].startswith('SL'), number
    assert number[2] == [True, True], number


def accept(sao, ids):
    sao.set_viewport_size({'width': 1440, 'height': 900})
    menu(sao, '来穗积分', '审核', '我的工作', '待我处理的案件')
    row = visible(sao, f'tr:has-text("{ids["applicant"]}")')
    row.wait_for(timeout=30000)
    row.get_by_text(str(ids['case']), exact=True).dblclick()
    visible(sao, 'a[role=tab]:has-text("原件核验")').click()
    originals = visible(sao, '.form-one2many:has(input.column-boolean)')
    boxes = originals.locator('input.column-boolean')
    boxes.first.wait_for(timeout=30000)
    assert boxes.count() == 2, boxes.count()
    for i in range(boxes.count()):
        boxes.nth(i).click()
        settle(sao)
    shot(sao, 'backoffice-acceptance-originals')
    with sao.expect_response(lambda r: 'review.case.pass_' in (
                r.request.post_data or ''), timeout=60000):
        sao.get_by_role('button', name='通过', exact=True).click()
    dialog = sao.locator('.wizard-dialog:has(textarea[name=message])')
    dialog.locator('textarea[name=message]').wait_for(timeout=30000)
    settle(sao)
    assert '受理编号 SL' in dialog.locator(
        'textarea[name=message]').input_value()
    shot(sao, 'backoffice-acceptance-result')
    with sao.expect_download(timeout=60000) as download:
        dialog.get_by_role('button', name='打印受理回执').click()
    text = ''.join(p.extract_text() for p in PdfReader(
            io.BytesIO(open(download.value.path(), 'rb').read())).pages)
    assert '受理编号' in text and 'SL' in text, text
    assert not ID_NUMBER.search(text), text
    dialog.wait_for(state='detached', timeout=30000)

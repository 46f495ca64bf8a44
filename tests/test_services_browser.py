# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A public service from its publication in sao to its revoked voucher,
in a real browser (Debian chromium through Playwright).

Screenshots land in docs/screenshots/, which the README shows."""
import contextlib
import datetime as dt
import io
import json
import re
from pathlib import Path

from pypdf import PdfReader

import phone
from test_browser import (
    SHOTS, confirm_with_code, decision_result, phone_context, register,
    settle, shot, staff_login)
from trytond.modules.laisui_base.tests.tools import png_bytes
from trytond.modules.laisui_connectors.tests.tools import id_number

APPLICANT_PHONE = '13712340191'
CODE = 'skills_subsidy'
SERVICE = '职业技能提升补贴'
FORM = '技能提升补贴申请表'
CONTRACT = '劳动合同或就业登记证明'
CERTIFICATE = '职业资格或专业技术职称证书'
REASON = '申请人已不在越秀区就业，补贴资格取消'


@contextlib.contextmanager
def back_office(browser, server, login):
    "sao signed in as `login`; a JS error in it fails the step"
    staff, sao, errors = staff_login(browser, server, login)
    yield sao
    assert not errors, errors
    staff.close()


def menu(sao, *path):
    """Click the menu entries of sao in turn: a folder opens (or closes,
    when open), an entry opens its list in a tab"""
    for name in path:
        sao.locator(f'#menu >> text="{name}"').last.click()


def close_tab(sao):
    "Close the one tab open (saved): the next list opens alone"
    settle(sao)
    sao.locator('#tablist li.active button.close').click()
    sao.wait_for_function("() => !document.querySelector('#tablist li')")


def visible(sao, selector):
    "The element of the shown tab (sao keeps the other tabs' hidden)"
    return sao.locator(f'{selector} >> visible=true').first


def choose(sao, scope, name, typed, label):
    "Fill a many-to-one field and take the suggestion labelled `label`"
    scope.locator(f'input[name={name}] >> visible=true').first.fill(typed)
    sao.locator('.dropdown-menu >> visible=true').get_by_text(
        label, exact=True).first.click()
    settle(sao)


def type_in(scope, selector, text):
    "Type into a sao field and leave it: sao takes a value on change"
    field = scope.locator(f'{selector} >> visible=true').first
    field.fill(text)
    field.press('Tab')


def new_record(sao, field):
    "A new record of the list shown, its form ready for `field`"
    visible(sao, 'button#new_').click()
    visible(sao, field).wait_for()
    settle(sao)


def save(sao, method):
    settle(sao)
    with sao.expect_response(lambda r: method in (
                r.request.post_data or ''), timeout=30000) as response:
        visible(sao, 'button#save').click()
    assert 'error' not in response.value.json(), response.value.json()
    # The saved record read back: sao holds it unchanged only then.
    settle(sao)


def add_form_field(sao, label, key, kind, options=None, condition=None):
    "Add a field in the dialog of the form's 填写项 (it stays open)"
    visible(sao, '.form-one2many button[title="新建"]').click()
    dialog = sao.locator('.modal-dialog').last
    dialog.locator('input[name=label]').wait_for()
    settle(sao)
    kind_select = dialog.locator('select[name=type]').first

    def kind_set():
        """Choose the type until it stays (whether it had to be chosen):
        choosing it redraws the dialog, and on a slow server a late
        redraw may set it back"""
        changed = False
        for _ in range(5):
            if kind_select.evaluate(
                    'e => e.options[e.selectedIndex].text') == kind:
                break
            kind_select.select_option(label=kind)
            settle(sao)
            changed = True
        return changed
    # The type first: the options' text area shows for a choice only.
    kind_set()
    type_in(dialog, 'input[name=label]', label)
    type_in(dialog, 'input[name=name]', key)
    dialog.locator('input[name=required]').check()
    if options:
        kind_set()
        type_in(dialog, 'textarea[name=options]', options)
    if condition:
        field, operator, value = condition
        choose(sao, dialog, 'condition_field', field[:4], field)
        dialog.locator('select[name=condition_operator]').select_option(
            label=operator)
        settle(sao)
        type_in(dialog, 'input[name=condition_value]', value)
    settle(sao)
    # The type's redraw may come after the texts were typed: type and
    # texts are set again until they stay.
    texts = [('input[name=label]', label), ('input[name=name]', key)]
    if options:
        texts.append(('textarea[name=options]', options))
    for _ in range(5):
        wrong = kind_set()
        for selector, text in texts:
            if dialog.locator(selector).first.input_value() != text:
                type_in(dialog, selector, text)
                settle(sao)
                wrong = True
        if not wrong:
            break
    dialog.get_by_role('button', name='添加', exact=True).click()
    dialog.wait_for(state='hidden')


def add_row(sao):
    "A new row in the editable list of the shown tab, being edited"
    rows = visible(sao, '.form-one2many')
    rows.locator('button[title="新建"]').click()
    settle(sao)
    return rows


def publish_service(sao):
    """The district admin defines the form and the service with its first
    version in sao, by clicking, and publishes both"""
    sao.set_viewport_size({'width': 1440, 'height': 900})

    # The form: three fields, then the one shown under a condition (its
    # condition names a saved field of the same form).
    menu(sao, '来穗积分', '配置', '数据表单管理')
    new_record(sao, 'input[name=name]')
    type_in(sao, 'input[name=name]', FORM)
    type_in(sao, 'input[name=code]', CODE)
    add_form_field(sao, '工作单位', 'employer', '文本')
    add_form_field(sao, '从事行业', 'trade', '单选',
        options='manufacturing:制造业\nretail:批发零售\n'
        'service:住宿餐饮及居民服务\nother:其他')
    add_form_field(sao, '是否已取得职业资格证书', 'certified', '是/否')
    save(sao, 'model.laisui.form.create')
    add_form_field(sao, '证书名称', 'certificate', '文本',
        condition=('是否已取得职业资格证书', '等于', 'yes'))
    save(sao, 'model.laisui.form.write')
    visible(sao, 'tr:has-text("证书名称")').get_by_text(
        '是否已取得职业资格证书').wait_for()
    shot(sao, 'backoffice-form')
    sao.get_by_role('button', name='发布', exact=True).click()
    with sao.expect_response(lambda r: 'model.laisui.form.publish' in (
                r.request.post_data or ''), timeout=30000):
        sao.get_by_role('button', name='确定').click()
    visible(sao, 'button[name=new_version]').wait_for()
    close_tab(sao)

    # The service: the stable entry applicants find.
    menu(sao, '公共服务', '服务内容配置')
    new_record(sao, 'select[name=category]')
    type_in(sao, 'input[name=code]', CODE)
    type_in(sao, 'input[name=name]', SERVICE)
    visible(sao, 'select[name=category]').select_option(label='其他服务')
    settle(sao)
    choose(sao, sao, 'department', '人力资源', '人力资源和社会保障局')
    save(sao, 'model.laisui.service.create')
    close_tab(sao)

    # Its first version: guidance, eligibility, materials, form, voucher.
    menu(sao, '服务版本')
    new_record(sao, 'textarea[name=description]')
    choose(sao, sao, 'service', '职业技能', SERVICE)
    type_in(sao, 'textarea[name=description]', '在越秀区就业的来穗人员参加'
        '职业技能培训并取得证书后，可申请职业技能提升补贴。')
    type_in(sao, 'textarea[name=guidance]',
        '申请对象：持有效广东省居住证、在越秀区就业的来穗人员。\n'
        '办理流程：网上申请，窗口受理后由区来穗局审核，审核通过后发放'
        '补贴资格确认书。\n咨询电话：020-83000000。')
    visible(sao, 'a[role=tab]:has-text("申请条件")').click()
    for kind in ['持有效居住证', '已上传必备材料']:
        rows = add_row(sao)
        kinds = rows.locator('select[name=kind]')
        kinds.select_option(label=kind)
        kinds.press('Tab')
        settle(sao)
    visible(sao, 'a[role=tab]:has-text("申请材料")').click()
    for typed, label, required, note in [
            ('劳动合同', CONTRACT, True, '加盖单位公章的劳动合同首页和签字页'),
            ('职业资格', CERTIFICATE, False, '已取得证书的请上传')]:
        rows = add_row(sao)
        choose(sao, rows, 'type', typed, label)
        rows.locator('input[name=required]').set_checked(required)
        type_in(rows, 'input[name=note]', note)
    visible(sao, 'a[role=tab]:has-text("表单与凭证")').click()
    choose(sao, sao, 'form', '技能提升', f'{FORM} v1')
    visible(sao, 'select[name=voucher]').select_option(label='审核通过后发放')
    settle(sao)
    type_in(sao, 'input[name=voucher_title]', '职业技能提升补贴资格确认书')
    save(sao, 'model.laisui.service.version.create')
    with sao.expect_response(lambda r: 'service.version.publish' in (
                r.request.post_data or ''), timeout=30000):
        visible(sao, 'button[name=publish]').click()
    visible(sao, 'button[name=new_version]').wait_for()
    visible(sao, 'a[role=tab]:has-text("办事指南")').click()
    shot(sao, 'backoffice-service-version')


def open_case(sao, number):
    "The review case of the application `number`, opened from the list"
    menu(sao, '来穗积分', '审核', '审核案件')
    row = visible(sao, f'tr:has-text("{number}")')
    row.wait_for(timeout=30000)
    # The id: the document and applicant cells are links.
    row.locator('.column-integer').first.dblclick()
    sao.wait_for_selector('text=审核意见', timeout=30000)


def return_for_material(sao, number):
    "The window clerk returns the case, asking for the certificate"
    open_case(sao, number)
    visible(sao, 'a[role=tab]:has-text("补正事项")').click()
    rows = add_row(sao)
    choose(sao, rows, 'evidence_type', '职业资格', CERTIFICATE)
    type_in(rows, 'input[name=description]',
        '您填写已取得中式烹调师证书，请上传证书复印件')
    type_in(sao, 'textarea[name=comment]', '缺少职业资格证书')
    sao.get_by_role('button', name='退回补正').click()
    with sao.expect_response(lambda r: 'review.case.return_' in (
                r.request.post_data or ''), timeout=60000):
        sao.get_by_role('button', name='确定').click()
    decision_result(sao, '已退回补正')


def pass_case(sao, number):
    open_case(sao, number)
    with sao.expect_response(lambda r: 'review.case.pass_' in (
                r.request.post_data or ''), timeout=60000):
        sao.get_by_role('button', name='通过', exact=True).click()
    decision_result(sao, '已通过')


def revoke(sao, number):
    "The district admin revokes the voucher with the revoke wizard"
    menu(sao, '来穗积分', '电子凭证')
    # The entry of the same name as its folder
    sao.locator('#menu >> text="电子凭证"').nth(1).click()
    row = visible(sao, f'tr:has-text("{number}")')
    row.wait_for(timeout=30000)
    row.get_by_text(number).dblclick()
    sao.locator('button[name=revoke_wizard]').click()
    dialog = sao.locator('.modal-dialog').last
    dialog.locator('textarea[name=reason]').fill(REASON)
    with sao.expect_response(lambda r: 'credential.revoke' in (
                r.request.post_data or '') and '"revoke"' in (
                r.request.post_data or ''), timeout=60000):
        dialog.get_by_role('button', name='撤销', exact=True).click()


def upload(page, material, name):
    "Upload the material on the service page (scanned on upload)"
    row = page.locator('#materials tr', has_text=material)
    row.locator('input[type=file]').set_input_files(files=[{'name': name,
                'mimeType': 'image/png', 'buffer': png_bytes()}])
    row.get_by_role('button', name='上传').click()
    page.locator('#materials tr', has_text=material).get_by_text(
        '已上传').wait_for()


def test_public_service_journey(laisui_server, browser):
    """An admin publishes a new service with its form in sao; an applicant
    finds it on a phone, is told what is missing, applies, is returned
    for a material, supplements it and is approved; the voucher's QR
    page says valid, and revoked once the admin revokes it."""
    try:
        journey(laisui_server, browser)
    except Exception:
        # Every page open when it failed, for the post-mortem.
        log = SHOTS.parent.parent / 'var' / 'log'
        log.mkdir(parents=True, exist_ok=True)
        for i, page in enumerate(
                p for c in browser.contexts for p in c.pages):
            page.screenshot(path=str(log / f'services-failure-{i}.png'))
        raise


def journey(server, browser):
    with back_office(browser, server, 'dadmin01') as sao:
        publish_service(sao)

    context = phone_context(browser)
    page = context.new_page()
    register(page, server, APPLICANT_PHONE, '王建华',
        id_number(191, birth=dt.date(1988, 6, 1)))
    # What the source systems hold: the residence permit.
    server.python(f'''
        Applicant = pool.get('laisui.applicant')
        District = pool.get('laisui.district')
        yuexiu, = District.search([('code', '=', '440104')])
        applicant, = Applicant.search([('phone', '=', '{APPLICANT_PHONE}')])
        Applicant.write([applicant], {{'permits': [('create', [{{
            'number': 'GD4401040191', 'district': yuexiu.id,
            'date_start': dt.date(2020, 3, 1), 'source': 'external'}}])]}})
        ''')

    page.click('nav >> text=公共服务')
    page.wait_for_selector(f'.service >> text={SERVICE}')
    phone.check(page)
    shot(page, 'portal-services')
    page.get_by_role('link', name=SERVICE, exact=True).click()
    page.wait_for_selector('#conditions')
    conditions = page.inner_text('#conditions')
    assert '✓ 符合：持有效的广州市居住证' in conditions, conditions
    assert '✗ 不符合：已上传全部必备材料' in conditions, conditions
    assert CONTRACT in conditions, conditions
    materials = page.locator('#materials tr', has_text=CONTRACT)
    assert '必需' in materials.inner_text()
    assert materials.locator('input[type=file]').count() == 1
    phone.check(page)
    shot(page, 'portal-service')
    upload(page, CONTRACT, 'contract.png')
    assert '✗' not in page.inner_text('#conditions')
    phone.check(page)

    # The form: the certificate's name is asked once one is held.
    page.click('text=在线申请')
    page.wait_for_selector('#apply-form')
    # Hidden by the page's script until a certificate is held.
    page.locator('#field-certificate').wait_for(state='hidden')
    page.fill('input[name=employer]', '广州市越秀区华乐餐饮有限公司')
    page.check('input[name=trade][value=service]')
    page.check('input[name=certified][value=yes]')
    page.locator('#field-certificate').wait_for(state='visible')
    page.fill('input[name=certificate]', '中式烹调师（四级）')
    phone.check(page)
    shot(page, 'portal-service-apply')
    page.click('button >> text=下一步：核对信息')
    page.wait_for_selector('#summary')
    summary = page.inner_text('#summary')
    assert '中式烹调师（四级）' in summary, summary
    assert '住宿餐饮及居民服务' in summary, summary
    phone.check(page)
    number = confirm_with_code(page, server, APPLICANT_PHONE,
        'portal-service-check')
    assert re.fullmatch(r'S\d{4}-\d{6}', number), number
    shot(page, 'portal-service-done')

    with back_office(browser, server, 'window01') as sao:
        return_for_material(sao, number)
    page.click('nav >> text=公共服务')
    page.click('text=我的服务申请')
    returned = page.locator('.application', has_text=number)
    returned.get_by_text('退回补正', exact=True).wait_for()
    assert '请上传证书复印件' in returned.inner_text()
    phone.check(page)
    page.click('nav >> text=公共服务')
    page.get_by_role('link', name=SERVICE, exact=True).click()
    upload(page, CERTIFICATE, 'certificate.png')
    page.click('nav >> text=公共服务')
    page.click('text=我的服务申请')
    page.click('button >> text=补正完成，重新提交')
    page.wait_for_selector(f'.application:has-text("{number}") >> '
        'text=审核中')
    phone.check(page)

    for login in ['window01', 'reviewer01']:
        with back_office(browser, server, login) as sao:
            pass_case(sao, number)
    voucher = json.loads(server.python(f'''
        Application = pool.get('laisui.service.application')
        application, = Application.search(
            [('applicant.phone', '=', '{APPLICANT_PHONE}')])
        print(json.dumps([application.state, application.voucher.number]))
        '''))
    assert voucher[0] == 'approved', voucher
    voucher_number = voucher[1]

    page.reload()
    page.locator('.application', has_text=number).get_by_text(
        '审核通过', exact=True).wait_for()
    phone.check(page)
    page.click('text=我的凭证')
    card = page.locator('.voucher', has_text=voucher_number)
    assert '职业技能提升补贴资格确认书' in card.inner_text()
    assert '有效' in card.inner_text()
    phone.check(page)
    shot(page, 'portal-vouchers')
    with page.expect_download() as download:
        card.get_by_text('下载凭证（PDF）').click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b'%PDF'), pdf[:20]
    text = ''.join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert voucher_number in text and number in text, text
    # The address the QR code carries, printed under it (wrapped).
    url = re.sub(r'\s+', '', text.split('核验真伪和是否有效：', 1)[1])
    link = card.get_by_text('查看核验页面').get_attribute('href')
    assert url == server.url + link, (url, link)

    page.goto(url)
    page.wait_for_selector('#verify-valid')
    assert page.inner_text('#verify-valid') == '有效'
    assert voucher_number in page.inner_text('#verify-result')
    phone.check(page)
    shot(page, 'portal-verify-valid')

    with back_office(browser, server, 'dadmin01') as sao:
        revoke(sao, voucher_number)
    page.reload()
    page.wait_for_selector('#verify-revoked')
    revoked = page.inner_text('#verify-revoked')
    assert revoked.startswith('已撤销') and REASON in revoked, revoked
    phone.check(page)
    shot(page, 'portal-verify-revoked')
    context.close()

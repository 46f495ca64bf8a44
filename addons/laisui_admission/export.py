# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""XLSX export of admission applications, masked unless a district admin
asks otherwise; every export, and every unmasked one, is audited."""
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.modules.laisui_base.identity import (
    mask_id_number, mask_name, mask_phone)
from trytond.modules.laisui_base.i18n import stored_gettext
from trytond.modules.laisui_base.spreadsheet import XLSXSheet
from trytond.pool import Pool
from trytond.transaction import Transaction, check_access
from trytond.wizard import Button, StateView, Wizard

# Each score beside the date it is as of: the admission score ranks, the
# current points are the applicant's statement (domain.md §9.5).
HEADERS = ['申请编号', '批次', '学段', '申请类型', '申请人', '身份证号', '手机号',
    '子女', '子女身份证号', '街道', '入学积分（不含减分指标）', '入学积分截至',
    '当前积分', '当前积分截至', '状态', '安排学校']


class ExportStart(ModelView):
    "Export Admission Applications"
    __name__ = 'laisui.admission.export.start'

    unmasked = fields.Boolean("Unmasked",
        help="Full names and numbers: district admins only, audited.")


class ExportResult(ModelView):
    "Admission Applications Sheet"
    __name__ = 'laisui.admission.export.result'

    file = fields.Binary("File", filename='filename', readonly=True)
    filename = fields.Char("File Name", readonly=True)
    count = fields.Integer("Applications", readonly=True)


class Export(Wizard):
    "Export Admission Applications"
    __name__ = 'laisui.admission.export'

    start = StateView('laisui.admission.export.start',
        'laisui_admission.export_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'result', 'tryton-ok', default=True),
            ])
    result = StateView('laisui.admission.export.result',
        'laisui_admission.export_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    @check_access
    def default_result(self, fields):
        pool = Pool()
        AuditLog = pool.get('laisui.audit.log')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        unmasked = bool(self.start.unmasked)
        if unmasked:
            admin = ModelData.get_id('laisui_base', 'group_district_admin')
            user = User(Transaction().user)
            if Transaction().user and admin not in {
                    g.id for g in user.groups}:
                raise AccessError(gettext(
                        'laisui_admission.msg_export_unmasked'))
        # The selected applications, or every one the list shows.
        applications = self.records or self.model.search([])
        data = sheet(applications, unmasked)
        AuditLog.log('unmask' if unmasked else 'export',
            resource='laisui.admission.application',
            detail=stored_gettext(
                'laisui_admission.msg_export_audit_unmasked' if unmasked
                else 'laisui_admission.msg_export_audit',
                count=len(applications)))
        return {'file': data, 'filename': 'admission-applications.xlsx',
            'count': len(applications)}


def sheet(applications, unmasked=False):
    "XLSX bytes listing the applications"
    Result = Pool().get('laisui.admission.run.result')
    show = (lambda f, v: v) if unmasked else (lambda f, v: f(v))
    # Names and school names are typed text: never formulas.
    worksheet = XLSXSheet(gettext('laisui_admission.msg_export_sheet'))
    worksheet.append(HEADERS)
    for application in applications:
        applicant = application.applicant
        result = Result.published(application)
        statement = applicant.statement
        worksheet.append([
                application.number, application.round.name,
                application.stage_string, application.type.name,
                show(mask_name, applicant.name),
                show(mask_id_number, applicant.id_number),
                show(mask_phone, applicant.phone),
                show(mask_name, application.child.name),
                show(mask_id_number, application.child.id_number),
                applicant.street.name if applicant.street else '',
                float(application.score) if application.score is not None
                else None,
                application.round.points_cutoff,
                float(statement.total) if statement else None,
                statement.reference_date if statement else None,
                application.state_string,
                result.school.name if result and result.school else '',
                ])
    return worksheet.getvalue()

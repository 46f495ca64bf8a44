# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Vouchers of approved service applications (服务凭证): signed credentials
of laisui_base (laisui.credential), one per application.

The claims are what the public verification page shows to whoever holds
the paper, beside the masked holder it shows itself: the service, the
session; for a volunteer service the hours the volunteer system recorded
(imported through the connectors, never declared); for a points
certificate (积分证明) the points and their breakdown on the day.
"""
from decimal import Decimal

import datetime as dt

from trytond.modules.laisui_base import clock
from trytond.pool import Pool

KIND = 'service_voucher'


def issue(applications):
    "A voucher for each application that has none yet"
    pool = Pool()
    Credential = pool.get('laisui.credential')
    Application = pool.get('laisui.service.application')
    todo = [a for a in applications if not a.voucher]
    # Everything read before the first credential is made: each one made
    # clears the records' caches, and the applications browsed together
    # would be read again together for every voucher.
    planned = [(a, a.applicant, a.version.voucher_title, claims(a),
            expiry(a.version)) for a in todo]
    for application, holder, title, rows, expires_at in planned:
        application.voucher = Credential.issue(KIND, holder, application,
            title, rows, expires_at=expires_at)
    Application.save(todo)


def expiry(version):
    "When a voucher of the version issued now expires, or None"
    return (clock.now() + dt.timedelta(days=version.voucher_days)
        if version.voucher_days else None)


def revoke_for(applications, reason):
    "Revoke the valid vouchers of the applications"
    vouchers = [a.voucher for a in applications
        if a.voucher and a.voucher.state == 'valid']
    if vouchers:
        Pool().get('laisui.credential').revoke(vouchers, reason)


def claims(application):
    "[(label, text)] the verification page shows"
    applicant = application.applicant
    # The holder, masked, is the credential's own: not repeated here.
    rows = [('服务事项', application.service.name),
        ('申请编号', application.number)]
    if application.session:
        rows.append(('场次', application.session.rec_name))
    if application.attendance == 'attended':
        rows.append(('出勤', '已参加'))
    if application.service.category == 'volunteer':
        hours = sum((f.quantity or Decimal(0) for f in applicant.facts
                if f.kind == 'volunteer' and f.source != 'declared'),
            Decimal(0))
        rows.append(('志愿服务时长（志愿服务信息系统记录）',
                f'{hours.normalize():f} 小时'))
    if application.version.voucher == 'points':
        statement = applicant.statement
        rows.append(('积分核定日期', str(statement.reference_date)))
        rows.append(('积分合计', f'{statement.total}分'))
        rows.extend((l.indicator.name, f'{l.points}分')
            for l in statement.lines if l.points)
    return rows

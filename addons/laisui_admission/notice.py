# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The place notice (学位通知书): a signed credential (laisui_base
credential.py) of kind admission notice, issued once for a placed result
of a published run; its PDF carries the QR code of the credential's
public page. When a new run supersedes the result, the notice is revoked
with the reason, and the page says so.

Notices printed before carry "<result id>-<keyed digest>" (result_of):
their links still open the page of the result's credential.
"""
import hmac

from trytond.i18n import gettext
from trytond.modules.laisui_base.state_guard import lock_rows
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

KIND = 'admission_notice'
_DIGITS = 20


class Credential(metaclass=PoolMeta):
    __name__ = 'laisui.credential'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.kind.selection.append((KIND, "Admission Notice"))
        cls._number_prefixes[KIND] = 'RX'

    @classmethod
    def _get_documents(cls):
        return super()._get_documents() + ['laisui.admission.run.result']


def _issued(result):
    Credential = Pool().get('laisui.credential')
    with Transaction().set_context(_check_access=False):
        credentials = Credential.search([
                ('kind', '=', KIND),
                ('document', '=', str(result)),
                ], order=[('id', 'ASC')], limit=1)
    return credentials[0] if credentials else None


def credential(result):
    "The notice credential of a placed result, issued at the first call"
    Result = Pool().get('laisui.admission.run.result')
    found = _issued(result)
    if found:
        return found
    # Two downloads at once must not issue two notices.
    lock_rows(Result, [result.id])
    found = _issued(result)
    if found:
        return found
    return Pool().get('laisui.credential').issue(KIND,
        result.application.applicant, result, '学位通知书', claims(result))


def claims(result):
    "What the public page shows of the notice: nothing that identifies"
    run = result.run
    return [
        ('批次', f'{run.round.name}（第{run.version}版）'),
        ('学生', f'{result.name_public}　{result.child_public}'),
        ('安排学校', result.school.name),
        ('学段', result.application.stage_string),
        ]


def token(result):
    "The token of a placed result's notice (its QR code)"
    return credential(result).token


def revoke_superseded(run, by):
    "Revoke the notices of run's results: the run by superseded it"
    Credential = Pool().get('laisui.credential')
    with Transaction().set_context(_check_access=False):
        credentials = Credential.search([
                ('kind', '=', KIND),
                ('document.run', '=', run.id,
                    'laisui.admission.run.result'),
                ('revoked_at', '=', None),
                ])
    if credentials:
        # Read by the public on the verification page: in Chinese.
        with Transaction().set_context(language='zh_CN'):
            reason = gettext('laisui_admission.msg_notice_superseded',
                version=run.version, new=by.version)
        # The server's consequence of the publication, whoever publishes.
        with Transaction().set_context(_check_access=False):
            Credential.revoke(credentials, reason)


def legacy_token(result):
    "The token of a notice printed before the credentials"
    Secret = Pool().get('laisui.secret')
    digest = Secret.digest('admission-notice', result.id)[:_DIGITS]
    return f'{result.id}-{digest}'


def result_of(value):
    "The run result a legacy token stands for, or None for a forged one"
    pool = Pool()
    Secret = pool.get('laisui.secret')
    Result = pool.get('laisui.admission.run.result')
    value = value or ''
    id_, _, digest = value.partition('-')
    # ASCII only: compare_digest() refuses other str, and int() would take
    # other digits.
    if (not value.isascii() or not id_.isdigit() or len(id_) > 10
            or len(digest) != _DIGITS):
        return None
    expected = Secret.digest('admission-notice', int(id_))[:_DIGITS]
    if not hmac.compare_digest(expected, digest):
        return None
    results = Result.search([('id', '=', int(id_))])
    return results[0] if results else None

# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The applicant's portal: its menu, and whose records a request may see."""
from trytond.i18n import gettext
from trytond.modules.laisui_base.exceptions import (
    PortalError, PortalForbidden, PortalNotFound)
from trytond.pool import Pool, PoolMeta


def signed_in_applicant(portal):
    "The applicant of the signed-in portal user, or PortalError"
    Applicant = portal.pool.get('laisui.applicant')
    applicant = Applicant.for_web_user(portal.user)
    if not applicant:
        raise PortalError(gettext('laisui_points.msg_no_applicant'))
    return applicant


def own_record(portal, model, record_id, owner='applicant',
        not_found=False):
    """The record of `model` with that id whose `owner` (a field path to
    the applicant, e.g. 'application.applicant') is the signed-in
    applicant. Any other id, of somebody else's record or of none, is
    PortalForbidden: a 403 page, audited; with `not_found` a 404 page,
    audited too, as for an id no record has."""
    Model = portal.pool.get(model)
    records = Model.search([
            ('id', '=', record_id),
            (owner, '=', signed_in_applicant(portal).id),
            ], limit=1)
    if not records:
        raise (PortalNotFound if not_found else PortalForbidden)(
            f'{model},{record_id}')
    return records[0]


class Portal(metaclass=PoolMeta):
    __name__ = 'laisui.portal'

    @classmethod
    def template_modules(cls):
        return super().template_modules() + ['laisui_points']

    @classmethod
    def menu(cls, portal):
        return super().menu(portal) + [
            (gettext(f'laisui_points.msg_menu_{name}'), f'/{name}')
            for name in ['points', 'profile', 'family', 'facts', 'evidence']]

    @classmethod
    def next_steps(cls, portal):
        "The profile and family first, then the facts and their evidence"
        Applicant = Pool().get('laisui.applicant')
        steps = super().next_steps(portal)
        applicant = Applicant.for_web_user(portal.user)
        if not applicant:
            return steps
        members = len(applicant.family)
        profile = [gettext('laisui_base.msg_step_profile_members',
                count=members) if members
            else gettext('laisui_base.msg_step_profile_no_members')]
        if not applicant.street:
            profile.append(gettext('laisui_base.msg_step_profile_no_street'))
        facts = sum(f.source == 'declared' for f in applicant.facts)
        evidence = len(applicant.evidences)
        return steps + [
            (gettext('laisui_base.msg_step_profile'), '/family',
                '，'.join(profile)),
            (gettext('laisui_base.msg_step_facts'), '/facts',
                gettext('laisui_base.msg_step_facts_status', facts=facts,
                    evidence=evidence) if facts or evidence
                else gettext('laisui_base.msg_step_facts_none')),
            ]


class WebUser(metaclass=PoolMeta):
    __name__ = 'web.user'

    def password_personal(self):
        Applicant = Pool().get('laisui.applicant')
        applicant = Applicant.for_web_user(self)
        personal = super().password_personal()
        if applicant and applicant.id_number:
            personal.append(applicant.id_number)
        return personal

    @classmethod
    def portal_register(cls, phone, password, name, id_number):
        Applicant = Pool().get('laisui.applicant')
        user = super().portal_register(phone, password, name, id_number)
        Applicant.create([{
                    'name': name,
                    'id_number': id_number,
                    'phone': phone,
                    'party': user.party.id,
                    'web_user': user.id,
                    }])
        return user

# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta


class Portal(metaclass=PoolMeta):
    __name__ = 'laisui.portal'

    @classmethod
    def template_modules(cls):
        return super().template_modules() + ['laisui_points']

    @classmethod
    def menu(cls, portal):
        return super().menu(portal) + [
            ("我的积分", '/points'),
            ("个人信息", '/profile'),
            ("家庭成员", '/family'),
            ("积分资料", '/facts'),
            ("证明材料", '/evidence'),
            ]


class WebUser(metaclass=PoolMeta):
    __name__ = 'web.user'

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

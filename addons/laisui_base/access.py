# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Changes to who may do what leave an audit row (GB/T 22239 §8.1.4.3):
access rights, field access, record rules, button and menu groups and the
groups themselves. Module updates (the server itself) are not people's
changes and are not logged."""
from trytond.pool import PoolMeta

from .audit import AuditedChangesMixin
from .audit_diff import AuditedDiffMixin


class AccessChangesMixin(AuditedChangesMixin):
    __slots__ = ()
    _audit_action = 'security_config'


class ModelAccess(AccessChangesMixin, metaclass=PoolMeta):
    __name__ = 'ir.model.access'


class ModelFieldAccess(AccessChangesMixin, metaclass=PoolMeta):
    __name__ = 'ir.model.field.access'


class ModelButtonGroup(AccessChangesMixin, metaclass=PoolMeta):
    __name__ = 'ir.model.button-res.group'


class RuleGroup(AccessChangesMixin, metaclass=PoolMeta):
    __name__ = 'ir.rule.group'


class Rule(AccessChangesMixin, metaclass=PoolMeta):
    __name__ = 'ir.rule'


class RuleGroupGroup(AccessChangesMixin, metaclass=PoolMeta):
    __name__ = 'ir.rule.group-res.group'


class MenuGroup(AccessChangesMixin, metaclass=PoolMeta):
    __name__ = 'ir.ui.menu-res.group'


class Group(AuditedDiffMixin, metaclass=PoolMeta):
    "A group's edits with their old and new values: its name, its members"
    __name__ = 'res.group'
    _audit_action = 'security_config'
    # Rights have their own audited records (above).
    _audit_diff_skip = frozenset({'buttons', 'rule_groups', 'menu_access'})

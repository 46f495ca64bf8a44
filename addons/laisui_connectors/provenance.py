# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The names of the systems and datasets facts come from, for the texts
people read (see laisui_points.provenance)."""
from trytond.modules.laisui_points.provenance import PERMITS, SourceLabel
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .feed import PERMIT


def source_labels():
    """{dataset code: SourceLabel}, PERMITS: the label of the dataset that
    feeds residence permits"""
    Dataset = Pool().get('laisui.connector.dataset')
    labels = {}
    # Facts outlive a switched-off dataset: they still need its name.
    with Transaction().set_context(active_test=False, _check_access=False):
        for dataset in Dataset.search([], order=[('code', 'ASC')]):
            label = SourceLabel(
                name=f'{dataset.source.name} {dataset.name}',
                numbered=any(m.target == 'reference'
                    for m in dataset.mappings))
            labels[dataset.code] = label
            if dataset.fact_kind == PERMIT:
                labels.setdefault(PERMITS, label)
    return labels


class Statement(metaclass=PoolMeta):
    __name__ = 'laisui.points.statement'

    @classmethod
    def _source_labels(cls):
        labels = super()._source_labels()
        labels.update(source_labels())
        return labels

# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Bulk writes of derived rows, below the ORM.

For tables whose rows are recomputed wholesale (statement lines, loaded
datasets) the ORM's per-record work costs more than the computation. These
helpers write many rows in one round trip: COPY on PostgreSQL, executemany
on SQLite. They do no access check and no validation: callers write only
what they computed themselves, and set create/write uid and date.
"""
import uuid

from sql import Column, Table

from trytond import backend
from trytond.transaction import Transaction


def _copy(cursor, table_name, columns, rows):
    from psycopg import sql
    statement = sql.SQL('COPY {} ({}) FROM STDIN').format(
        sql.Identifier(table_name),
        sql.SQL(', ').join(map(sql.Identifier, columns)))
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def bulk_insert(table_name, columns, rows, cursor=None):
    """Insert rows (sequences in the order of columns) into table_name,
    with the cursor given (from another thread) or a new one"""
    if not rows:
        return
    cursor = cursor or Transaction().connection.cursor()
    if backend.name == 'postgresql':
        _copy(cursor, table_name, columns, rows)
    else:
        table = Table(table_name)
        # The values only make placeholders; executemany passes the rows.
        query, _ = tuple(table.insert(
                [Column(table, c) for c in columns], [[0] * len(columns)]))
        cursor.executemany(query, rows)


def bulk_update(table_name, columns, rows):
    """Set columns of the rows whose id is the first value of each row:
    rows are (id, value1, value2, …).

    On PostgreSQL the rows are copied into a temporary table and applied
    with one UPDATE … FROM: no per-row statement, and no foreign key check
    since keys do not change."""
    if not rows:
        return
    cursor = Transaction().connection.cursor()
    if backend.name == 'postgresql':
        from psycopg import sql
        temporary = f'laisui_bulk_{uuid.uuid4().hex[:12]}'
        cursor.execute(sql.SQL(
                'CREATE TEMPORARY TABLE {} ON COMMIT DROP AS '
                'SELECT {} FROM {} WITH NO DATA').format(
                sql.Identifier(temporary),
                sql.SQL(', ').join(
                    map(sql.Identifier, ['id', *columns])),
                sql.Identifier(table_name)))
        _copy(cursor, temporary, ['id', *columns], rows)
        cursor.execute(sql.SQL(
                'UPDATE {table} AS t SET {assignments} FROM {temporary} AS s '
                'WHERE t.id = s.id').format(
                table=sql.Identifier(table_name),
                temporary=sql.Identifier(temporary),
                assignments=sql.SQL(', ').join(
                    sql.SQL('{} = s.{}').format(
                        sql.Identifier(c), sql.Identifier(c))
                    for c in columns)))
        cursor.execute(sql.SQL('DROP TABLE {}').format(
                sql.Identifier(temporary)))
    else:
        table = Table(table_name)
        query, _ = tuple(table.update(
                [Column(table, c) for c in columns], [0] * len(columns),
                where=Column(table, 'id') == 0))
        cursor.executemany(query, [(*row[1:], row[0]) for row in rows])


def forget_cached(*model_names):
    "Drop what the ORM cached of the models after writing below it"
    transaction = Transaction()
    transaction.counter += 1
    # One cache per user and context, as Tryton's own write clears them.
    for cache in transaction.cache.values():
        for name in model_names:
            cache.pop(name, None)

# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Counts and survivors of a cosmic-ray session (scripts/mutation.sh).

    report.py FILE SESSION EQUIVALENT   one tab-separated line of counts
                                        (survivors listed on stderr)
    report.py --total SUMMARY           the JSON line of all files

EQUIVALENT lists the mutants no test can kill, one per line:
    file<TAB>operator<TAB>source line (stripped)<TAB>why it is equivalent
keyed by the mutated line's text, not its number, so that it survives
edits elsewhere in the file."""
import json
import sys
from pathlib import Path

FIELDS = ['file', 'mutants', 'killed', 'timeout', 'incompetent',
    'equivalent', 'survived']


def equivalents(path):
    result = set()
    if path.exists():
        for line in path.read_text(encoding='utf-8').splitlines():
            if line.strip() and not line.startswith('#'):
                file, operator, source, _why = line.split('\t', 3)
                result.add((file, operator, source.strip()))
    return result


def file_counts(file, session, equivalent_path):
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    known = equivalents(equivalent_path)
    counts = dict.fromkeys(FIELDS[1:], 0)
    with use_db(session, WorkDB.Mode.open) as db:
        items = {i.job_id: i for i in db.work_items}
        for job_id, result in db.results:
            counts['mutants'] += 1
            mutation = items[job_id].mutations[0]
            if result.worker_outcome == WorkerOutcome.ABNORMAL:
                counts['timeout'] += 1
            elif result.test_outcome == TestOutcome.KILLED:
                counts['killed'] += 1
            elif result.test_outcome == TestOutcome.INCOMPETENT:
                counts['incompetent'] += 1
            else:
                source = Path(mutation.module_path).read_text(
                    encoding='utf-8').splitlines()[mutation.start_pos[0] - 1]
                operator = mutation.operator_name.rsplit('/', 1)[-1]
                if (file, operator, source.strip()) in known:
                    counts['equivalent'] += 1
                    continue
                counts['survived'] += 1
                print(f'SURVIVED {file}:{mutation.start_pos[0]}\t'
                    f'{operator}\t{source.strip()}', file=sys.stderr)
                print(result.diff or '', file=sys.stderr)
    print('\t'.join([file] + [str(counts[f]) for f in FIELDS[1:]]))


def total(summary):
    files = []
    for line in Path(summary).read_text(encoding='utf-8').splitlines():
        values = line.split('\t')
        files.append(dict(zip(FIELDS, [values[0]] + list(
                        map(int, values[1:])))))
    result = {f: sum(d[f] for d in files) for f in FIELDS[1:]}
    result['files'] = files
    print(json.dumps(result, ensure_ascii=False))


if __name__ == '__main__':
    if sys.argv[1] == '--total':
        total(sys.argv[2])
    else:
        file_counts(sys.argv[1], sys.argv[2], Path(sys.argv[3]))

# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A worker killed (SIGKILL) in the middle of a load: the database holds
nothing of it, and the stalled-run cron loads the file again whole."""
import json
import os
import select
import signal

ROWS = 20_000


def test_killed_load_leaves_nothing_and_resumes(laisui_server):
    server = laisui_server
    run_id = int(server.python(f'''
        from trytond.modules.laisui_connectors.tests.tools import (
            dataset, property_rows, to_csv)
        Run = pool.get('laisui.connector.run')
        # No worker in this script: the run stays queued.
        run, = Run.launch([dataset('housing_property')], 'upload',
            data=to_csv(property_rows({ROWS})), filename='crash.csv')
        print(run.id)
        '''))

    # A worker that stops after the records are written, before commit.
    worker = server.spawn(f'''
        import time
        from trytond.modules.laisui_connectors import pipeline
        link = pipeline._link_applicants
        def pause_after_insert(*args):
            result = link(*args)
            print('inserted', flush=True)
            time.sleep(300)
            return result
        pipeline._link_applicants = pause_after_insert
        pool.get('laisui.connector.run').process({run_id})
        ''')
    try:
        ready, _, _ = select.select([worker.stdout], [], [], 120)
        assert ready, worker.stderr.read() if worker.poll() is not None else (
            'worker did not reach the load')
        assert worker.stdout.readline().strip() == 'inserted', (
            worker.stderr.read())
        if server.backend == 'postgresql':
            # A second worker does not load it again meanwhile.
            assert server.python(f'''
                Run = pool.get('laisui.connector.run')
                print(Run._lock_queued({run_id}))
                ''').strip() == 'False'
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(30)

    state = '''
        Run = pool.get('laisui.connector.run')
        Record = pool.get('laisui.connector.record')
        run = Run({run_id})
        print(json.dumps([run.state, run.inserted, Record.search_count(
            [('dataset.code', '=', 'housing_property')])]))
        '''.format(run_id=run_id)
    assert json.loads(server.python(state)) == ['queued', None, 0]

    server.python('''
        pool.get('laisui.connector.run').resume_stalled(
            older_than=dt.timedelta(0))
        ''')
    assert json.loads(server.python(state)) == ['done', ROWS, ROWS]

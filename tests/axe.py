# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The accessibility audit of a page: axe-core (scripts/lib.sh
ensure_axe_core puts it in var/axe-core) run in the page for the rules of
WCAG 2.1 levels A and AA.

The script is served as if from the page's own origin (a Playwright
route), so the page keeps its Content-Security-Policy while audited."""
import urllib.parse
from pathlib import Path

AXE = Path(__file__).resolve().parent.parent / 'var' / 'axe-core' / (
    'axe.min.js')
TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']
# What fails the audit; "moderate" and "minor" findings are advice.
IMPACTS = {'serious', 'critical'}
# A path no portal page uses, that the route answers with axe-core.
_PATH = '/__axe-core__/axe.min.js'

_RUN = """tags => axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations']})"""


def _inject(page):
    parts = urllib.parse.urlsplit(page.url)
    url = f'{parts.scheme}://{parts.netloc}{_PATH}'
    page.route(url, lambda route: route.fulfill(path=AXE,
            content_type='application/javascript; charset=utf-8'))
    try:
        page.add_script_tag(url=url)
    finally:
        page.unroute(url)


def violations(page):
    "The serious and critical WCAG 2.1 A/AA violations of the page"
    if not AXE.is_file():
        raise RuntimeError(f'{AXE} is missing: run scripts/test.sh '
            '(scripts/lib.sh ensure_axe_core installs it)')
    if not page.evaluate("typeof window.axe === 'object'"):
        _inject(page)
    result = page.evaluate(_RUN, TAGS)
    return [v for v in result['violations'] if v['impact'] in IMPACTS]


def report(found):
    "One line per failing element: the rule, what it asks, where"
    return '\n'.join(
        f"{v['id']} ({v['impact']}): {v['help']}: {node['target']} "
        f"{node.get('failureSummary', '')}".replace('\n', ' ')
        for v in found for node in v['nodes'])


def check(page):
    "Fail unless the page has no serious or critical violation"
    found = violations(page)
    assert not found, f'{page.url}\n{report(found)}'

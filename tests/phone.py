# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What a portal page must be on a phone (tests/test_portal_a11y.py and
the journeys of tests/test_browser.py): no serious or critical WCAG 2.1
A/AA violation (axe-core), nothing wider than the screen, every menu item
on screen, targets of at least 44 × 44 px, table cells labelled."""
import axe

# The narrowest phone still common, and a usual one.
VIEWPORTS = [(360, 740), (390, 844)]
# WCAG 2.5.5 (AAA): 44 × 44 CSS px.
TARGET = 44

# What a finger must hit: menus and links in a navigation or the header,
# a table row's links, buttons, form controls. Links inside running text
# are exempt (WCAG 2.5.5). A checkbox is hit through its label too: the
# label is its target.
_SMALL_TARGETS = """size => {
    const selector = 'nav a, header a, td a, a.button, button, summary, '
        + 'select, textarea, input:not([type=hidden])';
    const small = [];
    for (const element of document.querySelectorAll(selector)) {
        if (!element.checkVisibility({visibilityProperty: true})) {
            continue;
        }
        const target = ['checkbox', 'radio'].includes(element.type)
            && element.closest('label') || element;
        const box = target.getBoundingClientRect();
        if (box.width < size || box.height < size) {
            small.push(`${element.outerHTML.slice(0, 80)} `
                + `${Math.round(box.width)}×${Math.round(box.height)}`);
        }
    }
    return small;
}"""
# The menu items not wholly on screen sideways (the page may scroll down).
_OFF_SCREEN = """() => Array.from(document.querySelectorAll('nav.menu a'))
    .filter(a => {
        const box = a.getBoundingClientRect();
        return !a.checkVisibility({visibilityProperty: true})
            || box.width === 0 || box.left < 0
            || box.right > window.innerWidth;
    }).map(a => a.textContent)"""
# Table cells without the label of their column (data-label, shown when
# the rows stack), and, on a narrow screen, cells squeezed into a column.
_BAD_CELLS = """() => {
    const bad = [];
    for (const table of document.querySelectorAll('table')) {
        const headers = Array.from(table.querySelectorAll('thead th'))
            .map(th => th.textContent.trim());
        for (const row of table.querySelectorAll('tbody tr')) {
            const cells = Array.from(row.cells);
            if (cells.length === 1 && cells[0].colSpan > 1) {
                continue;  // the "nothing yet" row
            }
            cells.forEach((cell, i) => {
                if (cell.dataset.label !== headers[i]) {
                    bad.push(`${table.id || 'table'}: ${cell.outerHTML
                        .slice(0, 60)} is not labelled ${headers[i]}`);
                }
                const box = cell.getBoundingClientRect();
                if (window.innerWidth < 600 && box.width > 0
                        && box.width < table.clientWidth / 2) {
                    bad.push(`${table.id || 'table'}: a cell of `
                        + `${Math.round(box.width)} px`);
                }
            });
        }
    }
    return bad;
}"""


def context(browser, width, height, **kwargs):
    "A browser context as a phone of that screen"
    return browser.new_context(viewport={'width': width, 'height': height},
        device_scale_factor=1, locale='zh-CN', is_mobile=True,
        has_touch=True, **kwargs)


def problems(page):
    "What is wrong with the page as shown: a list of text, empty if none"
    page.wait_for_load_state()
    found = []
    width, shown = page.evaluate('[document.documentElement.scrollWidth, '
        'window.innerWidth]')
    if width > shown:
        found.append(f'scrolls sideways: {width} px wide on {shown} px')
    found += [f'menu item off screen: {t}'
        for t in page.evaluate(_OFF_SCREEN)]
    found += [f'target under {TARGET} px: {t}'
        for t in page.evaluate(_SMALL_TARGETS, TARGET)]
    found += page.evaluate(_BAD_CELLS)
    violations = axe.violations(page)
    if violations:
        found.append(axe.report(violations))
    return found


def check(page):
    "Fail unless the page has no problem"
    found = problems(page)
    assert not found, '\n'.join([page.url, *found])

# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Plain text that admins write, as the blocks a page shows.

Guides and the privacy notice are edited in the back office as plain
text, never HTML: each line is a paragraph, lines starting with "- " or
"•" are the items of a bulleted list, lines starting with "1. " or "1、"
those of a numbered one, and a line starting with "一、" (二、…十、) is a
heading. The templates draw the blocks with Jinja's autoescape, so
whatever the text holds shows as text.
"""
import re

# "- " and "• ": a line "-5 分" or "1.5 分" is text, not an item.
_BULLET = re.compile(r'(?:[-*]\s+|[•·]\s*)')
_NUMBER = re.compile(r'[0-9]{1,3}(?:[.)）]\s+|、\s*)')
_HEADING = re.compile(r'[一二三四五六七八九十]{1,3}、')


def blocks(text):
    """[(kind, content)] of text: ('p', line) for a paragraph, ('h', line)
    for a heading, ('ul', [item, …]) and ('ol', [item, …]) for the
    consecutive lines of a list"""
    result = []
    for line in (text or '').splitlines():
        line = line.strip()
        if not line:
            continue
        if _HEADING.match(line):
            result.append(('h', line))
            continue
        for kind, marker in (('ul', _BULLET), ('ol', _NUMBER)):
            found = marker.match(line)
            if found and line[found.end():]:
                item = line[found.end():]
                if result and result[-1][0] == kind:
                    result[-1][1].append(item)
                else:
                    result.append((kind, [item]))
                break
        else:
            result.append(('p', line))
    return result

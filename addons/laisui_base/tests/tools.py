# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import io

from PIL import Image


def png_bytes(size=8, color='red'):
    "A small valid PNG"
    buffer = io.BytesIO()
    Image.new('RGB', (size, size), color).save(buffer, 'PNG')
    return buffer.getvalue()

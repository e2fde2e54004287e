"""OpenDocument texts (.odt) built by hand for the tests, as LibreOffice Writer writes them: the zip (its mimetype
first, stored), content.xml with automatic styles, paragraphs, headings, tables, and formulas as LibreOffice Math
objects (MathML in ``Object N/content.xml``, with the StarMath annotation LibreOffice keeps)."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
      'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
      'xmlns:xlink="http://www.w3.org/1999/xlink" '
      'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"')
STYLES = ('<office:automatic-styles>'
          '<style:style style:name="T1" style:family="text"><style:text-properties style:text-position="super 58%"/>'
          '</style:style>'
          '<style:style style:name="T2" style:family="text"><style:text-properties style:text-position="sub 58%"/>'
          '</style:style>'
          '<style:style style:name="T3" style:family="text"><style:text-properties fo:font-weight="bold"/>'
          '</style:style></office:automatic-styles>')


def odt(*blocks: str, formulas: dict[str, str] | None = None, mimetype: str = "application/vnd.oasis.opendocument.text"
        ) -> bytes:
    """An .odt of ``blocks``; ``formulas``: object name -> MathML (the ``<math>`` element's content)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # (stored, first, as the format asks)
        zf.writestr("content.xml", f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS} '
                                   f'office:version="1.3">{STYLES}<office:body><office:text>{"".join(blocks)}'
                                   '</office:text></office:body></office:document-content>')
        for name, body in (formulas or {}).items():
            zf.writestr(f"{name}/content.xml", '<?xml version="1.0" encoding="UTF-8"?>'
                        f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><semantics>{body}'
                        f'<annotation encoding="StarMath 5.0">ignored</annotation></semantics></math>')
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
    return buf.getvalue()


def span(text: str, style: str = "T3") -> str:
    return f'<text:span text:style-name="{style}">{escape(text)}</text:span>'


def p(*content: str) -> str:
    return f"<text:p>{''.join(content)}</text:p>"


def h(text: str, level: int = 1) -> str:
    return f'<text:h text:outline-level="{level}">{escape(text)}</text:h>'


def formula(name: str) -> str:
    """A formula object in a paragraph, anchored as a character, as Writer inserts one."""
    return (f'<draw:frame draw:name="{name}" text:anchor-type="as-char"><draw:object xlink:href="./{name}" '
            'xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame>')


def table(*rows: list[str]) -> str:
    body = "".join("<table:table-row>" + "".join(f"<table:table-cell><text:p>{c}</text:p></table:table-cell>"
                                                  for c in row) + "</table:table-row>" for row in rows)
    return f'<table:table table:name="Table1"><table:table-column/>{body}</table:table>'


# MathML, as LibreOffice Math writes it
def mi(x: str) -> str:
    return f"<mi>{escape(x)}</mi>"


def mn(x: str) -> str:
    return f"<mn>{escape(x)}</mn>"


def mo(x: str) -> str:
    return f'<mo stretchy="false">{escape(x)}</mo>'


def mrow(*xs: str) -> str:
    return f"<mrow>{''.join(xs)}</mrow>"


def msub(a: str, b: str) -> str:
    return f"<msub>{a}{b}</msub>"


def msup(a: str, b: str) -> str:
    return f"<msup>{a}{b}</msup>"


def mfrac(a: str, b: str) -> str:
    return f"<mfrac>{a}{b}</mfrac>"

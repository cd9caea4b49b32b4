"""A letter's text as the files people send: a PDF with its text, a scanned PDF, and a phone's photo of the page.

The blind letters are written as text; the bench and the tests render each into these forms, so that the
files' reader (bot/rasa_plugins/letter_files.py) is measured on the same letters as the text reader. The
photo is seeded: the same letter always gives the same picture (turned a few degrees, lower resolution,
blurred and grained, as a page photographed on a table).
"""

from __future__ import annotations

import io
import random
from enum import Enum
from pathlib import Path
from typing import List

from fpdf import FPDF
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

# Debian's fonts-dejavu-core, which Chromium and Tesseract bring along.
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
# An A4 page at 300 dpi, with 2.5 cm margins; 11-point text.
PAGE = (2480, 3508)
MARGIN = 295
FONT_PIXELS = 46
LINE_PIXELS = 62


class LetterForm(Enum):
    PDF = "pdf"  # the PDF the portal gives: text inside
    SCAN = "scan"  # a scanner's PDF: one picture per page, no text
    PHOTO = "photo"  # a phone's photo of the first page, JPEG


def rendered(text: str, form: LetterForm, seed: int = 0) -> bytes:
    if form is LetterForm.PDF:
        return text_pdf(text)
    pages = page_images(text)
    if form is LetterForm.SCAN:
        out = io.BytesIO()
        scans = [page.convert("L") for page in pages]
        scans[0].save(out, format="PDF", resolution=300, save_all=True, append_images=scans[1:])
        return out.getvalue()
    return photo(pages[0], seed)


def text_pdf(text: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_margins(25, 25)
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 5.5, text)
    return bytes(pdf.output())


def _wrapped(text: str, font: ImageFont.FreeTypeFont, width: int) -> List[str]:
    lines: List[str] = []
    for paragraph in text.splitlines():
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if font.getlength(candidate) <= width or not line:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def page_images(text: str) -> List[Image.Image]:
    """The letter set on A4 pages at 300 dpi, black on white."""
    font = ImageFont.truetype(str(FONT), FONT_PIXELS)
    lines = _wrapped(text, font, PAGE[0] - 2 * MARGIN)
    per_page = (PAGE[1] - 2 * MARGIN) // LINE_PIXELS
    pages = []
    for start in range(0, max(len(lines), 1), per_page):
        page = Image.new("L", PAGE, 255)
        draw = ImageDraw.Draw(page)
        for number, line in enumerate(lines[start : start + per_page]):
            draw.text((MARGIN, MARGIN + number * LINE_PIXELS), line, fill=20, font=font)
        pages.append(page)
    return pages


def photo(page: Image.Image, seed: int) -> bytes:
    """The page as a phone photographs it: turned up to 3 degrees, about 150 dpi, grey paper, blur and grain."""
    chance = random.Random(seed)
    turned = page.rotate(chance.uniform(-3.0, 3.0), resample=Image.BICUBIC, expand=True, fillcolor=200)
    small = turned.resize((turned.width // 2, turned.height // 2), Image.LANCZOS)
    soft = small.filter(ImageFilter.GaussianBlur(chance.uniform(0.4, 0.9)))
    shaded = Image.blend(soft, Image.new("L", soft.size, 225), 0.12)
    # Gaussian grain centred on 128: added with an offset of -128, it darkens and lightens evenly.
    grainy = ImageChops.add(shaded, Image.effect_noise(soft.size, 18), 1.0, -128)
    out = io.BytesIO()
    grainy.convert("RGB").save(out, format="JPEG", quality=70)
    return out.getvalue()

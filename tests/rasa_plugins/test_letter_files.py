"""Letters sent as files: a PDF's text, OCR of scans and photos, and every file that gives no letter."""

from __future__ import annotations

import asyncio
import io
import zipfile

import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from bench.letter_forms import LetterForm, photo, rendered, text_pdf
from bot.domain.letters import read_letter
from bot.rasa_plugins.channels.limits import MAX_MESSAGE_LENGTH
from bot.rasa_plugins.letter_files import (
    MAX_FILE_BYTES,
    MAX_IMAGE_PIXELS,
    MAX_PDF_PAGES,
    FileKind,
    FileProblem,
    LetterFileReader,
    read_letter_file,
)

LETTER = """Immigration, Réfugiés et Citoyenneté Canada
Ambassade du Canada - Section des visas
Rabat, Maroc

Le 3 novembre 2026

Numéro de demande : E004455667

Monsieur,

Vous avez présenté une demande de résidence permanente au titre de la catégorie de l'expérience canadienne.
Je ne suis pas convaincu que vous avez fourni le certificat de police demandé. Le certificat de police
exigé n'a pas été reçu dans le délai imparti.
Par conséquent, votre demande est refusée.

Agente des visas
"""
CV = "Curriculum vitae\n\nFatou Diallo, ingénieure logicielle. Expérience : dix ans de développement web.\n" * 3


def _problem(data: bytes) -> FileProblem:
    return read_letter_file(data).problem


@pytest.mark.unit
def test_a_pdf_s_text_is_read_as_the_letter():
    found = read_letter_file(text_pdf(LETTER))
    assert (found.kind, found.problem) == (FileKind.PDF, None)
    reading = read_letter(found.text)
    assert reading is not None and reading.office.name == "Rabat"
    assert [cause.value for cause in reading.causes] == ["missing_documents"]


@pytest.mark.unit
def test_a_pdf_locked_against_editing_only_is_read_and_one_asking_a_password_is_not():
    for password, problem in (("", None), ("secret", FileProblem.ENCRYPTED)):
        writer = PdfWriter(clone_from=io.BytesIO(text_pdf(LETTER)))
        writer.encrypt(user_password=password, owner_password="owner", algorithm="AES-128")
        out = io.BytesIO()
        writer.write(out)
        assert _problem(out.getvalue()) is problem


@pytest.mark.unit
def test_a_pdf_carrying_javascript_is_not_opened():
    writer = PdfWriter(clone_from=io.BytesIO(text_pdf(LETTER)))
    writer.add_open_action(JavaScript("app.alert('hello');"))
    out = io.BytesIO()
    writer.write(out)
    assert _problem(out.getvalue()) is FileProblem.ACTIVE_CONTENT


@pytest.mark.unit
def test_a_damaged_or_endless_pdf_is_said_broken():
    assert _problem(text_pdf(LETTER)[:600]) is FileProblem.BROKEN
    writer = PdfWriter()
    for _ in range(MAX_PDF_PAGES + 1):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    assert _problem(out.getvalue()) is FileProblem.BROKEN


@pytest.mark.unit
def test_files_that_are_no_pdf_and_no_image_or_too_large_are_refused_before_reading():
    document = io.BytesIO()
    with zipfile.ZipFile(document, "w") as word:
        word.writestr("word/document.xml", LETTER)
    assert _problem(document.getvalue()) is FileProblem.NOT_SUPPORTED
    assert _problem(b"") is FileProblem.NOT_SUPPORTED
    assert _problem(b"%PDF-" + b" " * MAX_FILE_BYTES) is FileProblem.TOO_LARGE


@pytest.mark.unit
def test_a_decompression_bomb_is_refused_without_being_unpacked():
    side = int(MAX_IMAGE_PIXELS**0.5) + 100
    bomb = io.BytesIO()
    Image.new("1", (side, side), 1).save(bomb, format="PNG")
    assert len(bomb.getvalue()) < 2_000_000
    assert _problem(bomb.getvalue()) is FileProblem.BROKEN


@pytest.mark.unit
def test_a_pdf_that_is_no_ircc_letter_gives_nothing_to_the_conversation():
    found = read_letter_file(text_pdf(CV))
    assert (found.problem, found.text) == (FileProblem.NOT_A_LETTER, "")


@pytest.mark.unit
def test_a_long_letter_is_cut_at_a_line_to_what_a_message_holds():
    long_letter = LETTER + "\n".join(f"Ligne {n} du relevé des notes de l'agent, sans motif." for n in range(200))
    found = read_letter_file(text_pdf(long_letter))
    assert found.problem is None
    assert len(found.text) <= MAX_MESSAGE_LENGTH
    assert found.text.endswith("sans motif.")


@pytest.mark.unit
def test_past_its_queue_the_reader_says_it_is_busy_instead_of_piling_files_up():
    reader = LetterFileReader()
    reader._pending = 10  # as many files as it reads and lets wait
    assert asyncio.run(reader.read(text_pdf(LETTER))).problem is FileProblem.BUSY
    reader._pending = 0
    assert asyncio.run(reader.read(text_pdf(LETTER))).problem is None


# OCR: Debian's tesseract with its French and English data (make ocr).
@pytest.mark.system
@pytest.mark.parametrize("form", [LetterForm.SCAN, LetterForm.PHOTO])
def test_a_scan_or_a_photo_of_the_letter_is_read_by_ocr(form):
    found = read_letter_file(rendered(LETTER, form, seed=7))
    assert found.problem is None
    reading = read_letter(found.text)
    assert reading is not None and reading.office.name == "Rabat"
    assert [cause.value for cause in reading.causes] == ["missing_documents"]


@pytest.mark.system
def test_a_photo_taken_sideways_is_turned_and_read():
    sideways = Image.open(io.BytesIO(rendered(LETTER, LetterForm.PHOTO, seed=3))).rotate(90, expand=True)
    out = io.BytesIO()
    sideways.save(out, format="PNG")
    reading = read_letter(read_letter_file(out.getvalue()).text)
    assert reading is not None and reading.office.name == "Rabat"


@pytest.mark.system
def test_a_blank_or_blurred_page_says_nothing_could_be_read():
    blank = io.BytesIO()
    Image.new("L", (1240, 1754), 250).save(blank, format="JPEG")
    assert _problem(blank.getvalue()) is FileProblem.NO_TEXT
    page = Image.open(io.BytesIO(rendered(LETTER, LetterForm.PHOTO, seed=1)))
    blurred = photo(page.convert("L").resize((page.width // 8, page.height // 8)), seed=1)
    assert _problem(blurred) in (FileProblem.NO_TEXT, FileProblem.NOT_A_LETTER)

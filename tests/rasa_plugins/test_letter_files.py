"""Letters sent as files: a PDF's text, OCR of scans and photos, and every file that gives no letter."""

from __future__ import annotations

import asyncio
import io
import logging
import random
import re
import struct
import subprocess
import threading
import zipfile
import zlib

import pytest
from PIL import Image, ImageFile
from pypdf import PdfWriter
from pypdf.actions import JavaScript, PageTrigger
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from bench.letter_forms import LetterForm, photo, rendered, text_pdf
from bot.domain.letters import read_letter
from bot.rasa_plugins import letter_files
from bot.rasa_plugins.channels.limits import MAX_MESSAGE_LENGTH
from bot.rasa_plugins.letter_files import (
    MAX_FILE_BYTES,
    MAX_IMAGE_PIXELS,
    MAX_PDF_PAGES,
    MAX_WAITING,
    READERS,
    FileProblem,
    LetterFileReader,
    read_letter_file,
)
from bot.texts import file_response_text

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


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _letter_pdf() -> PdfWriter:
    return PdfWriter(clone_from=io.BytesIO(text_pdf(LETTER)))


def _stream(data: bytes, **entries) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    stream.update({NameObject(f"/{key}"): value for key, value in entries.items()})
    return stream


def _noise_png() -> bytes:
    """A picture that is not blank, so that it goes to OCR, and that Tesseract reads no word in."""
    out = io.BytesIO()
    Image.effect_noise((120, 120), 80).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.unit
def test_a_pdf_locked_against_editing_only_is_read_and_one_asking_a_password_is_not():
    for password, problem in (("", None), ("secret", FileProblem.ENCRYPTED)):
        writer = PdfWriter(clone_from=io.BytesIO(text_pdf(LETTER)))
        writer.encrypt(user_password=password, owner_password="owner", algorithm="AES-128")
        out = io.BytesIO()
        writer.write(out)
        assert _problem(out.getvalue()) is problem


def _document_script(writer: PdfWriter) -> None:
    writer.add_open_action(JavaScript("app.alert('hello');"))


def _page_opening_script(writer: PdfWriter) -> None:
    writer.pages[0].add_action(PageTrigger.OPEN, JavaScript("app.alert('hello');"))


def _link_action(action: dict):
    def add(writer: PdfWriter) -> None:
        link = {"/Type": NameObject("/Annot"), "/Subtype": NameObject("/Link"), "/A": DictionaryObject(action)}
        link["/Rect"] = ArrayObject([NumberObject(n) for n in (10, 10, 100, 30)])
        writer.add_annotation(0, DictionaryObject({NameObject(key): value for key, value in link.items()}))

    return add


def _opening_launch(writer: PdfWriter) -> None:
    launch = {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
    writer.root_object[NameObject("/OpenAction")] = DictionaryObject(launch)


def _xfa_form(writer: PdfWriter) -> None:
    xfa = writer._add_object(_stream(b"<xdp:xdp><script>app.alert(1)</script></xdp:xdp>"))
    form = {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): xfa}
    writer.root_object[NameObject("/AcroForm")] = writer._add_object(DictionaryObject(form))


@pytest.mark.unit
@pytest.mark.parametrize(
    "add_code",
    [
        _document_script,
        _page_opening_script,
        _link_action(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
        ),
        _link_action({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}),
        _opening_launch,
        _xfa_form,
    ],
    ids=["document-script", "page-opening-script", "link-script", "link-launch", "opening-launch", "xfa-form"],
)
def test_a_pdf_carrying_javascript_or_a_launch_action_is_not_opened(add_code):
    writer = _letter_pdf()
    add_code(writer)
    assert _problem(_written(writer)) is FileProblem.ACTIVE_CONTENT


@pytest.mark.unit
def test_a_clean_pdf_whose_compressed_stream_holds_the_bytes_of_a_script_name_is_read():
    # Compressed bytes are random-looking: these 2 kB (a form never drawn) compress to bytes holding "/JS".
    form = _stream(random.Random(355).randbytes(2048), Type=NameObject("/XObject"), Subtype=NameObject("/Form"))
    form[NameObject("/BBox")] = ArrayObject([NumberObject(0)] * 4)
    writer = _letter_pdf()
    resources = writer.pages[0]["/Resources"]
    resources[NameObject("/XObject")] = DictionaryObject({NameObject("/Fm9"): writer._add_object(form.flate_encode())})
    data = _written(writer)
    assert re.search(rb"/JS\b", data)  # what a scan of the raw bytes took for a script
    found = read_letter_file(data)
    assert found.problem is None and "Ambassade du Canada" in found.text


@pytest.mark.unit
def test_a_damaged_pdf_is_said_broken_and_a_long_one_too_long_for_a_letter():
    assert _problem(text_pdf(LETTER)[:600]) is FileProblem.BROKEN
    writer = PdfWriter()
    for _ in range(MAX_PDF_PAGES + 1):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    assert _problem(out.getvalue()) is FileProblem.TOO_MANY_PAGES


def _over_pypdf_s_array_limit() -> bytes:  # pypdf's LimitReachedError
    writer = _letter_pdf()
    writer.pages[0][NameObject("/Extra")] = ArrayObject([NumberObject(0)] * 100_001)
    return _written(writer)


def _unsupported_filter() -> bytes:  # pypdf's NotImplementedError
    writer = _letter_pdf()
    writer.pages[0]["/Contents"].get_object()[NameObject("/Filter")] = NameObject("/UnknownDecode")
    return _written(writer)


def _jbig2_scan() -> bytes:  # pypdf's DependencyError where jbig2dec is missing (and jbig2dec's error elsewhere)
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    picture = _stream(
        b"\0" * 64,
        Type=NameObject("/XObject"),
        Subtype=NameObject("/Image"),
        Width=NumberObject(8),
        Height=NumberObject(8),
        BitsPerComponent=NumberObject(1),
        ColorSpace=NameObject("/DeviceGray"),
        Filter=NameObject("/JBIG2Decode"),
    )
    pictures = DictionaryObject({NameObject("/Im0"): writer._add_object(picture)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): pictures})
    return _written(writer)


@pytest.mark.unit
@pytest.mark.parametrize("make", [_over_pypdf_s_array_limit, _unsupported_filter, _jbig2_scan])
def test_a_pdf_beyond_what_pypdf_reads_is_said_broken(make):
    assert _problem(make()) is FileProblem.BROKEN


@pytest.mark.unit
def test_an_error_nobody_foresaw_is_said_broken_and_logged_by_its_type_only(monkeypatch, caplog):
    class UnforeseenError(Exception):
        pass

    def failing_reader(stream):
        raise UnforeseenError("Fatou Diallo, demande E004455667")

    monkeypatch.setattr(letter_files, "PdfReader", failing_reader)
    caplog.set_level(logging.INFO, logger=letter_files.__name__)
    assert _problem(text_pdf(LETTER)) is FileProblem.BROKEN
    assert "UnforeseenError" in caplog.text and "Fatou" not in caplog.text


@pytest.mark.unit
def test_without_tesseract_a_photo_is_said_broken_and_the_log_says_why(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH where no tesseract is
    caplog.set_level(logging.INFO, logger=letter_files.__name__)
    assert _problem(_noise_png()) is FileProblem.BROKEN
    assert "tesseract could not be run (FileNotFoundError)" in caplog.text


@pytest.mark.unit
def test_tesseract_reads_on_one_thread(monkeypatch):
    environments = []

    def run(command, **options):
        environments.append(options.get("env") or {})
        return subprocess.CompletedProcess(command, 0, stdout=b"", stderr=b"")

    monkeypatch.setattr(subprocess, "run", run)
    assert _problem(_noise_png()) is FileProblem.NO_TEXT
    assert environments and all(env.get("OMP_THREAD_LIMIT") == "1" for env in environments)


@pytest.mark.unit
def test_a_picture_read_with_few_words_is_turned_only_while_the_file_s_ocr_budget_lasts(monkeypatch):
    clock = [0.0]
    readings = []

    def tesseract(image, until):
        readings.append(image.size)
        clock[0] += letter_files.OCR_BUDGET_SECONDS * 0.6
        return "bruit"

    monkeypatch.setattr(letter_files, "monotonic", lambda: clock[0])
    monkeypatch.setattr(letter_files, "_tesseract", tesseract)
    assert _problem(_noise_png()) is FileProblem.NO_TEXT
    # Read upright, then turned once: the budget is spent, the two other turns are skipped.
    assert len(readings) == 2


@pytest.mark.unit
def test_a_scan_of_many_pictures_stops_being_read_when_the_file_s_ocr_budget_is_spent(monkeypatch):
    clock = [0.0]
    timeouts = []

    def tesseract(image, until):
        timeouts.append(until - clock[0])
        clock[0] += letter_files.OCR_BUDGET_SECONDS * 0.6
        return LETTER

    monkeypatch.setattr(letter_files, "monotonic", lambda: clock[0])
    monkeypatch.setattr(letter_files, "_tesseract", tesseract)
    pages = [Image.open(io.BytesIO(_noise_png())).convert("L") for _ in range(3)]
    scan = io.BytesIO()
    pages[0].save(scan, format="PDF", save_all=True, append_images=pages[1:])
    found = read_letter_file(scan.getvalue())
    # The first two pages are read; the budget is then spent and the third is not. What was read is kept.
    assert len(timeouts) == 2 and found.problem is None and "Ambassade du Canada" in found.text
    # Each reading gets the time left, never more.
    assert timeouts[1] < timeouts[0] <= letter_files.OCR_BUDGET_SECONDS


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


def _png_declaring(width: int, height: int) -> bytes:
    """A PNG of a hundred bytes whose header declares width x height pixels, black and white."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.mark.unit
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(
    "side", [9_000, 9_500, 20_000], ids=["over-this-limit", "over-pillow-s-warning", "over-pillow-s-error"]
)
def test_an_image_declaring_too_many_pixels_is_refused_from_its_header(side, monkeypatch):
    # This module's limit decides: Pillow's own (a global, which warns first) is higher.
    assert side * side > MAX_IMAGE_PIXELS and MAX_IMAGE_PIXELS < Image.MAX_IMAGE_PIXELS
    decoded = []
    load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: decoded.append(image) or load(image))
    assert _problem(_png_declaring(side, side)) is FileProblem.BROKEN
    assert decoded == []


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


@pytest.mark.unit
def test_a_file_given_up_while_being_read_counts_until_its_reader_is_done(monkeypatch):
    started, release = threading.Semaphore(0), threading.Event()

    def slow_read(data):
        started.release()
        release.wait(10)
        return letter_files.FileText(text="lu")

    monkeypatch.setattr(letter_files, "read_letter_file", slow_read)
    reader = LetterFileReader()

    async def scenario():
        given_up = [asyncio.create_task(reader.read(b"")) for _ in range(READERS)]
        await asyncio.to_thread(lambda: [started.acquire(timeout=5) for _ in given_up])
        for task in given_up:
            task.cancel()  # the person's connection closed: the readers go on reading
        await asyncio.gather(*given_up, return_exceptions=True)
        waiting = [asyncio.create_task(reader.read(b"")) for _ in range(MAX_WAITING)]
        await asyncio.sleep(0)
        try:
            one_more = await asyncio.wait_for(reader.read(b""), 2)
        finally:
            release.set()
        return one_more, await asyncio.gather(*waiting)

    one_more, read = asyncio.run(scenario())
    assert one_more.problem is FileProblem.BUSY
    assert [found.text for found in read] == ["lu"] * MAX_WAITING


# OCR: Debian's tesseract with its French and English data (make ocr).
# A PDF's text is read as it is (unit); a scan or a photo goes through Tesseract (system).
@pytest.mark.parametrize(
    "form",
    [
        pytest.param(LetterForm.PDF, marks=pytest.mark.unit),
        pytest.param(LetterForm.SCAN, marks=pytest.mark.system),
        pytest.param(LetterForm.PHOTO, marks=pytest.mark.system),
    ],
)
def test_the_letter_is_read_from_a_pdf_a_scan_or_a_photo(form):
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


@pytest.mark.unit
@pytest.mark.parametrize("problem", list(FileProblem))
def test_every_file_problem_has_its_french_answer(problem):
    assert file_response_text(problem.answer).strip()

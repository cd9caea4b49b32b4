"""The text of a letter sent as a file: a PDF (its text, or OCR of its scanned pages) or a photo (OCR).

Every channel hands the bytes here and passes the text on as if the person had pasted it, so that the NLU's
letter reader (letter_reader.py) reads it and the tracker store keeps only the facts read (tracker_store.py).
The bytes stay in memory: nothing is written to disk, and nothing of the file is logged.

What cannot be read comes back as a `FileProblem`, which the channel answers in French (domain.yml's
utter_letter_file_* responses); the conversation goes on.

Tesseract is run as a process, through its command line, rather than through pytesseract: pytesseract needs
`packaging>=21.3`, which Rasa 3.6's pin (`packaging<21`) forbids, and the call is a few lines (docs/libraries.md).
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import subprocess
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import Enum
from functools import cache
from time import monotonic
from typing import Iterator, List, Optional, Set, Tuple

from PIL import Image, ImageOps, ImageStat
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject

from bot.domain.letters import read_letter
from bot.rasa_plugins.channels.limits import MAX_MESSAGE_LENGTH
from bot.settings import MAX_FILE_BYTES

logger = logging.getLogger(__name__)

MAX_PDF_PAGES = 10
# A letter's PDF has a few hundred objects, a few thousand when tagged for screen readers: past this, no letter.
MAX_PDF_OBJECTS = 50_000
# An image declaring more pixels than this is refused from its header, before a pixel is decoded (a decompression
# bomb: a small file unpacking to gigabytes). A 48-megapixel phone photo passes. It sits under Pillow's own global
# limit (Image.MAX_IMAGE_PIXELS, about 89.5 million: a warning past it, an error past twice it), so that this one
# decides; Pillow's error, for an image over twice its limit, is refused the same way.
MAX_IMAGE_PIXELS = 80_000_000
# Tesseract reads a page best at about 300 dpi: an A4 page is about 2,500 x 3,500 pixels.
OCR_LONGEST_SIDE = 3_500
OCR_TIMEOUT_SECONDS = 60
# A file's OCR time in all: once spent, no picture is read any more (what was read is kept), and no Tesseract run
# outlasts it, so that a scan of many pictures or of blank-looking pages does not hold a reader for minutes.
OCR_BUDGET_SECONDS = 40
OCR_LANGUAGES = "fra+eng"
# Fewer letters than this on a PDF's pages: the page is a scan, read by OCR.
MIN_TEXT_LETTERS = 80
# A page whose pixels barely vary is blank (or a photo of nothing): no OCR.
MIN_PIXEL_SPREAD = 6.0

# A page read upright holds a good many of these (a letter of ten lines, some thirty).
MIN_COMMON_WORDS = 12
_COMMON_WORDS = frozenset(
    "the of and to a in your you is for that be on have with this not are by as an or from at we has been was "
    "de la le les et des du un une en votre vous à pour que qui est au dans sur par pas ne a été avec nous ce".split()
)
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
# What makes a viewer run code, in a PDF's objects: an action running JavaScript, launching a program or rich
# media; the keys holding scripts (an action's /JS, the catalog's /Names -> /JavaScript) or an XFA form's.
_CODE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/RichMediaExecute"})
_CODE_KEYS = frozenset({"/JS", "/JavaScript", "/XFA"})


class FileKind(Enum):
    PDF = "pdf"
    IMAGE = "image"


class FileProblem(Enum):
    """Why a file gives no letter text; each has its French answer (utter_letter_file_<value>)."""

    TOO_LARGE = "too_large"
    NOT_SUPPORTED = "not_supported"  # neither a PDF nor an image Pillow reads (a Word file, HEIC, a video)
    ENCRYPTED = "encrypted"  # a PDF that asks for a password
    ACTIVE_CONTENT = "active_content"  # a PDF carrying JavaScript or a launch action
    BROKEN = "broken"  # damaged, cut short, too many objects or pixels, or beyond what the libraries read
    # More pages than a letter has: often the whole application, sent by mistake. Said apart from BROKEN, so that
    # the person sends the letter's pages rather than the same file again.
    TOO_MANY_PAGES = "too_many_pages"
    NO_TEXT = "no_text"  # blank, blurred, or nothing legible
    NOT_A_LETTER = "not_a_letter"  # text, but no IRCC letter in it (a CV, a passport): nothing of it is kept
    BUSY = "busy"  # this process is already reading as many files as it may
    UNREACHABLE = "unreachable"  # the platform did not hand the file over

    @property
    def answer(self) -> str:
        """The name of the French answer in domain.yml."""
        return f"utter_letter_file_{self.value}"


@dataclass(frozen=True)
class FileText:
    """What a file gave: its text, or the reason there is none."""

    text: str = ""
    problem: Optional[FileProblem] = None


def file_kind(data: bytes) -> Optional[FileKind]:
    """What the file is, from its first bytes: the name or type a client declares is not trusted."""
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return FileKind.PDF
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")):
        return FileKind.IMAGE
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return FileKind.IMAGE
    return None


# OCR takes a core for a second or more a page: a process reads this many files at once, and lets this many
# more wait; past that, the person is asked to try again in a minute.
READERS = 2
MAX_WAITING = 8


class LetterFileReader:
    """Reads files off the event loop, a few at a time, so that a channel keeps answering while a photo is read."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="letter-file")
        # Files being read or waiting for a reader. Released by the pool's thread when it is done with the file, not
        # when the caller stops waiting: a request given up (its connection closed) leaves its file being read.
        self._pending = 0
        self._lock = threading.Lock()

    async def read(self, data: bytes) -> FileText:
        with self._lock:
            if self._pending >= READERS + MAX_WAITING:
                return FileText(problem=FileProblem.BUSY)
            self._pending += 1
        job = self._pool.submit(read_letter_file, data)
        job.add_done_callback(self._release)
        # Given up while still waiting, the file is taken off the queue (and released); being read, it runs on.
        return await asyncio.wrap_future(job)

    def _release(self, _: Future) -> None:
        with self._lock:
            self._pending -= 1


@cache
def letter_file_reader() -> LetterFileReader:
    """The process's reader, made on first use."""
    return LetterFileReader()


def read_letter_file(data: bytes) -> FileText:
    """The text of a letter sent as a file, read in memory; NOT_A_LETTER when the text is no IRCC letter.

    Never raises: a file the libraries choke on (a PDF over one of pypdf's limits, a filter or an encryption it does
    not support, a JBIG2 picture, a damaged image) is BROKEN, and so is a file met while Tesseract is missing.
    """
    try:
        found = _file_text(data, ocr_until=monotonic() + OCR_BUDGET_SECONDS)
        if found.problem is None and read_letter(found.text) is None:
            return FileText(problem=FileProblem.NOT_A_LETTER)
        return found
    except Exception as error:  # noqa: BLE001 - whatever the file makes fail, the person gets an answer
        # The type only: an error's message may quote the file.
        logger.info("letter file: not readable (%s)", type(error).__name__)
        return FileText(problem=FileProblem.BROKEN)


def _file_text(data: bytes, ocr_until: float) -> FileText:
    if len(data) > MAX_FILE_BYTES:
        return FileText(problem=FileProblem.TOO_LARGE)
    kind = file_kind(data)
    if kind is FileKind.PDF:
        return _pdf_text(data, ocr_until)
    if kind is FileKind.IMAGE:
        return _image_text(data, ocr_until)
    return FileText(problem=FileProblem.NOT_SUPPORTED)


def _pdf_text(data: bytes, ocr_until: float) -> FileText:
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        # Many portals encrypt with an empty password, to forbid editing only: those are read.
        return FileText(problem=FileProblem.ENCRYPTED)
    if len(reader.pages) > MAX_PDF_PAGES:
        return FileText(problem=FileProblem.TOO_MANY_PAGES)
    problem = _pdf_problem(reader)
    if problem is not None:
        return FileText(problem=problem)
    pages = [_page_text(page, ocr_until) for page in reader.pages]
    if any(page is None for page in pages):
        return FileText(problem=FileProblem.BROKEN)
    return _found("\n\n".join(page for page in pages if page))


def _pdf_problem(reader: PdfReader) -> Optional[FileProblem]:
    """ACTIVE_CONTENT when an object of the document would make a viewer run code: an action (opening the document,
    a page's or a link's, a form field's, a bookmark's), the document's scripts, an XFA form, rich media. BROKEN past
    MAX_PDF_OBJECTS objects.

    Every object reachable from the catalog is looked at as pypdf parses it (after decryption, and those packed in
    compressed object streams too). The streams' contents (a page's drawing, a font, a picture) are data, not
    objects: they are not read, and their compressed bytes, which may hold "/JS" by chance, refuse nothing.
    """
    resolved: Set[Tuple[int, int]] = set()
    todo: List[Optional[PdfObject]] = [reader.trailer.raw_get("/Root")]
    while todo:
        item = todo.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in resolved:
                continue  # pages point back to their parent, annotations to their page
            resolved.add((item.idnum, item.generation))
            if len(resolved) > MAX_PDF_OBJECTS:
                return FileProblem.BROKEN
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            action = item["/S"] if "/S" in item else None
            if (
                not _CODE_KEYS.isdisjoint(item)
                or (isinstance(action, str) and action in _CODE_ACTIONS)
                or item.get("/Subtype") == "/RichMedia"
            ):
                return FileProblem.ACTIVE_CONTENT
            todo.extend(item.values())
        elif isinstance(item, ArrayObject):
            todo.extend(item)
    return None


def _page_text(page, ocr_until: float) -> Optional[str]:
    """The page's text, or OCR of its images when it has little text (a scan); None when an image is too large."""
    text = page.extract_text() or ""
    if len(_LETTERS.findall(text)) >= MIN_TEXT_LETTERS:
        return text
    scanned: List[str] = []
    for picture in page.images:
        image = _opened(picture.data)
        if image is None:
            return None
        scanned.append(_ocr(image, ocr_until))
    return "\n".join([text, *scanned]).strip()


def _image_text(data: bytes, ocr_until: float) -> FileText:
    image = _opened(data)
    if image is None:
        return FileText(problem=FileProblem.BROKEN)
    return _found(_ocr(image, ocr_until))


def _opened(data: bytes) -> Optional[Image.Image]:
    """The image, upright and in grey; None when it holds too many pixels. Pillow's errors on a file it cannot
    read go up to read_letter_file."""
    try:
        # Only the header is read here: the size is known before a pixel is decoded.
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        return None
    if image.width * image.height > MAX_IMAGE_PIXELS:
        return None
    image.load()
    # A phone stores the photo sideways with a note of how to turn it.
    image = ImageOps.exif_transpose(image).convert("L")
    if max(image.size) > OCR_LONGEST_SIDE:
        image.thumbnail((OCR_LONGEST_SIDE, OCR_LONGEST_SIDE))
    return image


def _ocr(image: Image.Image, until: float) -> str:
    if monotonic() >= until or ImageStat.Stat(image).stddev[0] < MIN_PIXEL_SPREAD:
        return ""
    best = _tesseract(image, until)
    if _words(best) >= MIN_COMMON_WORDS:
        return best
    # Few words read: the page may be on its side or upside down. Tesseract's own orientation detection was
    # wrong on upright blurred photos, so each turn is read and the one giving the most words is kept, while the
    # file's OCR budget lasts.
    for turn in (90, 270, 180):
        if monotonic() >= until:
            break
        text = _tesseract(image.rotate(turn, expand=True), until)
        if _words(text) > _words(best):
            best = text
        if _words(best) >= MIN_COMMON_WORDS:
            break
    return best


def _words(text: str) -> int:
    """How many of the commonest English and French words the text holds: garbage from a page read sideways
    has letters, but not these."""
    return sum(1 for word in re.findall(r"[a-zà-ÿ]+", text.lower()) if word in _COMMON_WORDS)


def _tesseract(image: Image.Image, until: float) -> str:
    timeout = max(1.0, min(OCR_TIMEOUT_SECONDS, until - monotonic()))
    return _run_tesseract(image, timeout, "-l", OCR_LANGUAGES, "--psm", "3")


def _run_tesseract(image: Image.Image, timeout: float, *options: str) -> str:
    """Tesseract on a PNG piped in; its text piped out. No file touches the disk."""
    png = io.BytesIO()
    image.save(png, format="PNG")
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", *options],
            input=png.getvalue(),
            capture_output=True,
            timeout=timeout,
            check=False,
            # One thread each: Tesseract's OpenMP would spread every page over all the cores, READERS pages at once,
            # and starve Rasa's own work; so OCR takes READERS cores at most.
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
    except subprocess.TimeoutExpired:
        logger.warning("letter file: OCR stopped after %d s", timeout)
        return ""
    except OSError as error:
        # The file is answered BROKEN (read_letter_file); the log says why: Tesseract is missing (make ocr).
        logger.error("letter file: tesseract could not be run (%s)", type(error).__name__)
        raise
    if done.returncode != 0:
        # Its stderr may quote what it read: only the exit code is logged.
        logger.warning("letter file: tesseract failed with exit code %d", done.returncode)
        return ""
    return done.stdout.decode("utf-8", errors="replace")


def _found(text: str) -> FileText:
    text = _tidy(text)
    if len(_LETTERS.findall(text)) < MIN_TEXT_LETTERS:
        return FileText(problem=FileProblem.NO_TEXT)
    if len(text) > MAX_MESSAGE_LENGTH:
        # What a message may hold: the letterhead, the decision and its reasons come first in a letter; the
        # last page's lines on judicial review and the signature are what is cut.
        text = text[
            : text.rfind("\n", 0, MAX_MESSAGE_LENGTH) if "\n" in text[:MAX_MESSAGE_LENGTH] else MAX_MESSAGE_LENGTH
        ]
    return FileText(text=text)


def _tidy(text: str) -> str:
    """Spaces and empty lines an extraction leaves, and characters no message carries (control codes)."""
    lines: Iterator[str] = (" ".join(line.split()) for line in text.replace("\x0c", "\n").splitlines())
    tidy = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return "".join(char for char in tidy if char == "\n" or char.isprintable())

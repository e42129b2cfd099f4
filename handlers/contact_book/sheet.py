"""A CSV upload read as a sheet: its encoding (UTF-8 with or without BOM, UTF-16, Windows-1252, Latin-1),
its delimiter (comma, semicolon, tab, or Excel's `sep=` line), which column means which field (the
headers cadres write: 'No. HP', 'Nama Lengkap'), and its non-empty rows. csv_import.py acts on it.
"""

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from handlers.contact_book.fields import parse_phone, unescape_cell
from models.errors import BadRequest, KentonganError

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
_EMPTY = {"", "-", "\u2013", "\u2014"}  # a dash is how Indonesian spreadsheets often leave a cell blank


class TooLarge(KentonganError):
    """An upload over the size or row limit."""

    status_code = 413


_PHONE_WORDS = {"phone", "hp", "nohp", "telepon", "telpon", "telp", "tlp", "handphone", "ponsel", "wa"}
_PHONE_WORDS |= {"whatsapp", "mobile", "gsm", "notelp", "msisdn"}
_WHATSAPP_ID_KEYS = {"whatsapp_id", "whatsapp_user_id", "wa_user_id", "user_id"}


def column_of(header: str) -> str | None:
    """Which field a spreadsheet's column header names (kind to cadres: 'No. HP', 'Nama Lengkap')."""
    key = re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")
    words = set(key.split("_"))
    if key in _WHATSAPP_ID_KEYS:
        return "whatsapp_id"
    if "rt" in words and "rw" in words:
        return "rt_rw"
    for name, vocabulary in (
        ("rt", {"rt"}),
        ("rw", {"rw"}),
        ("dusun", {"dusun", "dsn", "dukuh"}),  # before the name: 'Nama Dusun' is a dusun
        ("phone", _PHONE_WORDS),
        ("name", {"nama", "name"}),
        ("topics", {"topics", "topic", "topik", "minat"}),
        ("tags", {"tags", "tag", "label", "kelompok"}),
        ("consent", {"consent", "persetujuan", "setuju", "bersedia", "langganan", "berlangganan"}),
        ("note", {"keterangan", "ket", "catatan", "note", "notes"}),
    ):
        if words & vocabulary:
            return name
    # 'nomor' alone is the number; 'No' alone (or 'Nomor Urut') is the row's running number.
    return "phone" if key in ("nomor", "nomer") else None


@dataclass(frozen=True, slots=True)
class Sheet:
    """A CSV file read: how, which columns mean what, and its non-empty rows by spreadsheet row number."""

    encoding: str
    delimiter: str
    columns: dict[str, str]  # field -> the header as written
    ignored_columns: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]]
    skipped_empty: int


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise BadRequest("this is an Excel workbook, not CSV: in Excel choose Save As > CSV (UTF-8)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise BadRequest("the file starts as UTF-16 but is not") from error
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"  # what Windows Excel writes as "CSV"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _sniff(line: str) -> str:
    counts = dict.fromkeys((",", ";", "\t"), 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=counts.__getitem__)  # ties go to the comma, listed first
    return best if counts[best] else ","


def _strip(value: str) -> str:
    return unescape_cell(value.replace("\u00a0", " ").strip())


def _clean(value: str) -> str:
    text = _strip(value)
    return "" if text in _EMPTY else text


def read_sheet(data: bytes, *, max_rows: int = MAX_IMPORT_ROWS) -> Sheet:
    """Decode and split a CSV upload: UTF-8 (with or without BOM), UTF-16, Windows-1252 or Latin-1;
    comma, semicolon (Indonesian Excel) or tab, or Excel's `sep=` line. BadRequest when it has no header
    naming a phone column; TooLarge over `max_rows`."""
    if len(data) > MAX_IMPORT_BYTES:
        raise TooLarge(f"the file is over {MAX_IMPORT_BYTES // (1024 * 1024)} MB: split it")
    text, encoding = _decode(data)
    text = text.removeprefix("\ufeff").removeprefix("ï»¿")
    if "\x00" in text:
        raise BadRequest("the file contains NUL bytes: it is not a text CSV")
    first_row = 1
    sep = re.match(r"sep=(.)\r?\n", text, re.IGNORECASE)
    if sep:
        delimiter, text, first_row = sep.group(1), text[sep.end() :], 2
    else:
        first_line = next((line for line in text.splitlines() if line.strip()), "")
        delimiter = _sniff(first_line)
    if delimiter in ('"', "\r", "\n"):
        raise BadRequest("the sep= line names an impossible delimiter")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    fields: dict[int, str] = {}
    columns: dict[str, str] = {}
    ignored: list[str] = []
    rows: list[tuple[int, dict[str, str]]] = []
    skipped = 0
    number = first_row - 1
    try:
        for number, record in enumerate(reader, start=first_row):
            cells = [_strip(cell) for cell in record]
            if header is None:
                if any(_clean(cell) for cell in cells):
                    header = [_clean(cell) for cell in cells]
                    for index, name in enumerate(header):
                        field_name = column_of(name) if name else None
                        if field_name is None or field_name in columns:
                            if name:
                                ignored.append(name)
                            continue
                        fields[index], columns[field_name] = field_name, name
                    _check_header(header, columns)
                continue
            if not any(_clean(cell) for cell in cells):
                skipped += 1
                continue
            if len(rows) >= max_rows:
                raise TooLarge(f"more than {max_rows} rows: split the file")
            # A dash is a blank cell, except where it answers the consent question (then it means no).
            values = {
                name: cells[i] if name == "consent" else _clean(cells[i])
                for i, name in fields.items()
                if i < len(cells)
            }
            rows.append((number, values))
    except csv.Error as error:
        raise BadRequest(f"row {number + 1} is not valid CSV ({error})") from error
    if header is None:
        raise BadRequest("the file is empty")
    return Sheet(encoding, delimiter, columns, tuple(ignored), rows, skipped)


def _check_header(header: Sequence[str], columns: Mapping[str, str]) -> None:
    if "phone" in columns or "whatsapp_id" in columns:
        return
    for cell in header:
        try:
            parse_phone(cell)
        except BadRequest:
            continue
        raise BadRequest(
            "no header row: the first row holds data; add a row naming the columns "
            "(nama, hp, dusun, rw, rt, topik)"
        )
    # The cells are not repeated: errors are logged, and a first row may be a resident's name.
    known = ", ".join(columns) or "none"
    raise BadRequest(
        f"no phone column: name one hp, no_hp, nomor, telepon or phone "
        f"({sum(1 for cell in header if cell)} columns, recognised: {known})"
    )

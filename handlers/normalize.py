"""Normalising informal Indonesian (and Javanese/Sundanese) SMS text into plain lower-case tokens.

The output is what the understanding step matches its lexicons against: lower case, no emoji or
punctuation, the usual SMS abbreviations expanded (docs/domain.md), digit reduplication spelled out
("anak2" -> "anak anak"), letters and digits split ("rt03" -> "rt 03", "10rb" -> "10 ribu") and
whitespace collapsed. A slash between digits is kept ("02/05") so that "RT 02/05" can still be read as
RT 2 RW 5; any other slash separates words ("rt3/rw1" -> "rt 3 rw 1").
"""

import re
import unicodedata

__all__ = ["ABBREVIATIONS", "normalize", "tokens"]

# Abbreviations and spelling variants residents use, mapped to the word the lexicons are written in.
# Values may hold several words ("dll"). Keys are single lower-case tokens.
ABBREVIATIONS: dict[str, str] = {
    # negation
    "gk": "tidak",
    "gak": "tidak",
    "ga": "tidak",
    "g": "tidak",
    "gx": "tidak",
    "nggak": "tidak",
    "ngga": "tidak",
    "nggk": "tidak",
    "ngak": "tidak",
    "enggak": "tidak",
    "engga": "tidak",
    "kagak": "tidak",
    "ndak": "tidak",
    "nda": "tidak",
    "tdk": "tidak",
    "tak": "tidak",
    "tidk": "tidak",
    # pronouns and function words
    "yg": "yang",
    "sy": "saya",
    "sya": "saya",
    "blm": "belum",
    "blum": "belum",
    "blom": "belum",
    "belom": "belum",
    "sdh": "sudah",
    "udh": "sudah",
    "udah": "sudah",
    "sudh": "sudah",
    "dah": "sudah",
    "uda": "sudah",
    "gmn": "bagaimana",
    "gmna": "bagaimana",
    "gimana": "bagaimana",
    "gmana": "bagaimana",
    "bgmn": "bagaimana",
    "bgmana": "bagaimana",
    "brp": "berapa",
    "brapa": "berapa",
    "knp": "kenapa",
    "napa": "kenapa",
    "ngapa": "kenapa",
    "tlg": "tolong",
    "tlng": "tolong",
    "kpd": "kepada",
    "utk": "untuk",
    "utuk": "untuk",
    "untk": "untuk",
    "dgn": "dengan",
    "dg": "dengan",
    "krn": "karena",
    "krna": "karena",
    "karna": "karena",
    "skrg": "sekarang",
    "skrng": "sekarang",
    "skr": "sekarang",
    "skrang": "sekarang",
    "tgl": "tanggal",
    "kmrn": "kemarin",
    "kmarin": "kemarin",
    "kemaren": "kemarin",
    "kmaren": "kemarin",
    "bsk": "besok",
    "besuk": "besok",
    "rb": "ribu",
    "rebu": "ribu",
    "jt": "juta",
    "jta": "juta",
    "dr": "dari",
    "dri": "dari",
    "dpn": "depan",
    "bgt": "banget",
    "bngt": "banget",
    "bgd": "banget",
    "jl": "jalan",
    "jln": "jalan",
    "jaln": "jalan",
    "dsn": "dusun",
    "tp": "tapi",
    "tpi": "tapi",
    "jg": "juga",
    "jga": "juga",
    "sm": "sama",
    "trs": "terus",
    "trus": "terus",
    "lg": "lagi",
    "lgi": "lagi",
    "aja": "saja",
    "aj": "saja",
    "ajah": "saja",
    "bs": "bisa",
    "bsa": "bisa",
    "msh": "masih",
    "masi": "masih",
    "pdhl": "padahal",
    "pdahal": "padahal",
    "org": "orang",
    "blkg": "belakang",
    "blakang": "belakang",
    "sblm": "sebelum",
    "stlh": "setelah",
    "thn": "tahun",
    "th": "tahun",
    "bln": "bulan",
    "mgg": "minggu",
    "mggu": "minggu",
    "hr": "hari",
    "dll": "dan lain lain",
    "dpt": "dapat",
    "dapet": "dapat",
    "dpat": "dapat",
    "kalo": "kalau",
    "klo": "kalau",
    "klu": "kalau",
    "ttg": "tentang",
    "sj": "saja",
    "nmr": "nomor",
    "nomer": "nomor",
    "no": "nomor",
    "nmor": "nomor",
    "bpk": "bapak",
    "pk": "pak",
    "pa": "pak",
    "bp": "bapak",
    "kpl": "kepala",
    "ds": "desa",
    "gini": "begini",
    "gitu": "begitu",
    "lbh": "lebih",
    "sgt": "sangat",
    "bnyk": "banyak",
    "byk": "banyak",
    "bnyak": "banyak",
    "sdg": "sedang",
    "lgsg": "langsung",
    "lngsung": "langsung",
    "pake": "pakai",
    "pakek": "pakai",
    "dipake": "dipakai",
    "dipakek": "dipakai",
    "mo": "mau",
    "pengen": "ingin",
    "pgn": "ingin",
    "ijin": "izin",
    "tau": "tahu",
    "tw": "tahu",
    "ngerti": "mengerti",
    "dtg": "datang",
    "dateng": "datang",
    "trims": "terima kasih",
    "trimakasih": "terima kasih",
    "terimakasih": "terima kasih",
    "trmksh": "terima kasih",
    "tks": "terima kasih",
    "mksh": "makasih",
    "makasi": "makasih",
    "mkasih": "makasih",
    "maaciw": "makasih",
    "thx": "thanks",
    "tq": "thanks",
    "ty": "thanks",
    "hub": "hubungi",
    "ass": "assalamualaikum",
    "aslm": "assalamualaikum",
    "askum": "assalamualaikum",
    "asw": "assalamualaikum",
    "asalamualaikum": "assalamualaikum",
    "assalamu": "assalamualaikum",
    "assalamuallaikum": "assalamualaikum",
    "assalammualaikum": "assalamualaikum",
    "mslh": "masalah",
    "msalah": "masalah",
    "bnr": "benar",
    "bener": "benar",
    "hrs": "harus",
    "spt": "seperti",
    "kyk": "kayak",
    "kyak": "kayak",
    "dlm": "dalam",
    "sampe": "sampai",
    "nyampe": "sampai",
    "smpe": "sampai",
    "ampe": "sampai",
    "ktnya": "katanya",
    "ktanya": "katanya",
    "bbrp": "beberapa",
    "brbg": "berbagai",
    "sgr": "segera",
    "mhn": "mohon",
    "mohn": "mohon",
    "tmn": "teman",
    "ank": "anak",
    "kls": "kelas",
    "sklh": "sekolah",
    "skolah": "sekolah",
    "rmh": "rumah",
    "rumh": "rumah",
    "pmrntah": "pemerintah",
    "pemdes": "pemerintah desa",
    "kdes": "kades",
    "kepdes": "kades",
    "kpldes": "kades",
    "kdus": "kadus",
    "mimpin": "memimpin",
    "jadual": "jadwal",
    "apbdesa": "apbdes",
    "sangsi": "sanksi",
    "musdesnya": "musdes",
    "jgn": "jangan",
    "jngn": "jangan",
    "jgan": "jangan",
    "gausah": "tidak usah",
    "gusah": "tidak usah",
    "jd": "jadi",
    "jdi": "jadi",
    "kpn": "kapan",
    "kpan": "kapan",
    "dmn": "dimana",
    "dmna": "dimana",
    "blg": "bilang",
    "bls": "balas",
    "bales": "balas",
    "dibales": "dibalas",
    "lom": "belum",
    "krm": "kirim",
    "tlp": "telepon",
    "telp": "telepon",
    "pantes": "pantas",
    "hrg": "harga",
    "hrga": "harga",
    # Javanese and Sundanese everyday words with a plain Indonesian equivalent
    "kulo": "kula",
    "pingin": "ingin",
    "pengin": "ingin",
    "kepengen": "ingin",
    "hoyong": "ingin",
    "kenging": "dapat",
    "angsal": "dapat",
    "entuk": "dapat",
    "tny": "tanya",
    "tnya": "tanya",
    "tanyak": "tanya",
    "apkah": "apakah",
    "apakh": "apakah",
    "ngk": "tidak",
    "blh": "boleh",
    "lsg": "langsung",
    "sampek": "sampai",
    "yopo": "bagaimana",
    "piro": "berapa",
    "mrk": "mereka",
    "kaga": "tidak",  # Betawi
    "pegimana": "bagaimana",
    "gimane": "bagaimana",
    "nyang": "yang",
    "kepriwe": "bagaimana",  # Banyumasan
    "priwe": "bagaimana",
    "klw": "kalau",
    "setaun": "setahun",
    "taun": "tahun",
    "dadi": "jadi",
    "kog": "kok",
    "kada": "tidak",  # Banjar
    "suah": "pernah",
}

# Address terms that are never reduplicated with a digit: "rt2" is RT 2, not "rt rt".
_NO_REDUP = frozenset(
    {
        "rt",
        "rw",
        "rk",
        "no",
        "nomor",
        "ke",
        "tahap",
        "jam",
        "tgl",
        "tanggal",
        "hal",
        "kelas",
        "kls",
        "bidang",
        "blok",
        "gang",
        "gg",
        "lantai",
        "lorong",
        "termin",
        "sd",
        "smp",
        "sma",
        "tk",
        "lt",
        "km",
        "bab",
        "pasal",
        "dusun",
        "dsn",
    }
)

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_THOUSANDS = re.compile(r"(?<=\d)[.,](?=\d{3}(?!\d))")
# Everything that is not a letter, digit or slash separates tokens.
_PUNCT = str.maketrans(
    {c: " " for c in "!\"#$%&'()*+,-.:;<=>?@[\\]^_`{|}~" + "".join(map(chr, [*range(32), 127]))}
)
_ELONGATED = re.compile(r"([a-z])\1{2,}")
_REDUP = re.compile(r"^([a-z]{2,})2(an|nya|in|kan|e|ne|na)?$")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_DIGIT_SLASH = re.compile(r"^\d+/\d+$")

# Memo of single-token normalisations: the same few thousand words recur in every message, so this
# turns most of the work into one dict lookup. Bounded so that odd input cannot grow it forever.
_TOKEN_CACHE: dict[str, tuple[str, ...]] = {}
_TOKEN_CACHE_MAX = 200_000


def _expand(word: str) -> tuple[str, ...]:
    """One lower-case alphanumeric word (no slash) as normalised tokens."""
    if not word.isdigit():
        if not word.isalpha():
            m = _REDUP.match(word)
            if m is not None and m.group(1) not in _NO_REDUP:
                base = m.group(1)
                base = ABBREVIATIONS.get(base, base)
                return (base, base + (m.group(2) or ""))
            parts = _LETTER_DIGIT.sub(" ", word).split()
            if len(parts) > 1:
                return tuple(p for part in parts for p in _expand(part))
            return (word,)
        if len(word) > 2:
            word = _ELONGATED.sub(r"\1", word)
        mapped = ABBREVIATIONS.get(word)
        if mapped is not None:
            return tuple(mapped.split())
    return (word,)


def _normalize_token(raw: str) -> tuple[str, ...]:
    """Normalise one whitespace-separated chunk (already lower-cased and punctuation-free)."""
    if "/" in raw:
        if _DIGIT_SLASH.match(raw):
            return (raw,)
        out: list[str] = []
        for piece in raw.split("/"):
            if piece:
                out.extend(_normalize_token(piece))
        return tuple(out)
    return _expand(raw)


def tokens(text: str) -> list[str]:
    """The normalised tokens of `text` (see the module docstring)."""
    s = text.lower()
    if not s.isascii():
        # NFKD turns accented and "fancy font" letters into ASCII plus combining marks; whatever is still
        # not ASCII afterwards (emoji, marks, symbols) becomes a separator.
        s = _NON_ASCII.sub(" ", unicodedata.normalize("NFKD", s)).lower()
    if "." in s or "," in s:
        s = _THOUSANDS.sub("", s)
    s = s.translate(_PUNCT)
    out: list[str] = []
    cache = _TOKEN_CACHE
    for raw in s.split():
        norm = cache.get(raw)
        if norm is None:
            norm = _normalize_token(raw)
            if len(cache) >= _TOKEN_CACHE_MAX:
                cache.clear()
            cache[raw] = norm
        out.extend(norm)
    return out


def normalize(text: str) -> str:
    """Lower-case `text`, drop emoji and punctuation, expand abbreviations and collapse whitespace."""
    return " ".join(tokens(text))

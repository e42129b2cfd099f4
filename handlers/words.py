"""The word lists and compiled lexicons that the modules of understanding share (mostly data).

The weighted lexicons of `handlers.lexicon`, and the fault lexicon of the village head's conduct below, are
compiled here once at import: into unigram, bigram and trigram tables, and into one `_WORDS` entry per
token that holds everything the scorer (`handlers.evidence`) needs to know about it, so that a message
costs a handful of dict lookups per token. Also here: the word lists several of those modules read
(greetings, fillers, the words that introduce a report, everyday words) and the typo scheme of one
deletion (`deletions`, `deletion_index`) that keywords (`handlers.understand`) and fault words
(`handlers.head_fault`) share.
"""

from collections.abc import Mapping

from handlers.lexicon import (
    _CAT0,
    _CATEGORY_LEXICON,
    _CATEGORY_ORDER,
    _HEAD,
    _INTENT_LEXICON,
    _MISCONDUCT,
    _TOPIC0,
    _TOPIC_LEXICON,
    _TOPIC_ORDER,
)
from handlers.normalize import tokens


def wordset(spec: str) -> frozenset[str]:
    """The whitespace-separated words of `spec`."""
    return frozenset(spec.split())


def deletions(word: str) -> list[str]:
    """All strings one deletion away from `word`."""
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def deletion_index(spellings: Mapping[str, str], *, min_length: int = 0) -> dict[str, str]:
    """One deletion from each spelling (of `min_length` letters or more) -> what it spells (SymSpell
    style, edit distance one); a deletion two different words share is left out as ambiguous."""
    index: dict[str, str] = {}
    ambiguous: set[str] = set()
    for spelling, canonical in spellings.items():
        if len(spelling) < min_length:
            continue
        for d in deletions(spelling):
            if index.get(d, canonical) != canonical:
                ambiguous.add(d)
            index[d] = canonical
    for d in ambiguous:
        del index[d]
    return index


# Greetings and forms of address that may come before the point of a message.
_GREETINGS = wordset("""
    assalamualaikum alaikum salamualaikum wr wb warahmatullahi wabarakatuh warahmatullah wassalam
    pagi siang sore malam halo hallo helo hai hi hey pak bu bapak ibu mas mbak mba kak min admin om bang
    pakde bude punten permisi maaf sampurasun kulonuwun nuwun sewu sugeng enjing sonten dalu yth kepada
    kang teh akang mang dear salam selamat mohon kak kakak dik adik bos boss gan sis ya
    """)

# Words that carry no complaint content: what is left of "Pak mau lapor" or "mau ngadu bu, boleh?".
_FILLER = _GREETINGS | wordset("""
    saya aku kami kula abdi mau ingin pengen akan lapor melapor melaporkan laporkan ngadu mengadu ngadukeun
    wadul aduan pengaduan adukan boleh bisa tidak dong ya yah nih ini itu deh sih kah tolong izin numpang
    sedikit kak yang apa bade badhe arep ajeng keluhan mengeluh komplain menyampaikan sampaikan
    anonim rahasia nggih njih mangga silakan dengar gimana bagaimana kumaha piye terima kasih makasih
    """)

# Words that make a leading skip only when a reporting verb or keyword follows ("saya mau lapor ...").
_INTRO = wordset(
    "saya sy aku kami kula abdi mau ingin pengen pgn akan arep ajeng bade badhe izin ijin numpang"
)
_REPORT_VERBS = wordset(
    "lapor melapor melaporkan laporkan ngadu mengadu ngadukeun wadul aduan adukan pengaduan lapr"
)

_NEGATIONS = wordset("tidak belum ora durung teu acan dereng mboten")
# "mohon diperbaiki", "tolong ditindak", "harap segera diangkut": a request that something be done.
_REQUESTS = wordset("mohon tolong harap minta agar supaya segera")
_NEGATION_CUE = 1
_REQUEST_CUE = 2

# Everyday words that name no subject of their own: a message made of these and lexicon words is about
# nothing but what the lexicons found (see `handlers.evidence`: the other unknown words are a subject of
# their own).
_COMMON = wordset("""
    dan sudah ada untuk dari karena belum hari dengan saja sampai kalau banyak lagi jadi juga sangat tahun
    harus tersebut bulan atas nya sekarang orang baru masih terus buat atau saat nomor lalu pada sama terkait
    kemarin lama pernah pihak sekali lebih minta tiap semua minggu oleh benar seperti agar tempat tentang
    dalam beberapa lain hanya katanya waktu hal sehingga punya telah dekat tanpa sekitar banget bahwa jika
    tinggal setiap sedangkan terjadi sejak datang mengenai bukan setelah hingga tetapi namun melakukan
    menjadi pakai jangan soal cukup bagi adanya sebagai kembali dulu mendapatkan satu bahkan sebelumnya
    sebelum kita tsb para sedang ulang kan begitu begini perlu serta mungkin maupun ketika merasa kira
    adalah pas tadi pun per mereka lah secara supaya apalagi masa biar kayak mendapat iki ieu wis sampun
    malih maneh deui usah tong ampun kirim ngirim dikirim pesan sms wa whatsapp hp desa warga dusun sini
    situ nama bantu pls please me bisa mau ingin akan nanti sih dong deh kok yuk ayo tiba mengerti
    menggunakan pakainya caranya saking lewat via ke di ti ning nang sing sy kulo abdi aku gue gua ane dia
    beliau kamu anda bapak ibu pak bu mas mbak kak adik tolong mohon bagaimana gimana kenapa mengapa kapan
    dimana mana apa siapa berapa yg the tau tahu ngerti jam malam pagi siang sore
    """)


def parse_lexicon(spec: str) -> list[tuple[tuple[str, ...], float]]:
    """Parse "word:weight a_b:weight" into (normalised phrase tokens, weight) pairs."""
    entries: list[tuple[tuple[str, ...], float]] = []
    for item in spec.split():
        phrase, _, weight = item.partition(":")
        words = tuple(tokens(phrase.replace("_", " ")))
        if words:
            entries.append((words, float(weight) if weight else 1.0))
    return entries


def suffixed(word: str) -> list[str]:
    """Possessive/definite forms residents attach: -nya, Javanese -e/-ne, Sundanese -na, -ku."""
    forms = [word + "nya", word + "na", word + "ku"]
    forms.append(word + ("ne" if word[-1] in "aiueo" else "e"))
    return forms


Entry = tuple[tuple[int, float], ...]


def _build_tables() -> tuple[dict[str, Entry], dict[str, Entry], dict[str, Entry], frozenset[str]]:
    """Compile every lexicon into unigram, bigram and trigram tables of (feature, weight) pairs."""
    grams: list[dict[str, dict[int, float]]] = [{}, {}, {}]
    sources: list[tuple[int, str]] = list(_INTENT_LEXICON.items())
    sources += [(_TOPIC0 + i, _TOPIC_LEXICON[t]) for i, t in enumerate(_TOPIC_ORDER)]
    sources += [(_CAT0 + i, _CATEGORY_LEXICON[c]) for i, c in enumerate(_CATEGORY_ORDER)]
    explicit: set[str] = set()
    parsed = [(feature, parse_lexicon(spec)) for feature, spec in sources]
    for _, entries in parsed:
        for words, _w in entries:
            if len(words) <= 2:
                explicit.add(" ".join(words))
    known: set[str] = set()
    for feature, entries in parsed:
        for words, weight in entries:
            if len(words) > 3:
                raise ValueError(f"lexicon phrase too long: {words}")
            table = grams[len(words) - 1]
            key = " ".join(words)
            known.update(words)
            table.setdefault(key, {})
            table[key][feature] = table[key].get(feature, 0.0) + weight
            # The suffixed forms of a word, and of the first word of a two-word phrase ("carane ngadu",
            # "laporane kula"), mean what the plain word does.
            head = words[0]
            if len(words) <= 2 and len(head) >= 3 and head.isalpha():
                for form in suffixed(head):
                    variant = " ".join((form, *words[1:]))
                    if variant not in explicit:
                        slot = table.setdefault(variant, {})
                        slot[feature] = slot.get(feature, 0.0) + weight
                        if len(words) == 1:
                            known.add(form)
    frozen = [{k: tuple(sorted(v.items())) for k, v in g.items()} for g in grams]
    return frozen[0], frozen[1], frozen[2], frozenset(known)


_UNI, _BI, _TRI, _LEXICON_WORDS = _build_tables()


class _Word:
    """Everything the scorer needs to know about one token, found with a single dict lookup."""

    __slots__ = ("cue", "entry", "filler", "following", "following2", "head", "plain")

    def __init__(self) -> None:
        self.entry: Entry | None = None  # unigram (feature, weight) pairs
        self.following: dict[str, Entry] | None = None  # next token -> bigram pairs
        self.following2: dict[str, dict[str, Entry]] | None = None  # next, next-but-one -> trigram pairs
        self.filler = False  # carries no complaint content
        self.head = False  # names the village head
        # Before a passive verb: a negation ("tidak", "belum", "ora", "teu") reports a failure, a request
        # ("mohon", "tolong", "harap") asks for a fix; 0 for any other word.
        self.cue = 0
        self.plain = False  # filler or an everyday word (_COMMON): never a subject of its own


def _build_words() -> dict[str, _Word]:
    """Index unigrams, bigrams (by first word) and trigrams (by first two words) per token."""
    words: dict[str, _Word] = {}

    def word(t: str) -> _Word:
        w = words.get(t)
        if w is None:
            w = words[t] = _Word()
        return w

    for key, entry in _UNI.items():
        word(key).entry = entry
        if any(f == _HEAD for f, _ in entry):
            word(key).head = True
    for key, entry in _BI.items():
        a, b = key.split()
        w = word(a)
        if w.following is None:
            w.following = {}
        w.following[b] = entry
    for key, entry in _TRI.items():
        a, b, c = key.split()
        w = word(a)
        if w.following2 is None:
            w.following2 = {}
        w.following2.setdefault(b, {})[c] = entry
    for t in _FILLER:
        word(t).filler = True
        word(t).plain = True
    for t in _COMMON:
        word(t).plain = True
    for t in _REQUESTS:
        word(t).cue = _REQUEST_CUE
    for t in _NEGATIONS:
        word(t).cue = _NEGATION_CUE
    return words


_WORDS = _build_words()


# ---------------------------------------------------------------------------------------------------
# The fault lexicon, for telling whether a complaint that names the village head puts him at fault
# (`handlers.head_fault`).

# The head's own conduct (a superset of _MISCONDUCT): failures that make sense with him as the subject.
_FAULT_LEXICON = (
    _INTENT_LEXICON[_MISCONDUCT]
    + """
    mempersulit:2 dipersulit:2 persulit:2 menyulitkan:2 sulit_ditemui:2.5 susah_ditemui:2.5
    sulit_dihubungi:2 susah_dihubungi:2 tidak_bisa_ditemui:2.5 tidak_bisa_menemui:2 ada_di_tempat:1.5
    tidak_ada_di:1 ada_di_kantor:1 tidak_di_tempat:2 tidak_mau:2 tidak_bersedia:2 menolak:1.5
    belum_ditandatangani:2 tidak_ditandatangani:2 ditandatangani:1 tanda_tangani:1 belum_tanda_tangan:2
    menunda:1.5 ditunda_tunda:2 mengulur:2 tidak_profesional:2.5 profesional:1 ketidakprofesionalan:2.5
    tidak_ramah:2.5 tidak_sopan:2.5 sopan:1 menghina:2.5 sombong:2 pelit:1.5 berbohong:2 galak:2
    nada_tinggi:2 peduli:1 tidak_peduli:1 pasif:1.5 terkesan:1 tidak_melayani:2 melayani:0.5
    tidak_jelas:1.5 menyerobot:2 serobot:1.5 ghibah:2 kelakuan:2 perilaku:1.5 sikap:1 attitude:2 buruk:1
    mengayomi:1.5 tidak_netral:2 netral:1 berpihak:2 tidak_adil:1.5 menahan:1.5 melantik:1.5 dimutasi:2
    mutasikan:2 dimutasikan:2 dicopot:2 copot:1.5 dievaluasi:1.5 upeti:2 diminta:1 meminta:0.5
    tidak_kembali:1.5 tidak_balik:2 menunggu:0.5 nunggu:0.5 harus_menunggu:1 harus_nunggu:1 kelamaan:1
    tidak_turun:2 monopoli:2 dimonopoli:2 miliknya:1.5 punyanya:1.5 disewakan:1.5 dipinjam:1 dipakai:1
    dipake:1 pakai:0.5 make:1 nyuruh:1 menyuruh:1 memotong:2 dipotong:1 minta_fee:2 terima_fee:2 hutang:1
    utang:1 megah:1 kaya:1 tidak_tanggap:2 lamban:1.5 lalai:2 mengabaikan:2 menelantarkan:2
    tidak_amanah:2.5 tidak_becus:2.5 tidak_kompeten:2.5 malas:2 males:2 otoriter:2.5 ngamuk:2 nendang:2
    mukul:2 menampar:2 mengusir:2 diusir:1.5 mencaci:2 memaki:2 seenaknya:2 se_enaknya:2 tidak_berkenan:2.5
    berkenan:1 ada_acara:1 masih_rapat:1 alasan:1 alesan:1 bukan_wewenang:1.5 tidak_ada_tanggapan:1
    tidak_pernah:2 teu_pernah:2 ora_pernah:2 ora_tahu:2 dibongkar:1.5 ngangkat:1.5 pendukung:1.5
    bagi_bagi:1 dana_desa:1 duit_desa:1.5 uang_desa:1.5 kas_desa:1 dana_gampong:1 dana_nagari:1
    tidak_responsif:2 lelet:1.5 angkuh:2 ketus:2 judes:2 jutek:2 memarahi:2 marah_marah:1 tidak_menanggapi:2
    sering_tidak_ada:2 tidak_bertanggung_jawab:2 lepas_tangan:2 imbalan:2 sogokan:2 tebang_pilih:2
    diskriminatif:2 menghalangi:2 menghambat:1.5 berbelit:1.5 tidak_disiplin:2 tidak_tegas:1.5 semaunya:2
    sesukanya:2 menekan:1 memeras:2 menipu:2 janji_palsu:2 menutupi:1.5 menyembunyikan:1.5 manipulasi:2
    memanipulasi:2 memalsukan:2 palsu:1 fiktif:2 tidak_memberikan:1 tidak_mengeluarkan:1.5 tidak_merespon:1.5
    tidak_menjalankan:2 tidak_menjalankannya:2 tidak_sesuai:1.5 ribu:0.5 juta:0.5 keluar_berdua:1
    malu_maluin:1 memalukan:1.5 belum_juga:1 rumah_mewah:1 dikurangi:1 meminta_biaya:2 minta_biaya:2
    meminta_uang:2 tanpa_kwitansi:2 biaya:0.5 add:1 rumahnya:1 rumahnya_sendiri:1
    sidik:2 disidik:2 usut:2 diusut:2 mengusut:2 tangkap:2 ditangkap:2 pecat:2 dipecat:2 berhentikan:2
    diberhentikan:2 adili:2 diadili:2 penjarakan:2 dipenjarakan:2 proses_hukum:2 diproses_hukum:2
    audit:1.5 diaudit:1.5 periksa:1 diperiksa:1 laporkan:1.5 melaporkan:1.5 dilaporkan:1 adukan:1.5
    mengadukan:1.5 diadukan:1.5 mengancam:2 diancam:1.5 menjual:1.5 dijual:1.5 menggelapkan:2.5
    digelapkan:2.5 penyelewengan:2.5 menyelewengkan:2.5 diselewengkan:2.5 penyalahgunaan:2.5
    menyalahgunakan:2.5 disalahgunakan:2.5 berbohong:2 bohong:1.5 dibohongi:1.5 membohongi:2
"""
)
_FAULT_TABLES: tuple[dict[tuple[str, ...], float], ...] = ({}, {}, {})
for _words, _weight in parse_lexicon(_FAULT_LEXICON):
    _forms = [_words]
    if len(_words) == 1 and len(_words[0]) >= 3:
        _forms += [(form,) for form in suffixed(_words[0])]
    for _form in _forms:
        _table = _FAULT_TABLES[len(_form) - 1]
        _table[_form] = max(_weight, _table.get(_form, 0.0))
# The fault terms by their first word, for one lookup a token.
_FAULT_FIRST: dict[str, list[tuple[tuple[str, ...], float]]] = {}
for _table in _FAULT_TABLES:
    for _key, _weight in _table.items():
        _FAULT_FIRST.setdefault(_key[0], []).append((_key, _weight))
# Misspelt one-word fault terms ("menpersulit", "menyrobot"): a long word one edit from a
# term (symmetric deletions, as for keywords) counts as the term. Only words near a mention of the head
# are looked up, so this costs nothing on most messages.
_FAULT_TYPO_LENGTH = 9  # shorter ones meet real words: "semuanya" / semaunya, "pemangku" / memangku
_FAULT_WORDS = {form[0]: form[0] for form in _FAULT_TABLES[0] if len(form[0]) >= _FAULT_TYPO_LENGTH}
_FAULT_TYPOS = deletion_index(_FAULT_WORDS) | _FAULT_WORDS

# Passive verbs the lexicons know, for joining "di persulit" (`handlers.evidence`: `content_tokens`).
_PASSIVES = frozenset(
    w for w in _LEXICON_WORDS | {form[0] for form in _FAULT_TABLES[0]} if w.startswith("di") and len(w) > 4
)

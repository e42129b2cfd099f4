"""Whether a complaint that names the village head is about him: whether it puts him at fault.

A complaint about the head must not reach him: it goes to the BPD instead. But residents name him in
complaints about others too: asking him to act, addressing or copying him, naming his house as a
landmark. So a mention counts only where he could be the one at fault, and the fault words of
`handlers.words` (`_FAULT_LEXICON`) must stand near it in the same sentence with no other official in
between; below that, a learned about_head model (`handlers.nlu_model`) may decide for a mention where he
could be at fault. `about_head` is the answer for a complaint; `head_fault` is the rules' part alone,
which `handlers.understand` also uses to turn a question that blames him into a complaint.
"""

import math
import re

from handlers.evidence import content_tokens
from handlers.nlu_model import Scorer
from handlers.normalize import tokens
from handlers.words import (
    _FAULT_FIRST,
    _FAULT_TYPO_LENGTH,
    _FAULT_TYPOS,
    _LEXICON_WORDS,
    _WORDS,
    deletions,
    suffixed,
    wordset,
)

__all__ = ["about_head", "head_fault"]

# About the head: a complaint that names the village head is about him only when he is the one at fault
# ("pak lurah sulit ditemui", "kades masukin iparnya jadi penerima BLT"), not when he is merely asked to
# act, told, copied or named beside the one at fault ("tolong pak kades perbaiki jalan", "tembusan kepada
# lurah", "dipersulit oleh ketua RT", "sekretaris lurah judes"). Read sentence by sentence: the fault must
# stand near an unframed mention of the head, with no other official between them.


# The head named by a phrase: "kepala desa", "wali nagari", and by his role: "yang mimpin desa".
_HEAD_PHRASES: dict[str, frozenset[str]] = {
    first: frozenset(form for w in rest.split() for form in (w, *suffixed(w)))
    for first, rest in {
        "kepala": "desa kampung lembang kelurahan gampong pekon tiyuh negeri nagari",
        "wali": "nagari",
        "hukum": "tua",
        "pak": "inggi lembang",
        "bu": "inggi lembang",
        "bapak": "lembang",
        "pimpinan": "desa kampung",
        "pemimpin": "desa kampung",
        "memimpin": "desa kampung",
        "datuk": "penghulu",
        "datok": "penghulu",
    }.items()
}
# Each word that starts a mention -> _HEAD_ALONE (it names him alone: "kades", "lurahnya") or the words
# that must follow it ("kepala" -> "desa", "kampung", ...), for one lookup a token.
_HEAD_ALONE: frozenset[str] = frozenset()
_HEAD_START: dict[str, frozenset[str]] = dict(_HEAD_PHRASES)
_HEAD_START.update({t: _HEAD_ALONE for t, w in _WORDS.items() if w.head})
# Just before a mention, these make it someone else or the office: "sekretaris lurah", "kantor kades",
# "calon kades", "pemilihan lurah", "pengganti lurah".
_NOT_THE_HEAD = wordset("""
    sekretaris sekertaris sekretariat wakil staf staff pegawai bawahan ajudan kantor calon cakades mantan
    pemilihan pilkades pergantian pengganti ganti bakal balon
    """)
# Just after a mention (past "mau", "sedang"), these say the post is changing hands: nobody is at fault.
_CHANGING_HANDS = wordset("ganti berganti pindah pensiun")
# Just before a mention, these make him the one addressed, told or copied, not the one at fault.
_ADDRESSED = wordset("""
    kepada yth tembusan cc ke dengan melalui lewat hubungi menghubungi bilang menghadap sampaikan
    disampaikan koordinasi berkoordinasi mediasi kata tolong mohon minta ajukan mengajukan lapor melapor
    ngadu mengadu wadul
    """)
# Just after a mention, these make it a request to him ("pak kades tolong tindak tegas ...").
_REQUEST_AFTER = wordset("tolong mohon harap bantu bantulah")
_ADDRESS_SKIP = wordset("pak bu bapak ibu sdr saudara yth yang terhormat pihak atas nama an")
# Just before "kepada": the complaint is aimed at him, not sent to him ("tertuju kepada pak lurah").
_AIMED = wordset("tertuju ditujukan dialamatkan")
# Between the head and a fault: a list of the accused ("kades, ketua TPK, bendahara dan sekdes korupsi").
_LIST_AND = wordset("dan serta beserta bersama")
_AUXILIARIES = wordset("mau akan sedang lagi sudah baru")
# Just before a mention, these name his family or his business: "ipar pak kades", "toko kades".
_HIS_OWN = wordset("""
    anak istri suami adik kakak ipar menantu keponakan ponakan saudara keluarga mertua kerabat cucu besan
    sepupu toko usaha warung perusahaan cv pt kontraktor tambang pabrik kios kroni pendukung timses punya
    punyanya milik miliknya
    """)
# "depan rumah pak kades": his house (or office) named as a place, not as his.
_HIS_HOUSE = wordset("rumah rumahnya kantor kantornya balai")
_PLACE = wordset("depan didepan dpn samping sebelah belakang dekat deket dkt seberang sekitar arah menuju")
# A fault word that is half of a plain phrase: "surat jual beli" is a deed of sale, not selling.
_NOT_A_FAULT = {"jual": "beli", "memotong": "jalan", "menolak": "angin"}
# Just before a mention: his signature or stamp, which others may forge or wait for.
_HIS_SIGNATURE = wordset("ttd tangan stempel cap paraf")
# Just before a mention: he did what the words before say ("dipersulit oleh pak lurah").
_AGENT = wordset("oleh sama")
# Anyone else whose fault it may be (another official, a neighbour, "warga"); one of them between the head
# and the fault blocks it ("pak kades, tetangga saya tidak mau bayar iuran").
_OTHER_PARTIES = wordset("""
    rt rw sekdes sekretaris sekertaris carik staf staff pegawai petugas perangkat kasi kaur kadus camat
    bendahara operator bpd satpol polisi ketua panitia bidan guru dinas walikota bupati anggota anggotanya
    bawahan bawahannya lpm lpmk pengurus kelurahan oknum tetangga warga masyarakat pemuda remaja orang
    pedagang pengusaha preman pelaku maling pencuri mereka
    """)
_SENTENCES = re.compile(r"[.!?;\n]+")
# A clause that only addresses the head: at most this many words, all address, greeting or names.
_VOCATIVE_CLAUSES = re.compile(r"[,:.!?;\n]+")
_VOCATIVE_LENGTH = 6
_VOCATIVE_WORDS = (
    _ADDRESS_SKIP
    | _ADDRESSED
    | wordset("""
    assalamualaikum salam selamat pagi siang sore malam permisi maaf halo hai desa kampung kelurahan
    nagari gampong lembang kami kita saya
    """)
)
_SENTENCE_ENDS = ".!?;\n \t\r"
# A word no one writes, put between sentences so that a text is tokenised once (see _sentences).
_SENTENCE_BREAK = "qqkalimatqq"
_SENTENCE_MARK = f" {_SENTENCE_BREAK} "
# How far a fault may stand from the mention (tokens), before and after it; how much fault is enough;
# how much more a fault weighs with the head as its subject ("lurah sulit ditemui") or agent ("oleh").
_FAULT_BEFORE = 5
_FAULT_AFTER = 8
_FAULT_ENOUGH = 2.0
_HIS_OWN_FAULT = 9.0
# Below _FAULT_ENOUGH, a mention of the head that could be the one at fault (not addressed, asked, listed
# or his office: _head_mentions) and an about_head model this sure make it about him. A missed complaint
# about the head reaches the head himself; one wrongly marked goes to the BPD. Real complaints often
# blame him in a long story whose fault words stand far from his name, so the model decides those. In
# cross-validation over the real development complaints (bench/README.md): recall 86% -> 96%, precision
# 100% -> 96%; requiring some fault word near him as well (as before) kept recall at 86%.
_HEAD_MODEL_SURE = 0.4
_FAULT_SUBJECT = 1.5


def _head_mentions(toks: list[str]) -> list[tuple[int, int, float]]:
    """(start, end, weight of the words before it) of each mention of the head that could be the one at
    fault (see above). The weight is _FAULT_SUBJECT after "oleh", 0 after "ttd" (what comes before was
    done to him), 1 otherwise; a mention that names his family or business ("ipar pak kades") comes
    with start -1: it is a fault in itself."""
    found: list[tuple[int, int, float]] = []
    n = len(toks)
    for i, t in enumerate(toks):
        rest = _HEAD_START.get(t)
        if rest is None:
            continue
        if rest is _HEAD_ALONE:
            end = i + 1
        elif i + 1 < n and toks[i + 1] in rest:
            end = i + 2
        else:
            continue
        if end < n and toks[end] == "nya":
            end += 1
        j = i - 1
        while j >= 0 and toks[j] in _ADDRESS_SKIP:
            j -= 1
        before = toks[j] if j >= 0 else ""
        if before in _NOT_THE_HEAD or (before in _ADDRESSED and not (j >= 1 and toks[j - 1] in _AIMED)):
            continue
        if j >= 1 and before.isdigit() and toks[j - 1] in _ADDRESSED:
            continue  # "tembusan kepada 1. Lurah ..."
        k = end
        while k < n and toks[k] in _AUXILIARIES:
            k += 1
        if k < n and toks[k] in _CHANGING_HANDS:
            continue
        if end < n and toks[end] in _REQUEST_AFTER:
            continue
        if before in _HIS_HOUSE and j >= 1 and toks[j - 1] in _PLACE:
            continue  # "jalan depan rumahnya pak kades": his house as a landmark
        if before in _HIS_OWN:
            found.append((-1, end, 0.0))
            continue
        if before in _HIS_SIGNATURE:
            found.append((i, end, 0.0))  # "memalsukan ttd lurah": what comes before was done to him
            continue
        found.append((i, end, _FAULT_SUBJECT if before in _AGENT else 1.0))
    return found


def _fault_spelling(token: str) -> str | None:
    """The one-word fault term that `token` misspells by one edit, if any."""
    if len(token) < _FAULT_TYPO_LENGTH - 1:
        return None
    for form in (token, *deletions(token)):
        found = _FAULT_TYPOS.get(form)
        if found is not None:
            return found
    return None


def _faults(toks: list[str]) -> list[tuple[tuple[str, ...], int, int, float]]:
    """(term, start, end, weight) of every fault term in `toks`."""
    out: list[tuple[tuple[str, ...], int, int, float]] = []
    n = len(toks)
    for i, t in enumerate(toks):
        terms = _FAULT_FIRST.get(t)
        if terms is None and (spelt := _fault_spelling(t)) is not None:
            terms = [((t,), weight) for key, weight in _FAULT_FIRST[spelt] if len(key) == 1]
        if terms is not None and not (i + 1 < n and _NOT_A_FAULT.get(t) == toks[i + 1]):
            for key, weight in terms:
                end = i + len(key)
                if end <= n and (len(key) == 1 or tuple(toks[i:end]) == key):
                    out.append((key, i, end, weight))
    return out


def _blocked(toks: list[str], start: int, end: int, mention_end: int) -> bool:
    """Whether another official stands in toks[start:end]. Not blocking: "kelurahan" just after the
    mention ("lurah kelurahan X") and one just after the word after it ("lurah dan staf", "perbekel
    ngangkat kaur"), nor any in a list that goes on with "dan" ("kades, ketua TPK, bendahara dan sekdes
    menyalahgunakan dana"); "pak kades, sekdes korupsi" blocks."""
    if start == mention_end and any(toks[k] in _LIST_AND for k in range(start, end)):
        return False  # he heads a list of the accused
    for k in range(start, end):
        t = toks[k]
        if t in _OTHER_PARTIES and k != mention_end + 1 and not (k == mention_end and t == "kelurahan"):
            return True
    return False


def _sentences(text: str, whole: list[str]) -> list[list[str]]:
    """The tokens of each sentence of `text` (`whole` is the tokens of all of it), tokenised in one go."""
    if _SENTENCES.search(text.rstrip(_SENTENCE_ENDS)) is None:
        return [whole]  # one sentence
    toks = content_tokens(tokens(_SENTENCES.sub(_SENTENCE_MARK, text)))
    out: list[list[str]] = []
    at = 0
    while True:
        try:
            end = toks.index(_SENTENCE_BREAK, at)
        except ValueError:
            end = len(toks)
        if end > at:
            out.append(toks[at:end])
        if end == len(toks):
            return out
        at = end + 1


def head_fault(text: str, whole: list[str]) -> tuple[float, int]:
    """How much fault the text puts on the village head: the most fault found near one mention of him
    (see above); _HIS_OWN_FAULT when it names his family or business. And how often it names him as a
    person who could be at fault (`_head_mentions`, not his signature, not his house). `whole` is the
    text's tokens."""
    most = 0.0
    mentioned = 0
    for toks in _sentences(text, whole):
        mentions = _head_mentions(toks)
        if not mentions:
            continue
        faults = _faults(toks)
        for ms, me, agent in mentions:
            if ms < 0:
                return _HIS_OWN_FAULT, 1  # his family or his business
            if agent > 0 and not _after_his_house(toks, ms):
                mentioned += 1
            best: dict[tuple[str, ...], float] = {}
            for key, fs, fe, weight in faults:
                if fe <= ms:
                    if ms - fe > _FAULT_BEFORE or _blocked(toks, fe, ms, me):
                        continue
                    weight *= agent
                elif fs >= me:
                    if fs - me > _FAULT_AFTER or _blocked(toks, me, fs, me):
                        continue
                    if fs - me <= 2:
                        weight *= _FAULT_SUBJECT
                else:
                    continue
                best[key] = max(weight, best.get(key, 0.0))
            most = max(most, sum(best.values()))
    return most, mentioned


def _after_his_house(toks: list[str], start: int) -> bool:
    """Whether the mention at `start` names his house or office ("rumah pak kades kebanjiran")."""
    j = start - 1
    while j >= 0 and toks[j] in _ADDRESS_SKIP:
        j -= 1
    return j >= 0 and toks[j] in _HIS_HOUSE


def _vocatives(text: str) -> int:
    """How many clauses of `text` only address the head ("Pak kades, ...", "lapor pak lurah:"): a
    mention there is not blame, whatever the model makes of the rest."""
    found = 0
    for clause in _VOCATIVE_CLAUSES.split(text):
        toks = tokens(clause)
        if not toks or len(toks) > _VOCATIVE_LENGTH:
            continue
        if any(t in _HEAD_START for t in toks) and all(
            t in _HEAD_START or t in _VOCATIVE_WORDS or t not in _LEXICON_WORDS for t in toks
        ):
            found += 1
    return found


def about_head(
    text: str, raw: list[str], toks: list[str], scores: list[float] | None, scorer: Scorer
) -> bool:
    """Whether a message that names the village head puts him at fault: enough fault near a mention of
    him, or a mention where he could be at fault and a learned about_head model (when the models have
    one) that is sure enough (_HEAD_MODEL_SURE). `raw` and `toks` are the text's tokens before and after
    `content_tokens`; `scores` is what `scorer` made of it already, if anything."""
    fault, mentioned = head_fault(text, toks)
    if fault >= _FAULT_ENOUGH:
        return True
    if mentioned <= _vocatives(text):
        return False
    try:
        labels = scorer.labels("about_head")
    except KeyError:
        return False  # models without an about_head head: the rules alone
    if "true" not in labels:
        return False
    raw_scores = scorer.part("about_head", scores if scores is not None else scorer.scores(raw, text))
    top = max(raw_scores)
    e = [math.exp(v - top) for v in raw_scores]
    return e[labels.index("true")] / math.fsum(e) > _HEAD_MODEL_SURE

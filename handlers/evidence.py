"""The evidence in a message's tokens: what the lexicons say about it, word by word.

`content_tokens` joins passive verbs written apart ("di persulit" -> "dipersulit"); `evidence` adds up the
weights the compiled lexicons (`handlers.words`) give each token, bigram and trigram, a few cues that no
single word carries (a negation or a request before a passive verb, a report cited by its number, a wait
"sudah 3 bulan"), and counts the content words and the unknown ones. `handlers.understand` turns that
into a decision.
"""

from handlers.lexicon import _COMPLAINT, _NF, _STATUS
from handlers.words import _NEGATION_CUE, _PASSIVES, _WORDS, wordset

# A request before a passive verb asks for a fix ("mohon diperbaiki": handlers.words, _REQUESTS) ... except
# before these, which ask for an answer: "mohon dijelaskan", "tolong dibalas".
_ANSWER_VERBS = wordset("""
    dijelaskan dijawab dibalas diinfokan diinformasikan dikirim dikirimi dikirimkan dibantu dijelasin
    diberitahu dikabari dikabarin dikonfirmasi diberi diberikan dimaklumi dimaafkan
    """)
# "aduan sy nomor 4821", "tiket 00512": a number that names an earlier report.
_REFERENCE_MARKERS = wordset("tiket kode laporan aduan pengaduan laporanku aduanku")
_CITED = 2.0
# "sudah 3 bulan", "sejak 2 tahun", "lebih dari 50 hari": how long a resident has waited.
_DURATION_LEAD = wordset("sudah sejak selama hampir lebih dari sampai hingga")
_DURATION_UNITS = wordset("hari minggu bulan tahun taon")
# How much "sudah 3 bulan" (a resident's wait) counts as a problem.
_WAITED = 2.5


def content_tokens(toks: list[str]) -> list[str]:
    """`toks` with passive verbs written apart joined as residents mean them: "di persulit", "di jual"
    -> "dipersulit", "dijual" (only where the joined word is one the lexicons know, so "di jalan" stays)."""
    if "di" not in toks:
        return toks
    n = len(toks)
    out: list[str] | None = None
    done = 0  # toks[:done] are in out
    i = toks.index("di")
    while True:
        if i + 1 < n and "di" + toks[i + 1] in _PASSIVES:
            if out is None:
                out = []
            out += toks[done:i]
            out.append("di" + toks[i + 1])
            done = i + 2
        try:
            i = toks.index("di", i + 1)
        except ValueError:
            break
    if out is None:
        return toks
    out += toks[done:]
    return out


def evidence(toks: list[str], kw_index: int) -> tuple[list[float], str | None, int, int]:
    """Lexicon scores, the first six-digit number (a tracking code), the number of content words and of
    unknown words (not in any lexicon nor everyday words: "kursus", "BLC", a name).

    Each distinct word counts once: "jalan ... jalan ... jalan" is one road, not three. The keyword at
    `kw_index` (or -1) adds no evidence of its own.
    """
    n = len(toks)
    sc = [0.0] * _NF
    words = _WORDS
    code: str | None = None
    content = unknown = 0
    waited = cited = False
    seen: set[str] = set()
    last = n - 1
    for i in range(n):
        t = toks[i]
        w = words.get(t)
        if w is None:
            content += 1
            if t.isdigit():
                if code is None and len(t) == 6:
                    code = t
                cited, waited = _number_evidence(toks, i, sc, cited, waited)
            elif len(t) > 2 and t.isalpha():
                unknown += 1
            continue
        if not w.filler:
            content += 1
        e = w.entry
        if e is None and not w.plain and len(t) > 2 and t.isalpha():
            unknown += 1
        if e is not None and i != kw_index and t not in seen:
            seen.add(t)
            for f, v in e:
                sc[f] += v
        if i < last:
            cue = w.cue
            if cue:
                _cue_evidence(cue, toks[i + 1], sc)
            nxt = w.following
            if nxt is not None:
                e = nxt.get(toks[i + 1])
                if e is not None:
                    for f, v in e:
                        sc[f] += v
            nxt2 = w.following2
            if nxt2 is not None and i + 1 < last:
                more = nxt2.get(toks[i + 1])
                if more is not None:
                    e = more.get(toks[i + 2])
                    if e is not None:
                        for f, v in e:
                            sc[f] += v
    return sc, code, content, unknown


def _number_evidence(
    toks: list[str], i: int, sc: list[float], cited: bool, waited: bool
) -> tuple[bool, bool]:
    """Add what the number toks[i] is evidence of to `sc`: a report cited by its number ("aduan sy nomor
    4821", "no. tiket 00512") asks its status, a wait ("sudah 3 bulan") is a problem; each counts once a
    message (`cited`, `waited`: already counted). Returns `cited` and `waited` updated."""
    t = toks[i]
    if not cited and 4 <= len(t) <= 9 and i > 0 and _REFERENCE_MARKERS.intersection(toks[max(0, i - 3) : i]):
        sc[_STATUS] += _CITED
        return True, waited
    if (
        not waited
        and 0 < i < len(toks) - 1
        and toks[i + 1] in _DURATION_UNITS
        and toks[i - 1] in _DURATION_LEAD
    ):
        sc[_COMPLAINT] += _WAITED
        return cited, True
    return cited, waited


def _cue_evidence(cue: int, verb: str, sc: list[float]) -> None:
    """Add what a negation or a request (`cue`, see handlers.words: _Word.cue) before `verb` is evidence
    of to `sc`."""
    if len(verb) > 4 and verb.startswith("di"):
        # "tidak diundang", "belum dibayarkan", "ora digubris": something that should have been done was
        # not ("sudah diperbaiki belum" puts the negation after the verb); "mohon diperbaiki", "tolong
        # diangkut": something should be done (not "mohon dijelaskan").
        if cue is _NEGATION_CUE:
            sc[_COMPLAINT] += 1.5
        elif verb not in _ANSWER_VERBS:
            sc[_COMPLAINT] += 1.0

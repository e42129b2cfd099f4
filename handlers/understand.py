"""Understanding a resident's message: intent, complaint category, information topic, flags and location.

Residents rarely type keywords; they write "lampu jalan di RT 3 mati sdh seminggu" or "kapan musdes?",
often in Javanese or Sundanese. So a leading keyword (tolerating one typo) decides when there is one, and
otherwise weighted lexicons over the normalised tokens, bigrams and trigrams add evidence per intent,
category and topic, and a few ordered rules turn the evidence into a decision.

Words any message may use ("keluar", "berhenti", "daftar", "bantuan", "caranya") are read from the whole
message: they ask to leave, join or get help only in a message about nothing else ("keluar", "gimana
caranya?"), never in one about something else ("pak RT keluar kota terus", "cara daftar kursus
gimana?"); the keywords at the start, codes and STOP/BERHENTI/UNREG stay exact. A complaint that names
the village head is about him only when, in the same sentence, a fault stands near a mention of him that
is not a request, an address or a copy to him, with no other official in between ("pak lurah sulit
ditemui", not "tolong pak kades perbaiki jalan" nor "tembusan kepada lurah"); a question that puts him at
fault is such a complaint too.

Small learned models (`handlers.nlu_model`, trained on the labelled development messages by
`handlers.train`) help where the rules are unsure, and only there: keywords, tracking codes, spam, plain
thanks and flags stay with the rules. When the rules find nothing to go on and would answer "other", the
model's intent wins if it is clearly more likely; a question about something the lexicons know no topic
for is a question unless the model is clearly surer it asks for help or is chat; for the category of a
complaint and the topic of a question, the model's probabilities are added to the lexicon scores with a
bounded weight, which breaks near-ties and decides where the lexicons know no word, but cannot overrule a
clear lexicon lead (and is not even computed then).

Everything is compiled at import time: one call is a handful of dict lookups per token (the CLI must
parse 20,000 messages/s), and the model is scored for only a minority of messages.

Here are the keywords, the privacy flags, the resident's own words (`Understanding.detail`) and
`understand`, which puts the parts together; each part has a module of its own, and none of them imports
this one: `handlers.words` (word lists, the lexicons compiled), `handlers.evidence` (what the tokens are
evidence of), `handlers.decide` (the ordered rules), `handlers.blend` (the models' say),
`handlers.head_fault` (whether a complaint puts the head at fault), `handlers.locate` (dusun, RT, RW).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from handlers.blend import (
    SHIPPED_SCORER,
    blend_category,
    blend_intent,
    blend_topic,
    clear_category,
    clear_topic,
    question_intent,
)
from handlers.decide import _SCAM_ENOUGH, decide
from handlers.evidence import content_tokens, evidence
from handlers.head_fault import _FAULT_ENOUGH, about_head, head_fault
from handlers.lexicon import (
    _CAT0,
    _CAT_ADMINISTRASI,
    _CAT_TATA_KELOLA,
    _CATEGORY_ORDER,
    _COMPLAINT,
    _HEAD,
    _MISCONDUCT,
    _QUESTION,
    _SCAM,
    _STATUS,
    _TOPIC0,
    _TOPIC_ORDER,
)
from handlers.locate import NO_LOCATION, Location, locate
from handlers.normalize import tokens
from handlers.words import (
    _FILLER,
    _GREETINGS,
    _INTRO,
    _LEXICON_WORDS,
    _REPORT_VERBS,
    _WORDS,
    deletion_index,
    deletions,
    wordset,
)
from models.vocabulary import Category, Intent, Topic

__all__ = [
    "KEYWORDS",
    "KNOWN_WORDS",
    "Location",
    "Understanding",
    "deletion_index",
    "deletions",
    "keyword_of",
    "understand",
]


@dataclass(frozen=True, slots=True)
class Understanding:
    """What a message means (see the module docstring)."""

    intent: Intent
    category: Category | None = None
    topic: Topic | None = None
    about_head: bool = False
    anonymous: bool = False
    confidential: bool = False
    location: Location = NO_LOCATION
    keyword: str | None = None
    code: str | None = None
    page: int | None = None
    topics: tuple[Topic, ...] = ()
    detail: str = ""
    scam: bool = False  # a prize, loan or "transfer first" text (intent OTHER): warn, never a ticket
    # A complaint that cites the writer's own earlier report ("sdh lapor 2 minggu blm ada tindakan"):
    # with an open report of theirs and no new problem, it is a nudge on that one (handlers/pipeline.py).
    follow_up: bool = False

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dict with the vocabulary codes of docs/domain.md."""
        loc = self.location
        return {
            "intent": self.intent.value,
            "category": None if self.category is None else self.category.value,
            "topic": None if self.topic is None else self.topic.value,
            "about_head": self.about_head,
            "anonim": self.anonymous,
            "rahasia": self.confidential,
            "location": {"dusun": loc.dusun, "rw": loc.rw, "rt": loc.rt},
            "keyword": self.keyword,
            "code": self.code,
            "page": self.page,
            "topics": [t.value for t in self.topics],
        }


# ---------------------------------------------------------------------------------------------------
# Keywords

# Every accepted spelling -> canonical keyword (the form the help text teaches).
KEYWORDS: dict[str, str] = {
    "aduan": "ADUAN",
    "lapor": "ADUAN",
    "adu": "ADUAN",
    "cek": "CEK",
    "check": "CEK",
    "status": "CEK",
    "jadwal": "JADWAL",
    "dana": "DANA",
    "apbdes": "DANA",
    "sanksi": "SANKSI",
    "keputusan": "SANKSI",
    "program": "PROGRAM",
    "layanan": "LAYANAN",
    "daftar": "DAFTAR",
    "reg": "DAFTAR",
    "mulai": "DAFTAR",
    "berhenti": "BERHENTI",
    "stop": "BERHENTI",
    "unreg": "BERHENTI",
    "menu": "MENU",
    "bantuan": "MENU",
    "help": "MENU",
}

# What each canonical keyword asks for (`handlers.decide` weighs it against the evidence): an intent, and
# for an information keyword its topic.
_KEYWORD_INTENT: dict[str, Intent] = {
    "ADUAN": Intent.COMPLAINT,
    "CEK": Intent.STATUS,
    "JADWAL": Intent.INFO,
    "DANA": Intent.INFO,
    "SANKSI": Intent.INFO,
    "PROGRAM": Intent.INFO,
    "LAYANAN": Intent.INFO,
    "DAFTAR": Intent.SUBSCRIBE,
    "BERHENTI": Intent.UNSUBSCRIBE,
    "MENU": Intent.HELP,
}
_KEYWORD_TOPIC: dict[str, Topic] = {
    "JADWAL": Topic.JADWAL,
    "DANA": Topic.DANA_DESA,
    "SANKSI": Topic.KEPUTUSAN,
    "PROGRAM": Topic.PROGRAM,
    "LAYANAN": Topic.LAYANAN,
}

_TYPO_INDEX = deletion_index(KEYWORDS, min_length=4)

# Words that are never read as a typo of a keyword ("data" is not "dana", "mana" is not "dana").
_NOT_TYPOS = wordset("""
    data dina dani dona dada daya dan ana sana mana rana bana lapar lapo labor saksi adan mula mulia
    men sop top stok step stp menus mena aduh bantu bantuin berhentiin jadi dapat aduin keputusane
    """)

KNOWN_WORDS = _LEXICON_WORDS | _GREETINGS | _FILLER | _NOT_TYPOS | frozenset(KEYWORDS)


def keyword_of(token: str) -> str | None:
    """The canonical keyword `token` spells, allowing one typo in 4+ letter keywords."""
    exact = KEYWORDS.get(token)
    if exact is not None:
        return exact
    if len(token) < 3 or token in KNOWN_WORDS or not token.isalpha():
        return None
    # token is a keyword minus one letter
    hit = _TYPO_INDEX.get(token)
    if hit is not None:
        return hit
    if len(token) > 9:
        return None
    for d in deletions(token):
        # token has one extra letter, or one letter substituted / two swapped
        hit = KEYWORDS.get(d) if len(d) >= 4 else None
        if hit is None:
            hit = _TYPO_INDEX.get(d)
        if hit is not None:
            return hit
    return None


# ---------------------------------------------------------------------------------------------------
# Word lists of the rules below

# A trailing "belum?"/"tidak?" turns a statement into a question ("sudah cair belum").
_QUESTION_TAGS = wordset("belum tidak durung dereng kah apa ya kan atau acan")
# What may follow such a tag and still leave it last: thanks, address, particles, "this year" ("sudah
# cair belum ya pak, terima kasih", "ada pelatihan gak tahun ini").
_CLOSERS = wordset("""
    terima kasih makasih thanks nuhun hatur matur suwun nuwun sanget pisan ya yah pak bu bapak ibu mas mbak
    kak min admin dong nggih njih sih deh nih tahun bulan minggu hari ini sekarang
    """)

# A message that opens with these asks, or supposes ("kalau KTP hilang, ..."), rather than reports.
_QUESTION_OPENERS = wordset("""
    apakah apa bagaimana berapa kapan dimana siapa bisakah bolehkah adakah kalau jika bila apabila
    misalnya misalkan seandainya andaikan gimana kumaha piye pripun
    """)
_QUESTION_OPENING = 1.0

# With the slips residents make in them ("ADUAN ANONYM"): a promise of anonymity must not hang on spelling.
_ANON_WORDS = wordset("anonim anonymous anon anonimus anonym anonymus anonime anonimm annonim anomin anonin")
_NAME_WORDS = wordset("nama namaku identitas identitasku")
_HIDE_WORDS = wordset("""
    rahasiakan dirahasiakan merahasiakan sebut disebut sebutkan disebutkan sembunyikan disembunyikan
    samarkan disamarkan tutupi ditutupi cantumkan dicantumkan ditampilkan tampilkan tanpa
    """)
_CONFIDENTIAL_WORDS = wordset("rahasia rahsia rahasya rahasiah konfidensial confidential")
_SECRET_VERBS = wordset("rahasiakan dirahasiakan merahasiakan")  # "tolong dirahasiakan ya pak"
# "mau lapor tapi takut ketahuan": afraid of being found out is a request for anonymity.
_FEAR_WORDS = wordset("takut khawatir kuatir cemas")
_FOUND_OUT = wordset("ketahuan ketauan diketahui dikenali")
_FLAG_WORDS = _ANON_WORDS | _NAME_WORDS | _CONFIDENTIAL_WORDS | _SECRET_VERBS | _FOUND_OUT
# What may stand around a bare mention of the head in "mau lapor soal pak kades": the report is about
# him, and its detail is still to come.
_HEAD_REFERENCE = wordset("soal tentang mengenai masalah terkait pak bu bapak ibu yth sdr kepala desa")

# Topic words a subscriber can name after DAFTAR ("DAFTAR JADWAL DANA").
_SUBSCRIBE_TOPICS: dict[str, Topic] = {
    "jadwal": Topic.JADWAL,
    "musdes": Topic.JADWAL,
    "rapat": Topic.JADWAL,
    "musyawarah": Topic.JADWAL,
    "dana": Topic.DANA_DESA,
    "apbdes": Topic.DANA_DESA,
    "anggaran": Topic.DANA_DESA,
    "sanksi": Topic.KEPUTUSAN,
    "keputusan": Topic.KEPUTUSAN,
    "program": Topic.PROGRAM,
    "layanan": Topic.LAYANAN,
}
# How much a complaint about the head leans to tata_kelola (see _head_of_complaint).
_HEAD_GOVERNANCE = 2.0


# ---------------------------------------------------------------------------------------------------
# The resident's own words

# First words after which the detail needs the careful strip (greeting, intro, reporting verb, flag).
_DETAIL_SKIP = _GREETINGS | _INTRO | _REPORT_VERBS | _ANON_WORDS | _CONFIDENTIAL_WORDS | frozenset(KEYWORDS)
_ADDRESS = wordset("pak bu bapak ibu pa mas mbak kang teh")
_TITLES = wordset(
    "kades lurah kuwu petinggi sekdes rt rw kadus bidan guru ustadz kepala camat carik bendahara"
)
_DETAIL_WORD = re.compile(r"\S+")
_DETAIL_STRIP = str.maketrans("", "", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_DETAIL_LEAD = re.compile(r"^[\W_]+")
_CLAUSES = re.compile(r"([.,;:!?\n()]+)")
# A clause made only of these words is a request for anonymity or confidentiality, not part of the story.
_FLAG_CLAUSE_WORDS = (
    _FILLER
    | _ANON_WORDS
    | _NAME_WORDS
    | _HIDE_WORDS
    | _CONFIDENTIAL_WORDS
    | _FEAR_WORDS
    | _FOUND_OUT
    | wordset("jangan usah perlu minta mohon harap agar supaya biar tapi dan juga ya sih dong")
)
_FLAG_TRIGGERS = _ANON_WORDS | _NAME_WORDS | _CONFIDENTIAL_WORDS | _SECRET_VERBS | _FOUND_OUT


def _detail(text: str, flagged: bool) -> str:
    """The resident's own words: `text` minus a leading greeting, keyword and flags."""
    cut = 0
    tentative = False
    first = True
    address_at = -1  # start of a just-skipped "pak"/"bu", which belongs to "Pak Kades"
    for m in _DETAIL_WORD.finditer(text):
        word = m.group().lower().translate(_DETAIL_STRIP)
        if not word or not any(c.isalnum() for c in word):
            if not tentative:
                cut = m.end()
            continue
        if address_at >= 0 and word in _TITLES:
            cut = address_at
            break
        address_at = m.start() if word in _ADDRESS and not tentative else -1
        if word in _INTRO:
            tentative = True
            continue
        is_keyword = word in _REPORT_VERBS or (first and keyword_of(word) in ("ADUAN", "CEK"))
        if word in _GREETINGS or word in _CONFIDENTIAL_WORDS or word in _ANON_WORDS or is_keyword:
            if not tentative or is_keyword:
                cut = m.end()
                tentative = False
            first = first and not is_keyword
            continue
        break
    rest = text[cut:]
    if flagged:
        kept: list[str] = []
        parts = _CLAUSES.split(rest)
        for i in range(0, len(parts), 2):
            words = tokens(parts[i])
            if words and all(w in _FLAG_CLAUSE_WORDS for w in words) and not _FLAG_TRIGGERS.isdisjoint(words):
                continue  # drop the clause and the punctuation after it
            kept.append(parts[i])
            if i + 1 < len(parts):
                kept.append(parts[i + 1])
        rest = "".join(kept).rstrip(" ,;:(")
    return _DETAIL_LEAD.sub("", rest).strip()


# ---------------------------------------------------------------------------------------------------
# Understanding a message

# The learned models `understand` scores with: the shipped ones (`handlers.blend`), which
# bench.nlu_accuracy swaps for others while it cross-validates.
_SCORER = SHIPPED_SCORER

_OTHER = Understanding(intent=Intent.OTHER)


# How much evidence of an earlier report of the writer's ("sudah lapor", "laporan saya", "belum ada
# tindakan") makes a complaint a follow-up (handlers/lexicon.py: the status lexicon).
_FOLLOW_UP = 1.5


def understand(text: str, *, dusun_names: Sequence[str] = ()) -> Understanding:
    """Understand one resident message (see the module docstring)."""
    raw = tokens(text)
    if not raw:
        return _OTHER
    toks = content_tokens(raw)
    n = len(toks)
    start, keyword, kw_index = _opening(toks)
    sc, code, content, unknown = evidence(toks, kw_index)
    question = _question(text, toks, start, sc[_QUESTION])
    asks = None if keyword is None else (_KEYWORD_INTENT[keyword], _KEYWORD_TOPIC.get(keyword))
    intent, topic, decisive = decide(toks, n, start, asks, sc, question, code, content, unknown)
    # Two decisive rules answer OTHER: spam (a warning) and plain thanks or praise (no reply needed).
    scam = intent is Intent.OTHER and decisive and sc[_SCAM] >= _SCAM_ENOUGH
    scores: list[float] | None = None
    if not decisive:
        intent, topic, scores = _with_models(text, raw, sc, intent, topic)
    elif intent is not Intent.INFO:
        topic = None
    if keyword is not None and intent is not _KEYWORD_INTENT[keyword]:
        keyword = None

    anonymous = confidential = False
    if not _FLAG_WORDS.isdisjoint(toks):  # for every intent: a privacy request is never a STOP
        anonymous, confidential = _privacy(toks)
        if (anonymous or confidential) and keyword is None and intent in (Intent.UNSUBSCRIBE, Intent.OTHER):
            intent = Intent.COMPLAINT  # "tolong rahasiakan nama saya": about a report, new or just made
    head_at_fault: bool | None = None  # not looked at yet
    if (
        intent in (Intent.INFO, Intent.OTHER)
        and not decisive
        and sc[_HEAD] > 0
        and (sc[_MISCONDUCT] > 0 or sc[_COMPLAINT] > 0)
    ):
        # "Apakah lurah itu ada hari kerjanya? ... tidak bisa menemui lurah di kantor": a question that
        # puts the head at fault is a complaint about him (and he must not see it).
        head_at_fault = head_fault(text, toks)[0] >= _FAULT_ENOUGH  # the rules alone turn a question around
        if head_at_fault:
            intent, topic = Intent.COMPLAINT, None

    category: Category | None = None
    on_head = False
    detail = ""
    if intent is Intent.COMPLAINT:
        on_head, content = _head_of_complaint(text, raw, toks, start, sc, content, scores, head_at_fault)
        if not on_head and (anonymous or confidential) and sc[_HEAD] > 0:
            # "mau lapor kades tapi rahasiakan nama saya": whoever names the head and asks not to be
            # named fears him; the report is kept from him (the BPD handles it).
            on_head = True
        if content > 0 and not (keyword is not None and n - start <= 1):
            category = _category(text, raw, sc, scores)
            flagged = anonymous or confidential
            if not flagged and text[:1].isalnum() and toks[0] not in _DETAIL_SKIP and keyword is None:
                detail = text.strip()  # nothing to strip: the common case
            else:
                detail = _detail(text, flagged)
    page, topics = _page_and_topics(toks, start, keyword, intent)

    return Understanding(
        intent=intent,
        category=category,
        topic=topic,
        about_head=on_head,
        anonymous=anonymous,
        confidential=confidential,
        location=locate(toks, dusun_names, KNOWN_WORDS),
        keyword=keyword,
        code=code if intent is Intent.STATUS else None,
        page=page,
        topics=topics,
        detail=detail,
        scam=scam and intent is Intent.OTHER,
        follow_up=intent is Intent.COMPLAINT and sc[_STATUS] >= _FOLLOW_UP,
    )


def _opening(toks: list[str]) -> tuple[int, str | None, int]:
    """Where the point of the message starts (past a leading greeting or address), the keyword there if
    any, and the index of that keyword if it is one that adds no evidence of its own (else -1)."""
    n = len(toks)
    start = 0
    while start < n and toks[start] in _GREETINGS:
        start += 1
    if start == n:
        # Only greetings ("Assalamualaikum", "selamat pagi", "halo?").
        start = 0
    keyword = keyword_of(toks[start]) if start < n else None
    kw_index = start if keyword is not None else -1
    if keyword == "MENU" and toks[start] == "bantuan" and n - start > 1:
        kw_index = -1  # "bantuan bibit kapan dibagi": the word may be content (see handlers.decide)
    return start, keyword, kw_index


def _question(text: str, toks: list[str], start: int, asked: float) -> float:
    """How much the message asks: the question words' evidence `asked`, plus a question mark, a
    trailing question tag ("sudah cair belum") and a question opener at `start`."""
    question = asked
    if "?" in text:
        question += 1.5
    n = len(toks)
    if n > 1:
        last = n - 1
        while last > 0 and toks[last] in _CLOSERS and toks[last] not in _QUESTION_TAGS:
            last -= 1
        if toks[last] in _QUESTION_TAGS:
            question += 1.0
    if start < n and toks[start] in _QUESTION_OPENERS:
        question += _QUESTION_OPENING  # "apakah ...", "kalau KTP rusak ...": asked, or supposed
    return question


def _with_models(
    text: str, raw: list[str], sc: list[float], intent: Intent, topic: Topic | None
) -> tuple[Intent, Topic | None, list[float] | None]:
    """Where the rules only weighed evidence: the intent and topic once the learned models had their say
    (`handlers.blend`), and the models' scores of `raw` if they were needed."""
    scores: list[float] | None = None
    if intent is Intent.OTHER:
        scores = _SCORER.scores(raw, text)
        intent = blend_intent(_SCORER.part("intent", scores))
    elif intent is Intent.INFO and topic is None:
        scores = _SCORER.scores(raw, text)
        intent = question_intent(_SCORER.part("intent", scores))
    if intent is not Intent.INFO:
        return intent, None, scores
    lexicon = sc[_TOPIC0 : _TOPIC0 + len(_TOPIC_ORDER)]
    topic = clear_topic(lexicon)  # the model could not change it
    if topic is None:
        if scores is None:
            scores = _SCORER.scores(raw, text)
        topic = blend_topic(lexicon, _SCORER.part("topic", scores))
    return intent, topic, scores


def _privacy(toks: list[str]) -> tuple[bool, bool]:
    """Whether the message asks to stay anonymous, and whether it asks to be kept confidential."""
    token_set = set(toks)
    anonymous = (
        bool(token_set & _ANON_WORDS)
        or bool(token_set & _SECRET_VERBS)
        or (bool(token_set & _NAME_WORDS) and bool(token_set & _HIDE_WORDS))
        or (bool(token_set & _FEAR_WORDS) and bool(token_set & _FOUND_OUT))
    )
    return anonymous, bool(token_set & _CONFIDENTIAL_WORDS)


def _head_of_complaint(
    text: str,
    raw: list[str],
    toks: list[str],
    start: int,
    sc: list[float],
    content: int,
    scores: list[float] | None,
    head_at_fault: bool | None,
) -> tuple[bool, int]:
    """Whether a complaint is about the village head (`head_at_fault`: what `head_fault` said already,
    if it was asked), and its number of content words: 0 when it names only him. A complaint about him
    leans to tata_kelola in `sc`."""
    rest = [
        t for t in toks[start:] if t not in _HEAD_REFERENCE and t not in _INTRO and t not in _REPORT_VERBS
    ]
    if rest and all(_WORDS.get(t) is not None and _WORDS[t].head for t in rest):
        # Only the head named: the complaint is about him, and its detail is still to come.
        return True, 0
    if sc[_HEAD] <= 0 or content <= 0:
        return False, content
    blamed = about_head(text, raw, toks, scores, _SCORER) if head_at_fault is None else head_at_fault
    if blamed:
        # The head's own conduct is village governance, his serving and signing included ("bu
        # lurah tidak mau tanda tangan"), unless the text names a clearer field (his BLT list is
        # bansos, his illegal logging lingkungan).
        sc[_CAT_TATA_KELOLA] += _HEAD_GOVERNANCE + sc[_CAT_ADMINISTRASI]
        sc[_CAT_ADMINISTRASI] = 0.0
    return blamed, content


def _category(text: str, raw: list[str], sc: list[float], scores: list[float] | None) -> Category:
    """The category of a complaint: the lexicons', or blended with the model's where their lead is not
    clear (`handlers.blend`)."""
    lexicon = sc[_CAT0 : _CAT0 + len(_CATEGORY_ORDER)]
    category = clear_category(lexicon)  # the model could not change it
    if category is None:
        if scores is None:
            scores = _SCORER.scores(raw, text)
        category = blend_category(lexicon, _SCORER.part("category", scores))
    return category


def _page_and_topics(
    toks: list[str], start: int, keyword: str | None, intent: Intent
) -> tuple[int | None, tuple[Topic, ...]]:
    """The page an information keyword asks for ("JADWAL 2"), and the topics a subscriber names
    ("DAFTAR JADWAL DANA")."""
    n = len(toks)
    if intent is Intent.INFO and keyword is not None and start + 1 < n and n - start <= 3:
        p = toks[start + 1]
        if p.isdigit() and len(p) <= 2 and int(p) > 0:
            return int(p), ()
    elif intent is Intent.SUBSCRIBE:
        named: list[Topic] = []
        for t in toks:
            tp = _SUBSCRIBE_TOPICS.get(t)
            if tp is not None and tp not in named:
                named.append(tp)
        return None, tuple(named)
    return None, ()

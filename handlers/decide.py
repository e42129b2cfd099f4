"""From a message's evidence to its intent: the ordered rules of understanding.

A leading keyword (or an opening that declares a report: "saya mau lapor ...") decides, unless the
evidence plainly contradicts it ("DAFTAR" in a complaint, "bantuan BLT belum cair"); a tracking code,
spam and plain thanks decide too. Otherwise the rules weigh the lexicon evidence of `handlers.evidence`:
asking about a report, leaving, joining, help, thanks, then complaint against question. Only a decisive
rule's answer is final; where the rules merely weighed evidence, `handlers.understand` lets the learned
models have a say.
"""

from dataclasses import dataclass

from handlers.lexicon import (
    _CAT0,
    _CATEGORY_ORDER,
    _COMPLAINT,
    _HELP,
    _HELP_WEAK,
    _MISCONDUCT,
    _OFFICIAL,
    _SCAM,
    _SOCIAL,
    _STATUS,
    _SUBSCRIBE,
    _SUBSCRIBE_WEAK,
    _TOPIC0,
    _TOPIC_ORDER,
    _UNSUBSCRIBE,
    _UNSUBSCRIBE_WEAK,
)
from handlers.words import _INTRO, _REPORT_VERBS, wordset
from models.vocabulary import Intent, Topic

__all__ = ["decide"]

# Spam evidence that makes a message spam (unless the complaint evidence is stronger still).
_SCAM_ENOUGH = 4.0
# Thanks that open a message, and the words that turn it into a complaint after all ("makasih, tapi
# lampunya mati lagi").
_THANKS = wordset("terima makasih thanks alhamdulillah matur hatur suwun nuhun")
_THANKS_WITHIN = 8
_CONTRAST = wordset("tapi tetapi namun masih belum sayangnya sayang cuma hanya mohon tolong kok lagi")
# The service's own messages: with these, "keluar", "daftar", "caranya" are about the service.
_SERVICE_WORDS = wordset("sms pesan pengumuman nomor ketik kirim dikirim dikirimi kirimi wa whatsapp balas")
# A how-to question that names nothing ("gimana caranya ya min?") asks how this service works.
_HOW_ALONE = wordset("""
    bagaimana gimana gmn piye kumaha caranya cara ya yah min kak pak bu mas mbak nih dong sih ini itu
    pakainya makainya menggunakannya pakenya
    """)

# What a rule decides: an intent, a topic for information requests, and whether the rule is decisive.
Decision = tuple[Intent, Topic | None, bool]


@dataclass(slots=True)
class _Weights:
    """The evidence the rules weigh (see `_weigh`)."""

    complaint: float  # problem words, and an official's misconduct
    status: float  # asks about an earlier report
    question: float
    help_strong: float  # help words, the weak ones left out
    help_score: float  # the weak words included where they count
    subscribe: float  # the weak words included where they count
    unsubscribe: float  # the weak words included where they count
    social: float  # thanks, greetings, chit-chat
    topic: Topic | None  # the topic with the most evidence
    topic_score: float  # and that evidence
    content: int  # content words


def decide(
    toks: list[str],
    n: int,
    start: int,
    keyword: tuple[Intent, Topic | None] | None,
    sc: list[float],
    question: float,
    code: str | None,
    content: int,
    unknown: int,
) -> Decision:
    """Turn keyword and evidence into an intent, a topic for information requests, and whether the rule
    that decided is decisive (a keyword or a declared report, a tracking code, spam, plain thanks) or
    only weighs evidence (then the learned models may have a say: see `handlers.understand`).

    `toks` are the message's tokens (`n` of them), `start` the first after a leading greeting; `keyword`
    what the keyword there asks for, if there is one: its intent, and its topic for an information
    keyword (`handlers.understand`: `_KEYWORD_INTENT`). `sc` are the lexicon scores, `question` how much
    the message asks, `code` its tracking code, `content` and `unknown` its counts of content and unknown
    words (`handlers.evidence`).
    """
    w = _weigh(toks, sc, question, content, unknown)
    scam = sc[_SCAM]
    if scam >= _SCAM_ENOUGH and scam >= w.complaint:
        return Intent.OTHER, None, True

    if keyword is None and _declares_report(toks, start):
        keyword = Intent.COMPLAINT, None  # "saya mau lapor ...", "kula ajeng wadul ...": as good as ADUAN
    if keyword is not None:
        decided = _keyword_rule(*keyword, toks[start], n - start - 1, code, w)
        if decided is not None:
            return decided

    if code is not None and (w.status >= 1 or content <= 2):
        return Intent.STATUS, None, True
    decided = _service_rule(w)
    if decided is None:
        decided = _thanks_rule(toks, start, w)
    if decided is None:
        decided = _content_rule(toks, start, sc, w)
    return decided


def _weigh(toks: list[str], sc: list[float], question: float, content: int, unknown: int) -> _Weights:
    """The evidence of the lexicon scores `sc` that the rules weigh."""
    complaint = sc[_COMPLAINT]
    if sc[_OFFICIAL] > 0:
        # Misconduct of an official is a complaint even without problem words ("kades jarang di kantor").
        complaint += sc[_MISCONDUCT]
    topic, topic_score = _best_topic(sc)
    # Help, subscribing and unsubscribing in words any message may use count only in a message that has
    # no other subject: no unknown word, and no clear category (nor topic, for help) unless the message
    # speaks of the service's own messages ("berisik tiap hari sms, keluarin aja").
    help_score = sc[_HELP]
    subscribe = sc[_SUBSCRIBE]
    unsubscribe = sc[_UNSUBSCRIBE]
    if unknown == 0 and (sc[_HELP_WEAK] or sc[_SUBSCRIBE_WEAK] or sc[_UNSUBSCRIBE_WEAK]):
        service = not _SERVICE_WORDS.isdisjoint(toks)
        if service or max(sc[_CAT0 : _CAT0 + len(_CATEGORY_ORDER)]) < 2.5:
            subscribe += sc[_SUBSCRIBE_WEAK]
            unsubscribe += sc[_UNSUBSCRIBE_WEAK]
            if service or topic_score < 2.5:
                help_score += sc[_HELP_WEAK]
    return _Weights(
        complaint,
        sc[_STATUS],
        question,
        sc[_HELP],
        help_score,
        subscribe,
        unsubscribe,
        sc[_SOCIAL],
        topic,
        topic_score,
        content,
    )


def _keyword_rule(
    kw_intent: Intent, kw_topic: Topic | None, word: str, rest: int, code: str | None, w: _Weights
) -> Decision | None:
    """What a keyword that asks for `kw_intent` (and `kw_topic`), written as `word` with `rest` tokens
    after it, decides; None where the word, not the keyword, is meant and the evidence decides."""
    if kw_intent is Intent.COMPLAINT:
        if code is not None and (w.question > 0 or w.content <= 2):
            return Intent.STATUS, None, True  # "aduan 334455 gimana?"
        if w.status >= 2.5 and (w.question > 0 or code is not None or w.status >= 4):
            return Intent.STATUS, None, True
        return Intent.COMPLAINT, None, True
    if kw_intent is Intent.STATUS:
        return Intent.STATUS, None, True
    if kw_intent is Intent.INFO:
        if w.complaint >= 2.5 and w.complaint > w.question:
            return Intent.COMPLAINT, None, True
        return Intent.INFO, kw_topic, True
    if kw_intent is Intent.SUBSCRIBE:
        if w.complaint >= 2.5 and w.complaint > w.question:
            return Intent.COMPLAINT, None, True
        if w.question < 2.5 or w.subscribe >= 2 or rest == 0:
            return Intent.SUBSCRIBE, None, True
        if w.topic_score >= 2.5:
            return Intent.INFO, w.topic, True
        # "mulai jam berapa?": the word, not the keyword; the evidence decides.
    if kw_intent is Intent.UNSUBSCRIBE:
        if w.complaint >= 4 and w.unsubscribe == 0 and rest >= 2:
            return Intent.COMPLAINT, None, True
        return Intent.UNSUBSCRIBE, None, True
    if kw_intent is Intent.HELP and (word != "bantuan" or rest == 0 or w.content <= 1):
        return Intent.HELP, None, True
    # "bantuan BLT belum cair" uses the word, not the keyword: the evidence decides.
    return None


def _service_rule(w: _Weights) -> Decision | None:
    """Asking about a report, leaving, joining or asking for help in words (not by keyword), if the
    evidence says so."""
    thanks_only = w.social >= 2 and w.question == 0 and w.complaint < 1.5
    if (
        w.status >= 2.5
        and (w.question > 0 or (w.status >= 4 and not thanks_only))
        and w.status > w.help_score
        and w.status >= w.complaint * 0.6
    ):
        return Intent.STATUS, None, False
    if (w.unsubscribe >= 3 or (w.content == 1 and w.unsubscribe >= 1)) and w.unsubscribe >= w.complaint:
        return Intent.UNSUBSCRIBE, None, False
    if (
        (w.subscribe >= 3 or (w.content == 1 and w.subscribe >= 1))
        and w.subscribe >= w.complaint
        and w.subscribe >= w.topic_score
    ):
        return Intent.SUBSCRIBE, None, False
    if (
        w.help_score >= 3
        and (w.help_strong >= 4 or w.help_score >= w.topic_score)
        and w.help_score >= w.complaint
    ):
        return Intent.HELP, None, False
    return None


def _thanks_rule(toks: list[str], start: int, w: _Weights) -> Decision | None:
    """Thanks or praise with nothing wrong: "other", with no reply needed."""
    if w.question < 2 and w.social >= 1.5 and _opens_with_thanks(toks, start) and _CONTRAST.isdisjoint(toks):
        # "Terima kasih, PJU sudah menyala kembali": thanks for what was done, whatever it names.
        return Intent.OTHER, None, True
    if w.social >= 2 and w.complaint < 1.5 and (w.question == 0 or w.topic_score < 2):
        # Thanks or praise and nothing wrong ("sangat membantu, bravo") is decisive: no model
        # second-guesses it.
        decisive = (w.social >= 4 or w.complaint < 0) and w.complaint <= 0.5 and w.question < 2
        return Intent.OTHER, None, decisive
    return None


def _content_rule(toks: list[str], start: int, sc: list[float], w: _Weights) -> Decision:
    """Complaint, question or neither, by what the message is about and how it speaks of it."""
    # What a message is about (topic, category) is shared by questions and complaints ("dana desa",
    # "surat"); what tells them apart is problem words against question words.
    complaint, question, topic, topic_score = w.complaint, w.question, w.topic, w.topic_score
    if complaint >= 1.5 and complaint >= question:
        return Intent.COMPLAINT, None, False
    if topic is not None and topic_score >= 2 and (question > 0 or w.content <= 3):
        return Intent.INFO, topic, False
    category_best = max(sc[_CAT0 : _CAT0 + len(_CATEGORY_ORDER)])
    if category_best >= 2.5 and w.content >= 3 and question < 1:
        # A statement about a village matter ("ada yg bakar sampah tiap sore") is a report.
        return Intent.COMPLAINT, None, False
    if complaint >= 1 and category_best >= 2:
        return Intent.COMPLAINT, None, False
    if topic is not None and topic_score >= 2.5 and w.content <= 5:
        return Intent.INFO, topic, False
    if ("cara" in toks or "caranya" in toks) and all(t in _HOW_ALONE for t in toks[start:]):
        # "gimana caranya?" with nothing else: how to use this service.
        return Intent.HELP, None, False
    if question >= 2.5 and complaint < question:
        # A question about something the lexicons know no topic for ("kursus komputer gratis dimana?"):
        # a question, unless the model reads it as one about the service or as chat; no topic (the
        # blend finds it, see handlers.understand).
        return Intent.INFO, None, False
    if complaint >= 1 and category_best >= 1 and w.content >= 4:
        return Intent.COMPLAINT, None, False
    if w.help_score >= 2 or (w.content == 1 and toks[-1] in ("info", "informasi")):
        return Intent.HELP, None, False
    return Intent.OTHER, None, False


def _best_topic(sc: list[float]) -> tuple[Topic | None, float]:
    """The topic with the most evidence, and that evidence."""
    best = 0.0
    topic: Topic | None = None
    for i, t in enumerate(_TOPIC_ORDER):
        v = sc[_TOPIC0 + i]
        if v > best:
            best, topic = v, t
    return topic, best


def _opens_with_thanks(toks: list[str], start: int) -> bool:
    """Whether the message opens with thanks: "terima kasih ...", "alhamdulillah ...", "saya mengucapkan
    terima kasih ..." (within its first words)."""
    if start >= len(toks):
        return False
    if toks[start] in _THANKS:
        return True
    opening = toks[start : start + _THANKS_WITHIN]
    return "terima" in opening and ("mengucapkan" in opening or "ucapkan" in opening)


def _declares_report(toks: list[str], start: int) -> bool:
    """Whether the message opens by saying it is a report: "(saya) mau lapor", "kula ajeng wadul"."""
    i = start
    n = len(toks)
    while i < n and toks[i] in _INTRO:
        i += 1
    return start < i < n and toks[i] in _REPORT_VERBS

"""Reading a reporter's answer to "is it really fixed? 1 yes / 2 no" (asked when staff close a
ticket, handlers/lifecycle.py): the number, a yes or no, or the resident's own words ("belum pak, masih
bolong"), in Indonesian, Javanese and Sundanese. handlers/pipeline.py asks it while the question waits.
"""

import re

from handlers.normalize import normalize

# Answers to "is it really fixed? 1 yes / 2 no", as residents write them (normalised).
CONFIRM_ANSWERS = {
    "1": True,
    "ya": True,
    "sudah": True,
    "sudah beres": True,
    "beres": True,
    "2": False,
    "belum": False,
    "tidak": False,
    "belum beres": False,
}
# While that question waits, an answer may also come in the resident's own words: "belum pak, masih
# bolong", "masih rusak", "udah beres, makasih". Only short messages that start with such a word count;
# a "not yet" keeps the rest ("masih bolong") as the reason for reopening. A longer message, or a "yes"
# followed by more than politeness ("sudah 3 hari jalan RT 5 banjir"), is read as usual: likely a new
# report, and the question stays open.
# Javanese and Sundanese too: sampun / wis / atos (sudah), durung / dereng / teu acan (belum), ora /
# mboten / teu (tidak), isih (masih).
CONFIRM_YES_LEADS = frozenset({"ya", "iya", "sudah", "beres", "alhamdulillah", "sampun", "wis", "atos"})
CONFIRM_NO_LEADS = frozenset({"belum", "tidak", "durung", "dereng", "teu", "acan", "ora", "mboten"})
CONFIRM_NO_KEPT = frozenset({"masih", "isih", "tetap", "tetep"})  # "masih rusak": answer and reason in one
# "tidak ada air di RT 5" is a new problem, not an answer; so in Javanese and Sundanese.
NEW_PROBLEM_LEADS = frozenset({("tidak", "ada"), ("teu", "aya"), ("ora", "ana"), ("mboten", "wonten")})
CONFIRM_POLITE = frozenset(
    {
        *CONFIRM_YES_LEADS,
        *CONFIRM_NO_LEADS,
        "pak",
        "bu",
        "bapak",
        "ibu",
        "mas",
        "mbak",
        "kak",
        "min",
        "admin",
        "bos",
        "terima",
        "kasih",
        "makasih",
        "ok",
        "oke",
        "baik",
        "bagus",
        "aman",
        "lancar",
        "sekarang",
        "kok",
        "sih",
        "deh",
        "dong",
        "nih",
        "banyak",
        "sip",
        "mantap",
        "alhamdulillah",
        "nuhun",
        "hatur",
        "pisan",
        "matur",
        "suwun",
        "nggih",
    }
)
CONFIRM_MAX_WORDS = 7
NUMBER_ANSWERS = {"1": True, "2": False}  # the question says "Balas 1 jika ya, 2 jika belum"
NOT_YET = CONFIRM_NO_LEADS | CONFIRM_NO_KEPT


def read_confirm(text: str) -> tuple[bool, str] | None:
    """The answer to "is it fixed?" in a message, and the reason a "not yet" gives; None: not an answer."""
    normal = normalize(text)
    exact = CONFIRM_ANSWERS.get(normal)
    if exact is not None:
        return exact, ""
    words = normal.split()
    if not words or len(words) > CONFIRM_MAX_WORDS:
        return None
    lead = words[0]
    if lead in NUMBER_ANSWERS:  # "2 masih rusak", "1 makasih": the number asked for, and more
        if not NUMBER_ANSWERS[lead]:
            return False, _reason(_after_lead(text))
        lead = "ya"  # "1" reads as the yes it stands for, polite words and a "masih rusak" alike
    if lead in CONFIRM_YES_LEADS:
        first = next((word for word in words[1:] if word not in CONFIRM_POLITE - NOT_YET), None)
        if first in NOT_YET:
            # "iya blm beres", "ya pak, masih rusak": a yes-word to open, and still not fixed. Reopening
            # costs a visit; closing a complaint that is not fixed loses it.
            return False, _reason(_after_lead(text))
        if any(word not in CONFIRM_POLITE for word in words[1:]):
            return None
        return True, ""
    if lead not in CONFIRM_NO_LEADS and lead not in CONFIRM_NO_KEPT:
        return None
    if tuple(words[:2]) in NEW_PROBLEM_LEADS:
        return None
    return False, _reason(text)


def _after_lead(text: str) -> str:
    """The text after its first word, also when a comma glues them ("ya,masih rusak")."""
    return _LEAD.sub("", text, count=1)


_LEAD = re.compile(r"^\W*\w+")


def _reason(text: str) -> str:
    """What a "not yet" says besides the answer, in the resident's words: "belum pak, masih bolong" ->
    "masih bolong"; a second negation is part of the reason ("gak, blm ditambal" -> "blm ditambal")."""
    raw = text.split()
    if raw and all(word in CONFIRM_NO_LEADS for word in normalize(raw[0]).split()):
        first = raw.pop(0)
        if raw and normalize(first) == "teu" and normalize(raw[0]) == "acan":
            raw.pop(0)  # Sundanese "teu acan": one "not yet" in two words
    filler = CONFIRM_POLITE - CONFIRM_NO_LEADS
    while raw and (lead := normalize(raw[0]).split()) and all(word in filler for word in lead):
        raw.pop(0)
    return " ".join(raw).strip(" ,.;:-!?")

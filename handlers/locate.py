"""Where a resident's problem is: the dusun, RW and RT a message names.

RT and RW come as residents write them ("rt 3", "rt 03 rw 02", "rt 02/05", "rt rw 02/05"); a dusun is one
of the village's known dusun names, or else the word after "dusun"/"dukuh". A message that names several
different ones names none.
"""

from collections.abc import Sequence, Set
from dataclasses import dataclass
from functools import lru_cache

from handlers.normalize import tokens
from handlers.words import wordset

__all__ = ["NO_LOCATION", "Location", "locate"]


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is, as residents say it: dusun, RW and RT."""

    dusun: str | None = None
    rw: int | None = None
    rt: int | None = None


NO_LOCATION = Location()

_DUSUN_MARKERS = frozenset({"dusun", "dukuh"})
_DUSUN_CONTEXT = wordset(
    "dusun dukuh di ke dari warga wilayah daerah blok kampung lingkungan ning nang ing ka ti sekitar"
)
_NUMBER_WORDS = {
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
    "sepuluh": 10,
}


def locate(toks: list[str], dusun_names: Sequence[str], known_words: Set[str]) -> Location:
    """The dusun, RW and RT the message `toks` names. `dusun_names` are the village's dusun; a name that
    is also one of `known_words` ("tengah", "kulon") counts only after a place word ("di", "dusun"), and
    the word after "dusun" is not taken for an unlisted name if it is one of them."""
    rt, rw = find_rt_rw(toks) if ("rt" in toks or "rw" in toks) else (None, None)
    dusun = (
        find_dusun(toks, dusun_names, known_words)
        if dusun_names or not _DUSUN_MARKERS.isdisjoint(toks)
        else None
    )
    return NO_LOCATION if rt is None and rw is None and dusun is None else Location(dusun, rw, rt)


@lru_cache(maxsize=256)
def _dusun_index(names: tuple[str, ...]) -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
    """First normalised token of each known dusun name -> (all its tokens, the name as given)."""
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for name in names:
        words = tuple(tokens(name))
        if words:
            index.setdefault(words[0], []).append((words, name))
    return {k: tuple(sorted(v, key=lambda e: -len(e[0]))) for k, v in index.items()}


def find_dusun(toks: list[str], names: Sequence[str], known_words: Set[str]) -> str | None:
    """The one dusun the message names, or None when it names none or several."""
    found: str | None = None
    if names:
        index = _dusun_index(names if isinstance(names, tuple) else tuple(names))
        for i, t in enumerate(toks):
            candidates = index.get(t)
            if candidates is None:
                continue
            for words, name in candidates:
                if tuple(toks[i : i + len(words)]) != words:
                    continue
                # A name that is also a common word ("tengah", "kulon") needs a marker before it.
                if t in known_words and (i == 0 or toks[i - 1] not in _DUSUN_CONTEXT):
                    continue
                if found is not None and found != name:
                    return None
                found = name
                break
        if found is not None:
            return found
    for i, t in enumerate(toks):
        if t in _DUSUN_MARKERS and i + 1 < len(toks):
            nxt = toks[i + 1]
            if not nxt.isalpha() or len(nxt) < 3 or nxt in known_words:
                continue
            name = nxt.title()
            if found is not None and found != name:
                return None
            found = name
    return found


def _number(token: str) -> int | None:
    """A small number written in digits or words."""
    if token.isdigit():
        return int(token) if len(token) <= 3 and token.strip("0") else None  # there is no RT 0
    return _NUMBER_WORDS.get(token)


def find_rt_rw(toks: list[str]) -> tuple[int | None, int | None]:
    """RT and RW numbers ("rt 3", "rt 03 rw 02", "rt 02/05", "rt rw 02/05"); None when several differ."""
    rt: int | None = None
    rw: int | None = None
    rt_conflict = rw_conflict = False
    n = len(toks)
    for i, t in enumerate(toks):
        if t != "rt" and t != "rw":
            continue
        j = i + 1
        if t == "rt" and j < n and toks[j] == "rw":
            j += 1  # "rt rw 02/05"
        if j >= n:
            continue
        nxt = toks[j]
        if "/" in nxt:
            first, _, second = nxt.partition("/")
            a, b = _number(first), _number(second)
            if t == "rt" and a is not None and b is not None:
                if rt is not None and rt != a:
                    rt_conflict = True
                if rw is not None and rw != b:
                    rw_conflict = True
                rt, rw = a, b
            continue
        value = _number(nxt)
        if value is None:
            continue
        if t == "rt":
            if rt is not None and rt != value:
                rt_conflict = True
            rt = value
        else:
            if rw is not None and rw != value:
                rw_conflict = True
            rw = value
    return (None if rt_conflict else rt), (None if rw_conflict else rw)

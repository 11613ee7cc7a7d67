"""Administrative names in a read address, matched to the official list of Vietnam's provinces and wards
(the `vietnam-provinces` package): a name the reader got one or two characters wrong becomes the one
official name that close to it. A street name after a house or alley number that is that close to one
of Vietnam's common street names (`fvi.cards.streets`) becomes it; other street parts (hamlets, streets
in no list) are left as read.

A component is one comma-separated part of the address: an administrative kind word ("Xã",
"Phường", "Huyện", "Tỉnh", "TP." ...) followed by a name, or a bare province name at the end.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from fvi.cards.divisions import load_divisions
from fvi.cards.streets import STREET_KINDS_BEFORE_NAME, STREET_KINDS_BEFORE_NUMBER, STREET_NAMES

#: Kind words in front of an administrative name (longest first); abbreviations as cards print them.
ADMIN_KINDS: tuple[str, ...] = ("Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Phường", "Huyện", "Quận",
                                "Tỉnh", "Xã", "TP.", "P.", "T.")
#: How many edits a name may be from an official one: one per this many characters (at least one). Among
#: all of Vietnam's ~3,300 names...
CHARS_PER_EDIT = 6
#: ... and among the ~100 wards of the province the address ends with (an address's wards and districts
#: lie in its province), where fewer names are near one another.
CHARS_PER_EDIT_IN_PROVINCE = 2
#: Kind words a province's name may follow.
PROVINCE_KINDS: tuple[str, ...] = ("Tỉnh", "T.", "Thành phố", "TP.")
#: A kind word at least this long may itself be misread by one character.
FUZZY_KIND_MIN_LENGTH = 4
#: Fields that hold an address.
ADDRESS_FIELDS = ("place_of_origin", "place_of_residence", "place_of_birth")


@dataclass(frozen=True)
class AddressMatch:
    text: str
    changed: int  # components replaced by an official name


@lru_cache(maxsize=1)
def official_names() -> tuple[str, ...]:
    """Province names and ward names without their kind word ("Phường Bến Nghé" -> "Bến Nghé")."""
    names = set(province_names())
    for p in load_divisions():
        names.update(_without_kind(w["name"]) for w in p["wards"])
    return tuple(sorted(n for n in names if n))


@lru_cache(maxsize=1)
def province_names() -> tuple[str, ...]:
    """Province names alone, without their kind word ("Tỉnh Lạng Sơn" -> "Lạng Sơn")."""
    return tuple(sorted(_without_kind(p["name"]) for p in load_divisions()))


@lru_cache(maxsize=1)
def wards_by_province() -> dict[str, tuple[str, ...]]:
    """Each province's name (without its kind word) -> its ward names (without theirs)."""
    return {_without_kind(p["name"]): tuple(sorted({_without_kind(w["name"]) for w in p["wards"]} - {""}))
            for p in load_divisions()}


def _without_kind(name: str) -> str:
    for kind in ADMIN_KINDS:
        if name.startswith(kind + " "):
            return name[len(kind) + 1:]
    return name


def match_name(name: str, names: tuple[str, ...] | None = None, chars_per_edit: int = CHARS_PER_EDIT,
               max_edits: int | None = None) -> str | None:
    """The official name (of ``names``, by default every province and ward) within max(1, len /
    ``chars_per_edit``) edits of ``name`` (or ``max_edits``) when exactly one is nearest, else None."""
    if names is None:
        names = official_names()
        if name in _name_set():
            return name
    elif name in names:
        return name
    limit = max(1, len(name) // chars_per_edit) if max_edits is None else max_edits
    found = process.extract(name, names, scorer=Levenshtein.distance, score_cutoff=limit, limit=2)
    if not found or (len(found) == 2 and found[1][1] == found[0][1]):
        return None
    return found[0][0]


@lru_cache(maxsize=1)
def _name_set() -> frozenset[str]:
    return frozenset(official_names())


def _split_kind(component: str) -> tuple[str | None, str]:
    """("Huyện", "Vĩnh Bảo") for "Huyên Vĩnh Bảo": the kind word (exact, or one edit off when long) and
    the rest; (None, component) when it starts with no kind word."""
    words = component.split(" ")
    for kind in ADMIN_KINDS:
        n = kind.count(" ") + 1
        if len(words) <= n:
            continue
        head = " ".join(words[:n])
        if head == kind or (len(kind) >= FUZZY_KIND_MIN_LENGTH and Levenshtein.distance(head, kind) <= 1):
            return kind, " ".join(words[n:])
    return None, component


@lru_cache(maxsize=1)
def city_provinces() -> frozenset[str]:
    """Names of the centrally run cities ("Hà Nội", "Huế"), whose short kind word is "TP." not "T."."""
    return frozenset(_without_kind(p["name"]) for p in load_divisions() if p["name"].startswith("Thành phố "))


def short_province_kind(word: str, province: str) -> str | None:
    """The province's short kind word ("T." or "TP.") that a first word of at most 3 characters with no
    kind word's spelling ("TP", "L.", "TR.") is a misreading of: its letters one edit from the kind's, and
    the kind the province takes when both are; None for a longer word or a kind word."""
    if len(word) > 3 or word in ADMIN_KINDS:
        return None
    letters = word.rstrip(".,")
    near = [k for k in ("T.", "TP.") if Levenshtein.distance(letters, k.rstrip(".")) <= 1]
    if len(near) > 1:
        near = [k for k in near if letters == k.rstrip(".")] or ["TP." if province in city_provinces() else "T."]
    return near[0] if near else None


def match_address(text: str, probs: Sequence[float] | None = None) -> AddressMatch:
    """``text`` with each administrative component's name (and kind word) made official where one
    official name is that close. The last component is the province (with or without its kind word),
    matched among provinces alone (or the one province it is the start of; or split off the component
    before it when its comma was lost); the other components' names are matched first among that province's
    wards, more loosely (:data:`CHARS_PER_EDIT_IN_PROVINCE`), then among every name. A name official in
    the province stays as read; one official only elsewhere takes the one ward of the province a single
    edit away, if there is one ("Xã Phú Thành, ..., Thái Nguyên" -> "Phú Thịnh"), else stays.

    Given the reader's probability of each character of ``text`` (``probs``), a name changes only where
    the reader doubted it (:func:`reader_doubted`): a name read with certainty stays as read, official or
    not (a former district, a name from another list)."""
    text, probs = tidy_address(text, probs)
    parts = [p.strip() for p in text.split(",")]
    province = match_name(_split_kind(parts[-1])[1], province_names())
    if province is None:
        parts[-1:] = split_off_province(parts[-1])
        kind, name = _split_kind(parts[-1])
        province = match_name(name, province_names())
        if province is None and kind in (None, *PROVINCE_KINDS):
            province = province_by_prefix(name)
    split = [_split_kind(p) for p in parts]
    name_probs = _name_probs(text, probs, parts, split)
    changed = 0
    if province is None and split[-1][0] is None and " " in parts[-1]:
        # a short kind word misread ("TP Hà Nội", "L. Đồng Tháp") in front of the province
        head, rest = parts[-1].split(" ", 1)
        if (found := match_name(rest, province_names())) and (kind := short_province_kind(head, found)):
            province, parts[-1], split[-1], changed = found, f"{kind} {rest}", (kind, rest), 1
    wards = wards_by_province().get(province, ()) if province else ()
    out = []
    for i, (part, (kind, name)) in enumerate(zip(parts, split)):
        if i == len(parts) - 1:
            official = province
        elif kind is None:
            fixed = match_street(with_street_kind(part), name_probs[i])
            changed += fixed != part
            out.append(fixed)
            continue
        elif name in _name_set():
            # official elsewhere only: the one ward of this province a single edit away is likelier
            official = name if name in wards or not wards else (match_name(name, wards, max_edits=1) or name)
        else:
            official = (match_name(name, wards, CHARS_PER_EDIT_IN_PROVINCE) if wards else None) or match_name(name)
        if (official is not None and not official.startswith(name)  # a name cut short is completed
                and not reader_doubted(name, official, name_probs[i])):
            official = None
        fixed = part if official is None else (f"{kind} {official}" if kind else official)
        changed += fixed != part
        out.append(fixed)
    return AddressMatch(", ".join(out), changed)


_KINDS_RE = "|".join(re.escape(k) for k in (*ADMIN_KINDS[:9], "Thị trấn", "Đặc khu") if not k.endswith("."))
#: The address format's signs where the reader lost or misread them (validation sets): a comma before an
#: administrative kind word that starts a component inside a line ("Xóm 4 Xã Nhị Trường", "Lý Tự Trọng.
#: Phường"), none right after one ("Xã, Phương Bình"; "Thị, Xã" is "Thị xã"), a space between a street
#: kind word and its number ("Ngách61/19") and after a short kind word ("T.Lai Châu"), a capital on a
#: kind word that starts a component ("xã Đồng Tâm").
#: ... but not right after a kind word: a component is a kind word and a name ("Phường Tỉnh Gia" is one).
_NOT_AFTER_KIND = "".join(f"(?<!{re.escape(k.split()[-1])})" for k in ADMIN_KINDS if not k.endswith("."))
#: Words an address starts with: street and administrative kind words.
_STARTS = (*STREET_KINDS_BEFORE_NUMBER, *STREET_KINDS_BEFORE_NAME, "Khu", *(k.split()[0] for k in ADMIN_KINDS))
_STARTS_RE = "|".join(sorted({re.escape(w) for w in _STARTS}, key=len, reverse=True))
#: The ends (3+ letters, lower case) of kind words that end only one of them: what is left of it when a
#: box cut an address's first word ("ường" -> "Phường").
_CUT_KINDS = {end: kind for kind in ("Phường", "Huyện", "Quận", "Tỉnh", "Thôn", "Xóm", "Ngách")
              for end in (kind[i:] for i in range(1, len(kind) - 2))
              if end[0].islower() and sum(k.endswith(end) for k in set(_STARTS)) == 1}
_ADDRESS_SIGNS: tuple[tuple[re.Pattern[str], str], ...] = (  # group 1 of each match becomes the sign
    (re.compile(r"\b(Thị, Xã)\b"), "Thị xã"),
    (re.compile(rf"(?<=[^\s,.])(?<!Thị){_NOT_AFTER_KIND}(\.? )(?=(?:{_KINDS_RE}) [A-ZĐÀ-Ỹ0-9])"), ", "),
    (re.compile(rf"\b(?:{_KINDS_RE})(, )(?=[A-ZĐÀ-Ỹ])(?!(?:{_KINDS_RE})\b)"), " "),
    (re.compile(rf"\b(?:{'|'.join(STREET_KINDS_BEFORE_NUMBER)})()(?=\d)"), " "),
    (re.compile(r"\b(?:TP|T|P)\.()(?=[A-ZĐÀ-Ỹ])"), " "),  # "T.Lai Châu"
    # specks before the address's first kind word: words in lower case or starting with a sign,
    # the end of the label or a stroke the box took in ("rà Xóm Trọng", "den<e Số 366")
    (re.compile(rf"^((?:[^\sA-ZĐÀ-Ỹ0-9]\S*\s+)+)(?=(?:{_STARTS_RE})\s)"), ""),
    # the address's first kind word cut at its start by the box ("ường Hải Châu")
    *((re.compile(rf"^({re.escape(cut)})(?= [A-ZĐÀ-Ỹ])"), kind) for cut, kind in _CUT_KINDS.items()),
    # a kind word starting a component in lower case ("xã Đồng Tâm")
    *((re.compile(rf"(?:^|(?<=, ))({kind.lower()})(?= [A-ZĐÀ-Ỹ])"), kind) for kind in ("Xã", "Phường", "Huyện", "Quận", "Tỉnh")),
)


def tidy_address(text: str, probs: Sequence[float] | None = None) -> tuple[str, Sequence[float] | None]:
    """``text`` with the address format's signs (:data:`_ADDRESS_SIGNS`), and ``probs`` kept aligned with
    it (a sign put in counts as certain)."""
    aligned = probs is not None and len(probs) == len(text)
    out_probs = list(probs) if aligned else None
    for pattern, sign in _ADDRESS_SIGNS:
        pieces, piece_probs, end = [], [], 0
        for m in pattern.finditer(text):
            start, stop = m.span(1)
            pieces += [text[end:start], sign]
            if out_probs is not None:
                piece_probs += [*out_probs[end:start], *([1.0] * len(sign))]
            end = stop
        if pieces:
            pieces.append(text[end:])
            text = "".join(pieces)
            if out_probs is not None:
                out_probs = [*piece_probs, *out_probs[end:]]
    return text, out_probs if aligned else probs


#: A read character the reader gave at least this probability is taken as seen, not as a misreading an
#: official name may overrule. Chosen on the validation sets (perf/reports/address-doubt.md).
DOUBT = 0.999


def reader_doubted(read: str, official: str, probs: Sequence[float] | None) -> bool:
    """Whether the reader doubted every character that turning ``read`` into ``official`` edits (changed
    or dropped: its probability below :data:`DOUBT`; one missing: a neighbour's); True without ``probs``."""
    if probs is None:
        return True
    for op in Levenshtein.editops(read, official):
        i = op.src_pos
        if op.tag == "insert":
            p = min(probs[max(i - 1, 0)], probs[min(i, len(read) - 1)]) if read else 0.0
        else:
            p = probs[i]
        if p >= DOUBT:
            return False
    return True


def _name_probs(text: str, probs: Sequence[float] | None, parts: list[str],
                split: list[tuple[str | None, str]]) -> list[Sequence[float] | None]:
    """Each component's name's character probabilities, found in ``text`` in order (None without probs
    or where the name is not found as read)."""
    out: list[Sequence[float] | None] = []
    cursor = 0
    for part, (_, name) in zip(parts, split):
        at = text.find(part, cursor) if probs is not None and len(probs) == len(text) else -1
        if at < 0 or not name:
            out.append(None)
            continue
        cursor = at + len(part)
        start = cursor - len(name)
        out.append(probs[start:cursor] if text[start:cursor] == name else None)
    return out


def with_street_kind(part: str) -> str:
    """``part`` (a component with no administrative kind word) with its first word made the street-level
    kind word ("Số", "Tổ", "Ấp", "Thôn", ...: :mod:`fvi.cards.streets`) it is one edit from, when it is
    no such word itself, exactly one is that close, and the next word fits that kind: a number after
    "Số" / "Tổ" / "Ngõ" ..., a capitalised name after "Ấp" / "Thôn" / "Xóm" ... ("Só 247" -> "Số 247",
    "Xón Khái" -> "Xóm Khái"; "Ngô Quyền" stays, no number follows; so does an official name written
    without its kind word, "Bến Thành")."""
    words = part.split(" ")
    kinds = (*STREET_KINDS_BEFORE_NUMBER, *STREET_KINDS_BEFORE_NAME)
    if len(words) < 2 or words[0] in kinds or len(words[0]) < 2 or part in _name_set():
        return part
    near = [k for k in kinds if Levenshtein.distance(words[0], k, score_cutoff=1) <= 1]
    if len(near) != 1:
        return part
    follows = words[1][:1].isdigit() if near[0] in STREET_KINDS_BEFORE_NUMBER else words[1][:1].isupper()
    return " ".join([near[0], *words[1:]]) if follows else part


def match_street(part: str, probs: Sequence[float] | None = None) -> str:
    """``part`` with the street name after its last number ("Số 169/66 Phạn Ngũ Lão", "Ngõ 134 Hoàng
    Diều") replaced by the one common street name (:data:`fvi.cards.streets.STREET_NAMES`) within max(1,
    len / :data:`CHARS_PER_EDIT`) edits, when one is nearest; ``part`` itself otherwise (no number, no
    such name)."""
    words = part.split(" ")
    numbered = [i for i, w in enumerate(words) if any(c.isdigit() for c in w)]
    if not numbered or numbered[-1] == len(words) - 1:
        return part
    head, street = words[:numbered[-1] + 1], " ".join(words[numbered[-1] + 1:])
    official = match_name(street, STREET_NAMES)
    if official is None or (probs is not None and len(probs) == len(part)
                            and not reader_doubted(street, official, probs[len(part) - len(street):])):
        return part
    return " ".join([*head, official])


#: A province's name cut short (a line box that ends too early) keeps at least this many letters.
MIN_PREFIX = 3


def province_by_prefix(name: str) -> str | None:
    """The one province whose name starts with ``name`` (stray signs at its end dropped), cut short by at
    least one character: "Hồ Chí M" -> "Hồ Chí Minh"; None when no or several provinces do."""
    stem = name.rstrip(" .,;:()[]/-<")
    if len(stem) < MIN_PREFIX:
        return None
    found = [p for p in province_names() if p.startswith(stem) and p != stem]
    return found[0] if len(found) == 1 else None


def split_off_province(last: str) -> list[str]:
    """A last component that is no province but an administrative name followed by a province whose
    comma the reader lost, as two: "Huyện Nghĩa Thọ Nghệ An" -> ["Huyện Nghĩa Thọ", "Nghệ An"] (the
    province's name exact, with or without its kind word); otherwise ``[last]``."""
    kind, name = _split_kind(last)
    if kind is None:
        return [last]
    words = name.split(" ")
    for k in range(1, len(words)):
        tail = " ".join(words[k:])
        if _split_kind(tail)[1] in province_names():
            return [f"{kind} {' '.join(words[:k])}", tail]
    return [last]


def join_address_lines(lines: list[str]) -> str:
    """The lines of one address as one text. Components are comma-separated; a line that starts with an
    administrative kind word ("Tỉnh Lào Cai") starts a component, so the line before it ends one: its
    comma is put back when the reader (or a box cut short) lost it at the line's end. (A line that is a
    province's name alone does not: the kind word often ends the line before, "Tỉnh / Lạng Sơn", 40 times
    in the validation set's labels; adding that comma cost 8 points of place of residence.) An address
    never ends with a comma: a stray one at the end is dropped."""
    return join_address_with_probs(lines, [(1.0,) * len(line) for line in lines])[0]


def join_address_with_probs(lines: list[str], probs: list[Sequence[float]]) -> tuple[str, list[float]]:
    """:func:`join_address_lines`, with each character's reader probability carried along (``probs``: one
    per character of each line; a space or comma put in between counts as certain)."""
    out, out_probs = "", []
    for line, line_probs in zip(lines, probs):
        if out and not out.endswith(",") and _split_kind(line)[0] is not None:
            out, out_probs = out + ",", [*out_probs, 1.0]
        if out:
            out, out_probs = f"{out} {line}", [*out_probs, 1.0, *line_probs]
        else:
            out, out_probs = line, list(line_probs)
    end = len(out.rstrip().removesuffix(",").rstrip())
    return out[:end], out_probs[:end]

"""A card cut by the photo's frame: its corners outside the photo, from the card's edges inside it.

The cropper finds corners it can see; a corner outside the photo comes back pulled in to the frame, and
warping with it squeezes the card's visible part. Here the two card edges that meet at such a corner are
found in the photo (a step in colour across the edge at points along it, near where the cropper put it,
and the one straight line through most of those steps that starts at a corner the cropper saw) and the
corner is put where they cross. A corner with one edge in the photo is put along it, as far as the
opposite side is long (or the card's aspect ratio says). Only corners that land beyond the photo are
taken: a corner inside it the cropper saw better than this can guess.
"""

from __future__ import annotations

import cv2
import numpy as np

from fvi.cards.types import CANONICAL_SIZE
from fvi.cards.validate import FAIL, PASS, Check

#: A corner the frame cut off comes back at the photo's border or beyond it (the letterbox's margin lets
#: the cropper point a little past the photo): this close to it (share of the photo's longer side). On
#: the validation set (seed 2 and 3), 84 of the 112 corners found that close lay outside the photo,
#: 5 of the 278 found 3-25 px inside it.
AT_FRAME = 0.0025
#: How far across an edge its position is searched, as a share of the card's width.
SEARCH = 0.06
#: Sample points along an edge.
SAMPLES = 32
#: Steps kept per sample as candidates for the edge.
CANDIDATES = 4
#: Half-width of the step looked for across an edge (share of card width; at least 2 px).
STEP = 0.006
#: A step weaker than this (mean RGB level difference across it) is no edge.
MIN_STEP = 12.0
#: A fitted edge must pass this close to the corner the cropper saw at its other end (share of card
#: width), and carry at least this share of its samples.
CORNER_TOLERANCE = 0.025
MIN_SUPPORT = 0.5
#: A completed corner may move at most this far from where the cropper put it (share of card width).
MAX_MOVE = 0.4

ASPECT = CANONICAL_SIZE[0] / CANONICAL_SIZE[1]


def near_frame(corners: np.ndarray, shape: tuple[int, ...], margin: float | None = None) -> np.ndarray:
    """Which corners (image px) lie within ``margin`` px of the photo's border (default AT_FRAME of its
    longer side) or beyond it; a negative margin asks which lie that far outside it."""
    h, w = shape[:2]
    margin = AT_FRAME * max(h, w) if margin is None else margin
    x, y = corners[:, 0], corners[:, 1]
    return (x < margin) | (y < margin) | (x > w - 1 - margin) | (y > h - 1 - margin)


#: Corner names in card-text order, for messages.
CORNER_NAMES = ("top-left", "top-right", "bottom-right", "bottom-left")


def card_inside_photo(corners: np.ndarray, photo_size: tuple[int, int]) -> Check:
    """Whether the whole card is in the photo: ``fail`` when a corner lies at the photo's edge or past it
    (text there may be cut off: ask for another photo), naming those corners. On the validation sets
    (seeds 2-4) it failed on all 64 card photos with a corner out of the frame, and on 37 of the 965
    without, most of those with the card touching the frame."""
    at_edge = near_frame(np.float32(corners), photo_size)
    if not at_edge.any():
        return Check("card_inside_photo", PASS)
    names = ", ".join(name for name, hit in zip(CORNER_NAMES, at_edge) if hit)
    return Check("card_inside_photo", FAIL, f"card corners at or past the photo's edge: {names} (as the card reads)")


def complete_cut_card(image: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """``corners`` (image px, card-text order) with those at or beyond the photo's border put where the
    card's visible edges say they are, when that is outside the photo. Unchanged when no corner is at the
    border, when all are, or when the outline would no longer be a convex quad."""
    corners = np.float32(corners)
    cut = near_frame(corners, image.shape)
    width = float(np.linalg.norm(corners[1] - corners[0]))
    if not cut.any() or cut.all() or width < 20:
        return corners
    # Side i runs from corner i to corner i + 1; its edge is looked for from a corner the cropper saw.
    lines = []
    for i in range(4):
        j = (i + 1) % 4
        if cut[i] and cut[j]:
            lines.append(None)  # no corner it starts from was seen: the edge is mostly outside
        else:
            lines.append(fit_edge(image, corners, *((i, j) if not cut[i] else (j, i)), width))
    out = corners.copy()
    known = ~cut
    for k in np.flatnonzero(cut):
        before, after = lines[(k - 1) % 4], lines[k]
        point = None if before is None or after is None else _cross(before, after)
        if point is not None:
            out[k], known[k] = point, True
    for _ in range(2):  # a corner with one visible edge: along it, for the length the card's shape gives
        for k in np.flatnonzero(~known):
            for side, m in ((k, (k + 1) % 4), ((k - 1) % 4, (k - 1) % 4)):
                length = _side_length(out, known, side)
                if lines[side] is None or not known[m] or length is None:
                    continue
                out[k], known[k] = _along(lines[side], out[m], corners[k], length), True
                break
    # Only corners placed beyond the photo are taken: one the frame keeps, the cropper saw.
    take = cut & known & near_frame(out, image.shape, margin=-1.0)
    if not take.any():
        return corners
    out = np.where(take[:, None], out, corners)
    if float(np.linalg.norm(out - corners, axis=1).max()) > MAX_MOVE * width:
        return corners
    if not cv2.isContourConvex(out.reshape(-1, 1, 2)):
        return corners
    return out


def _side_length(corners: np.ndarray, known: np.ndarray, side: int) -> float | None:
    """Side ``side``'s length: its opposite side's when that one is known, else a known neighbouring
    side's through the card's aspect ratio (sides 0 and 2 are the card's width, 1 and 3 its height).
    The photo cannot show the perspective along a side it cuts: these lengths ignore it."""
    def length(i: int) -> float | None:
        a, b = i % 4, (i + 1) % 4
        return float(np.linalg.norm(corners[b] - corners[a])) if known[a] and known[b] else None

    opposite = length(side + 2)
    if opposite is not None:
        return opposite
    for neighbour in (side + 1, side - 1):
        seen = length(neighbour)
        if seen is not None:
            return seen * ASPECT if side % 2 == 0 else seen / ASPECT
    return None


def _along(line: tuple, start: np.ndarray, towards: np.ndarray, length: float) -> np.ndarray:
    """The point ``length`` from ``start``'s foot on ``line``, in the direction of ``towards``."""
    origin, direction = line
    foot = origin + float(np.dot(start - origin, direction)) * direction
    if float(np.dot(towards - start, direction)) < 0:
        direction = -direction
    return np.float32(foot + length * direction)


def fit_edge(image: np.ndarray, corners: np.ndarray, seen: int, cut: int, width: float) -> tuple | None:
    """The card edge from corner ``seen`` towards corner ``cut`` as (point, unit direction), found in the
    part of the photo the frame keeps and passing near corner ``seen``; None when too few points along it
    show one straight step."""
    h, w = image.shape[:2]
    start, end = corners[seen], corners[cut]
    direction = end - start
    length = float(np.linalg.norm(direction))
    if length < 10:
        return None
    direction = direction / length
    normal = np.float32([-direction[1], direction[0]])
    if float(np.dot(corners.mean(0) - start, normal)) > 0:
        normal = -normal  # pointing out of the card
    reach = max(4.0, SEARCH * width)
    half = max(2, round(STEP * width))
    offsets = np.arange(-reach - half, reach + half + 1, 1.0, np.float32)
    ts = np.linspace(0.08, 0.95, SAMPLES, dtype=np.float32) * length
    centres = start + ts[:, None] * direction
    inside = ((centres[:, 0] >= 2) & (centres[:, 0] <= w - 3) & (centres[:, 1] >= 2) & (centres[:, 1] <= h - 3))
    centres, ts = centres[inside], ts[inside]
    if len(centres) < 6:
        return None
    pts = centres[:, None, :] + offsets[None, :, None] * normal
    profile = cv2.remap(image, pts[..., 0].astype(np.float32), pts[..., 1].astype(np.float32),
                        cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    profile = profile.astype(np.float32).reshape(len(centres), len(offsets), -1)
    valid = (pts[..., 0] >= 0) & (pts[..., 0] <= w - 1) & (pts[..., 1] >= 0) & (pts[..., 1] <= h - 1)
    csum = np.concatenate([np.zeros((len(centres), 1, profile.shape[2]), np.float32),
                           np.cumsum(profile, axis=1)], axis=1)
    n = len(offsets)
    centre_idx = np.arange(half, n - half)
    inner = (csum[:, centre_idx] - csum[:, centre_idx - half]) / half
    outer = (csum[:, centre_idx + half] - csum[:, centre_idx]) / half
    step = np.abs(outer - inner).sum(-1)
    ok = valid[:, centre_idx - half] & valid[:, np.minimum(centre_idx + half, n - 1)]
    step = np.where(ok, step, 0)
    # Candidates: each sample's strongest local steps (text near the edge steps too; the edge is the one
    # straight line through most samples).
    peak = (step >= MIN_STEP * 3) & (step >= np.roll(step, 1, 1)) & (step >= np.roll(step, -1, 1))
    ranked = np.argsort(-np.where(peak, step, -1), axis=1)[:, :CANDIDATES]
    sample, which = np.nonzero(np.take_along_axis(peak, ranked, 1))
    if len(np.unique(sample)) < max(6, MIN_SUPPORT * len(centres)):
        return None
    along = ts[sample]
    across = offsets[centre_idx[ranked[sample, which]]]
    fit = _ransac_offsets(along, across, sample, max(1.5, 0.004 * width), CORNER_TOLERANCE * width)
    if fit is None or fit[2] < MIN_SUPPORT * len(centres):
        return None
    a, b, _ = fit
    p0 = start + a * normal
    d = direction + b * normal
    return np.float32(p0), np.float32(d / np.linalg.norm(d))


def _ransac_offsets(along: np.ndarray, across: np.ndarray, sample: np.ndarray, tol: float,
                    anchor_tol: float) -> tuple[float, float, int] | None:
    """The line ``across = a + b * along`` through candidates of the most samples (within ``tol``), with
    |a| <= ``anchor_tol`` (it passes near the corner the search started from): (a, b, samples), refined
    by least squares on one candidate per sample."""
    i, j = np.triu_indices(len(along), 1)
    keep = (sample[i] != sample[j]) & (np.abs(along[j] - along[i]) > 1e-3)
    i, j = i[keep], j[keep]
    if len(i) == 0:
        return None
    b = (across[j] - across[i]) / (along[j] - along[i])
    a = across[i] - b * along[i]
    keep = np.abs(a) <= anchor_tol
    a, b = a[keep], b[keep]
    if len(a) == 0:
        return None
    residual = np.abs(across[None, :] - (a[:, None] + b[:, None] * along[None, :]))
    # ``sample`` is sorted (np.nonzero's row order): one column per sample, hit by any of its candidates.
    starts = np.flatnonzero(np.r_[True, sample[1:] != sample[:-1]])
    samples = sample[starts]
    support = np.logical_or.reduceat(residual <= tol, starts, axis=1).sum(1)
    best = int(np.argmax(support))
    # One candidate per sample: the nearest to the best line.
    res = residual[best]
    chosen = [np.flatnonzero(sample == s)[np.argmin(res[sample == s])] for s in samples]
    chosen = [k for k in chosen if res[k] <= tol]
    if len(chosen) < 2:
        return None
    b_fit, a_fit = np.polyfit(along[chosen], across[chosen], 1)
    return float(a_fit), float(b_fit), int(support[best])


def _cross(a: tuple, b: tuple) -> np.ndarray | None:
    """Where two lines (point, direction) cross; None when they are nearly parallel."""
    (p, u), (q, v) = a, b
    det = float(u[0] * v[1] - u[1] * v[0])
    if abs(det) < 0.2:
        return None
    t = ((q[0] - p[0]) * v[1] - (q[1] - p[1]) * v[0]) / det
    return np.float32(p + t * u)

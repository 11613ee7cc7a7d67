"""Ground-truth schema of a generated photo (versioned; documented in docs/synth-labels.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from fvi.cards.types import CardType, Side

SCHEMA_VERSION = 1

Point = tuple[float, float]
Quad = list[Point]


class LineLabel(BaseModel):
    """One printed line of a field."""

    text: str = Field(description="The line's text exactly as printed (NFC).")
    polygon: Quad = Field(description="4 points in image pixels, clockwise from the line's top-left.")
    polygon_card: Quad = Field(description="The same 4 points in canonical card pixels.")


class FieldLabel(BaseModel):
    """A field: its full text (lines joined by one space) and each of its lines."""

    text: str
    lines: list[LineLabel]


class CardLabel(BaseModel):
    """The card in the photo."""

    type: CardType
    side: Side
    corners: Quad = Field(description="Card corners in image pixels in card-text order: top-left, top-right, "
                                      "bottom-right, bottom-left of the card as read, whatever its rotation.")
    canonical_size: tuple[int, int] = Field(description="Width and height of the canonical upright card.")
    homography: list[list[float]] = Field(description="3x3 matrix mapping canonical card pixels to image pixels.")
    fields: dict[str, FieldLabel] = Field(description="Every field printed on this type and side, by key.")
    mrz: list[str] | None = Field(None, description="The 3 MRZ lines (card backs with an MRZ).")
    qr_payload: str | None = Field(None, description="Text the printed QR code decodes to.")
    qr_polygon: Quad | None = Field(None, description="QR code outline in image pixels.")
    qr_polygon_card: Quad | None = Field(None, description="QR code outline in canonical card pixels.")


class Flags(BaseModel):
    no_card: bool = Field(description="No ID card in the photo (there may be a card-like distractor).")
    cut_corner: bool = Field(description="At least one card corner lies outside the frame.")
    inconsistent_id: bool = Field(description="The 12-digit ID deliberately disagrees with birth year or sex.")
    occluded: bool = Field(description="A finger or object was drawn over the card.")


class Photo(BaseModel):
    """How the photo was made: used to select hard subsets (blur, glare, tilt, low resolution)."""

    background: str
    rotation_deg: float
    tilt_deg: float
    card_area_fraction: float
    blur: Literal["none", "defocus", "motion"]
    blur_amount: float
    noise_sigma: float
    jpeg_quality: int
    low_res_factor: float
    glare_spots: int
    shadow: bool
    light_gradient: float
    color_cast: list[float]
    occluders: list[str]
    distractor_card: bool


class ImageLabel(BaseModel):
    """Everything known about one generated photo."""

    schema_version: Literal[1] = SCHEMA_VERSION
    image: str = Field(description="Image file name, relative to the data set's images/ folder.")
    width: int
    height: int
    seed: int
    index: int
    card: CardLabel | None
    flags: Flags
    photo: Photo

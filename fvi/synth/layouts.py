"""Where each card type prints what: layouts as data, in canonical card pixels (856 x 540)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fvi.cards.types import CardType, Side

RED = (200, 30, 35)
INK = (25, 25, 30)
NAVY = (30, 40, 95)


@dataclass(frozen=True)
class Text:
    """Static printed text (headers, titles, labels): drawn, never labelled as a field."""

    text: str
    x: float
    y: float
    size: int
    bold: bool = False
    color: tuple[int, int, int] = INK
    center: bool = False
    role: str = "label"  # font role: "label", "title"
    underline: bool = False


@dataclass(frozen=True)
class FieldSlot:
    """Where one field's value goes: one or more line slots (x, y_top, max_width)."""

    key: str
    slots: tuple[tuple[float, float, float], ...]
    size: int
    bold: bool = False
    color: tuple[int, int, int] = INK
    leader: bool = False  # dotted line under the value (old CMND forms)


@dataclass(frozen=True)
class Graphic:
    """A drawn element: emblem, photo, qr, chip, fingerprint, signature, stamp, barcode, mrz_band."""

    kind: str
    x: float
    y: float
    w: float
    h: float
    caption: str = ""


@dataclass(frozen=True)
class Style:
    """Background colours and pattern of a card design."""

    base: tuple[int, int, int]
    edge: tuple[int, int, int]
    pattern: tuple[int, int, int]
    pattern_kind: str  # "guilloche", "waves", "rosette", "lines"
    accent: tuple[int, int, int] = RED


@dataclass(frozen=True)
class Layout:
    card_type: CardType
    side: Side
    style: Style
    texts: tuple[Text, ...]
    fields: tuple[FieldSlot, ...]
    graphics: tuple[Graphic, ...] = field(default=())
    mrz: tuple[float, float, int] | None = None  # x, y_top of the 3 lines, font size


def _header(cx: float, y: float, bilingual: bool) -> tuple[Text, ...]:
    texts = [Text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", cx, y, 21, True, center=True, role="title")]
    if bilingual:
        texts += [
            Text("SOCIALIST REPUBLIC OF VIET NAM", cx, y + 25, 15, True, center=True, role="title"),
            Text("Độc lập - Tự do - Hạnh phúc", cx, y + 45, 18, True, center=True, role="title"),
            Text("Independence - Freedom - Happiness", cx, y + 68, 14, center=True, role="title"),
        ]
    else:
        texts.append(Text("Độc lập - Tự do - Hạnh phúc", cx, y + 28, 20, True, center=True, role="title",
                          underline=True))
    return tuple(texts)


CCCD_CHIP_FRONT = Layout(
    CardType.CCCD_CHIP, Side.FRONT,
    Style(base=(222, 236, 240), edge=(180, 212, 225), pattern=(150, 195, 210), pattern_kind="guilloche"),
    texts=_header(462, 18, bilingual=True) + (
        Text("CĂN CƯỚC CÔNG DÂN", 462, 112, 32, True, RED, center=True, role="title"),
        Text("Citizen Identity Card", 462, 148, 18, True, RED, center=True, role="title"),
        Text("Số / No.:", 236, 196, 17),
        Text("Họ và tên / Full name:", 236, 240, 16),
        Text("Ngày sinh / Date of birth:", 236, 306, 16),
        Text("Giới tính / Sex:", 236, 338, 16),
        Text("Quốc tịch / Nationality:", 500, 338, 16),
        Text("Quê quán / Place of origin:", 236, 370, 16),
        Text("Nơi thường trú / Place of residence:", 236, 430, 16),
        Text("Có giá trị đến:", 30, 438, 13),
        Text("Date of expiry", 30, 455, 13),
    ),
    fields=(
        FieldSlot("id_number", ((330, 186, 330),), 34, True),
        FieldSlot("full_name", ((236, 262, 600),), 28, True),
        FieldSlot("date_of_birth", ((452, 303, 200),), 20),
        FieldSlot("sex", ((370, 335, 100),), 20),
        FieldSlot("nationality", ((692, 335, 150),), 20),
        FieldSlot("place_of_origin", ((470, 367, 370), (236, 396, 600)), 20),
        FieldSlot("place_of_residence", ((540, 427, 300), (236, 456, 600)), 20),
        FieldSlot("date_of_expiry", ((30, 476, 180),), 17),
    ),
    graphics=(
        Graphic("emblem", 30, 20, 120, 120),
        Graphic("qr", 732, 18, 104, 104),
        Graphic("photo", 34, 170, 172, 228),
    ),
)

CCCD_CHIP_BACK = Layout(
    CardType.CCCD_CHIP, Side.BACK,
    Style(base=(226, 238, 242), edge=(188, 214, 226), pattern=(160, 200, 214), pattern_kind="lines"),
    texts=(
        Text("Đặc điểm nhân dạng / Personal identification:", 210, 28, 16),
        Text("Ngày, tháng, năm / Date, month, year:", 210, 124, 16),
        Text("CỤC TRƯỞNG CỤC CẢNH SÁT", 330, 172, 15, True, center=True),
        Text("QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", 330, 192, 15, True, center=True),
        Text("DIRECTOR GENERAL OF THE POLICE DEPARTMENT", 330, 214, 11, center=True),
        Text("FOR ADMINISTRATIVE MANAGEMENT OF SOCIAL ORDER", 330, 229, 11, center=True),
        Text("Ngón trỏ trái", 620, 204, 13, center=True),
        Text("Ngón trỏ phải", 762, 204, 13, center=True),
    ),
    fields=(
        FieldSlot("identifying_marks", ((210, 52, 340), (210, 80, 340)), 18),
        FieldSlot("date_of_issue", ((210, 146, 200),), 19),
    ),
    graphics=(
        Graphic("chip", 50, 42, 120, 92),
        Graphic("fingerprint", 556, 28, 128, 170),
        Graphic("fingerprint", 698, 28, 128, 170),
        Graphic("signature", 250, 250, 170, 70),
        Graphic("stamp", 190, 240, 90, 90),
    ),
    mrz=(36, 392, 40),
)

CAN_CUOC_FRONT = Layout(
    CardType.CAN_CUOC_2024, Side.FRONT,
    Style(base=(244, 232, 214), edge=(232, 196, 170), pattern=(226, 180, 160), pattern_kind="waves"),
    texts=_header(480, 16, bilingual=True) + (
        Text("CĂN CƯỚC", 480, 108, 36, True, RED, center=True, role="title"),
        Text("IDENTITY CARD", 480, 148, 18, True, RED, center=True, role="title"),
        Text("Số định danh cá nhân / Personal identification number:", 240, 186, 15),
        Text("Họ, chữ đệm và tên khai sinh / Full name:", 240, 258, 15),
        Text("Ngày, tháng, năm sinh / Date of birth:", 240, 330, 15),
        Text("Giới tính / Sex:", 240, 368, 15),
        Text("Quốc tịch / Nationality:", 520, 368, 15),
    ),
    fields=(
        FieldSlot("id_number", ((240, 206, 420),), 36, True, RED),
        FieldSlot("full_name", ((240, 280, 590),), 28, True),
        FieldSlot("date_of_birth", ((540, 326, 200),), 20, True),
        FieldSlot("sex", ((370, 364, 100),), 20, True),
        FieldSlot("nationality", ((700, 364, 140),), 20, True),
    ),
    graphics=(
        Graphic("emblem", 40, 20, 116, 116),
        Graphic("photo", 38, 168, 176, 232),
        Graphic("chip", 60, 420, 110, 86),
    ),
)

CAN_CUOC_BACK = Layout(
    CardType.CAN_CUOC_2024, Side.BACK,
    Style(base=(246, 236, 220), edge=(234, 204, 180), pattern=(228, 190, 168), pattern_kind="rosette"),
    texts=(
        Text("Nơi cư trú / Place of residence:", 196, 22, 15),
        Text("Nơi đăng ký khai sinh / Place of birth:", 196, 110, 15),
        Text("Ngày, tháng, năm cấp / Date of issue:", 196, 198, 15),
        Text("Ngày, tháng, năm hết hạn / Date of expiry:", 196, 232, 15),
        Text("BỘ CÔNG AN", 640, 272, 17, True, center=True),
        Text("MINISTRY OF PUBLIC SECURITY", 640, 294, 12, center=True),
    ),
    fields=(
        FieldSlot("place_of_residence", ((196, 44, 630), (196, 72, 630)), 19, True),
        FieldSlot("place_of_birth", ((196, 132, 630), (196, 160, 630)), 19, True),
        FieldSlot("date_of_issue", ((500, 195, 200),), 19, True),
        FieldSlot("date_of_expiry", ((540, 229, 200),), 19, True),
    ),
    graphics=(
        Graphic("qr", 34, 24, 140, 140),
        Graphic("chip", 46, 190, 116, 90),
        Graphic("signature", 570, 312, 150, 60),
        Graphic("stamp", 520, 270, 90, 90),
    ),
    mrz=(36, 392, 40),
)

CCCD_2016_FRONT = Layout(
    CardType.CCCD_2016, Side.FRONT,
    Style(base=(238, 240, 222), edge=(210, 224, 186), pattern=(196, 214, 170), pattern_kind="rosette"),
    texts=_header(520, 22, bilingual=False) + (
        Text("CĂN CƯỚC CÔNG DÂN", 520, 92, 34, True, RED, center=True, role="title"),
        Text("Số:", 236, 150, 20, True),
        Text("Họ và tên:", 236, 206, 18),
        Text("Ngày, tháng, năm sinh:", 236, 248, 18),
        Text("Giới tính:", 236, 286, 18),
        Text("Quốc tịch:", 470, 286, 18),
        Text("Quê quán:", 236, 324, 18),
        Text("Nơi thường trú:", 236, 392, 18),
        Text("Có giá trị đến:", 26, 420, 15),
    ),
    fields=(
        FieldSlot("id_number", ((292, 140, 400),), 36, True, RED),
        FieldSlot("full_name", ((350, 200, 490),), 26, True),
        FieldSlot("date_of_birth", ((470, 244, 200),), 21),
        FieldSlot("sex", ((345, 282, 100),), 21),
        FieldSlot("nationality", ((580, 282, 200),), 21),
        FieldSlot("place_of_origin", ((345, 320, 490), (236, 352, 600)), 21),
        FieldSlot("place_of_residence", ((400, 388, 440), (236, 420, 600)), 21),
        FieldSlot("date_of_expiry", ((26, 444, 190),), 18),
    ),
    graphics=(
        Graphic("emblem", 36, 20, 140, 140),
        Graphic("photo", 34, 180, 160, 220),
    ),
)

CMND_9_FRONT = Layout(
    CardType.CMND_9, Side.FRONT,
    Style(base=(214, 234, 226), edge=(160, 206, 196), pattern=(130, 190, 180), pattern_kind="guilloche"),
    texts=(
        Text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 540, 24, 20, True, center=True, role="title"),
        Text("Độc lập - Tự do - Hạnh phúc", 540, 52, 19, True, center=True, role="title", underline=True),
        Text("GIẤY CHỨNG MINH NHÂN DÂN", 540, 96, 32, True, NAVY, center=True, role="title"),
        Text("SỐ", 330, 158, 22, True),
        Text("Họ tên", 236, 222, 19),
        Text("Sinh ngày", 236, 284, 19),
        Text("Nguyên quán", 236, 336, 19),
        Text("Nơi ĐKHK thường trú", 236, 412, 19),
    ),
    fields=(
        FieldSlot("id_number", ((380, 146, 300),), 38, True, RED),
        FieldSlot("full_name", ((320, 214, 520),), 26, True, leader=True),
        FieldSlot("date_of_birth", ((350, 278, 300),), 22, leader=True),
        FieldSlot("place_of_origin", ((370, 330, 470), (236, 368, 600)), 21, leader=True),
        FieldSlot("place_of_residence", ((450, 406, 390), (236, 444, 600)), 21, leader=True),
    ),
    graphics=(
        Graphic("emblem", 44, 24, 150, 150),
        Graphic("photo", 40, 196, 156, 212),
    ),
)

LAYOUTS: dict[tuple[CardType, Side], Layout] = {
    (layout.card_type, layout.side): layout
    for layout in (CCCD_CHIP_FRONT, CCCD_CHIP_BACK, CAN_CUOC_FRONT, CAN_CUOC_BACK, CCCD_2016_FRONT, CMND_9_FRONT)
}

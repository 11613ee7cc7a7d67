"""Vietnamese family names: a few dozen cover nearly everyone (Nguyễn alone about four in ten), so the
first word of a full name is almost always one of these. The pipeline re-spells a misread first word
into this list when the reader's own output allows it (`fvi.pipeline.spelling`); a surname outside it
that the reader is sure of stays. Public facts, longer than the ten the generator draws (Faker's
`vi_VN` list), so that names written by other hands find their family names too.
"""

from __future__ import annotations

SURNAMES: tuple[str, ...] = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương", "Lý", "Mai", "Đinh", "Trương", "Đào", "Đoàn", "Lâm", "Lưu", "Cao", "Hà", "Tạ", "Tô", "Châu",
    "Lương", "Trịnh", "Vương", "Thái", "Phùng", "Kiều", "Quách", "Từ", "Tăng", "Mạc", "La", "Lục", "Nông",
    "Triệu", "Hứa", "Kim", "Diệp", "Thân", "Tôn", "Khúc", "Giang", "Đồng", "Lò", "Chu", "Doãn", "Âu", "Viên",
    "Nghiêm", "Lại", "Khổng", "Ông", "Quan", "Bạch", "Tống", "Ninh", "Thạch", "Sơn", "Lã", "Văn",
)

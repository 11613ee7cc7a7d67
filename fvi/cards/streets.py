"""Street names common across Vietnam's towns and cities: national figures, events and ideals, as street
signs spell them. A street name read one or two characters off one of these becomes it
(`fvi.pipeline.addresses.match_street`); any other street stays as read.

This is a list of public facts, longer than what the synthetic generator draws (Faker's `vi_VN`
streets), so that addresses written by other hands find their streets too.
"""

from __future__ import annotations

STREET_NAMES: tuple[str, ...] = (  # sorted
    "Alexandre de Rhodes", "An Dương Vương", "Bà Triệu", "Bùi Thị Xuân", "Bùi Viện", "Bạch Đằng", "Bến Vân Đồn",
    "Calmette", "Cao Bá Quát", "Cao Thắng", "Chi Lăng", "Chu Văn An", "Châu Văn Liêm", "Cách Mạng Tháng Tám",
    "Cô Bắc", "Cô Giang", "Cầu Giấy", "Cộng Hòa", "Duy Tân", "Dân Chủ", "Giải Phóng", "Hai Bà Trưng",
    "Hoàng Diệu", "Hoàng Hoa Thám", "Hoàng Quốc Việt", "Hoàng Sa", "Hoàng Văn Thái", "Hoàng Văn Thụ",
    "Huỳnh Thúc Kháng", "Huỳnh Tấn Phát", "Huỳnh Văn Bánh", "Hàm Nghi", "Hòa Bình", "Hùng Vương", "Hậu Giang",
    "Hồ Học Lãm", "Hồ Tùng Mậu", "Hồ Xuân Hương", "Khánh Hội", "Kim Mã", "Kim Đồng", "Kinh Dương Vương",
    "Ký Con", "Láng Hạ", "Lê Duẩn", "Lê Hoàn", "Lê Hồng Phong", "Lê Lai", "Lê Lợi", "Lê Ngô Cát",
    "Lê Quang Định", "Lê Quý Đôn", "Lê Thánh Tôn", "Lê Thánh Tông", "Lê Thị Riêng", "Lê Trọng Tấn",
    "Lê Văn Duyệt", "Lê Văn Hưu", "Lê Văn Lương", "Lê Văn Sỹ", "Lê Văn Thịnh", "Lê Văn Việt", "Lê Đại Hành",
    "Lê Đức Thọ", "Lý Chính Thắng", "Lý Công Uẩn", "Lý Nam Đế", "Lý Thái Tổ", "Lý Thánh Tông", "Lý Thường Kiệt",
    "Lý Tự Trọng", "Lũy Bán Bích", "Lương Ngọc Quyến", "Lương Thế Vinh", "Lương Văn Can", "Lạc Long Quân",
    "Lạch Tray", "Mai Chí Thọ", "Mai Hắc Đế", "Mạc Thị Bưởi", "Mạc Đĩnh Chi", "Nam Cao", "Nam Kỳ Khởi Nghĩa",
    "Nguyễn An Ninh", "Nguyễn Biểu", "Nguyễn Bỉnh Khiêm", "Nguyễn Chí Thanh", "Nguyễn Công Hoan",
    "Nguyễn Công Trứ", "Nguyễn Du", "Nguyễn Gia Thiều", "Nguyễn Hoàng", "Nguyễn Huệ", "Nguyễn Hữu Cảnh",
    "Nguyễn Khuyến", "Nguyễn Lương Bằng", "Nguyễn Phong Sắc", "Nguyễn Sinh Sắc", "Nguyễn Thiện Thuật",
    "Nguyễn Thái Học", "Nguyễn Thượng Hiền", "Nguyễn Thị Minh Khai", "Nguyễn Thị Định", "Nguyễn Trung Trực",
    "Nguyễn Trãi", "Nguyễn Trường Tộ", "Nguyễn Tất Thành", "Nguyễn Văn Bảo", "Nguyễn Văn Cừ", "Nguyễn Văn Linh",
    "Nguyễn Văn Thoại", "Nguyễn Văn Trỗi", "Nguyễn Xí", "Nguyễn Đình Chiểu", "Nguyễn Đức Cảnh", "Ngô Gia Tự",
    "Ngô Quyền", "Ngô Thì Nhậm", "Ngô Đức Kế", "Nơ Trang Long", "Pasteur", "Phan Bội Châu", "Phan Chu Trinh",
    "Phan Châu Trinh", "Phan Huy Chú", "Phan Kế Bính", "Phan Văn Hớn", "Phan Văn Trị", "Phan Xích Long",
    "Phan Đình Giót", "Phan Đình Phùng", "Phan Đăng Lưu", "Phạm Hùng", "Phạm Hồng Thái", "Phạm Ngũ Lão",
    "Phạm Thế Hiển", "Phạm Văn Bạch", "Phạm Văn Chiêu", "Phạm Văn Đồng", "Quang Trung", "Sông Hồng",
    "Sư Vạn Hạnh", "Thành Thái", "Thái Hà", "Thích Quảng Đức", "Thống Nhất", "Tràng Tiền", "Trưng Nữ Vương",
    "Trương Công Định", "Trương Hán Siêu", "Trương Định", "Trường Chinh", "Trường Sa", "Trần Bình Trọng",
    "Trần Cao Vân", "Trần Duy Hưng", "Trần Hưng Đạo", "Trần Khánh Dư", "Trần Khát Chân", "Trần Kế Xương",
    "Trần Nguyên Hãn", "Trần Nhân Tông", "Trần Não", "Trần Phú", "Trần Quang Khải", "Trần Quý Cáp",
    "Trần Quốc Toản", "Trần Quốc Tuấn", "Trần Thủ Độ", "Trần Văn Giàu", "Trần Văn Ơn", "Trần Đại Nghĩa",
    "Tân Kỳ Tân Quý", "Tây Sơn", "Tô Hiến Thành", "Tô Hiệu", "Tô Ngọc Vân", "Tôn Thất Thuyết", "Tôn Thất Tùng",
    "Tôn Đản", "Tôn Đức Thắng", "Tăng Bạt Hổ", "Tố Hữu", "Tự Do", "Võ Nguyên Giáp", "Võ Thị Sáu",
    "Võ Trường Toản", "Võ Văn Kiệt", "Võ Văn Ngân", "Võ Văn Tần", "Văn Cao", "Xuân Thủy", "Xô Viết Nghệ Tĩnh",
    "Yersin", "Yên Thế", "Âu Cơ", "Ông Ích Khiêm", "Đinh Bộ Lĩnh", "Đinh Công Tráng", "Đinh Tiên Hoàng",
    "Điện Biên Phủ", "Đào Duy Anh", "Đào Duy Từ", "Đặng Dung", "Đặng Văn Ngữ", "Đề Thám", "Đống Đa", "Đồng Khởi",
    "Độc Lập", "Đội Cấn",
)

#: Words that open the street-level part of an address, before a number ("Số 12", "Tổ 5", "Ngõ 34",
#: "Ngách 5/7", "Hẻm 9", "Kiệt 3") or before a name ("Ấp Bình", "Thôn Đông", "Xóm Chùa", "Bản Mòng",
#: "Khóm 2", "Buôn Đôn"): how Vietnamese addresses are written, more than the generator draws.
STREET_KINDS_BEFORE_NUMBER: tuple[str, ...] = ("Số", "Tổ", "Ngõ", "Ngách", "Hẻm", "Kiệt")
STREET_KINDS_BEFORE_NAME: tuple[str, ...] = ("Ấp", "Thôn", "Xóm", "Bản", "Khóm", "Buôn")
#: Kind words after which a number comes in an address's street part ("Khu phố 3", "Tổ dân phố 12").
NUMBERED_AFTER: tuple[str, ...] = (*STREET_KINDS_BEFORE_NUMBER, "phố", "Khóm")
#: How such a number is written: up to 4 digits, or two groups of up to 3 joined by "/" ("187/37").
HOUSE_NUMBER_SHAPES: tuple[tuple[str, ...], ...] = (
    *(("0123456789",) * n for n in range(1, 5)),
    *(("0123456789",) * a + ("/",) + ("0123456789",) * b for a in range(1, 4) for b in range(1, 4)),
)

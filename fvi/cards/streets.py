"""Street names common across Vietnam's towns and cities: national figures, events and ideals, as street
signs spell them. A street name read one or two characters off one of these becomes it
(`fvi.pipeline.addresses.match_street`); any other street stays as read.

This is a list of public facts, longer than what the synthetic generator draws (Faker's `vi_VN`
streets), so that addresses written by other hands find their streets too.
"""

from __future__ import annotations

_LIST = """
Nguyễn Trãi; Nguyễn Huệ; Nguyễn Du; Nguyễn Đình Chiểu; Nguyễn Thị Minh Khai; Nguyễn Văn Cừ; Nguyễn Chí Thanh;
Nguyễn Hữu Cảnh; Nguyễn Tất Thành; Nguyễn Văn Linh; Nguyễn Thái Học; Nguyễn Trường Tộ; Nguyễn Công Trứ;
Nguyễn Khuyến; Nguyễn Bỉnh Khiêm; Nguyễn Văn Trỗi; Nguyễn Thiện Thuật; Nguyễn Lương Bằng; Nguyễn Sinh Sắc;
Nguyễn Đức Cảnh; Nguyễn Xí; Nguyễn Biểu; Nguyễn Trung Trực; Nguyễn Hoàng; Nguyễn Thị Định; Nguyễn Công Hoan;
Nguyễn Văn Trỗi; Nguyễn Gia Thiều; Nguyễn Thượng Hiền; Nguyễn Văn Thoại; Nguyễn An Ninh; Nguyễn Phong Sắc;
Trần Hưng Đạo; Trần Phú; Trần Quang Khải; Trần Quốc Toản; Trần Bình Trọng; Trần Não; Trần Nhân Tông;
Trần Khánh Dư; Trần Cao Vân; Trần Duy Hưng; Trần Đại Nghĩa; Trần Quốc Tuấn; Trần Khát Chân; Trần Văn Ơn;
Trần Thủ Độ; Trần Nguyên Hãn; Trần Quý Cáp; Trần Kế Xương; Trần Văn Giàu;
Lê Lợi; Lê Lai; Lê Duẩn; Lê Thánh Tôn; Lê Thánh Tông; Lê Văn Sỹ; Lê Văn Việt; Lê Đức Thọ; Lê Quang Định;
Lê Hồng Phong; Lê Đại Hành; Lê Văn Lương; Lê Trọng Tấn; Lê Quý Đôn; Lê Văn Hưu; Lê Hoàn; Lê Ngô Cát;
Lê Văn Duyệt; Lê Văn Thịnh; Lê Thị Riêng;
Lý Thường Kiệt; Lý Tự Trọng; Lý Chính Thắng; Lý Thái Tổ; Lý Nam Đế; Lý Công Uẩn; Lý Thánh Tông;
Hai Bà Trưng; Bà Triệu; Điện Biên Phủ; Cách Mạng Tháng Tám; Nam Kỳ Khởi Nghĩa; Xô Viết Nghệ Tĩnh;
Hoàng Văn Thụ; Hoàng Diệu; Hoàng Hoa Thám; Hoàng Quốc Việt; Hoàng Văn Thái; Hoàng Sa; Trường Sa;
Phan Đình Phùng; Phan Chu Trinh; Phan Châu Trinh; Phan Văn Trị; Phan Xích Long; Phan Bội Châu;
Phan Đăng Lưu; Phan Huy Chú; Phan Kế Bính; Phan Đình Giót; Phan Văn Hớn;
Võ Văn Tần; Võ Thị Sáu; Võ Văn Kiệt; Võ Nguyên Giáp; Võ Trường Toản; Võ Văn Ngân;
Đinh Tiên Hoàng; Đinh Bộ Lĩnh; Đinh Công Tráng; Tôn Đức Thắng; Tôn Thất Thuyết; Tôn Thất Tùng;
Pasteur; Alexandre de Rhodes; Yersin; Calmette; Hùng Vương; Quang Trung; Ngô Quyền; Ngô Gia Tự; Ngô Thì Nhậm;
Ngô Đức Kế; Đồng Khởi; Bạch Đằng; Kinh Dương Vương; An Dương Vương; Âu Cơ; Lạc Long Quân; Trưng Nữ Vương;
Phạm Văn Đồng; Phạm Ngũ Lão; Phạm Hùng; Phạm Thế Hiển; Phạm Văn Chiêu; Phạm Hồng Thái; Phạm Văn Bạch;
Huỳnh Tấn Phát; Huỳnh Văn Bánh; Huỳnh Thúc Kháng; Cộng Hòa; Trường Chinh; Giải Phóng; Thống Nhất; Độc Lập;
Hòa Bình; Dân Chủ; Tự Do; Chu Văn An; Hàm Nghi; Duy Tân; Thành Thái; Hồ Tùng Mậu; Hồ Xuân Hương; Hồ Học Lãm;
Cao Thắng; Cao Bá Quát; Mạc Đĩnh Chi; Mạc Thị Bưởi; Nam Cao; Tô Hiến Thành; Tô Hiệu; Tô Ngọc Vân;
Bùi Thị Xuân; Bùi Viện; Đề Thám; Đội Cấn; Kim Mã; Láng Hạ; Xuân Thủy; Cầu Giấy; Tràng Tiền; Đào Duy Từ;
Đào Duy Anh; Ký Con; Lương Ngọc Quyến; Lương Văn Can; Lương Thế Vinh; Tăng Bạt Hổ; Châu Văn Liêm; Chi Lăng;
Hậu Giang; Sư Vạn Hạnh; Thích Quảng Đức; Cô Giang; Cô Bắc; Nơ Trang Long; Đặng Văn Ngữ; Đặng Dung;
Ông Ích Khiêm; Lạch Tray; Tân Kỳ Tân Quý; Lũy Bán Bích; Mai Hắc Đế; Mai Chí Thọ; Văn Cao; Tố Hữu;
Nguyễn Văn Cừ; Trương Định; Trương Công Định; Trương Hán Siêu; Đống Đa; Thái Hà; Tây Sơn; Kim Đồng;
Nguyễn Văn Bảo; Bến Vân Đồn; Tôn Đản; Khánh Hội; Hoàng Văn Thụ; Chu Văn An; Yên Thế; Sông Hồng;
"""
STREET_NAMES: tuple[str, ...] = tuple(sorted({name.strip() for name in _LIST.replace("\n", " ").split(";")} - {""}))

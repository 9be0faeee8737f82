//! Every string a person sees, in Vietnamese (the default) and English, in one typed
//! dictionary. A key missing from either language, an extra key, or an English text that drops
//! a `{placeholder}` of the Vietnamese one is a type error. Texts stay in NFC (a test checks).
//! Elements are bound to keys, so switching language retranslates the screen in place and
//! keeps what the person typed.

export type Lang = "vi" | "en";
export const LANGS: readonly Lang[] = ["vi", "en"];

const vi = {
  "app.title": "Đăng ký định danh điện tử mức 2",
  "boot.loading": "Đang khởi động…",
  "boot.failed":
    "Không liên lạc được với phần lõi của máy (mã: {code}). Máy đang thử lại; nếu vẫn lỗi, hãy khởi động lại ứng dụng và báo quản trị viên.",
  "footer.version": "Phiên bản {version} · Mã thiết bị {deviceId}",

  "header.language": "Ngôn ngữ",
  "header.status": "Trạng thái thiết bị",
  "header.reader": "Đầu đọc thẻ",
  "header.camera": "Camera",
  "header.sync": "Máy chủ tiếp nhận",
  "header.queue": "Hồ sơ chờ gửi",
  "lang.vi": "Tiếng Việt",
  "lang.en": "English",

  "reader.service_down": "Dịch vụ PC/SC chưa chạy — hãy báo quản trị viên khởi động lại dịch vụ",
  "reader.no_reader": "Không tìm thấy đầu đọc thẻ — hãy kiểm tra cáp USB của đầu đọc",
  "reader.ready": "Sẵn sàng, chưa có thẻ",
  "reader.card_present": "Có thẻ trên đầu đọc",
  "camera.no_camera": "Không tìm thấy camera — hãy kiểm tra cáp của camera",
  "camera.ready": "Sẵn sàng",
  "camera.failed": "Camera không hoạt động (bị rút ra hoặc đang bận) — hãy kiểm tra cáp của camera",
  "camera.starting": "Đang mở camera…",
  "camera.retry": "Thử lại",
  "camera.setup_preview_alt": "Hình camera trực tiếp để kiểm tra camera",
  "sync.not_registered": "Chưa đăng ký với máy chủ — hồ sơ được giữ lại; hãy báo quản trị viên",
  "sync.not_started": "Lỗi cài đặt, chưa gửi được — hãy báo quản trị viên",
  "sync.starting": "Đang kết nối…",
  "sync.synced": "Đã đồng bộ",
  "sync.sending": "Đang gửi…",
  "sync.waiting": "Chờ gửi lại",
  "sync.unreachable": "Mất kết nối — hồ sơ được giữ lại và tự gửi khi có kết nối",
  "sync.refused":
    "Máy bị từ chối (chưa đăng ký hoặc đã bị thu hồi) — hãy báo quản trị viên đăng ký lại",
  "sync.clock_skew": "Đồng hồ của máy bị lệch — hãy báo quản trị viên chỉnh giờ",
  "sync.last": "đồng bộ lần cuối {time}",
  "sync.retry": "thử lại lúc {time}",
  "queue.not_set_up": "Hàng đợi chưa được thiết lập",
  "queue.waiting": "{count} hồ sơ đang chờ gửi",
  "queue.none": "Không có hồ sơ chờ gửi",
  "operator.label": "Cán bộ: {operator}",
  "operator.sign_out": "Đăng xuất",
  "status.unknown": "Trạng thái không rõ ({state}) — hãy báo quản trị viên",
  "status.stale":
    "Không cập nhật được trạng thái (mã: {code}) — thông tin có thể đã cũ; hãy báo quản trị viên nếu kéo dài",
  "header.health": "Tình trạng máy",
  "health.ok": "Mọi thứ bình thường",
  "health.audit_broken": "Nhật ký kiểm toán bị sửa — giữ nguyên máy, báo kỹ thuật viên",
  "health.data_dir_unwritable": "Không ghi được thư mục dữ liệu — báo kỹ thuật viên",
  "health.queue_unavailable": "Không mở được hàng đợi hồ sơ — khởi động lại máy",
  "health.disk_low": "Đĩa sắp đầy (còn {number} MB) — báo kỹ thuật viên",
  "health.reader_service_down": "Dịch vụ đọc thẻ không chạy — khởi động lại máy",
  "health.no_reader": "Không thấy đầu đọc thẻ — cắm lại cáp USB",
  "health.reader_error": "Đầu đọc thẻ báo lỗi — rút và cắm lại đầu đọc",
  "health.no_camera": "Không thấy camera — cắm lại cáp USB",
  "health.no_trust_store": "Thiếu kho chứng thư CSCA — báo quản trị viên",
  "health.clock_skew": "Đồng hồ máy sai giờ — báo quản trị viên chỉnh giờ",
  "health.refused": "Máy chủ từ chối máy này — cần đăng ký lại",
  "health.not_registered": "Máy chưa đăng ký với máy chủ — báo quản trị viên",
  "health.sync_not_started": "Không khởi động được việc gửi — báo kỹ thuật viên",
  "health.queue_frozen_too_many":
    "Ngừng nhận hồ sơ mới: {number} hồ sơ chưa gửi — kết nối máy chủ hoặc gọi kỹ thuật viên huyện",
  "health.queue_frozen_too_old":
    "Ngừng nhận hồ sơ mới: hồ sơ chờ từ {time} — kết nối máy chủ hoặc gọi kỹ thuật viên huyện",
  "health.quarantined": "{number} hồ sơ bị từ chối hẳn — báo kỹ thuật viên",
  "health.backoffice_unreachable": "Mất kết nối, {number} hồ sơ chờ từ {time} — kiểm tra mạng",
  "health.packages_waiting": "{number} hồ sơ chờ gửi từ {time} — báo kỹ thuật viên",
  "health.recovered_from_crash": "Máy tự khởi động lại lúc {time} sau sự cố; hồ sơ vẫn còn",
  "health.backoffice_unreachable_briefly": "Tạm mất kết nối — hồ sơ được giữ lại",

  "idle.title": "Bạn vẫn đang sử dụng máy?",
  "idle.body":
    "Để bảo vệ thông tin cá nhân, mọi thông tin trên màn hình sẽ bị xóa sau {seconds} giây. Chạm “Tiếp tục” nếu bạn chưa xong.",
  "idle.continue": "Tiếp tục",

  "common.home": "Về màn hình đầu",
  "common.cancel": "Hủy, về màn hình đầu",

  "welcome.title": "Đăng ký tài khoản định danh điện tử mức 2",
  "welcome.body":
    "Hãy chuẩn bị thẻ căn cước (hoặc căn cước công dân) gắn chip. Máy sẽ hướng dẫn bạn từng bước; bạn có thể hủy bất cứ lúc nào.",
  "welcome.start": "Bắt đầu",

  "consent.title": "Bạn có đồng ý cho máy đọc thông tin không?",
  "consent.intro": "Máy chỉ đọc thông tin khi bạn chạm “Đồng ý”. Máy sẽ đọc:",
  "consent.item.chip":
    "Thông tin trong chip của thẻ: số định danh, họ tên, ngày sinh, giới tính, quê quán, nơi thường trú và ảnh chân dung.",
  "consent.item.portrait": "Một ảnh chân dung chụp tại máy, để so với ảnh trong chip.",
  "consent.item.contact":
    "Số điện thoại của bạn (và thư điện tử nếu bạn muốn) để nhận tin nhắn kích hoạt tài khoản.",
  "consent.why":
    "Mục đích: lập hồ sơ đề nghị cấp tài khoản định danh điện tử mức 2 và gửi cơ quan Công an xét duyệt. Ảnh chân dung và thông tin trong chip là dữ liệu cá nhân nhạy cảm: hồ sơ được mã hóa trên máy để chỉ cơ quan tiếp nhận mở được, và mọi thông tin bị xóa khỏi màn hình khi bạn kết thúc hoặc rời máy.",
  "consent.refuse_note":
    "Nếu bạn không đồng ý, máy không đọc gì và quay về màn hình đầu. Bạn vẫn có thể đăng ký tại Công an xã, phường nơi bạn ở.",
  "consent.agree": "Đồng ý",
  "consent.refuse": "Không đồng ý",

  "id.title": "Nhập số định danh cá nhân",
  "id.help":
    "Số định danh cá nhân gồm 12 chữ số, in ở mặt trước thẻ căn cước. Hãy nhập bằng bàn phím số trên màn hình.",
  "id.label": "Số định danh cá nhân (12 chữ số)",
  "id.count": "Đã nhập {count}/12 chữ số",
  "id.error.length":
    "Số định danh cần đủ 12 chữ số, bạn mới nhập {count}. Hãy kiểm tra lại số in trên thẻ.",
  "id.continue": "Tiếp tục",
  "id.scan_qr": "Quét mã QR thay vì nhập",

  "card.title": "Đặt thẻ lên đầu đọc",
  "card.help":
    "Đặt thẻ căn cước nằm yên trên đầu đọc. Nhập ngày sinh và ngày hết hạn in ở mặt trước thẻ (8 chữ số: ngày, tháng, năm) để máy mở chip.",
  "card.state.service_down": "Dịch vụ đọc thẻ (PC/SC) chưa chạy — hãy báo quản trị viên.",
  "card.state.no_reader": "Không tìm thấy đầu đọc thẻ — hãy kiểm tra cáp USB của đầu đọc.",
  "card.state.waiting": "Đầu đọc sẵn sàng — hãy đặt thẻ lên đầu đọc.",
  "card.state.present": "Đã thấy thẻ trên đầu đọc.",
  "card.dob.label": "Ngày sinh (8 chữ số, ví dụ 01011990)",
  "card.expiry.label": "Có giá trị đến (8 chữ số, ví dụ 01012030)",
  "card.read": "Đọc thẻ",
  "card.reading": "Đang đọc…",
  "card.read_again": "Đọc lại",
  "card.error.dates":
    "Mỗi ngày cần đủ 8 chữ số: ngày, tháng, năm (ví dụ 01011990). Hãy kiểm tra lại các số in trên thẻ.",
  "card.progress.opening": "Đang mở chip (khóa {attempt}/{of})…",
  "card.progress.bytes": "{read}/{total} byte",
  "card.progress.bytes_unknown": "{read} byte",
  "card.progress.verifying": "Đã đọc xong. Đang kiểm tra thẻ thật hay giả…",
  "card.progress.waiting": "Đang chờ thẻ trên đầu đọc…",
  "card.file.com": "Danh mục dữ liệu",
  "card.file.dg1": "Vùng đọc máy (MRZ)",
  "card.file.dg13": "Thông tin cá nhân",
  "card.file.sod": "Chữ ký số của cơ quan cấp thẻ",
  "card.file.dg14": "Khóa xác thực chip",
  "card.file.dg15": "Khóa chống sao chép",
  "card.file.dg2": "Ảnh chân dung",
  "card.file.other": "Dữ liệu khác",
  "card.holder.title": "Thông tin trong chip",
  "card.holder.name": "Họ và tên",
  "card.holder.id": "Số định danh",
  "card.holder.dob": "Ngày sinh",
  "card.holder.residence": "Nơi thường trú",
  "card.portrait.alt": "Ảnh chân dung trong chip",
  "card.portrait.jpeg2000":
    "Ảnh chân dung trong chip ở định dạng JPEG 2000, máy chưa hiển thị được. Ảnh vẫn được giữ để đối chiếu.",
  "card.verdict.genuine":
    "Thẻ thật: chữ ký số hợp lệ của cơ quan cấp thẻ được tin cậy, và chip đã chứng minh là chip gốc.",
  "card.verdict.issuer_unknown":
    "Chữ ký số hợp lệ, nhưng cơ quan đã ký không có trong danh sách tin cậy của máy.",
  "card.verdict.invalid":
    "Thẻ không hợp lệ: dữ liệu trong chip không khớp với chữ ký số, hoặc không khớp với thẻ.",
  "card.verdict.clone_suspected":
    "Nghi chip sao chép: chip không chứng minh được là chip gốc của thẻ.",
  "card.action.continue": "Cán bộ: tiếp tục đăng ký.",
  "card.action.check_with_issuer":
    "Cán bộ: kiểm tra thẻ bằng mắt và hỏi cơ quan cấp thẻ trước khi tiếp tục; báo quản trị viên cập nhật danh sách tin cậy.",
  "card.action.refuse_and_report":
    "Cán bộ: không đăng ký bằng thẻ này; giữ thẻ lại và báo cáo theo quy định.",
  "card.self.continue": "Thẻ đã được xác thực. Bạn có thể tiếp tục.",
  "card.self.refer":
    "Máy không xác nhận được thẻ này. Hãy mang thẻ đến Công an xã, phường để được hỗ trợ.",
  "card.continue": "Tiếp tục",
  "card.expired.counter":
    "Thẻ đã hết hạn sử dụng. Cán bộ: hướng dẫn công dân làm thủ tục cấp đổi thẻ trước khi đăng ký.",
  "card.expired.self": "Thẻ của bạn đã hết hạn. Hãy đến Công an xã, phường để cấp đổi thẻ.",
  "card.qr.help": "Nhanh nhất: đưa mã QR trên thẻ vào khung camera bên phải, không cần nhập ngày.",
  "card.qr.preview_alt": "Hình camera trực tiếp để quét mã QR",
  "card.qr.read": "Đã đọc mã QR của thẻ. Hãy đặt thẻ lên đầu đọc để máy đọc chip.",
  "card.fallback.not_verified": "Chưa xác thực bằng chip",
  "card.fallback.offer_counter":
    "Máy không đọc được chip. Cán bộ có thể lập hồ sơ từ thông tin mã QR ở trên sau khi đối chiếu thẻ với người làm thủ tục; hồ sơ sẽ ghi rõ là chưa xác thực bằng chip.",
  "card.fallback.confirm": "Cán bộ xác nhận: dùng thông tin mã QR",
  "card.fallback.scan_first":
    "Máy không đọc được chip. Để lập hồ sơ từ mã QR, hãy đưa mã QR trên thẻ vào trước camera.",
  "card.fallback.self":
    "Máy không đọc được chip của thẻ, và máy tự phục vụ không lập hồ sơ chỉ bằng mã QR. Hãy mang thẻ đến quầy tiếp nhận có cán bộ hoặc Công an xã, phường.",

  "portrait.title": "Chụp ảnh chân dung",
  "portrait.help":
    "Nhìn thẳng vào camera, bỏ mũ, khẩu trang và kính râm, giữ yên. Máy tự chụp khi ảnh đạt yêu cầu.",
  "portrait.preview_alt": "Hình camera trực tiếp để chụp ảnh chân dung",
  "portrait.steady": "Độ ổn định trước khi chụp",
  "portrait.guide.no_face": "Chưa thấy khuôn mặt — hãy đứng trước camera, nhìn thẳng.",
  "portrait.guide.one_face_only": "Chỉ một người trong khung hình.",
  "portrait.guide.centre_face": "Hãy đưa khuôn mặt vào giữa khung.",
  "portrait.guide.move_closer": "Hãy lại gần camera hơn.",
  "portrait.guide.move_back": "Hãy lùi xa camera một chút.",
  "portrait.guide.more_light": "Ảnh quá tối — cần thêm ánh sáng.",
  "portrait.guide.less_light": "Ảnh quá sáng — hãy tránh đèn chiếu thẳng vào mặt.",
  "portrait.guide.hold_still": "Hãy giữ yên.",
  "portrait.guide.straighten_head": "Hãy giữ đầu thẳng, không nghiêng.",
  "portrait.guide.plain_background": "Phía sau cần là nền trơn, một màu.",
  "portrait.guide.ok": "Tốt — giữ yên, máy đang chụp…",
  "portrait.guide.unavailable":
    "Máy không tải được mô hình nhận diện khuôn mặt nên không chụp được ảnh. Hãy báo quản trị viên.",
  "portrait.no_face_long.counter":
    "Đã lâu máy không thấy khuôn mặt. Cán bộ: hướng dẫn công dân đứng thẳng trước camera, bỏ khẩu trang, mũ, kính râm, và kiểm tra camera không bị che.",
  "portrait.no_face_long.self":
    "Máy chưa thấy khuôn mặt của bạn. Hãy đứng thẳng trước camera, cách khoảng một sải tay, bỏ khẩu trang, mũ và kính râm. Nếu vẫn không được, hãy nhờ nhân viên hỗ trợ hoặc chạm “Hủy” để làm lại sau.",
  "portrait.live_title": "Ảnh vừa chụp",
  "portrait.captured_alt": "Ảnh chân dung vừa chụp",
  "portrait.chip_title": "Ảnh trong chip",
  "portrait.chip_alt": "Ảnh chân dung trong chip",
  "portrait.no_chip_photo": "Không có ảnh trong chip để đối chiếu: hồ sơ lập từ mã QR.",
  "portrait.compare.officer":
    "Cán bộ: so sánh hai ảnh bằng mắt. Máy chưa so khớp được khuôn mặt nên không đưa ra điểm số.",
  "portrait.compare.self":
    "Ảnh vừa chụp sẽ được cơ quan Công an đối chiếu với ảnh trong chip khi xét duyệt.",
  "portrait.compare.same":
    "So khớp khuôn mặt: điểm {score} (ngưỡng {threshold}) — ảnh vừa chụp giống ảnh trong chip.",
  "portrait.compare.different.counter":
    "So khớp khuôn mặt: điểm {score} (ngưỡng {threshold}) — có thể không phải cùng một người. Cán bộ: so sánh kỹ hai ảnh và người trước mặt, chụp lại nếu cần.",
  "portrait.compare.different.self":
    "So khớp khuôn mặt: điểm {score} (ngưỡng {threshold}) — ảnh vừa chụp chưa giống ảnh trong chip. Hãy chụp lại, nhìn thẳng camera; nếu vẫn không khớp, hãy đến quầy có cán bộ.",
  "portrait.retake": "Chụp lại",
  "portrait.continue": "Tiếp tục",

  "error.card.no_reader":
    "Không tìm thấy đầu đọc thẻ. Hãy kiểm tra cáp USB của đầu đọc rồi chạm “Đọc thẻ” lại.",
  "error.card.not_present": "Chưa có thẻ trên đầu đọc. Hãy đặt thẻ lên đầu đọc.",
  "error.card.removed":
    "Thẻ đã bị nhấc khỏi đầu đọc khi đang đọc. Hãy đặt lại thẻ và giữ yên: máy sẽ đọc tiếp từ chỗ dừng.",
  "error.card.wrong_key":
    "Chip không mở được với số định danh, ngày sinh và ngày hết hạn đã nhập. Hãy kiểm tra lại các số in trên thẻ rồi đọc lại.",
  "error.card.blocked":
    "Chip đã tạm khóa vì nhập sai nhiều lần. Hãy dùng mã QR trên thẻ, hoặc đến Công an xã, phường.",
  "error.card.unreadable":
    "Máy không đọc được chip của thẻ này. Hãy dùng mã QR trên thẻ để đăng ký (hồ sơ sẽ ghi là chưa xác thực bằng chip).",
  "error.card.reader_failure":
    "Đầu đọc thẻ gặp lỗi. Hãy nhấc thẻ ra, đặt lại rồi đọc lại; nếu vẫn lỗi, hãy báo quản trị viên.",
  "error.card.unsupported_signature":
    "Máy chưa kiểm tra được chữ ký số của loại thẻ này. Hãy báo quản trị viên.",
  "error.card.worker_stopped":
    "Bộ phận đọc thẻ của máy đã dừng. Hãy khởi động lại ứng dụng và báo quản trị viên.",
  "error.card.key.id_number":
    "Chưa có số định danh hợp lệ. Hãy về màn hình đầu và nhập lại số định danh 12 chữ số.",
  "error.card.key.date_of_birth":
    "Ngày sinh không có thật. Hãy nhập 8 chữ số: ngày, tháng, năm (ví dụ 01011990).",
  "error.card.key.date_of_expiry":
    "Ngày hết hạn không có thật. Hãy nhập 8 chữ số như in trên thẻ (ví dụ 01012030).",
  "error.card.key.qr": "Mã QR này không phải mã QR của thẻ căn cước. Hãy quét mã QR in trên thẻ.",
  "error.camera.no_camera":
    "Không tìm thấy camera. Hãy kiểm tra cáp USB của camera, cắm lại rồi chạm “Thử lại”.",
  "error.camera.not_found":
    "Không thấy camera đã cấu hình cho máy. Hãy báo quản trị viên kiểm tra cấu hình camera.",
  "error.camera.busy":
    "Camera đang bận hoặc không mở được. Hãy đóng ứng dụng khác đang dùng camera rồi chạm “Thử lại”; nếu vẫn lỗi, hãy báo quản trị viên.",
  "error.camera.unplugged":
    "Camera đã bị rút ra hoặc ngừng gửi hình. Hãy cắm lại cáp camera rồi chạm “Thử lại”.",
  "error.camera.not_built":
    "Phiên bản ứng dụng này không hỗ trợ camera. Hãy báo quản trị viên cài đặt lại.",
  "error.camera.replay":
    "Không đọc được thư mục ảnh phát lại của camera. Hãy báo quản trị viên kiểm tra cấu hình camera.",
  "error.camera.worker_stopped":
    "Bộ phận camera của máy đã dừng. Hãy khởi động lại ứng dụng và báo quản trị viên.",
  "error.qr_only.self_service":
    "Máy tự phục vụ không lập hồ sơ chỉ bằng mã QR. Hãy mang thẻ đến quầy tiếp nhận có cán bộ hoặc Công an xã, phường.",
  "error.qr_only.no_qr": "Chưa quét được mã QR trên thẻ. Hãy đưa mã QR của thẻ vào trước camera.",
  "error.card.key.derivation":
    "Không tạo được khóa mở chip từ các số này. Hãy kiểm tra lại ngày sinh và ngày hết hạn.",

  "signin.title": "Đăng nhập cán bộ tiếp nhận",
  "signin.body": "Cán bộ đăng nhập để hỗ trợ công dân đăng ký tài khoản định danh điện tử.",
  "signin.operator": "Mã cán bộ",
  "signin.pin": "Mã PIN",
  "signin.submit": "Đăng nhập",
  "signin.busy": "Đang kiểm tra…",
  "signin.error.operator_missing": "Hãy nhập mã cán bộ.",
  "signin.error.pin_missing": "Hãy nhập mã PIN.",
  "signin.locked":
    "Máy đã tự đăng xuất vì không có thao tác trong {minutes} phút. Hãy đăng nhập lại để tiếp tục.",

  "error.operators.none_configured":
    "Máy này chưa có tài khoản cán bộ nào. Hãy đề nghị quản trị viên tạo tài khoản cán bộ cho máy, rồi đăng nhập lại.",
  "error.operators.wrong_credentials":
    "Sai mã cán bộ hoặc mã PIN. Hãy kiểm tra và nhập lại; nhập sai 5 lần liên tiếp, tài khoản sẽ tạm khóa 15 phút.",
  "error.operators.pin_format": "Mã PIN gồm 6 đến 12 chữ số. Hãy xóa và nhập lại.",
  "error.operators.locked_out":
    "Tài khoản tạm khóa 15 phút do nhập sai mã PIN nhiều lần. Hãy chờ rồi thử lại, hoặc nhờ tổ trưởng đăng nhập.",
  "error.operators.not_permitted":
    "Tài khoản này không được phép tiếp nhận đăng ký. Hãy đăng nhập bằng tài khoản cán bộ tiếp nhận.",
  "error.enrollment.no_card_reading":
    "Phiên này chưa có dữ liệu đọc từ chip. Hãy quay lại bước đọc thẻ.",
  "error.enrollment.holder_data":
    "Dữ liệu chủ thẻ trên chip không đủ để lập hồ sơ. Hãy đọc lại thẻ; nếu vẫn lỗi, hướng dẫn công dân đến cơ quan Công an.",
  "error.enrollment.card_refused":
    "Kết quả kiểm tra thẻ không cho phép lập hồ sơ. Hãy hướng dẫn công dân đến cơ quan Công an.",
  "error.enrollment.no_consent":
    "Công dân chưa đồng ý cho xử lý dữ liệu trong phiên này. Hãy bắt đầu lại từ bước đồng ý.",
  "error.enrollment.portrait_unavailable":
    "Chưa có ảnh chân dung chụp tại máy. Hãy quay lại bước chụp ảnh chân dung.",
  "error.enrollment.unknown_group":
    "Tổ dân phố / thôn đã chọn không còn trong danh sách. Hãy chọn lại.",
  "error.enrollment.form_invalid": "Thông tin trên mẫu chưa hợp lệ. Hãy quay lại sửa.",
  "error.enrollment.backoffice_key":
    "Máy chưa có khóa của máy chủ tiếp nhận nên chưa thể niêm phong hồ sơ. Hãy báo quản trị viên.",
  "error.enrollment.seal_failed":
    "Không niêm phong được hồ sơ. Hãy thử lại; nếu vẫn lỗi, hãy báo quản trị viên.",
  "error.operators.signed_out": "Phiên đăng nhập của cán bộ đã kết thúc. Hãy đăng nhập lại.",
  "error.operators.desk_locked":
    "Máy đã tự đăng xuất cán bộ vì không có thao tác quá lâu; dữ liệu của công dân đã được xoá. Hãy đăng nhập lại.",
  "error.operators.self_service_missing":
    "Máy tự phục vụ chưa có tài khoản thiết bị. Hãy báo quản trị viên tạo tài khoản tự phục vụ cho máy.",
  "error.queue.unavailable":
    "Không mở được cơ sở dữ liệu hồ sơ của máy, nên chưa thể tiếp nhận. Hãy báo quản trị viên kiểm tra thư mục dữ liệu.",
  "error.queue.disk_full":
    "Ổ đĩa của máy đã gần đầy, máy tạm ngừng tiếp nhận để không làm hỏng hồ sơ đã lưu. Hãy báo quản trị viên giải phóng dung lượng.",
  "error.queue.frozen_too_many":
    "Máy tạm ngừng tiếp nhận hồ sơ mới vì đã có quá nhiều hồ sơ chưa gửi được về máy chủ tiếp nhận. Các hồ sơ đã lưu vẫn an toàn. Hãy kết nối máy với máy chủ tiếp nhận hoặc gọi kỹ thuật viên cấp huyện.",
  "error.queue.frozen_too_old":
    "Máy tạm ngừng tiếp nhận hồ sơ mới vì có hồ sơ đã chờ gửi về máy chủ tiếp nhận quá lâu. Các hồ sơ đã lưu vẫn an toàn. Hãy kết nối máy với máy chủ tiếp nhận hoặc gọi kỹ thuật viên cấp huyện.",
  "error.queue.corrupt":
    "Cơ sở dữ liệu hồ sơ của máy bị hỏng. Hãy ngừng tiếp nhận và báo quản trị viên ngay.",
  "error.queue.database":
    "Lỗi cơ sở dữ liệu của máy. Hãy thử lại; nếu vẫn lỗi, hãy báo quản trị viên.",
  "error.id.format":
    "Máy không nhận số định danh này: cần đúng 12 chữ số. Hãy xóa và nhập lại theo số in trên thẻ.",
  "error.generic":
    "Đã xảy ra lỗi (mã: {code}). Hãy thử lại; nếu lỗi lặp lại, hãy báo quản trị viên kèm mã lỗi này.",
  "error.clear_failed":
    "Không xóa được phiên làm việc trước trong bộ nhớ của máy (mã: {code}). Hãy báo quản trị viên và khởi động lại máy trước khi phục vụ người tiếp theo.",

  "form.title": "Thông tin liên hệ và giấy tờ tích hợp",
  "form.lead":
    "Số điện thoại di động là nơi nhận tin nhắn phê duyệt và mã kích hoạt. Các giấy tờ tích hợp có thể để trống.",
  "form.phone": "Số điện thoại di động (bắt buộc)",
  "form.email": "Thư điện tử (không bắt buộc)",
  "form.health_insurance": "Mã số BHXH hoặc mã thẻ BHYT (không bắt buộc)",
  "form.driving_licence": "Số giấy phép lái xe (không bắt buộc)",
  "form.vehicle_plate": "Biển số xe, cách nhau bằng dấu phẩy (không bắt buộc)",
  "form.tax_code": "Mã số thuế (không bắt buộc)",
  "form.group": "Tổ dân phố / thôn nơi cư trú",
  "form.groups.none":
    "Máy chưa được cấu hình danh sách tổ dân phố / thôn. Hãy báo quản trị viên bổ sung danh sách, rồi làm lại.",
  "form.continue": "Xem lại",
  "form.cancel": "Hủy và xóa",

  "review.title": "Xác nhận thông tin đăng ký",
  "review.lead":
    "Hãy cùng công dân kiểm tra từng dòng. Khi xác nhận, hồ sơ được niêm phong, ký số và xếp hàng gửi về cơ quan Công an.",
  "review.full_name": "Họ và tên",
  "review.id_number": "Số định danh cá nhân",
  "review.date_of_birth": "Ngày sinh",
  "review.phone": "Số điện thoại",
  "review.email": "Thư điện tử",
  "review.health_insurance": "Mã số BHXH / BHYT",
  "review.driving_licence": "Giấy phép lái xe",
  "review.vehicle_plates": "Biển số xe",
  "review.tax_code": "Mã số thuế",
  "review.group": "Tổ dân phố / thôn",
  "review.confirm": "Xác nhận và gửi",
  "review.busy": "Đang niêm phong hồ sơ…",
  "review.edit": "Sửa lại",
  "review.cancel": "Hủy và xóa",
  "review.not_chip_verified":
    "Chưa xác thực bằng chip: thông tin lấy từ mã QR trên thẻ và được cán bộ xác nhận. Cơ quan Công an sẽ kiểm tra lại khi xét duyệt.",

  "done.title": "Đã tiếp nhận hồ sơ đăng ký",
  "done.lead":
    "Hồ sơ đã được lưu an toàn trên máy và sẽ được gửi về cơ quan Công an ngay khi có kết nối.",
  "done.number": "Số hồ sơ",
  "done.qr_alt": "Mã QR của số hồ sơ",
  "done.next.title": "Các bước tiếp theo",
  "done.next.sms":
    "Khi hồ sơ được phê duyệt, công dân nhận tin nhắn SMS từ Bộ Công an vào số điện thoại đã đăng ký.",
  "done.next.open_app":
    "Mở ứng dụng VNeID, chọn kích hoạt tài khoản, nhập số định danh cá nhân và số điện thoại đã đăng ký.",
  "done.next.otp": "Nhập mã OTP được gửi về số điện thoại.",
  "done.next.password":
    "Đặt mật khẩu từ 8 đến 20 ký tự, có chữ số, chữ hoa, chữ thường và ít nhất một ký tự đặc biệt (! @ # $ ^ * ( ) _ –).",
  "done.next.passcode": "Đặt mã passcode gồm 6 chữ số, không dùng ngày sinh.",
  "done.next.questions": "Chọn và trả lời 2 câu hỏi bảo mật để hoàn tất kích hoạt.",
  "done.finish": "Hoàn tất",

  "keypad.label": "Bàn phím trên màn hình",
  "keypad.backspace": "Xóa ký tự trước",
  "keypad.clear": "Xóa hết",
  "keypad.shift": "Chữ hoa",
  "keypad.space": "Dấu cách",
  "keypad.tone.acute": "Dấu sắc",
  "keypad.tone.grave": "Dấu huyền",
  "keypad.tone.hook": "Dấu hỏi",
  "keypad.tone.tilde": "Dấu ngã",
  "keypad.tone.dot": "Dấu nặng",
} as const satisfies Record<string, string>;

type Vi = typeof vi;
export type MessageKey = keyof Vi;

/** The `{name}` placeholders of a text, as a union of names. */
type Placeholders<S extends string> = S extends `${string}{${infer Name}}${infer Rest}`
  ? Name | Placeholders<Rest>
  : never;

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (
  i: infer I,
) => void
  ? I
  : never;

/** A translation must keep every placeholder of the Vietnamese text. */
type Translation<S extends string> = [Placeholders<S>] extends [never]
  ? string
  : UnionToIntersection<
      Placeholders<S> extends infer P extends string ? `${string}{${P}}${string}` : never
    >;

const en: { [K in MessageKey]: Translation<Vi[K]> } = {
  "app.title": "Level-2 electronic identification enrollment",
  "boot.loading": "Starting…",
  "boot.failed":
    "Cannot reach the kiosk's core (code: {code}). Retrying; if this persists, restart the application and tell the administrator.",
  "footer.version": "Version {version} · Device ID {deviceId}",

  "header.language": "Language",
  "header.status": "Device status",
  "header.reader": "Card reader",
  "header.camera": "Camera",
  "header.sync": "Back office",
  "header.queue": "Packages waiting",
  "lang.vi": "Tiếng Việt",
  "lang.en": "English",

  "reader.service_down": "PC/SC service not running — ask the administrator to start it",
  "reader.no_reader": "No reader found — check the reader's USB cable",
  "reader.ready": "Ready, no card",
  "reader.card_present": "Card on the reader",
  "camera.no_camera": "No camera found — check the camera's cable",
  "camera.ready": "Ready",
  "camera.failed": "The camera is not working (unplugged or busy) — check the camera's cable",
  "camera.starting": "Opening the camera…",
  "camera.retry": "Try again",
  "camera.setup_preview_alt": "Live camera picture to test the camera",
  "sync.not_registered": "Not registered — packages are kept here; tell the administrator",
  "sync.not_started": "Set-up error, nothing is sent — tell the administrator",
  "sync.starting": "Connecting…",
  "sync.synced": "Up to date",
  "sync.sending": "Sending…",
  "sync.waiting": "Waiting to retry",
  "sync.unreachable": "Unreachable — packages are kept and sent when it is back",
  "sync.refused": "Kiosk refused (unregistered or revoked) — tell the administrator",
  "sync.clock_skew": "The kiosk's clock is off — ask the administrator to set the time",
  "sync.last": "last synced {time}",
  "sync.retry": "retry at {time}",
  "queue.not_set_up": "Queue not set up yet",
  "queue.waiting": "{count} waiting to be sent",
  "queue.none": "Nothing waiting",
  "operator.label": "Operator: {operator}",
  "operator.sign_out": "Sign out",
  "status.unknown": "Unknown state ({state}) — tell the administrator",
  "status.stale":
    "Cannot refresh the status (code: {code}) — it may be out of date; tell the administrator if this lasts",
  "header.health": "Kiosk health",
  "health.ok": "All is well",
  "health.audit_broken": "Audit log altered — leave the kiosk as is, call the technician",
  "health.data_dir_unwritable": "Data directory not writable — call the technician",
  "health.queue_unavailable": "The queue cannot be opened — restart the kiosk",
  "health.disk_low": "Disk almost full ({number} MB free) — call the technician",
  "health.reader_service_down": "Card reader service not running — restart the kiosk",
  "health.no_reader": "No card reader — plug its USB cable in again",
  "health.reader_error": "Card reader error — unplug and replug it",
  "health.no_camera": "No camera — plug its USB cable in again",
  "health.no_trust_store": "No CSCA trust store — tell the administrator",
  "health.clock_skew": "The clock is off — ask the administrator to set it",
  "health.refused": "The back office refuses this kiosk — register it again",
  "health.not_registered": "Not registered with the back office — tell the administrator",
  "health.sync_not_started": "Sending could not start — call the technician",
  "health.queue_frozen_too_many":
    "New enrollments stopped: {number} packages unsent — connect to the back office or call the district technician",
  "health.queue_frozen_too_old":
    "New enrollments stopped: a package waiting since {time} — connect to the back office or call the district technician",
  "health.quarantined": "{number} packages refused for good — call the technician",
  "health.backoffice_unreachable":
    "Back office unreachable, {number} waiting since {time} — check the network",
  "health.packages_waiting": "{number} packages waiting since {time} — call the technician",
  "health.recovered_from_crash": "Restarted after a crash at {time}; queued packages are kept",
  "health.backoffice_unreachable_briefly": "Back office unreachable for now — packages are kept",

  "idle.title": "Are you still there?",
  "idle.body":
    "To protect personal data, everything on the screen will be erased in {seconds} seconds. Touch “Continue” if you are not done.",
  "idle.continue": "Continue",

  "common.home": "Back to the start screen",
  "common.cancel": "Cancel, back to the start",

  "welcome.title": "Enroll for a level-2 electronic identification account",
  "welcome.body":
    "Have your chip ID card ready. The kiosk guides you step by step; you can cancel at any time.",
  "welcome.start": "Start",

  "consent.title": "Do you agree to let the kiosk read your data?",
  "consent.intro": "Nothing is read until you touch “I agree”. The kiosk will read:",
  "consent.item.chip":
    "The data in your card's chip: ID number, full name, date of birth, sex, place of origin, permanent address and portrait photo.",
  "consent.item.portrait": "A portrait photo taken at the kiosk, to compare with the chip photo.",
  "consent.item.contact":
    "Your phone number (and e-mail if you wish) to receive the account activation message.",
  "consent.why":
    "Why: to prepare your application for a level-2 electronic identification account and send it to the police for review. Your portrait and chip data are sensitive personal data: the application is encrypted on the kiosk so that only the receiving office can open it, and everything is erased from the screen when you finish or leave.",
  "consent.refuse_note":
    "If you do not agree, nothing is read and the kiosk returns to the start screen. You can still enroll at the police office of your commune or ward.",
  "consent.agree": "I agree",
  "consent.refuse": "I do not agree",

  "id.title": "Enter your personal ID number",
  "id.help":
    "The personal ID number has 12 digits and is printed on the front of your ID card. Type it on the on-screen keypad.",
  "id.label": "Personal ID number (12 digits)",
  "id.count": "{count}/12 digits entered",
  "id.error.length":
    "The ID number needs 12 digits; you entered {count}. Check the number printed on your card.",
  "id.continue": "Continue",
  "id.scan_qr": "Scan the QR code instead",

  "card.title": "Place the card on the reader",
  "card.help":
    "Lay the ID card still on the reader. Enter the date of birth and the expiry date printed on the front of the card (8 digits: day, month, year) so the kiosk can open the chip.",
  "card.state.service_down":
    "The card-reading service (PC/SC) is not running — tell the administrator.",
  "card.state.no_reader": "No card reader found — check the reader's USB cable.",
  "card.state.waiting": "Reader ready — place the card on the reader.",
  "card.state.present": "Card detected on the reader.",
  "card.dob.label": "Date of birth (8 digits, e.g. 01011990)",
  "card.expiry.label": "Valid until (8 digits, e.g. 01012030)",
  "card.read": "Read the card",
  "card.reading": "Reading…",
  "card.read_again": "Read again",
  "card.error.dates":
    "Each date needs 8 digits: day, month, year (e.g. 01011990). Check the numbers printed on the card.",
  "card.progress.opening": "Opening the chip (key {attempt}/{of})…",
  "card.progress.bytes": "{read}/{total} bytes",
  "card.progress.bytes_unknown": "{read} bytes",
  "card.progress.verifying": "Read complete. Checking whether the card is genuine…",
  "card.progress.waiting": "Waiting for the card on the reader…",
  "card.file.com": "Data directory",
  "card.file.dg1": "Machine-readable zone (MRZ)",
  "card.file.dg13": "Personal data",
  "card.file.sod": "The issuer's digital signature",
  "card.file.dg14": "Chip authentication key",
  "card.file.dg15": "Anti-cloning key",
  "card.file.dg2": "Portrait",
  "card.file.other": "Other data",
  "card.holder.title": "Data in the chip",
  "card.holder.name": "Full name",
  "card.holder.id": "ID number",
  "card.holder.dob": "Date of birth",
  "card.holder.residence": "Place of residence",
  "card.portrait.alt": "Portrait from the chip",
  "card.portrait.jpeg2000":
    "The chip's portrait is in JPEG 2000 format, which this kiosk cannot display yet. It is still kept for comparison.",
  "card.verdict.genuine":
    "Genuine card: valid digital signature from a trusted issuer, and the chip proved it is the original.",
  "card.verdict.issuer_unknown":
    "The digital signature is valid, but the issuer that signed it is not in this kiosk's trust list.",
  "card.verdict.invalid":
    "Invalid card: the chip's data do not match the digital signature, or do not match the card.",
  "card.verdict.clone_suspected":
    "Suspected cloned chip: the chip could not prove it is the card's original chip.",
  "card.action.continue": "Officer: continue the enrollment.",
  "card.action.check_with_issuer":
    "Officer: inspect the card and check with the issuing office before continuing; ask the administrator to update the trust list.",
  "card.action.refuse_and_report":
    "Officer: do not enroll with this card; keep the card and report it as the rules require.",
  "card.self.continue": "The card is verified. You can continue.",
  "card.self.refer":
    "The kiosk could not verify this card. Please take the card to the commune or ward police for help.",
  "card.continue": "Continue",
  "card.expired.counter":
    "The card has expired. Officer: guide the citizen to renew the card before enrolling.",
  "card.expired.self":
    "Your card has expired. Please go to the commune or ward police to renew it.",
  "card.qr.help": "Quickest: hold the card's QR code in the camera frame on the right: no typing.",
  "card.qr.preview_alt": "Live camera picture for the QR code",
  "card.qr.read":
    "The card's QR code is read. Place the card on the reader so the kiosk can read its chip.",
  "card.fallback.not_verified": "Not chip-verified",
  "card.fallback.offer_counter":
    "The chip cannot be read. Once the officer has checked the card against the person, the application can be made from the QR data above; it will say it is not chip-verified.",
  "card.fallback.confirm": "Officer: use the QR data",
  "card.fallback.scan_first":
    "The chip cannot be read. To make the application from the QR code, hold the card's QR code in front of the camera.",
  "card.fallback.self":
    "The kiosk cannot read this card's chip, and a self-service station does not take applications from the QR code alone. Please take the card to a staffed counter or to the commune or ward police.",

  "portrait.title": "Portrait",
  "portrait.help":
    "Look straight at the camera, take off hat, mask and sunglasses, and keep still. The kiosk takes the picture by itself when it is good.",
  "portrait.preview_alt": "Live camera picture for the portrait",
  "portrait.steady": "Steadiness before the picture is taken",
  "portrait.guide.no_face": "No face yet — stand in front of the camera and look straight at it.",
  "portrait.guide.one_face_only": "Only one person in the picture, please.",
  "portrait.guide.centre_face": "Centre your face in the frame.",
  "portrait.guide.move_closer": "Move closer to the camera.",
  "portrait.guide.move_back": "Move back a little from the camera.",
  "portrait.guide.more_light": "Too dark — more light is needed.",
  "portrait.guide.less_light": "Too bright — avoid a light shining straight at your face.",
  "portrait.guide.hold_still": "Hold still.",
  "portrait.guide.straighten_head": "Keep your head straight, not tilted.",
  "portrait.guide.plain_background": "The background behind you must be plain, one colour.",
  "portrait.guide.ok": "Good — hold still, taking the picture…",
  "portrait.guide.unavailable":
    "The kiosk could not load its face detection model, so it cannot take the portrait. Tell the administrator.",
  "portrait.no_face_long.counter":
    "No face has been seen for a while. Officer: have the citizen stand straight in front of the camera without mask, hat or sunglasses, and check that nothing covers the camera.",
  "portrait.no_face_long.self":
    "The kiosk cannot see your face yet. Stand straight in front of the camera, about an arm's length away, without mask, hat or sunglasses. If it still does not work, ask a member of staff for help or tap “Cancel” to try again later.",
  "portrait.live_title": "Portrait taken",
  "portrait.captured_alt": "The portrait just taken",
  "portrait.chip_title": "Photo in the chip",
  "portrait.chip_alt": "The portrait in the chip",
  "portrait.no_chip_photo":
    "No chip photo to compare with: the application comes from the QR code.",
  "portrait.compare.officer":
    "Officer: compare the two photos by eye. The kiosk could not compare the faces, so it shows no score.",
  "portrait.compare.self":
    "The police will compare the portrait taken with the photo in the chip when they review the application.",
  "portrait.compare.same":
    "Face comparison: score {score} (threshold {threshold}) — the portrait matches the chip photo.",
  "portrait.compare.different.counter":
    "Face comparison: score {score} (threshold {threshold}) — possibly not the same person. Officer: compare both photos with the person in front of you carefully, and retake if needed.",
  "portrait.compare.different.self":
    "Face comparison: score {score} (threshold {threshold}) — the portrait does not match the chip photo yet. Retake it looking straight at the camera; if it still does not match, go to a staffed counter.",
  "portrait.retake": "Retake",
  "portrait.continue": "Continue",

  "error.card.no_reader":
    "No card reader found. Check the reader's USB cable, then tap “Read the card” again.",
  "error.card.not_present": "There is no card on the reader. Place the card on the reader.",
  "error.card.removed":
    "The card was lifted off the reader during the read. Place it back and hold it still: reading continues where it stopped.",
  "error.card.wrong_key":
    "The chip did not open with the ID number, date of birth and expiry date entered. Check the numbers printed on the card and read again.",
  "error.card.blocked":
    "The chip is temporarily locked after too many wrong attempts. Use the QR code on the card, or go to the commune or ward police.",
  "error.card.unreadable":
    "This card's chip cannot be read here. Use the QR code on the card to enroll (the application will be marked as not chip-verified).",
  "error.card.reader_failure":
    "The card reader failed. Lift the card off, place it again and read again; if it keeps failing, tell the administrator.",
  "error.card.unsupported_signature":
    "This kiosk cannot check the digital signature of this kind of card yet. Tell the administrator.",
  "error.card.worker_stopped":
    "The kiosk's card-reading part has stopped. Restart the application and tell the administrator.",
  "error.card.key.id_number":
    "There is no valid ID number yet. Go back to the start and enter the 12-digit ID number again.",
  "error.card.key.date_of_birth":
    "That date of birth does not exist. Enter 8 digits: day, month, year (e.g. 01011990).",
  "error.card.key.date_of_expiry":
    "That expiry date does not exist. Enter the 8 digits printed on the card (e.g. 01012030).",
  "error.card.key.qr":
    "This QR code is not an ID card's QR code. Scan the QR code printed on the card.",
  "error.camera.no_camera":
    "No camera found. Check the camera's USB cable, plug it in again, then tap “Try again”.",
  "error.camera.not_found":
    "The camera configured for this kiosk is not connected. Ask the administrator to check the camera setting.",
  "error.camera.busy":
    "The camera is busy or could not be opened. Close any other program using it, then tap “Try again”; if it keeps failing, tell the administrator.",
  "error.camera.unplugged":
    "The camera was unplugged or stopped sending pictures. Plug its cable in again, then tap “Try again”.",
  "error.camera.not_built":
    "This build of the application has no camera support. Ask the administrator to reinstall it.",
  "error.camera.replay":
    "The camera's replay folder cannot be read. Ask the administrator to check the camera setting.",
  "error.camera.worker_stopped":
    "The kiosk's camera part has stopped. Restart the application and tell the administrator.",
  "error.qr_only.self_service":
    "A self-service station does not take applications from the QR code alone. Please take the card to a staffed counter or to the commune or ward police.",
  "error.qr_only.no_qr":
    "The card's QR code has not been scanned yet. Hold it in front of the camera.",
  "error.card.key.derivation":
    "No chip key follows from these numbers. Check the date of birth and the expiry date.",

  "signin.title": "Operator sign-in",
  "signin.body": "Operators sign in to help citizens enroll for their electronic identification.",
  "signin.operator": "Operator code",
  "signin.pin": "PIN",
  "signin.submit": "Sign in",
  "signin.busy": "Checking…",
  "signin.error.operator_missing": "Enter your operator code.",
  "signin.error.pin_missing": "Enter your PIN.",
  "signin.locked":
    "The kiosk signed you out after {minutes} minutes without use. Sign in again to go on.",

  "error.operators.none_configured":
    "This kiosk has no operator accounts yet. Ask the administrator to create operator accounts for it, then sign in again.",
  "error.operators.wrong_credentials":
    "Wrong operator code or PIN. Check and type them again; after 5 wrong PINs in a row the account locks for 15 minutes.",
  "error.operators.pin_format": "The PIN has 6 to 12 digits. Clear it and type it again.",
  "error.operators.locked_out":
    "This account is locked for 15 minutes after repeated wrong PINs. Wait and try again, or ask your supervisor to sign in.",
  "error.operators.not_permitted":
    "This account may not take enrollments. Sign in with an enrollment operator's account.",
  "error.enrollment.no_card_reading":
    "This session has no chip reading yet. Go back to the card step.",
  "error.enrollment.holder_data":
    "The chip's holder data are not enough for an application. Read the card again; if it fails again, send the citizen to the police.",
  "error.enrollment.card_refused":
    "The card check does not allow an application. Send the citizen to the police.",
  "error.enrollment.no_consent":
    "The citizen has not consented in this session. Start again from the consent step.",
  "error.enrollment.portrait_unavailable":
    "No portrait has been taken at the kiosk yet. Go back to the portrait step.",
  "error.enrollment.unknown_group":
    "The chosen residential group is no longer in the list. Choose again.",
  "error.enrollment.form_invalid": "The form is not valid yet. Go back and correct it.",
  "error.enrollment.backoffice_key":
    "This kiosk has no back-office key yet, so applications cannot be sealed. Tell the administrator.",
  "error.enrollment.seal_failed":
    "The application could not be sealed. Try again; if it keeps failing, tell the administrator.",
  "error.operators.signed_out": "The operator's sign-in has ended. Sign in again.",
  "error.operators.desk_locked":
    "The kiosk signed the operator out after too long without use; the citizen's data was wiped. Sign in again.",
  "error.operators.self_service_missing":
    "This self-service station has no device account. Ask the administrator to create its self-service account.",
  "error.queue.unavailable":
    "The kiosk's enrollment database could not be opened, so no enrollment can be taken. Ask the administrator to check the data directory.",
  "error.queue.disk_full":
    "The kiosk's disk is nearly full: it stops taking enrollments so that saved ones stay intact. Ask the administrator to free space.",
  "error.queue.frozen_too_many":
    "The kiosk has stopped taking new enrollments: too many packages have not reached the back office yet. The saved packages are safe. Connect the kiosk to the back office or call the district technician.",
  "error.queue.frozen_too_old":
    "The kiosk has stopped taking new enrollments: a package has waited too long to reach the back office. The saved packages are safe. Connect the kiosk to the back office or call the district technician.",
  "error.queue.corrupt":
    "The kiosk's enrollment database is damaged. Stop taking enrollments and tell the administrator at once.",
  "error.queue.database":
    "The kiosk's database failed. Try again; if it keeps failing, tell the administrator.",
  "error.id.format":
    "The kiosk did not accept this ID number: it must be exactly 12 digits. Clear it and type the number printed on your card again.",
  "error.generic":
    "Something went wrong (code: {code}). Try again; if it happens again, tell the administrator this code.",
  "error.clear_failed":
    "The previous session could not be erased from the kiosk's memory (code: {code}). Tell the administrator and restart the kiosk before serving the next person.",

  "form.title": "Contact details and documents to integrate",
  "form.lead":
    "The mobile phone receives the approval message and the activation code. The documents to integrate may be left empty.",
  "form.phone": "Mobile phone (required)",
  "form.email": "E-mail (optional)",
  "form.health_insurance": "Social-insurance number or health-insurance card code (optional)",
  "form.driving_licence": "Driving licence number (optional)",
  "form.vehicle_plate": "Vehicle plates, separated by commas (optional)",
  "form.tax_code": "Tax code (optional)",
  "form.group": "Residential group (tổ dân phố / thôn)",
  "form.groups.none":
    "This kiosk has no list of residential groups yet. Ask the administrator to add the list, then start again.",
  "form.continue": "Review",
  "form.cancel": "Cancel and erase",

  "review.title": "Confirm the enrollment details",
  "review.lead":
    "Check every line with the citizen. On confirmation the application is sealed, signed and queued for the police.",
  "review.full_name": "Full name",
  "review.id_number": "Personal ID number",
  "review.date_of_birth": "Date of birth",
  "review.phone": "Mobile phone",
  "review.email": "E-mail",
  "review.health_insurance": "Social / health insurance",
  "review.driving_licence": "Driving licence",
  "review.vehicle_plates": "Vehicle plates",
  "review.tax_code": "Tax code",
  "review.group": "Residential group",
  "review.confirm": "Confirm and send",
  "review.busy": "Sealing the application…",
  "review.edit": "Edit",
  "review.cancel": "Cancel and erase",
  "review.not_chip_verified":
    "Not chip-verified: the details come from the card's QR code, confirmed by the officer. The police will check them again when reviewing.",

  "done.title": "Application received",
  "done.lead":
    "The application is stored safely on this kiosk and will be sent to the police as soon as there is a connection.",
  "done.number": "Application number",
  "done.qr_alt": "QR code of the application number",
  "done.next.title": "What happens next",
  "done.next.sms":
    "When the application is approved, the citizen receives an SMS from the Ministry of Public Security on the registered phone.",
  "done.next.open_app":
    "Open the VNeID app, choose to activate the account, and enter the personal ID number and the registered phone.",
  "done.next.otp": "Enter the OTP code sent to the phone.",
  "done.next.password":
    "Set a password of 8 to 20 characters with a digit, an upper-case and a lower-case letter and one of ! @ # $ ^ * ( ) _ –.",
  "done.next.passcode": "Set a 6-digit passcode that is not a date of birth.",
  "done.next.questions": "Choose and answer two security questions to finish the activation.",
  "done.finish": "Finish",

  "keypad.label": "On-screen keypad",
  "keypad.backspace": "Delete the previous character",
  "keypad.clear": "Clear all",
  "keypad.shift": "Capitals",
  "keypad.space": "Space",
  "keypad.tone.acute": "Acute tone (sắc)",
  "keypad.tone.grave": "Grave tone (huyền)",
  "keypad.tone.hook": "Hook tone (hỏi)",
  "keypad.tone.tilde": "Tilde tone (ngã)",
  "keypad.tone.dot": "Dot-below tone (nặng)",
};

const dictionaries: Record<Lang, Record<MessageKey, string>> = { vi, en };

/** Keys whose text has no placeholder. */
export type PlainKey = {
  [K in MessageKey]: [Placeholders<Vi[K]>] extends [never] ? K : never;
}[MessageKey];

export type Vars<K extends MessageKey> = Record<Placeholders<Vi[K]>, string | number>;

/** Arguments after the key: the placeholder values when the text has any, nothing otherwise. */
export type VarsArg<K extends MessageKey> = [Placeholders<Vi[K]>] extends [never]
  ? []
  : [vars: Vars<K>];

export function translate<K extends MessageKey>(lang: Lang, key: K, ...vars: VarsArg<K>): string {
  const text = dictionaries[lang][key];
  const values: Record<string, string | number> = vars[0] ?? {};
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : String(value);
  });
}

/** Backend error codes the dictionary has a sentence for. Others get `error.generic`. */
const ERROR_KEYS: Readonly<Record<string, PlainKey>> = {
  "operators.none_configured": "error.operators.none_configured",
  "operators.wrong_credentials": "error.operators.wrong_credentials",
  "operators.pin_format": "error.operators.pin_format",
  "operators.locked_out": "error.operators.locked_out",
  "operators.not_permitted": "error.operators.not_permitted",
  "queue.unavailable": "error.queue.unavailable",
  "enrollment.no_card_reading": "error.enrollment.no_card_reading",
  "enrollment.holder_data": "error.enrollment.holder_data",
  "enrollment.card_refused": "error.enrollment.card_refused",
  "enrollment.no_consent": "error.enrollment.no_consent",
  "enrollment.portrait_unavailable": "error.enrollment.portrait_unavailable",
  "enrollment.unknown_group": "error.enrollment.unknown_group",
  "enrollment.form_invalid": "error.enrollment.form_invalid",
  "enrollment.backoffice_key": "error.enrollment.backoffice_key",
  "enrollment.seal_failed": "error.enrollment.seal_failed",
  "operators.signed_out": "error.operators.signed_out",
  "operators.desk_locked": "error.operators.desk_locked",
  "operators.self_service_missing": "error.operators.self_service_missing",
  "queue.disk_full": "error.queue.disk_full",
  "queue.frozen_too_many": "error.queue.frozen_too_many",
  "queue.frozen_too_old": "error.queue.frozen_too_old",
  "queue.corrupt": "error.queue.corrupt",
  "queue.database": "error.queue.database",
  "id.format": "error.id.format",
  "card.no_reader": "error.card.no_reader",
  "card.not_present": "error.card.not_present",
  "card.removed": "error.card.removed",
  "card.wrong_key": "error.card.wrong_key",
  "card.blocked": "error.card.blocked",
  "card.unreadable": "error.card.unreadable",
  "card.reader_failure": "error.card.reader_failure",
  "card.unsupported_signature": "error.card.unsupported_signature",
  "card.worker_stopped": "error.card.worker_stopped",
  "card.key.id_number": "error.card.key.id_number",
  "card.key.date_of_birth": "error.card.key.date_of_birth",
  "card.key.date_of_expiry": "error.card.key.date_of_expiry",
  "card.key.qr": "error.card.key.qr",
  "card.key.derivation": "error.card.key.derivation",
  "camera.no_camera": "error.camera.no_camera",
  "camera.not_found": "error.camera.not_found",
  "camera.busy": "error.camera.busy",
  "camera.unplugged": "error.camera.unplugged",
  "camera.not_built": "error.camera.not_built",
  "camera.replay": "error.camera.replay",
  "camera.worker_stopped": "error.camera.worker_stopped",
  "qr_only.self_service": "error.qr_only.self_service",
  "qr_only.no_qr": "error.qr_only.no_qr",
};

/** Which attribute of an element a binding fills: its text or a labelling attribute. */
type Slot = "text" | "aria-label";

interface Binding {
  readonly slot: Slot;
  readonly render: (lang: Lang) => string;
}

/**
 * The current language and the elements bound to dictionary keys. One per session: a wipe
 * drops it with the DOM it served.
 */
export class I18n {
  #lang: Lang;
  readonly #bindings = new Map<Element, Binding[]>();

  constructor(lang: Lang) {
    this.#lang = lang;
  }

  get lang(): Lang {
    return this.#lang;
  }

  t<K extends MessageKey>(key: K, ...vars: VarsArg<K>): string {
    return translate(this.#lang, key, ...vars);
  }

  /** Sets the element's text to the key's translation, now and after every language switch. */
  text<K extends MessageKey, E extends Element>(el: E, key: K, ...vars: VarsArg<K>): E {
    return this.#bind(el, "text", (lang) => translate(lang, key, ...vars));
  }

  /** Like `text`, for the element's accessible name. */
  label<K extends MessageKey, E extends Element>(el: E, key: K, ...vars: VarsArg<K>): E {
    return this.#bind(el, "aria-label", (lang) => translate(lang, key, ...vars));
  }

  /** Shows a backend error code as the dictionary's sentence for it. */
  error<E extends Element>(el: E, code: string): E {
    const key = ERROR_KEYS[code];
    return key === undefined ? this.text(el, "error.generic", { code }) : this.text(el, key);
  }

  /** Sets the element's text to a sentence the core gave in both languages. */
  pair<E extends Element>(el: E, text: { readonly vi: string; readonly en: string }): E {
    return this.#bind(el, "text", (lang) => (lang === "vi" ? text.vi : text.en));
  }

  /** Forgets the element's text binding and empties it. */
  clear(el: Element): void {
    const rest = (this.#bindings.get(el) ?? []).filter((b) => b.slot !== "text");
    this.#bindings.set(el, rest);
    el.textContent = "";
  }

  setLang(lang: Lang): void {
    this.#lang = lang;
    for (const [el, bindings] of this.#bindings) {
      if (!el.isConnected) {
        this.#bindings.delete(el);
        continue;
      }
      for (const binding of bindings) apply(el, binding, lang);
    }
  }

  #bind<E extends Element>(el: E, slot: Slot, render: (lang: Lang) => string): E {
    const binding: Binding = { slot, render };
    const others = (this.#bindings.get(el) ?? []).filter((b) => b.slot !== slot);
    this.#bindings.set(el, [...others, binding]);
    apply(el, binding, this.#lang);
    return el;
  }
}

function apply(el: Element, binding: Binding, lang: Lang): void {
  const value = binding.render(lang);
  if (binding.slot === "text") el.textContent = value;
  else el.setAttribute(binding.slot, value);
}

//! Every string of the "Báo cáo" area (reports, follow-up lists, guide, exports, printing), in
//! Vietnamese and English, as pairs bound with `I18n.pair` so a language switch retranslates in
//! place. Kept beside the screens that use them (the shared dictionary in `i18n.ts` stays small);
//! a pair missing a language is a type error, and the NFC test reads this file too.

import type { I18n } from "../i18n";

interface Pair {
  readonly vi: string;
  readonly en: string;
}

export const T = {
  open: { vi: "Báo cáo và theo dõi", en: "Reports and follow-up" },
  title: { vi: "Báo cáo và theo dõi", en: "Reports and follow-up" },
  back: { vi: "Quay lại tiếp nhận", en: "Back to enrollment" },
  "tab.progress": { vi: "Tiến độ", en: "Progress" },
  "tab.followup": { vi: "Theo dõi kích hoạt", en: "Activation follow-up" },
  "tab.guide": { vi: "Hướng dẫn kích hoạt", en: "Activation guide" },
  loading: { vi: "Đang tải…", en: "Loading…" },

  "period.title": { vi: "Kỳ báo cáo", en: "Reporting period" },
  "period.from": { vi: "Từ ngày", en: "From" },
  "period.until": { vi: "Đến ngày", en: "To" },
  "period.cumulative": { vi: "Lũy kế từ", en: "Cumulative from" },
  "period.cumulative_start": { vi: "Từ đầu", en: "The start" },
  "period.cumulative_date": { vi: "Ngày bắt đầu kỳ", en: "The period's first day" },
  "period.show": { vi: "Xem báo cáo", en: "Show report" },
  "period.phases": { vi: "Giai đoạn", en: "Phases" },

  "chart.progress": {
    vi: "Tỷ lệ kích hoạt so với chỉ tiêu theo đơn vị",
    en: "Activations against target by residential group",
  },
  "chart.progress_empty": {
    vi: "Chưa có chỉ tiêu: hãy cấu hình residential-groups.toml trong thư mục dữ liệu.",
    en: "No targets yet: configure residential-groups.toml in the data directory.",
  },
  "chart.daily": { vi: "Kết quả theo ngày", en: "Results per day" },
  "chart.daily_too_long": {
    vi: "Kỳ dài hơn 93 ngày: biểu đồ theo ngày không hiển thị.",
    en: "The period is longer than 93 days: no per-day chart.",
  },
  "legend.enrolled": { vi: "Thu nhận", en: "Enrolled" },
  "legend.approved": { vi: "Phê duyệt", en: "Approved" },
  "legend.activated": { vi: "Kích hoạt", en: "Activated" },
  "legend.target": { vi: "Chỉ tiêu (100%)", en: "Target (100%)" },

  "export.title": { vi: "Xuất và in", en: "Export and print" },
  "export.xlsx": { vi: "Xuất Excel (XLSX)", en: "Export Excel (XLSX)" },
  "export.csv": { vi: "Xuất CSV", en: "Export CSV" },
  "export.pdf": { vi: "Xuất PDF", en: "Export PDF" },
  "export.print": { vi: "In", en: "Print" },
  "export.where": {
    vi: "Tệp xuất được lưu trong thư mục {dir}",
    en: "Exports are saved in the folder {dir}",
  },
  "export.done": { vi: "Đã lưu tệp: {path}", en: "Saved: {path}" },
  "export.busy": { vi: "Đang xuất…", en: "Exporting…" },
  "print.opened": {
    vi: "Đã mở hộp thoại in của hệ thống.",
    en: "The system's print dialog is open.",
  },

  "list.approved-not-activated": {
    vi: "Đã phê duyệt, chưa kích hoạt",
    en: "Approved, not activated",
  },
  "list.rejected": { vi: "Bị từ chối", en: "Rejected" },
  "list.not-acknowledged": { vi: "Chưa được tiếp nhận", en: "Not yet acknowledged" },
  "list.group": { vi: "Tổ dân phố / thôn", en: "Residential group" },
  "list.all_groups": { vi: "Tất cả", en: "All" },
  "list.empty": { vi: "Không có ai trong danh sách này.", en: "Nobody on this list." },
  "list.name": { vi: "Họ và tên", en: "Full name" },
  "list.phone": { vi: "Số điện thoại", en: "Phone" },
  "list.id": { vi: "Số định danh", en: "ID number" },
  "list.since": { vi: "Từ ngày", en: "Since" },
  "list.days": { vi: "Số ngày chờ", en: "Days waiting" },
  "list.reason": { vi: "Lý do", en: "Reason" },
  "list.contact": { vi: "Liên hệ gần nhất", en: "Last contact" },
  "list.not_stored": { vi: "(không lưu)", en: "(not kept)" },
  "list.unreadable": { vi: "(không đọc được)", en: "(unreadable)" },
  "list.prev": { vi: "Trang trước", en: "Previous page" },
  "list.next": { vi: "Trang sau", en: "Next page" },
  "list.page": {
    vi: "Trang {page}/{pages} · {total} người",
    en: "Page {page}/{pages} · {total} people",
  },
  "contact.open": { vi: "Đã liên hệ", en: "Contacted" },
  "contact.outcome": { vi: "Kết quả liên hệ", en: "Outcome" },
  "contact.note": { vi: "Ghi chú (tối đa 500 ký tự)", en: "Note (at most 500 characters)" },
  "contact.save": { vi: "Lưu", en: "Save" },
  "contact.cancel": { vi: "Hủy", en: "Cancel" },
  "contact.saved": { vi: "Đã ghi nhận liên hệ.", en: "Contact recorded." },

  "guide.print": { vi: "In hướng dẫn", en: "Print the guide" },
  "receipt.print": { vi: "In biên nhận", en: "Print receipt" },

  "reports.counter_only": {
    vi: "Báo cáo chỉ dùng ở quầy có cán bộ đăng nhập.",
    en: "Reports are available at a staffed counter only.",
  },
  "reports.followup_not_permitted": {
    vi: "Tài khoản này không được xem danh sách theo dõi.",
    en: "This account may not see the follow-up lists.",
  },
  "reports.report_not_permitted": {
    vi: "Chỉ cán bộ phụ trách (giám sát) trở lên được xem báo cáo tiến độ.",
    en: "Only a supervisor or administrator may see the progress reports.",
  },
  "reports.export_not_permitted": {
    vi: "Tài khoản cán bộ thu nhận không được xuất hoặc in báo cáo, danh sách. Hãy nhờ cán bộ phụ trách (giám sát) đăng nhập.",
    en: "An operator account may not export or print reports and lists. Ask a supervisor to sign in.",
  },
  "reports.audit_failed": {
    vi: "Không ghi được nhật ký kiểm tra nên chưa xuất tệp. Thử lại; nếu vẫn lỗi, báo kỹ thuật viên.",
    en: "The audit log could not be written, so nothing was exported. Try again; if it persists, call a technician.",
  },
  "reports.export_failed": {
    vi: "Không lưu được tệp xuất. Kiểm tra dung lượng đĩa rồi thử lại.",
    en: "The export file could not be saved. Check the free disk space and try again.",
  },
  "reports.contacts_failed": {
    vi: "Không mở được sổ ghi liên hệ. Thử lại; nếu vẫn lỗi, báo kỹ thuật viên.",
    en: "The contact log could not be opened. Try again; if it persists, call a technician.",
  },
  "reports.groups_invalid": {
    vi: "Tệp danh sách tổ dân phố / thôn (residential-groups.toml) không hợp lệ. Hãy báo quản trị viên.",
    en: "The residential groups file (residential-groups.toml) is invalid. Tell the administrator.",
  },
  "reports.bad_period": {
    vi: "Kỳ báo cáo không hợp lệ: hãy chọn ngày bắt đầu không sau ngày kết thúc.",
    en: "Invalid period: the first day must not come after the last.",
  },
  "reports.unknown_list": {
    vi: "Không tìm thấy danh sách hoặc hồ sơ này.",
    en: "This list or application was not found.",
  },
  "reports.unknown_outcome": {
    vi: "Hãy chọn kết quả liên hệ.",
    en: "Choose the contact's outcome.",
  },
  "reports.unknown_format": {
    vi: "Định dạng xuất không được hỗ trợ.",
    en: "This export format is not supported.",
  },
  "reports.note_too_long": {
    vi: "Ghi chú dài quá 500 ký tự.",
    en: "The note is longer than 500 characters.",
  },
  "reports.key_unavailable": {
    vi: "Không đọc được khóa dữ liệu theo dõi của máy. Hãy báo kỹ thuật viên.",
    en: "The kiosk's follow-up data key cannot be read. Call a technician.",
  },
  "reports.print_failed": {
    vi: "Không mở được hộp thoại in. Kiểm tra máy in đã được cài đặt chưa.",
    en: "The print dialog could not open. Check that a printer is set up.",
  },
} as const satisfies Record<string, Pair>;

export type TextKey = keyof typeof T;

/** Binds the element's text to the pair, with `{name}` filled from `vars`. */
export function say<E extends Element>(
  i18n: I18n,
  el: E,
  key: TextKey,
  vars: Readonly<Record<string, string | number>> = {},
): E {
  const fill = (s: string): string =>
    s.replace(/\{(\w+)\}/g, (whole, name: string) => String(vars[name] ?? whole));
  return i18n.pair(el, { vi: fill(T[key].vi), en: fill(T[key].en) });
}

/** Shows a backend error code: this area's own sentence, else the shared dictionary's. */
export function sayError<E extends Element>(i18n: I18n, el: E, code: string): E {
  return code in T ? say(i18n, el, code as TextKey) : i18n.error(el, code);
}

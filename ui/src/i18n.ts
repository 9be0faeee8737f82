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
  "sync.not_configured": "Chưa cấu hình máy chủ tiếp nhận — hãy báo quản trị viên",
  "sync.unreachable": "Không kết nối được máy chủ tiếp nhận — hồ sơ sẽ được xếp hàng và gửi sau",
  "sync.reachable": "Đã kết nối",
  "queue.not_set_up": "Hàng đợi chưa được thiết lập",
  "queue.waiting": "{count} hồ sơ",
  "status.unknown": "Trạng thái không rõ ({state}) — hãy báo quản trị viên",
  "status.stale":
    "Không cập nhật được trạng thái (mã: {code}) — thông tin có thể đã cũ; hãy báo quản trị viên nếu kéo dài",

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
  "id.chip_later":
    "Đã nhận số định danh. Chức năng đọc chip của thẻ sẽ có trong phiên bản sau của máy, nên hiện chưa thể đăng ký tiếp tại đây. Hãy về màn hình đầu, hoặc đến Công an xã, phường để đăng ký.",

  "signin.title": "Đăng nhập cán bộ tiếp nhận",
  "signin.body": "Cán bộ đăng nhập để hỗ trợ công dân đăng ký tài khoản định danh điện tử.",
  "signin.operator": "Mã cán bộ",
  "signin.pin": "Mã PIN",
  "signin.submit": "Đăng nhập",
  "signin.busy": "Đang kiểm tra…",
  "signin.error.operator_missing": "Hãy nhập mã cán bộ.",
  "signin.error.pin_missing": "Hãy nhập mã PIN.",

  "error.operators.none_configured":
    "Máy này chưa có tài khoản cán bộ nào. Hãy đề nghị quản trị viên tạo tài khoản cán bộ cho máy, rồi đăng nhập lại.",
  "error.id.format":
    "Máy không nhận số định danh này: cần đúng 12 chữ số. Hãy xóa và nhập lại theo số in trên thẻ.",
  "error.generic":
    "Đã xảy ra lỗi (mã: {code}). Hãy thử lại; nếu lỗi lặp lại, hãy báo quản trị viên kèm mã lỗi này.",
  "error.clear_failed":
    "Không xóa được phiên làm việc trước trong bộ nhớ của máy (mã: {code}). Hãy báo quản trị viên và khởi động lại máy trước khi phục vụ người tiếp theo.",

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
  "sync.not_configured": "Back office not configured — tell the administrator",
  "sync.unreachable": "Back office unreachable — enrollments will be queued and sent later",
  "sync.reachable": "Connected",
  "queue.not_set_up": "Queue not set up yet",
  "queue.waiting": "{count} waiting",
  "status.unknown": "Unknown state ({state}) — tell the administrator",
  "status.stale":
    "Cannot refresh the status (code: {code}) — it may be out of date; tell the administrator if this lasts",

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
  "id.chip_later":
    "ID number accepted. Reading the card's chip arrives in a later version of this kiosk, so enrollment cannot go further here yet. Go back to the start screen, or enroll at your commune or ward police office.",

  "signin.title": "Operator sign-in",
  "signin.body": "Operators sign in to help citizens enroll for their electronic identification.",
  "signin.operator": "Operator code",
  "signin.pin": "PIN",
  "signin.submit": "Sign in",
  "signin.busy": "Checking…",
  "signin.error.operator_missing": "Enter your operator code.",
  "signin.error.pin_missing": "Enter your PIN.",

  "error.operators.none_configured":
    "This kiosk has no operator accounts yet. Ask the administrator to create operator accounts for it, then sign in again.",
  "error.id.format":
    "The kiosk did not accept this ID number: it must be exactly 12 digits. Clear it and type the number printed on your card again.",
  "error.generic":
    "Something went wrong (code: {code}). Try again; if it happens again, tell the administrator this code.",
  "error.clear_failed":
    "The previous session could not be erased from the kiosk's memory (code: {code}). Tell the administrator and restart the kiosk before serving the next person.",

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
  "id.format": "error.id.format",
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

//! The first-run set-up screen (administrator), shown instead of the start screen while the
//! kiosk's configuration file does not exist: device, mode, commune's residential groups, back
//! office and its CA, the one-time registration token (with the device key's fingerprint to
//! read out to the back office), a reader and camera check, and the first administrator. The
//! core registers, writes the data directory and then the configuration file; the app then
//! starts again with it. Both languages side by side: the language is not configured yet.

import { button, h } from "../dom";
import {
  SetupFailure,
  setupApply,
  setupDeviceKey,
  setupRestart,
  type Backend,
  type SetupInput,
  type SetupStatus,
} from "../ipc";

type Field = Exclude<keyof SetupInput, "mode" | "language">;

const LABELS: Readonly<Record<Field, readonly [string, string]>> = {
  deviceId: ["Mã thiết bị", "Device id"],
  deviceName: ["Tên điểm tiếp nhận", "Device name"],
  dataDir: ["Thư mục dữ liệu", "Data directory"],
  trustStore: ["Kho chứng thư CSCA", "CSCA trust store"],
  backofficeUrl: ["Địa chỉ máy chủ tiếp nhận", "Back-office address"],
  backofficeCa: ["Chứng thư CA của máy chủ (PEM)", "Back office's CA certificate (PEM)"],
  groups: ["Tổ dân phố / thôn (mỗi dòng: MÃ Tên)", "Residential groups (one a line: ID Name)"],
  token: ["Mã đăng ký dùng một lần", "One-time registration token"],
  adminId: ["Mã quản trị viên đầu tiên", "First administrator's id"],
  adminPin: ["Mã PIN quản trị viên (6–12 số)", "Administrator PIN (6–12 digits)"],
};

const ERRORS: Readonly<Record<string, readonly [string, string]>> = {
  "setup.config": ["Cấu hình không hợp lệ", "The configuration is not valid"],
  "setup.ca": [
    "Máy chủ https cần chứng thư CA dạng PEM",
    "An https back office needs its CA certificate (PEM)",
  ],
  "setup.group_id": [
    "Mã tổ dân phố chỉ gồm chữ, số, '.', '_', ':', '-'",
    "Group ids hold only letters, digits, '.', '_', ':', '-'",
  ],
  "setup.no_groups": ["Hãy nhập ít nhất một tổ dân phố / thôn", "Enter at least one group"],
  "setup.admin_id": ["Mã quản trị viên không hợp lệ", "The administrator id is not valid"],
  "setup.admin_pin": ["Mã PIN phải gồm 6–12 chữ số", "The PIN must be 6–12 digits"],
  "setup.token": ["Hãy nhập mã đăng ký", "Enter the registration token"],
  "setup.register": [
    "Máy chủ không chấp nhận đăng ký (mã sai, đã dùng, hoặc không kết nối được)",
    "The back office refused the registration (wrong or used token, or unreachable)",
  ],
  "setup.admin_exists": ["Đã có tài khoản trong máy này", "This kiosk already has accounts"],
};

const both = ([vi, en]: readonly [string, string]) => `${vi} / ${en}`;

function input(field: Field, value: string, attrs: Record<string, string> = {}) {
  const tag = field === "groups" || field === "backofficeCa" ? "textarea" : "input";
  const el = h(tag, { testid: `setup-${field}`, name: field, autocomplete: "off", ...attrs });
  el.value = value;
  return el;
}

function select(field: string, options: readonly (readonly [string, string])[]) {
  const el = h("select", { testid: `setup-${field}`, name: field });
  for (const [value, label] of options) el.append(h("option", { value }, label));
  return el;
}

/** Renders the set-up into `root`. */
export function showSetup(root: HTMLElement, status: SetupStatus, backend: Backend): void {
  const fields: Record<Field, HTMLInputElement | HTMLTextAreaElement> = {
    deviceId: input("deviceId", status.deviceId),
    deviceName: input("deviceName", status.deviceName),
    dataDir: input("dataDir", status.dataDir),
    trustStore: input("trustStore", status.trustStore),
    backofficeUrl: input("backofficeUrl", status.backofficeUrl),
    backofficeCa: input("backofficeCa", ""),
    groups: input("groups", ""),
    token: input("token", ""),
    adminId: input("adminId", "admin"),
    adminPin: input("adminPin", "", { type: "password", inputmode: "numeric" }),
  };
  const mode = select("mode", [
    ["counter", "Quầy có cán bộ / Counter"],
    ["self-service", "Tự phục vụ / Self-service"],
  ]);
  const language = select("language", [
    ["vi", "Tiếng Việt"],
    ["en", "English"],
  ]);
  const fingerprint = h("code", { testid: "setup-fingerprint" }, "—");
  const showKey = (create: boolean) => {
    setupDeviceKey(fields.dataDir.value, create)
      .then((f) => {
        fingerprint.textContent = f ?? "—";
      })
      .catch(() => {
        fingerprint.textContent = "—";
      });
  };
  fields.dataDir.addEventListener("change", () => {
    showKey(true);
  });
  const error = h("p", { class: "setup-error", testid: "setup-error", role: "alert" });
  const devices = h("p", { class: "setup-devices", testid: "setup-devices" });
  const checkDevices = () => {
    backend
      .shellState()
      .then((s) => {
        devices.textContent =
          `Đầu đọc / reader: ${s.reader.state}${s.reader.detail ? ` (${s.reader.detail})` : ""}; ` +
          `camera: ${s.camera.state}${s.camera.detail ? ` (${s.camera.detail})` : ""}`;
      })
      .catch(() => {
        devices.textContent = "—";
      });
  };
  const test = button({ testid: "setup-test-devices" }, checkDevices);
  test.textContent = "Kiểm tra đầu đọc và camera / Check reader and camera";
  const submit = button({ class: "primary", testid: "setup-submit" }, () => {
    error.textContent = "";
    for (const el of Object.values(fields)) el.removeAttribute("aria-invalid");
    submit.disabled = true;
    const form: SetupInput = {
      deviceId: fields.deviceId.value,
      deviceName: fields.deviceName.value,
      mode: mode.value === "self-service" ? "self-service" : "counter",
      language: language.value === "en" ? "en" : "vi",
      dataDir: fields.dataDir.value,
      trustStore: fields.trustStore.value,
      backofficeUrl: fields.backofficeUrl.value,
      backofficeCa: fields.backofficeCa.value,
      groups: fields.groups.value,
      token: fields.token.value,
      adminId: fields.adminId.value,
      adminPin: fields.adminPin.value,
    };
    setupApply(form)
      .then((done) => {
        fields.adminPin.value = "";
        fields.token.value = "";
        const restart = button({ class: "primary", testid: "setup-restart" }, () => {
          void setupRestart();
        });
        restart.textContent = "Khởi động lại / Restart";
        root.replaceChildren(
          h(
            "main",
            { class: "setup", testid: "setup-done" },
            h("h1", {}, "Đã cài đặt và đăng ký / Set up and registered"),
            h("p", {}, done.configPath),
            h(
              "p",
              {},
              "Dấu vân tay khoá thiết bị / Device key fingerprint: ",
              h("code", { testid: "setup-done-fingerprint" }, done.deviceKeyFingerprint),
            ),
            h("p", {}, `${String(done.groups)} tổ dân phố / groups`),
            restart,
          ),
        );
      })
      .catch((cause: unknown) => {
        submit.disabled = false;
        const failure =
          cause instanceof SetupFailure
            ? cause
            : new SetupFailure("ipc.unexpected_error", null, null);
        const known = ERRORS[failure.code];
        error.textContent = [known ? both(known) : failure.code, failure.detail]
          .filter((t) => t !== null)
          .join(" — ");
        const field = failure.field === null ? undefined : fields[failure.field as Field];
        if (field !== undefined) {
          field.setAttribute("aria-invalid", "true");
          field.focus();
        }
      });
  });
  submit.textContent = "Đăng ký và lưu cấu hình / Register and save";
  const row = (field: Field) =>
    h("label", { class: "setup-field" }, both(LABELS[field]), fields[field]);
  root.replaceChildren(
    h(
      "main",
      { class: "setup", testid: "setup" },
      h("h1", {}, "Cài đặt lần đầu (quản trị viên) / First-run set-up (administrator)"),
      h("p", {}, "Dấu vân tay khoá thiết bị / Device key fingerprint: ", fingerprint),
      h(
        "div",
        { class: "setup-grid" },
        row("deviceId"),
        row("deviceName"),
        h("label", { class: "setup-field" }, "Chế độ / Mode", mode),
        h("label", { class: "setup-field" }, "Ngôn ngữ / Language", language),
        row("dataDir"),
        row("trustStore"),
        row("backofficeUrl"),
        row("backofficeCa"),
        row("groups"),
        row("token"),
        row("adminId"),
        row("adminPin"),
      ),
      h("div", { class: "setup-actions" }, test, devices),
      error,
      submit,
    ),
  );
  checkDevices();
  showKey(false);
}

//! The first-run set-up screen (administrator), shown instead of the start screen while the
//! kiosk's configuration file does not exist: device, mode, commune's residential groups, back
//! office and its CA, the one-time registration token (with the device key's fingerprint to
//! read out to the back office), the camera with its live picture, a test card read that
//! proves the reader and a card without reading anything personal, the first administrator
//! and further operator accounts. The core registers, writes the data directory and then the
//! configuration file, and runs the kiosk on it at once (no restart). Both languages side by
//! side: the language is not configured yet (the camera's sentences follow the one chosen).

import { cameraView, type CameraView } from "../camera-view";
import { button, h } from "../dom";
import { I18n } from "../i18n";
import {
  SetupFailure,
  setupApply,
  setupCameraStart,
  setupCardCheck,
  setupDeviceKey,
  type Backend,
  type CardCheck,
  type SetupInput,
  type SetupOperator,
  type SetupStatus,
} from "../ipc";

type Field = Exclude<keyof SetupInput, "mode" | "language" | "operators">;

const LABELS: Readonly<Record<Field, readonly [string, string]>> = {
  deviceId: ["Mã thiết bị", "Device id"],
  deviceName: ["Tên điểm tiếp nhận", "Device name"],
  dataDir: ["Thư mục dữ liệu", "Data directory"],
  trustStore: ["Kho chứng thư CSCA", "CSCA trust store"],
  backofficeUrl: ["Địa chỉ máy chủ tiếp nhận", "Back-office address"],
  backofficeCa: ["Chứng thư CA của máy chủ (PEM)", "Back office's CA certificate (PEM)"],
  groups: ["Tổ dân phố / thôn (mỗi dòng: MÃ Tên)", "Residential groups (one a line: ID Name)"],
  camera: [
    "Camera (auto, index:SỐ, name:TÊN hoặc replay:THƯ_MỤC)",
    "Camera (auto, index:N, name:TEXT or replay:FOLDER)",
  ],
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
  "setup.open": [
    "Đã lưu cấu hình nhưng không mở được thư mục dữ liệu (có thể một ki-ốt khác đang dùng) — hãy tắt ki-ốt kia rồi mở lại ứng dụng",
    "The configuration is saved but the data directory could not be opened (another kiosk may use it) — close that kiosk, then start the app again",
  ],
  "setup.config_write": [
    "Không ghi được tệp cấu hình — hãy kiểm tra quyền ghi của thư mục rồi thử lại",
    "The configuration file could not be written — check the folder's write permission and try again",
  ],
  "setup.camera": [
    "Cài đặt camera không hợp lệ — hãy nhập auto, index:SỐ, name:TÊN hoặc replay:THƯ_MỤC",
    "The camera setting is not valid — enter auto, index:N, name:TEXT or replay:FOLDER",
  ],
  "setup.operator_id": [
    "Mã cán bộ chỉ gồm chữ, số, '.', '_', ':', '-' — hãy sửa rồi thêm lại",
    "Operator ids hold only letters, digits, '.', '_', ':', '-' — correct it and add again",
  ],
  "setup.operator_duplicate": [
    "Mỗi cán bộ cần một mã riêng, khác mã quản trị viên — hãy đổi mã",
    "Each operator needs an id of their own, not the administrator's — change it",
  ],
  "setup.operator_role": [
    "Vai trò phải là cán bộ hoặc giám sát",
    "The role must be operator or supervisor",
  ],
  "setup.operator_pin": [
    "Mã PIN của cán bộ phải gồm 6–12 chữ số — hãy xoá cán bộ đó và thêm lại",
    "An operator's PIN must be 6–12 digits — remove that operator and add them again",
  ],
  "setup.operator_create": [
    "Không tạo được tài khoản cán bộ — hãy kiểm tra mã PIN quản trị viên rồi thử lại",
    "The operator accounts could not be created — check the administrator PIN and try again",
  ],
  "check.no_service": [
    "Dịch vụ đầu đọc thẻ (pcscd) chưa chạy — hãy khởi động lại máy; nếu vẫn lỗi, báo kỹ thuật viên cài lại gói pcscd",
    "The card reader service (pcscd) is not running — restart the PC; if it persists, ask a technician to reinstall pcscd",
  ],
  "check.no_reader": [
    "Không thấy đầu đọc thẻ — hãy cắm đầu đọc vào cổng USB rồi đọc thử lại",
    "No card reader found — plug the reader into a USB port, then test again",
  ],
  "check.no_card": [
    "Chưa có thẻ trên đầu đọc — hãy đặt một thẻ căn cước gắn chip lên đầu đọc rồi đọc thử lại",
    "No card on the reader — place a chip ID card on the reader, then test again",
  ],
  "check.not_id_card": [
    "Thẻ này không phải thẻ căn cước gắn chip — hãy đọc thử bằng một thẻ căn cước",
    "This card is not a chip ID card — test with an ID card",
  ],
  "check.card_removed": [
    "Thẻ bị nhấc ra khi đang đọc — hãy để yên thẻ trên đầu đọc rồi đọc thử lại",
    "The card left the reader during the test — keep it still on the reader and test again",
  ],
  "check.reader_failure": [
    "Đầu đọc không phản hồi — hãy rút đầu đọc ra, cắm lại rồi đọc thử lại",
    "The reader did not answer — unplug it, plug it back in and test again",
  ],
};

const ROLES: readonly (readonly [SetupOperator["role"], string])[] = [
  ["operator", "Cán bộ / Operator"],
  ["supervisor", "Giám sát / Supervisor"],
];

const EXTENDED: Readonly<Record<string, string>> = {
  verified: "có (đã thử) / yes (tested)",
  vendor_claim: "có (theo hãng, chưa thử) / yes (maker's claim, not tested)",
  unknown: "chưa rõ / unknown",
};

/** What a passed test read says: the reader, what its model can do, the chip's answer. */
function cardCheckText(check: CardCheck): string[] {
  const model = check.model;
  const notes =
    model === null
      ? "Mẫu đầu đọc chưa có trong danh sách đã biết: vẫn đọc được, có thể chậm hơn / " +
        "Reader model not in the known list: reads still work, maybe slower"
      : `${model.name}: APDU mở rộng / extended APDU ${EXTENDED[model.extendedApdu] ?? model.extendedApdu}; ` +
        `tốc độ tối đa / max rate ${model.maxKbps === null ? "—" : `${String(model.maxKbps)} kbit/s`}; ` +
        (model.testedOnHardware
          ? "đã thử với thẻ thật / tested on hardware"
          : "chưa thử trên thiết bị thật / not tested on hardware");
  return [
    `Đọc thử thành công / Test read passed — ${check.reader}`,
    "Chip có ứng dụng căn cước (eMRTD); không đọc dữ liệu cá nhân nào / " +
      "The chip has the ID application (eMRTD); no personal data was read",
    notes,
    `ATR ${check.atr}${check.atrKind === null ? "" : ` (${check.atrKind})`}`,
    "Tiếp theo: nhấc thẻ ra khỏi đầu đọc / Next: take the card off the reader",
  ];
}

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
    camera: input("camera", status.camera),
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
  const showFailure = (cause: unknown, into: HTMLElement, fallbackField?: Field) => {
    const failure =
      cause instanceof SetupFailure ? cause : new SetupFailure("ipc.unexpected_error", null, null);
    const known = ERRORS[failure.code];
    into.textContent = [known ? both(known) : failure.code, failure.detail]
      .filter((t) => t !== null)
      .join(" — ");
    const name = failure.field ?? fallbackField;
    const field = name === undefined ? undefined : fields[name as Field];
    if (field !== undefined) {
      field.setAttribute("aria-invalid", "true");
      field.focus();
    }
  };

  // The camera: the camera view the enrollment uses, opened on the camera the form names.
  const i18n = new I18n(language.value === "en" ? "en" : "vi");
  language.addEventListener("change", () => {
    i18n.setLang(language.value === "en" ? "en" : "vi");
  });
  const cameraBox = h("div", { class: "setup-camera", testid: "setup-camera-view" });
  const cameraError = h("p", { class: "setup-error", testid: "setup-camera-error", role: "alert" });
  let camera: { view: CameraView; stop: AbortController } | null = null;
  const closeCamera = () => {
    camera?.stop.abort();
    camera = null;
  };
  const cameraBackend: Backend = {
    ...backend,
    cameraStart: () =>
      setupCameraStart(fields.camera.value).catch((cause: unknown) => {
        showFailure(cause, cameraError, "camera");
        throw cause;
      }),
  };
  const cameraTest = button({ testid: "setup-camera-test" }, () => {
    cameraError.textContent = "";
    fields.camera.removeAttribute("aria-invalid");
    closeCamera();
    const stop = new AbortController();
    const view = cameraView(
      { i18n, backend: cameraBackend, signal: stop.signal },
      "preview",
      "camera.setup_preview_alt",
      {},
    );
    camera = { view, stop };
    cameraBox.replaceChildren(view.element);
  });
  cameraTest.textContent = "Xem hình camera / Show the camera picture";
  fields.camera.addEventListener("change", closeCamera);

  // The test card read: reader, card, ATR and the chip's ID application, nothing personal.
  const cardResult = h("div", {
    class: "setup-card-result",
    testid: "setup-card-result",
    role: "status",
  });
  const cardTest = button({ testid: "setup-card-test" }, () => {
    cardTest.disabled = true;
    cardResult.dataset.outcome = "reading";
    cardResult.replaceChildren(h("p", {}, "Đang đọc thử… / Testing…"));
    setupCardCheck()
      .then((check) => {
        cardResult.dataset.outcome = "passed";
        cardResult.replaceChildren(...cardCheckText(check).map((line) => h("p", {}, line)));
      })
      .catch((cause: unknown) => {
        const code = cause instanceof SetupFailure ? cause.code : "ipc.unexpected_error";
        cardResult.dataset.outcome = "failed";
        cardResult.dataset.code = code;
        const line = h("p", { class: "setup-error" });
        showFailure(cause, line);
        cardResult.replaceChildren(line);
      })
      .finally(() => {
        cardTest.disabled = false;
      });
  });
  cardTest.textContent = "Đọc thử thẻ / Test card read";

  // Further operator accounts, created by the first administrator with the set-up.
  const operators: SetupOperator[] = [];
  const operatorId = h("input", {
    testid: "setup-operator-id",
    name: "operatorId",
    autocomplete: "off",
  });
  const operatorRole = select("operator-role", ROLES);
  const operatorPin = h("input", {
    testid: "setup-operator-pin",
    name: "operatorPin",
    type: "password",
    inputmode: "numeric",
    autocomplete: "off",
  });
  const operatorList = h("ul", { class: "setup-operator-list", testid: "setup-operator-list" });
  const operatorError = h("p", {
    class: "setup-error",
    testid: "setup-operator-error",
    role: "alert",
  });
  const showOperators = () => {
    operatorList.replaceChildren(
      ...operators.map((op, index) => {
        const remove = button(
          { class: "secondary", testid: `setup-operator-remove-${op.id}` },
          () => {
            operators.splice(index, 1);
            showOperators();
          },
        );
        remove.textContent = "Xoá / Remove";
        const role = ROLES.find(([value]) => value === op.role)?.[1] ?? op.role;
        return h("li", { testid: `setup-operator-${op.id}` }, `${op.id} — ${role}`, remove);
      }),
    );
  };
  const addOperator = button({ testid: "setup-operator-add" }, () => {
    const id = operatorId.value.trim();
    const pin = operatorPin.value.trim();
    if (id === "" || !/^\d{6,12}$/.test(pin)) {
      operatorError.textContent =
        "Hãy nhập mã cán bộ và mã PIN 6–12 chữ số / Enter the operator's id and a PIN of 6–12 digits";
      return;
    }
    if (id === fields.adminId.value.trim() || operators.some((op) => op.id === id)) {
      const known = ERRORS["setup.operator_duplicate"];
      if (known) operatorError.textContent = both(known);
      return;
    }
    operators.push({
      id,
      role: operatorRole.value === "supervisor" ? "supervisor" : "operator",
      pin,
    });
    operatorError.textContent = "";
    operatorId.value = "";
    operatorPin.value = "";
    showOperators();
  });
  addOperator.textContent = "Thêm cán bộ / Add operator";
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
      camera: fields.camera.value,
      token: fields.token.value,
      adminId: fields.adminId.value,
      adminPin: fields.adminPin.value,
      operators: [...operators],
    };
    setupApply(form)
      .then((done) => {
        fields.adminPin.value = "";
        fields.token.value = "";
        operators.splice(0, operators.length);
        closeCamera();
        // The core already runs the kiosk on the new configuration: the start screen loads.
        const start = button({ class: "primary", testid: "setup-start" }, () => {
          window.location.reload();
        });
        start.textContent = "Bắt đầu sử dụng ki-ốt / Start using the kiosk";
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
            h(
              "p",
              {},
              "Máy đã đăng ký và bắt đầu gửi hồ sơ về máy chủ. Tiếp theo: cán bộ đăng nhập bằng mã và PIN của mình / " +
                "The kiosk is registered and sends applications to the back office. Next: an operator signs in with their id and PIN",
            ),
            start,
          ),
        );
      })
      .catch((cause: unknown) => {
        submit.disabled = false;
        showFailure(cause, error);
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
      h(
        "section",
        { class: "setup-section", "aria-labelledby": "setup-devices-title" },
        h("h2", { id: "setup-devices-title" }, "Camera và đầu đọc thẻ / Camera and card reader"),
        h(
          "div",
          { class: "setup-devices" },
          h(
            "div",
            {},
            row("camera"),
            h("div", { class: "setup-actions" }, cameraTest),
            h(
              "p",
              {},
              "Hình chuyển động là camera chạy tốt; không có hình: kiểm tra cáp USB hoặc cài đặt camera / " +
                "A moving picture means the camera works; none: check the USB cable or the camera setting",
            ),
            cameraError,
            cameraBox,
          ),
          h("div", {}, h("div", { class: "setup-actions" }, cardTest), cardResult),
        ),
      ),
      h(
        "section",
        {
          class: "setup-section",
          testid: "setup-operators",
          "aria-labelledby": "setup-operators-title",
        },
        h(
          "h2",
          { id: "setup-operators-title" },
          "Tài khoản cán bộ khác / Further operator accounts",
        ),
        h(
          "p",
          {},
          "Ở chế độ tự phục vụ, tài khoản của trạm (theo mã thiết bị, không có PIN) được tạo thêm / " +
            "In self-service mode the station's own account (the device id, no PIN) is made too",
        ),
        operatorList,
        h(
          "div",
          { class: "setup-operator-form" },
          h("label", { class: "setup-field" }, "Mã cán bộ / Operator id", operatorId),
          h("label", { class: "setup-field" }, "Vai trò / Role", operatorRole),
          h("label", { class: "setup-field" }, "Mã PIN (6–12 số) / PIN (6–12 digits)", operatorPin),
          addOperator,
        ),
        operatorError,
      ),
      error,
      submit,
    ),
  );
  showKey(false);
}

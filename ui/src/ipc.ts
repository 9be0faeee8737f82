//! The kiosk core's commands, as the UI calls them over Tauri IPC. This is the only module that
//! knows command names; screens get a `Backend` so tests and later issues can swap it.

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { Lang } from "./i18n";

export type Mode = "counter" | "self-service";

export interface DeviceStatus {
  readonly state: string;
  /** Reader or camera name, or back-office host. Never personal data. */
  readonly detail: string | null;
}

/** The back-office link, from the sync loop's own outcome (never a guess from a probe). */
export interface SyncStatus {
  readonly state:
    | "not_registered"
    | "not_started"
    | "starting"
    | "synced"
    | "sending"
    | "waiting"
    | "unreachable"
    | "refused"
    | "clock_skew";
  /** The back office's host and port. */
  readonly detail: string | null;
  /** When the back office last answered (Unix milliseconds). */
  readonly lastSyncAt: number | null;
  /** When sending is tried again (Unix milliseconds), while it waits. */
  readonly retryAt: number | null;
}

/** The `sync-status` event: the link and the packages not yet acknowledged. */
export interface SyncUpdate {
  readonly sync: SyncStatus;
  readonly queueWaiting: number | null;
}

/**
 * The kiosk's health in one line (the same finding `doctor` prints): `state` names the
 * sentence (`health.<state>`), `number` and `time` (Unix ms) fill it.
 */
export interface HealthLine {
  readonly state: string;
  readonly level: "ok" | "notice" | "problem";
  readonly number: number | null;
  readonly at: number | null;
}

export interface ShellState {
  readonly deviceId: string;
  readonly deviceName: string;
  readonly mode: Mode;
  readonly language: Lang;
  readonly idleTimeoutSecs: number;
  readonly idleWarningSecs: number;
  readonly reader: DeviceStatus;
  readonly camera: DeviceStatus;
  readonly sync: SyncStatus;
  /** `null` until the enrollment queue exists. */
  readonly queueWaiting: number | null;
  /** The operator signed in at the counter (their code), kept across citizens. */
  readonly operator: string | null;
  /** Counter mode: the operator's sign-in ends after this long without input. */
  readonly operatorLockSecs: number;
  readonly health: HealthLine;
  readonly version: string;
}

/** A failed command, reduced to the code the dictionary turns into a sentence. */
export class BackendError extends Error {
  readonly code: string;

  constructor(code: string) {
    super(`backend error ${code}`);
    this.name = "BackendError";
    this.code = code;
  }
}

/** The reader side: PC/SC service down, no reader, waiting for a card, card on the reader. */
export interface CardState {
  readonly state: "service_down" | "no_reader" | "waiting" | "present";
  /** The reader's name (device data, not personal). */
  readonly reader: string | null;
}

/** The holder's data from the chip's DG13. Personal data: shown, never logged. */
export interface Holder {
  readonly fullName: string;
  readonly idNumber: string;
  readonly dateOfBirth: string;
  readonly gender: "male" | "female" | null;
  readonly placeOfOrigin: string | null;
  readonly placeOfResidence: string | null;
  readonly dateOfExpiry: string | null;
}

/** One step of a chip read (`card-progress`). */
export type CardProgress =
  | {
      readonly stage: "opening";
      readonly readId: number;
      readonly attempt: number;
      readonly of: number;
    }
  | {
      readonly stage: "file";
      readonly readId: number;
      readonly file: string;
      readonly read: number;
      readonly total: number | null;
    }
  | { readonly stage: "holder"; readonly readId: number; readonly holder: Holder }
  | { readonly stage: "verifying"; readonly readId: number };

export type Verdict = "genuine" | "issuer_unknown" | "invalid" | "clone_suspected";
export type OfficerAction = "continue" | "check_with_issuer" | "refuse_and_report";

/** The chip portrait: JPEG bytes to show, or a format the screen cannot preview. */
export interface Portrait {
  readonly format: "jpeg" | "jpeg2000";
  readonly mime: string;
  readonly width: number;
  readonly height: number;
  readonly bytes: readonly number[] | null;
}

/** The end of a chip read (`card-result`): an error code, or the verdict and what was read. */
export interface CardResult {
  readonly readId: number;
  readonly error: string | null;
  readonly verdict: Verdict | null;
  readonly action: OfficerAction | null;
  readonly holder: Holder | null;
  readonly portrait: Portrait | null;
  /** The card's expiry date (DG13) has passed. */
  readonly expired: boolean;
}

export interface CardEvents {
  state(state: CardState): void;
  progress(progress: CardProgress): void;
  result(result: CardResult): void;
}

/** A residential group (tổ dân phố / thôn) an enrollment counts for. */
export interface Group {
  readonly id: string;
  readonly name: string;
}

/** The form as typed; empty strings mean "not given". Personal data: never logged. */
export interface FormInput {
  readonly phone: string;
  readonly email: string;
  readonly healthInsurance: string;
  readonly drivingLicence: string;
  readonly vehiclePlates: readonly string[];
  readonly taxCode: string;
  readonly group: string;
}

/** A field the core refused, with the enrollment domain's message in both languages. */
export interface FieldError {
  readonly field: string;
  readonly vi: string;
  readonly en: string;
}

/** What the review screen shows: the chip's holder data and the checked, normalised form. */
export interface Review {
  /** False for a QR-only enrollment: shown as "not chip-verified". */
  readonly chipVerified: boolean;
  readonly fullName: string;
  readonly idNumber: string;
  readonly dateOfBirth: string;
  readonly phone: string;
  readonly email: string | null;
  readonly healthInsurance: string | null;
  readonly drivingLicence: string | null;
  readonly vehiclePlates: readonly string[];
  readonly taxCode: string | null;
  readonly group: string;
}

export type FormCheck =
  | { readonly outcome: "valid"; readonly review: Review }
  | { readonly outcome: "invalid"; readonly errors: readonly FieldError[] };

/** The sealed and queued enrollment: its application number and that number as a QR (SVG). */
export interface Receipt {
  readonly applicationNumber: string;
  readonly qrSvg: string;
}

/** What a screen wants the camera for. */
export type CameraPurpose = "qr" | "portrait" | "preview";

/** The camera (`camera-status`): running, stopped, or failed with an error code. */
export interface CameraStatus {
  readonly run: number;
  readonly state: "running" | "stopped" | "failed";
  readonly error: string | null;
}

/** One preview frame (`camera-frame`): a downscaled JPEG as a data URL. */
export interface PreviewFrame {
  readonly run: number;
  readonly jpeg: string;
  readonly width: number;
  readonly height: number;
}

/** The card's QR data the camera read (`camera-qr`). Personal data: shown, never logged. */
export interface QrHolder {
  readonly fullName: string;
  readonly idNumber: string;
  readonly dateOfBirth: string;
  readonly gender: "male" | "female";
  readonly address: string;
  readonly dateOfIssue: string;
}

/** A QR code read (`camera-qr`): the card's data, or `card.key.qr` for a code not a card's. */
export interface QrScan {
  readonly run: number;
  readonly error: string | null;
  readonly holder: QrHolder | null;
}

/** A face box as fractions of the frame. */
export interface FaceBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The portrait checks on the newest frame (`camera-guidance`). */
export interface PortraitGuidance {
  readonly run: number;
  /** Failed checks, most important first (`move_closer`, `hold_still`…), or `["ok"]`. */
  readonly guidance: readonly string[];
  readonly face: FaceBox | null;
  /** Frames in a row that passed, of `needed`. */
  readonly steady: number;
  readonly needed: number;
  /** The face model could not load: no portrait can be taken. */
  readonly unavailable: boolean;
}

/** The portrait's comparison with the chip photo: a score (higher is more alike) and its verdict. */
export interface FaceComparison {
  readonly score: number;
  readonly threshold: number;
  readonly samePerson: boolean;
}

/** The portrait taken (`camera-captured`), as the package carries it (ICAO crop, JPEG). */
export interface CapturedPortrait {
  readonly run: number;
  readonly jpeg: string;
  readonly width: number;
  readonly height: number;
  /** `null` when no comparison ran (no models, no chip photo…): then no score is shown. */
  readonly comparison: FaceComparison | null;
  /** Why no comparison ran (`face_models_missing`, `no_chip_photo`, `no_face_chip`…). */
  readonly comparisonUnavailable: string | null;
}

export interface CameraEvents {
  status(status: CameraStatus): void;
  frame(frame: PreviewFrame): void;
  qr(scan: QrScan): void;
  guidance(guidance: PortraitGuidance): void;
  captured(portrait: CapturedPortrait): void;
}

export interface Backend {
  shellState(): Promise<ShellState>;
  /** Wipes the personal data the core holds in memory for the current session. */
  clearSession(): Promise<void>;
  /** Hands the typed ID number to the core's session (to derive the chip's access key). */
  sessionSetIdNumber(idNumber: string): Promise<void>;
  operatorSignIn(operatorId: string, pin: string): Promise<void>;
  /** Tells the core the operator is at work (input seen), which keeps the desk unlocked. */
  operatorActive(): Promise<void>;
  /** Calls `handle` whenever the core refuses a command because it locked the desk. */
  onDeskLocked(handle: () => void, signal: AbortSignal): void;
  /** Ends the operator's sign-in (button, or `locked` after no input) and the citizen's session. */
  operatorSignOut(locked: boolean): Promise<void>;
  /** Listens to the sync loop's `sync-status` events until `signal` aborts. */
  watchSync(handle: (update: SyncUpdate) => void, signal: AbortSignal): Promise<void>;
  /** The reader side now; changes then arrive through `watchCard`. */
  cardState(): Promise<CardState>;
  /** Starts a chip read with the session's typed ID and these `ddmmyyyy` dates; the read's id. */
  cardReadTyped(dateOfBirth: string, dateOfExpiry: string): Promise<number>;
  /** Starts a chip read with the keys of the card's QR payload; the read's id. */
  cardReadQr(payload: string): Promise<number>;
  /** Listens to the card worker's events until `signal` aborts. */
  watchCard(events: CardEvents, signal: AbortSignal): Promise<void>;
  /** Records in the core's session that the citizen accepted the consent notice. */
  sessionConsent(): Promise<void>;
  residentialGroups(): Promise<readonly Group[]>;
  /** Checks the form with the enrollment domain's rules; on success, what to review. */
  checkForm(form: FormInput): Promise<FormCheck>;
  /** Seals, signs and queues the session's enrollment; the core then wipes its session. */
  submitEnrollment(form: FormInput): Promise<Receipt>;
  /** Opens the camera for this purpose (a portrait run is a retake); the run's id. */
  cameraStart(purpose: CameraPurpose): Promise<number>;
  cameraStop(): Promise<void>;
  cameraStatus(): Promise<CameraStatus>;
  /** Listens to the camera worker's events until `signal` aborts. */
  watchCamera(events: CameraEvents, signal: AbortSignal): Promise<void>;
  /** Starts a chip read with the keys of the QR code the camera read; the read's id. */
  cardReadScannedQr(): Promise<number>;
  /** Counter mode: the officer confirms an enrollment from the QR data alone. */
  confirmQrOnly(): Promise<void>;
}

const CODE = /^[A-Za-z0-9_.-]{1,80}$/;

/**
 * Turns whatever a command rejected with into a `BackendError`. Only a well-formed code is kept:
 * a free-form message could carry data that must not reach the screen or a log.
 */
export function toBackendError(cause: unknown): BackendError {
  if (cause instanceof BackendError) return cause;
  if (typeof cause === "object" && cause !== null && "code" in cause) {
    const code = cause.code;
    if (typeof code === "string" && CODE.test(code)) return new BackendError(code);
  }
  if (typeof cause === "string" && CODE.test(cause)) return new BackendError(cause);
  return new BackendError("ipc.unexpected_error");
}

/** The core signed the operator out after the lock time without activity. */
export const DESK_LOCKED = "operators.desk_locked";
const deskLockedListeners = new Set<() => void>();

/**
 * Calls a command. A refusal because the core locked the operator's desk is also told to
 * `onDeskLocked`'s listeners, whichever screen called. With `timeoutMs`, a core that does not
 * answer in time is an `ipc.timeout` error instead of a screen that waits forever.
 */
async function call<T>(
  cmd: string,
  args?: Record<string, unknown>,
  timeoutMs?: number,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const answer = invoke<T>(cmd, args);
  const late =
    timeoutMs === undefined
      ? null
      : new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            reject(new BackendError("ipc.timeout"));
          }, timeoutMs);
        });
  try {
    return await (late === null ? answer : Promise.race([answer, late]));
  } catch (cause) {
    const error = toBackendError(cause);
    if (error.code === DESK_LOCKED) for (const handle of deskLockedListeners) handle();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The status poll and the wipe must never hang the shell. */
const SHELL_STATE_TIMEOUT_MS = 10_000;
const CLEAR_SESSION_TIMEOUT_MS = 5_000;
/** Sealing and a durable commit take well under a second; beyond this something is wrong. */
const SUBMIT_TIMEOUT_MS = 30_000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

function isStatus(v: unknown): v is DeviceStatus {
  return (
    isRecord(v) &&
    typeof v.state === "string" &&
    (v.detail === null || typeof v.detail === "string")
  );
}

const maybeNumber = (v: unknown) => v === null || typeof v === "number";

function isSyncStatus(v: unknown): v is SyncStatus {
  return isStatus(v) && isRecord(v) && maybeNumber(v.lastSyncAt) && maybeNumber(v.retryAt);
}

function isHealthLine(v: unknown): v is HealthLine {
  return (
    isRecord(v) &&
    typeof v.state === "string" &&
    (v.level === "ok" || v.level === "notice" || v.level === "problem") &&
    maybeNumber(v.number) &&
    maybeNumber(v.at)
  );
}

/** Checks the shape of `shell_state`'s answer, so a contract mismatch is an error, not a blank. */
export function parseShellState(v: unknown): ShellState {
  const ok =
    isRecord(v) &&
    typeof v.deviceId === "string" &&
    typeof v.deviceName === "string" &&
    (v.mode === "counter" || v.mode === "self-service") &&
    (v.language === "vi" || v.language === "en") &&
    typeof v.idleTimeoutSecs === "number" &&
    typeof v.idleWarningSecs === "number" &&
    v.idleWarningSecs < v.idleTimeoutSecs &&
    isStatus(v.reader) &&
    isStatus(v.camera) &&
    isSyncStatus(v.sync) &&
    maybeNumber(v.queueWaiting) &&
    (v.operator === null || typeof v.operator === "string") &&
    typeof v.operatorLockSecs === "number" &&
    isHealthLine(v.health) &&
    typeof v.version === "string";
  if (!ok) throw new BackendError("ipc.bad_shell_state");
  return v as unknown as ShellState;
}

/** Subscribes to one core event until `signal` aborts. The payload's shape is the core's. */
async function subscribe(
  name: string,
  handle: (payload: unknown) => void,
  signal: AbortSignal,
): Promise<void> {
  const unlisten: UnlistenFn = await listen(name, (event) => {
    if (!signal.aborted) handle(event.payload);
  });
  if (signal.aborted) unlisten();
  else signal.addEventListener("abort", unlisten, { once: true });
}

export const tauriBackend: Backend = {
  async shellState() {
    return parseShellState(await call<unknown>("shell_state", undefined, SHELL_STATE_TIMEOUT_MS));
  },
  async clearSession() {
    await call<null>("clear_session", undefined, CLEAR_SESSION_TIMEOUT_MS);
  },
  async sessionSetIdNumber(idNumber) {
    await call<null>("session_set_id_number", { idNumber });
  },
  async operatorSignIn(operatorId, pin) {
    await call<unknown>("operator_sign_in", { operatorId, pin });
  },
  async operatorActive() {
    await call<null>("operator_active");
  },
  onDeskLocked(handle, signal) {
    if (signal.aborted) return;
    deskLockedListeners.add(handle);
    signal.addEventListener("abort", () => deskLockedListeners.delete(handle), { once: true });
  },
  async operatorSignOut(locked) {
    await call<null>("operator_sign_out", { locked }, CLEAR_SESSION_TIMEOUT_MS);
  },
  async watchSync(handle, signal) {
    try {
      await subscribe(
        "sync-status",
        (p) => {
          if (isRecord(p) && isSyncStatus(p.sync) && maybeNumber(p.queueWaiting)) {
            handle(p as unknown as SyncUpdate);
          }
        },
        signal,
      );
    } catch (cause) {
      throw toBackendError(cause);
    }
  },
  async cardState() {
    return await call<CardState>("card_state");
  },
  async cardReadTyped(dateOfBirth, dateOfExpiry) {
    return await call<number>("card_read_typed", { dateOfBirth, dateOfExpiry });
  },
  async cardReadQr(payload) {
    return await call<number>("card_read_qr", { payload });
  },
  async sessionConsent() {
    await call<null>("session_consent");
  },
  async residentialGroups() {
    return await call<Group[]>("residential_groups");
  },
  async checkForm(form) {
    return await call<FormCheck>("enrollment_check_form", { form });
  },
  async submitEnrollment(form) {
    return await call<Receipt>("enrollment_submit", { form }, SUBMIT_TIMEOUT_MS);
  },
  async cameraStart(purpose) {
    return await call<number>("camera_start", { purpose });
  },
  async cameraStop() {
    await call<null>("camera_stop");
  },
  async cameraStatus() {
    return await call<CameraStatus>("camera_status");
  },
  async watchCamera(events, signal) {
    const on = (name: string, handle: (payload: unknown) => void) =>
      subscribe(name, handle, signal);
    try {
      await Promise.all([
        on("camera-status", (p) => {
          events.status(p as CameraStatus);
        }),
        on("camera-frame", (p) => {
          events.frame(p as PreviewFrame);
        }),
        on("camera-qr", (p) => {
          events.qr(p as QrScan);
        }),
        on("camera-guidance", (p) => {
          events.guidance(p as PortraitGuidance);
        }),
        on("camera-captured", (p) => {
          events.captured(p as CapturedPortrait);
        }),
      ]);
    } catch (cause) {
      throw toBackendError(cause);
    }
  },
  async cardReadScannedQr() {
    return await call<number>("card_read_qr", { payload: null });
  },
  async confirmQrOnly() {
    await call<null>("enrollment_confirm_qr_only");
  },
  async watchCard(events, signal) {
    try {
      await Promise.all([
        subscribe(
          "card-state",
          (p) => {
            events.state(p as CardState);
          },
          signal,
        ),
        subscribe(
          "card-progress",
          (p) => {
            events.progress(p as CardProgress);
          },
          signal,
        ),
        subscribe(
          "card-result",
          (p) => {
            events.result(p as CardResult);
          },
          signal,
        ),
      ]);
    } catch (cause) {
      throw toBackendError(cause);
    }
  },
};

/** What the signed-in operator may see in the "Báo cáo" area. */
export interface ReportsAccess {
  readonly role: string;
  readonly reports: boolean;
  readonly exports: boolean;
  readonly followUp: boolean;
  /** Where exports are saved (shown to the user). */
  readonly exportDir: string;
}

/** Which report: a configured phase, or a period (`YYYY-MM-DD`) with a cumulative start. */
export interface ReportInput {
  readonly phase: number | null;
  readonly from: string | null;
  readonly until: string | null;
  readonly cumulativeFrom: string | null;
  readonly lang: string;
}

/** A report table as printed: one-line headers, cells as the seeds print them. */
export interface TableView {
  readonly name: string;
  readonly title: string;
  readonly bands: readonly (readonly [string, number, number])[];
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly numeric: readonly boolean[];
  readonly total: readonly string[] | null;
}

export interface GroupBar {
  readonly name: string;
  readonly target: number;
  readonly activated: number;
  readonly hundredths: number | null;
  readonly progress: string | null;
}

export interface DayBar {
  readonly day: string;
  readonly enrolled: number;
  readonly approved: number;
  readonly activated: number;
}

export interface ProgressView {
  readonly title: string;
  readonly subtitle: string;
  readonly from: string;
  readonly until: string;
  readonly tables: readonly TableView[];
  readonly groups: readonly GroupBar[];
  readonly total: GroupBar | null;
  readonly daily: readonly DayBar[];
  readonly phases: readonly {
    readonly index: number;
    readonly name: string;
    readonly from: string;
    readonly until: string;
  }[];
}

export type ListKind = "approved-not-activated" | "rejected" | "not-acknowledged";

/** One citizen on a follow-up list. Personal data: shown, never logged. */
export interface FollowUpEntry {
  readonly package: string;
  readonly name: string | null;
  readonly phone: string | null;
  readonly idMasked: string | null;
  readonly details: "known" | "not_stored" | "unreadable";
  readonly group: string;
  readonly since: string;
  readonly enrolled: string;
  readonly daysWaiting: number;
  readonly reason: string | null;
  readonly attempts: number;
  readonly lastContact: {
    readonly outcome: string;
    readonly day: string;
    readonly operator: string;
    readonly note: string;
  } | null;
}

export interface FollowUpPage {
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
  readonly entries: readonly FollowUpEntry[];
  /** `[code, label]` of each contact outcome. */
  readonly outcomes: readonly (readonly [string, string])[];
}

export interface ExportInput {
  readonly format: "xlsx" | "csv" | "pdf";
  /** `progress`, or a follow-up list's kind. */
  readonly what: string;
  readonly report: ReportInput;
  readonly group: string | null;
}

/** What can be printed through the system's print dialog. */
export type PrintWhat = "progress" | ListKind | "guide" | "receipt";

/** The "Báo cáo" area's commands (counter mode, signed-in operator). */
export const reportsBackend = {
  async access(): Promise<ReportsAccess> {
    return await call<ReportsAccess>("reports_access");
  },
  async progress(input: ReportInput): Promise<ProgressView> {
    return await call<ProgressView>("reports_progress", { input });
  },
  async followUp(input: {
    kind: ListKind;
    group: string | null;
    page: number;
    pageSize: number;
    lang: string;
  }): Promise<FollowUpPage> {
    return await call<FollowUpPage>("reports_followup", { input });
  },
  async contact(pkg: string, outcome: string, note: string): Promise<void> {
    await call<null>("reports_contact", { package: pkg, outcome, note });
  },
  async guide(
    lang: string,
  ): Promise<readonly [string, readonly { number: number; title: string; detail: string }[]]> {
    return await call("reports_guide", { lang });
  },
  async exportFile(input: ExportInput): Promise<{ path: string; bytes: number }> {
    return await call("reports_export", { input });
  },
  /** Opens the system's print dialog for the window's print view. */
  async print(what: PrintWhat): Promise<void> {
    await call<null>("print_view", { what });
  },
};

/** Whether the window runs in kiosk mode (`--kiosk`); asked once the start screen is up. */
export function kioskMode(): Promise<boolean> {
  return call<boolean>("kiosk_mode");
}

/** Leaves kiosk mode (the app closes) with an administrator's id and PIN. */
export async function kioskExit(operatorId: string, pin: string): Promise<void> {
  await call<null>("kiosk_exit", { operatorId, pin });
}

/** The first-run set-up's starting point (`needed` when the named configuration is missing). */
export interface SetupStatus {
  readonly needed: boolean;
  readonly configPath: string | null;
  readonly deviceId: string;
  readonly deviceName: string;
  readonly dataDir: string;
  readonly backofficeUrl: string;
  readonly trustStore: string;
  /** The camera setting (`auto`, `index:N`, `name:TEXT`, `replay:FOLDER`). */
  readonly camera: string;
}

/** A further account the set-up creates. */
export interface SetupOperator {
  readonly id: string;
  readonly role: "operator" | "supervisor";
  readonly pin: string;
}
export interface SetupInput {
  readonly deviceId: string;
  readonly deviceName: string;
  readonly mode: Mode;
  readonly language: Lang;
  readonly dataDir: string;
  readonly trustStore: string;
  readonly backofficeUrl: string;
  readonly backofficeCa: string;
  readonly groups: string;
  readonly camera: string;
  readonly token: string;
  readonly adminId: string;
  readonly adminPin: string;
  readonly operators: readonly SetupOperator[];
}

/** A passed test card read: the reader, the card's ATR and what the reader's model can do. */
export interface CardCheck {
  readonly reader: string;
  readonly atr: string;
  readonly atrKind: string | null;
  readonly model: {
    readonly name: string;
    readonly extendedApdu: "verified" | "vendor_claim" | "unknown";
    readonly maxKbps: number | null;
    readonly testedOnHardware: boolean;
  } | null;
  readonly driverExtendedApdu: boolean | null;
}

export interface SetupDone {
  readonly configPath: string;
  readonly deviceKeyFingerprint: string;
  readonly groups: number;
}

/** A refused set-up: the code, the form field at fault, and the configuration check's text. */
export class SetupFailure extends Error {
  constructor(
    readonly code: string,
    readonly field: string | null,
    readonly detail: string | null,
  ) {
    super(code);
    this.name = "SetupFailure";
  }
}

export function setupStatus(): Promise<SetupStatus> {
  return call<SetupStatus>("setup_status");
}

/** The device key's fingerprint in `dataDir` (made there when `create`), or null. */
export function setupDeviceKey(dataDir: string, create: boolean): Promise<string | null> {
  return call<string | null>("setup_device_key", { dataDir, create });
}

export function setupApply(input: SetupInput): Promise<SetupDone> {
  return setupCall<SetupDone>("setup_apply", { input });
}

/** Shows the live picture of the camera `setting` names (the camera view's events); the run. */
export function setupCameraStart(setting: string): Promise<number> {
  return setupCall<number>("setup_camera_start", { setting });
}

/** The test card read: reader, card, ATR and the chip's ID-card application, nothing personal. */
export function setupCardCheck(): Promise<CardCheck> {
  return setupCall<CardCheck>("setup_card_check");
}

/** A set-up command; a refusal becomes a `SetupFailure`. */
async function setupCall<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (cause) {
    if (typeof cause === "object" && cause !== null && "code" in cause) {
      const c = cause as { code: unknown; field?: unknown; message?: unknown };
      if (typeof c.code === "string" && CODE.test(c.code))
        throw new SetupFailure(
          c.code,
          typeof c.field === "string" ? c.field : null,
          typeof c.message === "string" ? c.message : null,
        );
    }
    throw new SetupFailure("ipc.unexpected_error", null, null);
  }
}

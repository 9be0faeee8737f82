//! The kiosk core's commands, as the UI calls them over Tauri IPC. This is the only module that
//! knows command names; screens get a `Backend` so tests and later issues can swap it.

import { invoke } from "@tauri-apps/api/core";
import type { Lang } from "./i18n";

export type Mode = "counter" | "self-service";

export interface DeviceStatus {
  readonly state: string;
  /** Reader or camera name, or back-office host. Never personal data. */
  readonly detail: string | null;
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
  readonly sync: DeviceStatus;
  /** `null` until the enrollment queue exists. */
  readonly queueWaiting: number | null;
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

export interface Backend {
  shellState(): Promise<ShellState>;
  /** Wipes the personal data the core holds in memory for the current session. */
  clearSession(): Promise<void>;
  /** Hands the typed ID number to the core's session (to derive the chip's access key). */
  sessionSetIdNumber(idNumber: string): Promise<void>;
  operatorSignIn(operatorId: string, pin: string): Promise<void>;
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

/**
 * Calls a command. With `timeoutMs`, a core that does not answer in time is an `ipc.timeout`
 * error instead of a screen that waits forever.
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
    throw toBackendError(cause);
  } finally {
    clearTimeout(timer);
  }
}

/** The status poll and the wipe must never hang the shell. */
const SHELL_STATE_TIMEOUT_MS = 10_000;
const CLEAR_SESSION_TIMEOUT_MS = 5_000;

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
    isStatus(v.sync) &&
    (v.queueWaiting === null || typeof v.queueWaiting === "number") &&
    typeof v.version === "string";
  if (!ok) throw new BackendError("ipc.bad_shell_state");
  return v as unknown as ShellState;
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
};

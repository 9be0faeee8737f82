//! The live camera picture a screen shows while it needs the camera: it opens the camera for
//! its purpose (the card's QR code, or the portrait), shows the preview frames as the core
//! sends them, keeps room for what the screen draws over them, closes the camera when the
//! screen is left, and says in one sentence why the camera does not work, with "Thử lại".
//! Events of an earlier run (a retake, another screen) and of a run that failed are ignored.
//! The picture sits in a slot a screen may size (the portrait step fits it to the space left).

import { button, h } from "./dom";
import type { I18n, PlainKey } from "./i18n";
import {
  toBackendError,
  type Backend,
  type CameraEvents,
  type CameraPurpose,
  type CameraStatus,
} from "./ipc";

export interface CameraHandlers {
  qr?: CameraEvents["qr"];
  guidance?: CameraEvents["guidance"];
  captured?: CameraEvents["captured"];
  /** The camera failed (the sentence is already shown). */
  failed?: (code: string) => void;
}

export interface CameraView {
  /** The picture, its overlay, the camera's state and the retry button. */
  readonly element: HTMLElement;
  /** Where a screen draws over the picture (guide box, face box). */
  readonly overlay: HTMLElement;
  /** Opens the camera (again: a new run; the previous run's events are ignored). */
  start(): void;
  /** Closes the camera; the last picture stays until the next run. */
  stop(): void;
}

interface Context {
  readonly i18n: I18n;
  readonly backend: Backend;
  readonly signal: AbortSignal;
}

export function cameraView(
  { i18n, backend, signal }: Context,
  purpose: CameraPurpose,
  alt: PlainKey,
  handlers: CameraHandlers,
): CameraView {
  const picture = h("img", { class: "camera-picture", testid: "camera-preview", alt: "" });
  i18n.label(picture, alt);
  picture.setAttribute("role", "img");
  const overlay = h("div", { class: "camera-overlay", testid: "camera-overlay" });
  const state = h("p", { class: "camera-state", testid: "camera-state", role: "status" });
  const retry = button({ class: "secondary", testid: "camera-retry", hidden: true }, () => {
    start();
  });
  i18n.text(retry, "camera.retry");
  const frame = h("div", { class: "camera-frame" }, picture, overlay);
  const element = h(
    "figure",
    { class: "camera", testid: "camera", "data-purpose": purpose, "data-state": "starting" },
    h("div", { class: "camera-slot" }, frame),
    state,
    retry,
  );
  let frames = 0;
  let current: number | null = null;
  let newest = 0;
  let starting = false;

  function adopt(run: number): void {
    if (current === null && run > newest) current = run;
    newest = Math.max(newest, run);
  }

  function ours(run: number): boolean {
    if (starting) adopt(run);
    return run === current;
  }

  function fail(code: string): void {
    // What the failed run's last frame still yields (a late guidance) would be stale.
    current = null;
    element.dataset.state = "failed";
    i18n.error(state, code);
    state.classList.add("inline-error");
    retry.hidden = false;
    handlers.failed?.(code);
  }

  function showStatus(status: CameraStatus): void {
    if (!ours(status.run)) return;
    if (status.state === "failed") {
      fail(status.error ?? "camera.unplugged");
      return;
    }
    element.dataset.state = status.state;
    if (status.state === "running" && frames === 0) i18n.text(state, "camera.starting");
  }

  function start(): void {
    current = null;
    starting = true;
    retry.hidden = true;
    state.classList.remove("inline-error");
    element.dataset.state = "starting";
    i18n.text(state, "camera.starting");
    backend.cameraStart(purpose).then(
      (run) => {
        starting = false;
        if (signal.aborted) return;
        // The core's answer names the run: it wins over one adopted from an early event, which
        // may have been a late frame of the camera another screen had just closed.
        current = run;
        newest = Math.max(newest, run);
      },
      (cause: unknown) => {
        starting = false;
        if (!signal.aborted) fail(toBackendError(cause).code);
      },
    );
  }

  function stop(): void {
    current = null;
    void backend.cameraStop().catch(() => undefined);
  }

  const events: CameraEvents = {
    status: showStatus,
    frame(f) {
      if (!ours(f.run)) return;
      picture.src = f.jpeg;
      frames += 1;
      element.dataset.frames = String(frames);
      if (element.dataset.state !== "running") element.dataset.state = "running";
      i18n.clear(state);
    },
    qr(scan) {
      if (ours(scan.run)) handlers.qr?.(scan);
    },
    guidance(g) {
      if (ours(g.run)) handlers.guidance?.(g);
    },
    captured(c) {
      if (ours(c.run)) handlers.captured?.(c);
    },
  };
  void backend.watchCamera(events, signal).then(
    () => {
      if (!signal.aborted) start();
    },
    (cause: unknown) => {
      if (!signal.aborted) fail(toBackendError(cause).code);
    },
  );
  signal.addEventListener("abort", stop, { once: true });
  return { element, overlay, start, stop };
}

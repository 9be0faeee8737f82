//! Kiosk mode's only way out (`vneid-kiosk --kiosk`): a long press (3 s) on the header's title,
//! then an administrator's id and PIN. Also keeps the keys that would reload, close or leave
//! the full-screen window from reaching the web view, and the context menu closed.

import { button, h } from "./dom";
import { kioskExit, kioskMode, toBackendError } from "./ipc";

const LONG_PRESS_MS = 3000;

const TEXT = {
  title: ["Thoát chế độ ki-ốt (quản trị viên)", "Leave kiosk mode (administrator)"],
  id: ["Mã quản trị viên", "Administrator id"],
  pin: ["Mã PIN", "PIN"],
  exit: ["Thoát", "Exit"],
  cancel: ["Huỷ", "Cancel"],
  refused: ["Sai mã hoặc không phải quản trị viên.", "Wrong id or PIN, or not an administrator."],
} as const;

/** Both languages, Vietnamese first: this dialog is for the technician, not the citizen. */
const both = (key: keyof typeof TEXT): string => `${TEXT[key][0]} / ${TEXT[key][1]}`;

/** Keys that would reload the page, close the window or leave full screen. */
export function isEscapeKey(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "altKey" | "metaKey">) {
  const key = e.key.toLowerCase();
  if (["f5", "f11", "f12", "browserback", "browserrefresh"].includes(key)) return true;
  if (e.altKey && ["f4", "arrowleft", "arrowright", "home"].includes(key)) return true;
  return (e.ctrlKey || e.metaKey) && ["r", "w", "q", "n", "t", "p", "+", "-", "0"].includes(key);
}

function exitDialog(onClose: () => void): HTMLElement {
  const id = h("input", { testid: "kiosk-exit-id", autocomplete: "off", "aria-label": both("id") });
  const pin = h("input", {
    testid: "kiosk-exit-pin",
    type: "password",
    inputmode: "numeric",
    autocomplete: "off",
    "aria-label": both("pin"),
  });
  const error = h("p", { class: "kiosk-exit-error", testid: "kiosk-exit-error", role: "alert" });
  const submit = button({ class: "primary", testid: "kiosk-exit-submit" }, () => {
    error.textContent = "";
    kioskExit(id.value, pin.value).catch((cause: unknown) => {
      pin.value = "";
      error.textContent = `${both("refused")} (${toBackendError(cause).code})`;
    });
  });
  submit.textContent = both("exit");
  const cancel = button({ testid: "kiosk-exit-cancel" }, onClose);
  cancel.textContent = both("cancel");
  return h(
    "div",
    { class: "kiosk-exit", testid: "kiosk-exit", role: "dialog", "aria-modal": "true" },
    h("h2", {}, both("title")),
    h("label", {}, both("id"), id),
    h("label", {}, both("pin"), pin),
    error,
    h("div", { class: "kiosk-exit-actions" }, submit, cancel),
  );
}

/** Arms the exit gesture on elements matching `target` when the core runs in kiosk mode. */
export async function installKioskExit(target = ".brand"): Promise<boolean> {
  let enabled: boolean;
  try {
    enabled = await kioskMode();
  } catch {
    return false;
  }
  if (!enabled) return false;
  document.addEventListener(
    "keydown",
    (e) => {
      if (isEscapeKey(e)) e.preventDefault();
    },
    { capture: true },
  );
  document.addEventListener("contextmenu", (e) => {
    e.preventDefault();
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let dialog: HTMLElement | null = null;
  const stop = () => {
    clearTimeout(timer);
  };
  document.addEventListener("pointerdown", (e) => {
    if (dialog !== null || !(e.target instanceof Element) || e.target.closest(target) === null)
      return;
    timer = setTimeout(() => {
      dialog = exitDialog(() => {
        dialog?.remove();
        dialog = null;
      });
      document.body.append(dialog);
    }, LONG_PRESS_MS);
  });
  for (const end of ["pointerup", "pointercancel", "pointerleave"] as const)
    document.addEventListener(end, stop);
  return true;
}

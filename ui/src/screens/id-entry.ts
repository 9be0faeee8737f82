//! The ID step: the 12-digit personal ID number typed on the on-screen keypad and checked.
//! A valid number goes to the core's session (wiped with it), which derives the chip's access
//! key from it on the card step. The card's QR code makes the typing unnecessary: "Quét mã QR"
//! goes straight to the card step, whose camera reads it.

import { button, h } from "../dom";
import { toBackendError } from "../ipc";
import { keypadField } from "../keypad";
import type { ScreenFactory } from "../router";

const ID_DIGITS = 12;

export const idEntry: ScreenFactory = ({ i18n, keypad, backend, home, signal, go }) => {
  const input = keypadField(
    h("input", {
      id: "id-number",
      type: "text",
      class: "field field-digits",
      testid: "id-input",
      maxlength: ID_DIGITS,
      autofocus: true,
      "aria-describedby": "id-count id-error",
    }),
    "digits",
  );
  const count = h("p", { id: "id-count", class: "field-count", testid: "id-count" });
  const error = h("p", {
    id: "id-error",
    class: "inline-error",
    testid: "id-error",
    role: "alert",
    hidden: true,
  });
  const proceed = button({ class: "primary", testid: "id-continue" }, () => void submit());
  const cancel = button({ class: "secondary", testid: "cancel" }, home);
  const scan = button({ class: "secondary", testid: "id-scan-qr" }, () => {
    go("card");
  });

  function showCount(): void {
    i18n.text(count, "id.count", { count: input.value.length });
  }

  function refuse(show: (el: HTMLElement) => void): void {
    error.hidden = false;
    show(error);
    input.setAttribute("aria-invalid", "true");
  }

  async function submit(): Promise<void> {
    const typed = input.value.length;
    if (!new RegExp(`^\\d{${ID_DIGITS}}$`).test(input.value)) {
      refuse((el) => i18n.text(el, "id.error.length", { count: typed }));
      return;
    }
    proceed.disabled = true;
    try {
      await backend.sessionSetIdNumber(input.value);
    } catch (cause) {
      if (!signal.aborted) refuse((el) => i18n.error(el, toBackendError(cause).code));
      return;
    } finally {
      proceed.disabled = false;
    }
    if (!signal.aborted) go("card");
  }

  input.addEventListener("input", () => {
    showCount();
    if (!error.hidden && input.value.length === ID_DIGITS) {
      error.hidden = true;
      i18n.clear(error);
      input.removeAttribute("aria-invalid");
    }
  });
  showCount();
  keypad.setMode("digits");

  return h(
    "section",
    { class: "screen-with-keypad", testid: "screen-id-entry" },
    h(
      "div",
      { class: "form-column" },
      i18n.text(h("h1"), "id.title"),
      i18n.text(h("p", { class: "lead" }), "id.help"),
      i18n.text(h("label", { for: "id-number", class: "field-label" }), "id.label"),
      input,
      count,
      error,
      h(
        "div",
        { class: "actions" },
        i18n.text(proceed, "id.continue"),
        i18n.text(scan, "id.scan_qr"),
        i18n.text(cancel, "common.cancel"),
      ),
    ),
    keypad.element,
  );
};

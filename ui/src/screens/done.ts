//! Done: the application number and its QR code, what happens next (the approval SMS, then the
//! activation steps of the seeds), and the button that wipes the session for the next citizen.

import { button, h } from "../dom";
import { toBackendError } from "../ipc";
import type { ScreenFactory } from "../router";
import { printView } from "./reports";
import { say, sayError } from "./reports-text";

export const done: ScreenFactory = ({ i18n, draft, home, mode }) => {
  const receipt = draft.receipt;
  const number = h("p", { class: "application-number", testid: "done-number" });
  number.textContent = receipt?.applicationNumber ?? "";
  const qr = h("img", {
    class: "receipt-qr",
    testid: "done-qr",
    src: receipt ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(receipt.qrSvg)}` : "",
  });
  i18n.label(qr, "done.qr_alt");
  const finish = button({ class: "primary", testid: "done-finish" }, home);
  // Counter mode: the receipt through the system's print dialog (print style: receipt only).
  const printError = h("p", { class: "inline-error", testid: "done-print-error", role: "alert" });
  const print = button({ class: "secondary", testid: "done-print" }, () => {
    printView("receipt").then(
      () => {
        i18n.clear(printError);
      },
      (cause: unknown) => {
        sayError(i18n, printError, toBackendError(cause).code);
      },
    );
  });
  return h(
    "section",
    { class: "screen-done", testid: "screen-done" },
    i18n.text(h("h1"), "done.title"),
    i18n.text(h("p", { class: "lead" }), "done.lead"),
    h(
      "div",
      { class: "done-grid" },
      h(
        "div",
        { class: "receipt" },
        i18n.text(h("p", { class: "field-label" }), "done.number"),
        number,
        qr,
        h(
          "div",
          { class: "actions" },
          i18n.text(finish, "done.finish"),
          ...(mode === "counter" ? [say(i18n, print, "receipt.print"), printError] : []),
        ),
      ),
      h(
        "div",
        {},
        i18n.text(h("h2"), "done.next.title"),
        h(
          "ol",
          { class: "next-steps", testid: "done-next-steps" },
          i18n.text(h("li"), "done.next.sms"),
          i18n.text(h("li"), "done.next.open_app"),
          i18n.text(h("li"), "done.next.otp"),
          i18n.text(h("li"), "done.next.password"),
          i18n.text(h("li"), "done.next.passcode"),
          i18n.text(h("li"), "done.next.questions"),
        ),
      ),
    ),
  );
};

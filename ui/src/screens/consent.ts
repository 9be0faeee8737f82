//! Consent before anything is read: what is read and why, in plain words, and two equal
//! choices. Nothing is pre-selected; refusing reads nothing and ends the session.

import { button, h } from "../dom";
import { toBackendError } from "../ipc";
import type { ScreenFactory } from "../router";
import { say } from "./reports-text";

export const consent: ScreenFactory = ({ i18n, backend, go, home, signal, mode }) => {
  const error = h("p", {
    class: "inline-error",
    testid: "consent-error",
    role: "alert",
    hidden: true,
  });
  const agree = button({ class: "primary", testid: "consent-agree" }, () => {
    backend.sessionConsent().then(
      () => {
        if (!signal.aborted) go("id-entry");
      },
      (cause: unknown) => {
        if (signal.aborted) return;
        error.hidden = false;
        i18n.error(error, toBackendError(cause).code);
      },
    );
  });
  const refuse = button({ class: "secondary", testid: "consent-refuse" }, home);
  return h(
    "section",
    { class: "screen-consent", testid: "screen-consent" },
    i18n.text(h("h1"), "consent.title"),
    i18n.text(h("p", { class: "lead" }), "consent.intro"),
    h(
      "ul",
      { class: "consent-list" },
      i18n.text(h("li"), "consent.item.chip"),
      i18n.text(h("li"), "consent.item.portrait"),
      i18n.text(h("li"), "consent.item.contact"),
    ),
    i18n.text(h("p", { testid: "consent-why" }), "consent.why"),
    i18n.text(h("p", { class: "note" }), "consent.refuse_note"),
    error,
    h(
      "div",
      { class: "actions" },
      i18n.text(agree, "consent.agree"),
      i18n.text(refuse, "consent.refuse"),
    ),
    // At the counter, between two citizens: the reports and follow-up lists.
    ...(mode === "counter"
      ? [
          say(
            i18n,
            button({ class: "secondary reports-open", testid: "reports-open" }, () => {
              go("reports");
            }),
            "open",
          ),
        ]
      : []),
  );
};

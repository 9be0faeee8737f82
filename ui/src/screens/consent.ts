//! Consent before anything is read: what is read and why, in plain words, and two equal
//! choices. Nothing is pre-selected; refusing reads nothing and ends the session.

import { button, h } from "../dom";
import type { ScreenFactory } from "../router";

export const consent: ScreenFactory = ({ i18n, go, home }) => {
  const agree = button({ class: "primary", testid: "consent-agree" }, () => {
    go("id-entry");
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
    h(
      "div",
      { class: "actions" },
      i18n.text(agree, "consent.agree"),
      i18n.text(refuse, "consent.refuse"),
    ),
  );
};

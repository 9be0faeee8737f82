//! Self-service start: one big "Bắt đầu" button that leads to consent.

import { button, h } from "../dom";
import type { ScreenFactory } from "../router";

export const welcome: ScreenFactory = ({ i18n, go }) => {
  const start = button({ class: "primary huge", testid: "welcome-start" }, () => {
    go("consent");
  });
  i18n.text(start, "welcome.start");
  return h(
    "section",
    { class: "screen-welcome", testid: "screen-welcome" },
    i18n.text(h("h1", { testid: "welcome-title" }), "welcome.title"),
    i18n.text(h("p", { class: "lead" }), "welcome.body"),
    start,
  );
};

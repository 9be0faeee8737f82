//! The header every screen sits under: the device's name, the honest state of the card reader,
//! the camera, the back-office link and the queue, and the language switch.

import { button, h } from "./dom";
import { LANGS, type I18n, type Lang, type PlainKey } from "./i18n";
import type { DeviceStatus, ShellState } from "./ipc";

type Level = "ok" | "warn" | "problem" | "info";

type Known = Readonly<Record<string, readonly [PlainKey, Level]>>;

const READER: Known = {
  service_down: ["reader.service_down", "problem"],
  no_reader: ["reader.no_reader", "problem"],
  ready: ["reader.ready", "ok"],
  card_present: ["reader.card_present", "ok"],
};

const CAMERA: Known = {
  no_camera: ["camera.no_camera", "problem"],
  ready: ["camera.ready", "ok"],
};

const SYNC: Known = {
  not_configured: ["sync.not_configured", "warn"],
  unreachable: ["sync.unreachable", "warn"],
  reachable: ["sync.reachable", "ok"],
};

class StatusItem {
  readonly element: HTMLLIElement;
  readonly #text: HTMLSpanElement;
  readonly #detail: HTMLSpanElement;
  #shown = "";

  constructor(i18n: I18n, name: string, label: PlainKey) {
    this.#text = h("span", { class: "status-text", testid: `status-${name}-text` });
    this.#detail = h("span", { class: "status-detail", testid: `status-${name}-detail` });
    this.element = h(
      "li",
      { class: "status", testid: `status-${name}`, "data-level": "info" },
      i18n.text(h("span", { class: "status-label" }), label),
      this.#text,
      this.#detail,
    );
  }

  /** Rebinds only on change, so the live region does not re-announce every poll. */
  show(state: string, detail: string | null, level: Level, bind: (el: HTMLElement) => void): void {
    const signature = `${state}\n${detail ?? ""}`;
    if (signature === this.#shown) return;
    this.#shown = signature;
    this.element.dataset.level = level;
    this.element.dataset.state = state;
    bind(this.#text);
    this.#detail.textContent = detail ?? "";
    this.#detail.hidden = detail === null || detail === "";
  }
}

export class Header {
  readonly element: HTMLElement;
  readonly #i18n: I18n;
  readonly #deviceName: HTMLElement;
  readonly #reader: StatusItem;
  readonly #camera: StatusItem;
  readonly #sync: StatusItem;
  readonly #queue: StatusItem;
  readonly #stale: HTMLElement;
  readonly #langButtons = new Map<Lang, HTMLButtonElement>();

  constructor(i18n: I18n, onLanguage: (lang: Lang) => void) {
    this.#i18n = i18n;
    this.#deviceName = h("span", { class: "device-name", testid: "device-name" });
    this.#reader = new StatusItem(i18n, "reader", "header.reader");
    this.#camera = new StatusItem(i18n, "camera", "header.camera");
    this.#sync = new StatusItem(i18n, "sync", "header.sync");
    this.#queue = new StatusItem(i18n, "queue", "header.queue");
    this.#stale = h("p", {
      class: "status-stale",
      testid: "status-stale",
      role: "status",
      hidden: true,
    });

    const langs = h("div", { class: "lang-switch", role: "group", testid: "lang-switch" });
    i18n.label(langs, "header.language");
    for (const lang of LANGS) {
      const b = button({ class: "lang-button", testid: `lang-${lang}`, lang }, () => {
        onLanguage(lang);
      });
      i18n.text(b, lang === "vi" ? "lang.vi" : "lang.en");
      this.#langButtons.set(lang, b);
      langs.append(b);
    }
    this.showLanguage(i18n.lang);

    const statuses = h(
      "ul",
      { class: "status-bar", testid: "status-bar", "aria-live": "polite" },
      this.#reader.element,
      this.#camera.element,
      this.#sync.element,
      this.#queue.element,
    );
    i18n.label(statuses, "header.status");

    this.element = h(
      "header",
      { class: "shell-header", testid: "header" },
      h(
        "div",
        { class: "header-top" },
        h(
          "div",
          { class: "brand" },
          this.#deviceName,
          i18n.text(h("span", { class: "app-title" }), "app.title"),
        ),
        langs,
      ),
      statuses,
      this.#stale,
    );
  }

  showLanguage(lang: Lang): void {
    for (const [l, b] of this.#langButtons) b.setAttribute("aria-pressed", String(l === lang));
  }

  update(state: ShellState): void {
    this.#deviceName.textContent = state.deviceName;
    this.#device(this.#reader, READER, state.reader);
    this.#device(this.#camera, CAMERA, state.camera);
    this.#device(this.#sync, SYNC, state.sync);
    const waiting = state.queueWaiting;
    if (waiting === null) {
      this.#queue.show("not_set_up", null, "info", (el) => this.#i18n.text(el, "queue.not_set_up"));
    } else {
      this.#queue.show(`waiting:${waiting}`, null, waiting > 0 ? "warn" : "ok", (el) =>
        this.#i18n.text(el, "queue.waiting", { count: waiting }),
      );
    }
    this.showStale(null);
  }

  /** Says the status could not be refreshed, and why, without hiding the last known one. */
  showStale(code: string | null): void {
    this.#stale.hidden = code === null;
    if (code === null) this.#i18n.clear(this.#stale);
    else this.#i18n.text(this.#stale, "status.stale", { code });
  }

  #device(item: StatusItem, known: Known, status: DeviceStatus): void {
    const entry = known[status.state];
    const detail = status.detail;
    if (entry === undefined) {
      const state = status.state;
      item.show(state, null, "problem", (el) => this.#i18n.text(el, "status.unknown", { state }));
    } else {
      const [key, level] = entry;
      item.show(status.state, detail, level, (el) => this.#i18n.text(el, key));
    }
  }
}

//! The header every screen sits under: the device's name, the honest state of the card reader,
//! the camera, the back-office link (from the sync loop: synced and when, sending, unreachable,
//! refused, each with the next step) and the packages waiting, the kiosk's health line (the same
//! finding `doctor` prints: OK, or the first problem and what to do), the operator signed in at
//! the counter with their "Đăng xuất" button, and the language switch.

import { button, h } from "./dom";
import { LANGS, type I18n, type Lang, type MessageKey, type PlainKey } from "./i18n";
import type { DeviceStatus, HealthLine, ShellState, SyncStatus } from "./ipc";

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
  failed: ["camera.failed", "problem"],
};

const SYNC: Readonly<Record<SyncStatus["state"], readonly [PlainKey, Level]>> = {
  not_registered: ["sync.not_registered", "problem"],
  not_started: ["sync.not_started", "problem"],
  starting: ["sync.starting", "info"],
  synced: ["sync.synced", "ok"],
  sending: ["sync.sending", "info"],
  waiting: ["sync.waiting", "warn"],
  unreachable: ["sync.unreachable", "warn"],
  refused: ["sync.refused", "problem"],
  clock_skew: ["sync.clock_skew", "problem"],
};

type HealthKey = Extract<MessageKey, `health.${string}`>;

/** The health line's sentence for each state the core names (`{number}`, `{time}` filled). */
const HEALTH: Readonly<Record<string, HealthKey>> = {
  ok: "health.ok",
  audit_broken: "health.audit_broken",
  data_dir_unwritable: "health.data_dir_unwritable",
  queue_unavailable: "health.queue_unavailable",
  disk_low: "health.disk_low",
  reader_service_down: "health.reader_service_down",
  no_reader: "health.no_reader",
  reader_error: "health.reader_error",
  no_camera: "health.no_camera",
  no_trust_store: "health.no_trust_store",
  clock_skew: "health.clock_skew",
  refused: "health.refused",
  not_registered: "health.not_registered",
  sync_not_started: "health.sync_not_started",
  queue_frozen_too_many: "health.queue_frozen_too_many",
  queue_frozen_too_old: "health.queue_frozen_too_old",
  quarantined: "health.quarantined",
  backoffice_unreachable: "health.backoffice_unreachable",
  packages_waiting: "health.packages_waiting",
  recovered_from_crash: "health.recovered_from_crash",
  backoffice_unreachable_briefly: "health.backoffice_unreachable_briefly",
};

const pad = (n: number) => String(n).padStart(2, "0");

/** "14:05" today, "26/11 14:05" on another day, in the kiosk's local time. */
export function clockTime(unixMs: number, now: Date = new Date()): string {
  const at = new Date(unixMs);
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  return at.toDateString() === now.toDateString()
    ? time
    : `${pad(at.getDate())}/${pad(at.getMonth() + 1)} ${time}`;
}

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

  /**
   * Rebinds only on change (`signature`), so the live region does not re-announce every poll.
   * `detail` fills the detail line, or hides it when `null`.
   */
  show(
    state: string,
    signature: string,
    level: Level,
    bind: (el: HTMLElement) => void,
    detail: ((el: HTMLElement) => void) | null,
  ): void {
    if (signature === this.#shown) return;
    this.#shown = signature;
    this.element.dataset.level = level;
    this.element.dataset.state = state;
    bind(this.#text);
    this.#detail.replaceChildren();
    this.#detail.hidden = detail === null;
    detail?.(this.#detail);
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
  readonly #health: HTMLElement;
  readonly #healthText: HTMLElement;
  #healthShown = "";
  readonly #operator: HTMLElement;
  readonly #operatorName: HTMLElement;
  readonly #langButtons = new Map<Lang, HTMLButtonElement>();

  constructor(i18n: I18n, onLanguage: (lang: Lang) => void, onSignOut: () => void) {
    this.#i18n = i18n;
    this.#deviceName = h("span", { class: "device-name", testid: "device-name" });
    this.#reader = new StatusItem(i18n, "reader", "header.reader");
    this.#camera = new StatusItem(i18n, "camera", "header.camera");
    this.#sync = new StatusItem(i18n, "sync", "header.sync");
    this.#queue = new StatusItem(i18n, "queue", "header.queue");
    this.#healthText = h("span", { class: "health-text", testid: "health-line-text" });
    this.#health = h(
      "p",
      { class: "health-line", testid: "health-line", "data-level": "ok" },
      i18n.text(h("span", { class: "status-label" }), "header.health"),
      " ",
      this.#healthText,
    );
    this.#stale = h("p", {
      class: "status-stale",
      testid: "status-stale",
      role: "status",
      hidden: true,
    });

    this.#operatorName = h("span", { class: "operator-name", testid: "operator-name" });
    const signOut = button({ class: "header-button", testid: "operator-sign-out" }, onSignOut);
    i18n.text(signOut, "operator.sign_out");
    this.#operator = h(
      "div",
      { class: "operator", testid: "operator", hidden: true },
      this.#operatorName,
      signOut,
    );

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
        this.#health,
        h("div", { class: "header-actions" }, this.#operator, langs),
      ),
      statuses,
      this.#stale,
    );
  }

  showLanguage(lang: Lang): void {
    for (const [l, b] of this.#langButtons) b.setAttribute("aria-pressed", String(l === lang));
  }

  /** The operator signed in at the counter, or nobody (the slot and its button go away). */
  showOperator(operator: string | null): void {
    this.#operator.hidden = operator === null;
    if (operator === null) this.#i18n.clear(this.#operatorName);
    else this.#i18n.text(this.#operatorName, "operator.label", { operator });
  }

  update(state: ShellState): void {
    this.#deviceName.textContent = state.deviceName;
    this.#device(this.#reader, READER, state.reader);
    this.#device(this.#camera, CAMERA, state.camera);
    this.#showSync(state.sync);
    this.#showQueue(state.queueWaiting);
    this.#showHealth(state.health);
    this.showStale(null);
  }

  /** The health line; rebinds only on change, like the status items. */
  #showHealth(health: HealthLine): void {
    const time = health.at === null ? "" : clockTime(health.at);
    const number = health.number ?? "";
    const signature = `${health.state}\n${health.level}\n${number}\n${time}`;
    if (signature === this.#healthShown) return;
    this.#healthShown = signature;
    this.#health.dataset.level = health.level;
    this.#health.dataset.state = health.state;
    const key = HEALTH[health.state];
    if (key === undefined) {
      this.#i18n.text(this.#healthText, "status.unknown", { state: health.state });
    } else {
      this.#i18n.text(this.#healthText, key, { number, time });
    }
  }

  /** Says the status could not be refreshed, and why, without hiding the last known one. */
  showStale(code: string | null): void {
    this.#stale.hidden = code === null;
    if (code === null) this.#i18n.clear(this.#stale);
    else this.#i18n.text(this.#stale, "status.stale", { code });
  }

  #showSync(sync: SyncStatus): void {
    const entry = SYNC[sync.state] as (typeof SYNC)[SyncStatus["state"]] | undefined;
    if (entry === undefined) {
      this.#unknown(this.#sync, sync.state);
      return;
    }
    const [key, level] = entry;
    const { lastSyncAt, retryAt } = sync;
    const last = lastSyncAt === null ? null : clockTime(lastSyncAt);
    const retry = retryAt === null ? null : clockTime(retryAt);
    const detail =
      last === null && retry === null
        ? null
        : (el: HTMLElement) => {
            if (last !== null) {
              el.append(
                this.#i18n.text(h("span", { testid: "status-sync-last" }), "sync.last", {
                  time: last,
                }),
              );
            }
            if (last !== null && retry !== null) el.append(" · ");
            if (retry !== null) {
              el.append(
                this.#i18n.text(h("span", { testid: "status-sync-retry" }), "sync.retry", {
                  time: retry,
                }),
              );
            }
          };
    this.#sync.show(
      sync.state,
      `${sync.state}\n${last ?? ""}\n${retry ?? ""}`,
      level,
      (el) => this.#i18n.text(el, key),
      detail,
    );
  }

  #showQueue(waiting: number | null): void {
    if (waiting === null) {
      this.#queue.show(
        "not_set_up",
        "not_set_up",
        "info",
        (el) => this.#i18n.text(el, "queue.not_set_up"),
        null,
      );
    } else if (waiting === 0) {
      this.#queue.show("none", "none", "ok", (el) => this.#i18n.text(el, "queue.none"), null);
    } else {
      this.#queue.show(
        "waiting",
        `waiting:${waiting}`,
        "warn",
        (el) => this.#i18n.text(el, "queue.waiting", { count: waiting }),
        null,
      );
    }
  }

  #unknown(item: StatusItem, state: string): void {
    item.show(
      state,
      `unknown:${state}`,
      "problem",
      (el) => this.#i18n.text(el, "status.unknown", { state }),
      null,
    );
  }

  #device(item: StatusItem, known: Known, status: DeviceStatus): void {
    const entry = known[status.state];
    const detail = status.detail;
    if (entry === undefined) {
      this.#unknown(item, status.state);
      return;
    }
    const [key, level] = entry;
    item.show(
      status.state,
      `${status.state}\n${detail ?? ""}`,
      level,
      (el) => this.#i18n.text(el, key),
      detail === null || detail === "" ? null : (el) => (el.textContent = detail),
    );
  }
}

//! The kiosk shell: one session at a time (header, screen, keypad, idle watch) built from
//! nothing, and the wipe that ends it: the DOM is dropped, the core clears its memory, and a
//! fresh session starts on the mode's start screen in the configured language. At the counter
//! the operator's sign-in outlives the citizens' sessions: the next citizen starts on consent
//! with the operator still shown, until "Đăng xuất" or the desk locks after no input
//! (`operatorLockSecs`), which also wipes the citizen's data. The core is the authority on the
//! lock: input is reported to it (`operator_active`, at most every 30 s), and when it has locked
//! the desk (a command refused with `operators.desk_locked`, or the status poll showing nobody
//! signed in) the desk locks here too. The header follows the sync loop's `sync-status` events
//! as they come, and the 2 s status poll.

import { Draft } from "./draft";
import { button, h } from "./dom";
import { Header } from "./header";
import { I18n, type Lang } from "./i18n";
import { IdleWatch } from "./idle";
import { toBackendError, type Backend, type ShellState } from "./ipc";
import { Keypad } from "./keypad";
import { Router } from "./router";
import { screens, startScreen } from "./screens/index";

const POLL_MS = 2000;
/** The most often the operator's input is reported to the core. */
const ACTIVE_EVERY_MS = 30_000;

/** How a session ends, and what the next one must know. */
interface Desk {
  /** The operator signed in at the counter, kept across citizens. */
  readonly operator: string | null;
  /** Ends the citizen's session. */
  readonly wipe: () => void;
  /** Ends the operator's sign-in and the citizen's session. */
  readonly signOut: () => void;
  readonly signedIn: (operator: string) => void;
  /** The last session ended because the operator's desk locked. */
  readonly locked: boolean;
}

/** Everything that lives between two wipes. Nothing in it survives `dispose`. */
class Session {
  readonly header: Header;
  readonly #controller = new AbortController();

  constructor(
    root: HTMLElement,
    shell: ShellState,
    backend: Backend,
    desk: Desk,
    clearFailure: string | null,
  ) {
    const wipe = desk.wipe;
    const signal = this.#controller.signal;
    const i18n = new I18n(shell.language);
    document.documentElement.lang = shell.language;

    const setLanguage = (lang: Lang): void => {
      i18n.setLang(lang);
      this.header.showLanguage(lang);
      document.documentElement.lang = lang;
    };
    this.header = new Header(i18n, setLanguage, desk.signOut);
    this.header.update(shell);
    this.header.showOperator(desk.operator);

    const sessionError = h("p", {
      class: "session-error",
      testid: "session-error",
      role: "alert",
      hidden: true,
    });
    if (clearFailure !== null) {
      sessionError.hidden = false;
      i18n.text(sessionError, "error.clear_failed", { code: clearFailure });
    }
    const notice = h("p", {
      class: "session-notice",
      testid: "session-notice",
      role: "status",
      hidden: !desk.locked,
    });
    if (desk.locked) {
      i18n.text(notice, "signin.locked", {
        minutes: Math.max(1, Math.round(shell.operatorLockSecs / 60)),
      });
    }

    const outlet = h("main", { class: "shell-main", testid: "screen-outlet" });
    const footer = h("footer", { class: "shell-footer", testid: "footer" });
    i18n.text(footer, "footer.version", { version: shell.version, deviceId: shell.deviceId });

    const countdown = h("p", { id: "idle-body", testid: "idle-countdown" });
    const resume = button({ class: "primary", testid: "idle-continue" }, () => {
      idle.continueSession();
    });
    const overlay = h(
      "div",
      {
        class: "idle-overlay",
        testid: "idle-warning",
        role: "alertdialog",
        "aria-modal": "true",
        "aria-labelledby": "idle-title",
        "aria-describedby": "idle-body",
        hidden: true,
      },
      h(
        "div",
        { class: "idle-dialog" },
        i18n.text(h("h2", { id: "idle-title" }), "idle.title"),
        countdown,
        i18n.text(resume, "idle.continue"),
      ),
    );
    // While the warning shows, everything behind it is out of reach, for touch and keyboard.
    const setInert = (inert: boolean): void => {
      for (const el of [this.header.element, sessionError, notice, outlet, footer])
        el.inert = inert;
    };
    let shownSeconds = -1;
    const idle = new IdleWatch(
      shell.idleTimeoutSecs,
      shell.idleWarningSecs,
      {
        warn(seconds) {
          if (overlay.hidden) {
            overlay.hidden = false;
            setInert(true);
            resume.focus();
          }
          if (seconds !== shownSeconds) {
            shownSeconds = seconds;
            i18n.text(countdown, "idle.body", { seconds });
          }
        },
        resume() {
          overlay.hidden = true;
          setInert(false);
          shownSeconds = -1;
        },
        timeout: wipe,
      },
      signal,
    );

    const keypad = new Keypad(i18n, signal);
    const router = new Router(
      outlet,
      screens,
      {
        i18n,
        backend,
        mode: shell.mode,
        keypad,
        home: wipe,
        draft: new Draft(),
        signedIn: (operator) => {
          this.header.showOperator(operator);
          desk.signedIn(operator);
        },
      },
      signal,
    );

    root.replaceChildren(
      h(
        "div",
        { class: `shell mode-${shell.mode}`, testid: "shell", "data-mode": shell.mode },
        this.header.element,
        sessionError,
        notice,
        outlet,
        footer,
        overlay,
      ),
    );
    router.go(
      shell.mode === "counter" && desk.operator !== null ? "consent" : startScreen(shell.mode),
    );
  }

  dispose(): void {
    this.#controller.abort();
  }
}

export class Kiosk {
  readonly #root: HTMLElement;
  readonly #backend: Backend;
  #latest: ShellState;
  #session: Session;
  #wiping = false;
  #operator: string | null;
  /** Aborts the operator desk's lock watch. */
  #desk: AbortController | null = null;
  /** Counts sign-ins and sign-outs, so a status poll sent before one is not read after it. */
  #deskEpoch = 0;
  /** When the operator's activity was last reported to the core. */
  #lastActive = 0;

  constructor(root: HTMLElement, backend: Backend, initial: ShellState) {
    this.#root = root;
    this.#backend = backend;
    this.#latest = initial;
    this.#operator = initial.mode === "counter" ? initial.operator : null;
    if (this.#operator !== null) this.#watchDesk();
    this.#session = this.#start(null, false);
    backend.onDeskLocked(() => {
      if (this.#operator !== null) void this.signOut(true);
    }, new AbortController().signal);
    this.#poll();
    // The kiosk lives as long as the page: this subscription never ends.
    void backend
      .watchSync((update) => {
        this.#latest = { ...this.#latest, sync: update.sync, queueWaiting: update.queueWaiting };
        if (!this.#wiping) this.#session.header.update(this.#latest);
      }, new AbortController().signal)
      .catch((cause: unknown) => {
        if (!this.#wiping) this.#session.header.showStale(toBackendError(cause).code);
      });
  }

  /**
   * Ends the citizen's session: blanks and drops every element (so no typed value stays on
   * screen or reachable from a variable), asks the core to clear its memory, then starts
   * afresh. The operator, if any, stays signed in.
   */
  async wipe(): Promise<void> {
    await this.#end(() => this.#backend.clearSession(), false);
  }

  /** Ends the operator's sign-in (`locked`: after no input) and the citizen's session. */
  async signOut(locked: boolean): Promise<void> {
    if (this.#wiping) return;
    this.#desk?.abort();
    this.#desk = null;
    this.#operator = null;
    this.#deskEpoch++;
    await this.#end(() => this.#backend.operatorSignOut(locked), locked);
  }

  async #end(clear: () => Promise<void>, locked: boolean): Promise<void> {
    if (this.#wiping) return;
    this.#wiping = true;
    this.#session.dispose();
    for (const input of this.#root.querySelectorAll("input, textarea")) {
      (input as HTMLInputElement | HTMLTextAreaElement).value = "";
    }
    this.#root.replaceChildren();
    let failure: string | null = null;
    try {
      await clear();
    } catch (cause) {
      failure = toBackendError(cause).code;
    }
    this.#session = this.#start(failure, locked);
    this.#wiping = false;
  }

  /** Locks the desk (signs the operator out) after `operatorLockSecs` without input. */
  #watchDesk(): void {
    this.#desk?.abort();
    const desk = new AbortController();
    this.#desk = desk;
    new IdleWatch(
      this.#latest.operatorLockSecs,
      0,
      {
        timeout: () => void this.signOut(true),
        input: () => {
          this.#active();
        },
      },
      desk.signal,
    ).arm();
  }

  /** Reports the operator's input to the core, at most every `ACTIVE_EVERY_MS`. */
  #active(): void {
    const now = Date.now();
    if (this.#operator === null || now - this.#lastActive < ACTIVE_EVERY_MS) return;
    this.#lastActive = now;
    // A lapsed desk answers `operators.desk_locked`, which `onDeskLocked` handles.
    this.#backend.operatorActive().catch(() => undefined);
  }

  #start(clearFailure: string | null, locked: boolean): Session {
    return new Session(
      this.#root,
      this.#latest,
      this.#backend,
      {
        operator: this.#operator,
        wipe: () => void this.wipe(),
        signOut: () => void this.signOut(false),
        signedIn: (operator) => {
          this.#operator = operator;
          this.#deskEpoch++;
          this.#lastActive = Date.now();
          this.#watchDesk();
        },
        locked,
      },
      clearFailure,
    );
  }

  #poll(): void {
    setTimeout(async () => {
      try {
        const epoch = this.#deskEpoch;
        this.#latest = await this.#backend.shellState();
        if (!this.#wiping) this.#session.header.update(this.#latest);
        // The core locked the desk on its own (no command came to be refused).
        const lockedByCore =
          this.#latest.mode === "counter" &&
          this.#latest.operator === null &&
          this.#operator !== null &&
          epoch === this.#deskEpoch;
        if (lockedByCore) void this.signOut(true);
      } catch (cause) {
        if (!this.#wiping) this.#session.header.showStale(toBackendError(cause).code);
      }
      this.#poll();
    }, POLL_MS);
  }
}

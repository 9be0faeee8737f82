//! The kiosk shell: one session at a time (header, screen, keypad, idle watch) built from
//! nothing, and the wipe that ends it: the DOM is dropped, the core clears its memory, and a
//! fresh session starts on the mode's start screen in the configured language.

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

/** Everything that lives between two wipes. Nothing in it survives `dispose`. */
class Session {
  readonly header: Header;
  readonly #controller = new AbortController();

  constructor(
    root: HTMLElement,
    shell: ShellState,
    backend: Backend,
    wipe: () => void,
    clearFailure: string | null,
  ) {
    const signal = this.#controller.signal;
    const i18n = new I18n(shell.language);
    document.documentElement.lang = shell.language;

    const setLanguage = (lang: Lang): void => {
      i18n.setLang(lang);
      this.header.showLanguage(lang);
      document.documentElement.lang = lang;
    };
    this.header = new Header(i18n, setLanguage);
    this.header.update(shell);

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
      for (const el of [this.header.element, sessionError, outlet, footer]) el.inert = inert;
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
      { i18n, backend, mode: shell.mode, keypad, home: wipe, draft: new Draft() },
      signal,
    );

    root.replaceChildren(
      h(
        "div",
        { class: `shell mode-${shell.mode}`, testid: "shell", "data-mode": shell.mode },
        this.header.element,
        sessionError,
        outlet,
        footer,
        overlay,
      ),
    );
    router.go(startScreen(shell.mode));
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

  constructor(root: HTMLElement, backend: Backend, initial: ShellState) {
    this.#root = root;
    this.#backend = backend;
    this.#latest = initial;
    this.#session = this.#start(null);
    this.#poll();
  }

  /**
   * Ends the session: blanks and drops every element (so no typed value stays on screen or
   * reachable from a variable), asks the core to clear its memory, then starts afresh.
   */
  async wipe(): Promise<void> {
    if (this.#wiping) return;
    this.#wiping = true;
    this.#session.dispose();
    for (const input of this.#root.querySelectorAll("input, textarea")) {
      (input as HTMLInputElement | HTMLTextAreaElement).value = "";
    }
    this.#root.replaceChildren();
    let failure: string | null = null;
    try {
      await this.#backend.clearSession();
    } catch (cause) {
      failure = toBackendError(cause).code;
    }
    this.#session = this.#start(failure);
    this.#wiping = false;
  }

  #start(clearFailure: string | null): Session {
    return new Session(
      this.#root,
      this.#latest,
      this.#backend,
      () => void this.wipe(),
      clearFailure,
    );
  }

  #poll(): void {
    setTimeout(async () => {
      try {
        this.#latest = await this.#backend.shellState();
        if (!this.#wiping) this.#session.header.update(this.#latest);
      } catch (cause) {
        if (!this.#wiping) this.#session.header.showStale(toBackendError(cause).code);
      }
      this.#poll();
    }, POLL_MS);
  }
}

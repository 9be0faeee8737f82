//! A tiny router: screens are functions that build their DOM from a context; the router shows
//! one at a time in the outlet and tells the previous one to let go (its `signal` aborts).
//! Later screens plug in by adding a module to `screens/` and a line to `screens/index.ts`.

import type { Draft } from "./draft";
import type { Backend, Mode } from "./ipc";
import type { I18n } from "./i18n";
import type { Keypad } from "./keypad";
import type { ScreenName } from "./screens/index";

export interface ScreenContext {
  readonly i18n: I18n;
  readonly backend: Backend;
  readonly mode: Mode;
  /** The session's on-screen keypad; a screen places `keypad.element` where it fits. */
  readonly keypad: Keypad;
  /** The enrollment being assembled in this session (form, review, receipt). */
  readonly draft: Draft;
  /** Aborts when the screen is left or the session is wiped. */
  readonly signal: AbortSignal;
  readonly go: (name: ScreenName) => void;
  /** Ends the session: wipes everything personal and shows the start screen. */
  readonly home: () => void;
  /** Counter mode: the operator signed in; they stay signed in across citizens. */
  readonly signedIn: (operator: string) => void;
}

export type ScreenFactory = (ctx: ScreenContext) => HTMLElement;

export class Router {
  readonly #outlet: HTMLElement;
  readonly #screens: Readonly<Record<ScreenName, ScreenFactory>>;
  readonly #context: Omit<ScreenContext, "signal" | "go">;
  readonly #sessionSignal: AbortSignal;
  #current: AbortController | null = null;

  constructor(
    outlet: HTMLElement,
    screens: Readonly<Record<ScreenName, ScreenFactory>>,
    context: Omit<ScreenContext, "signal" | "go">,
    sessionSignal: AbortSignal,
  ) {
    this.#outlet = outlet;
    this.#screens = screens;
    this.#context = context;
    this.#sessionSignal = sessionSignal;
  }

  go(name: ScreenName): void {
    this.#current?.abort();
    const screen = new AbortController();
    this.#current = screen;
    // AbortSignal.any is too new for the WebKitGTK the kiosk runs on.
    this.#sessionSignal.addEventListener(
      "abort",
      () => {
        screen.abort();
      },
      { signal: screen.signal },
    );
    const el = this.#screens[name]({
      ...this.#context,
      signal: screen.signal,
      go: (next) => {
        this.go(next);
      },
    });
    el.dataset.screen = name;
    el.classList.add("screen");
    this.#outlet.replaceChildren(el);
    this.#outlet.dataset.screen = name;
    const first = el.querySelector<HTMLElement>("[autofocus]");
    first?.focus();
  }
}

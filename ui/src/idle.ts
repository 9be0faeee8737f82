//! The idle timeout: after a stretch without touch, pointer or key input it warns with a
//! countdown, and at the timeout it asks the app to wipe the session. It only runs once the
//! session has seen input (or was armed), so an untouched start screen is never interrupted.
//! The same watch, without a warning, locks the counter's operator desk after ~15 minutes.

export interface IdleHandlers {
  /** Called every tick while the warning shows, with the whole seconds left. */
  warn?(secondsLeft: number): void;
  /** The person chose to continue: the warning goes away. */
  resume?(): void;
  /** Each input that counts as activity. */
  input?(): void;
  timeout(): void;
}

const ACTIVITY = ["pointerdown", "keydown", "touchstart", "wheel", "input"] as const;
const TICK_MS = 200;

export class IdleWatch {
  readonly #timeoutMs: number;
  readonly #warningMs: number;
  readonly #handlers: IdleHandlers;
  #armed = false;
  #warning = false;
  #lastInput = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    timeoutSecs: number,
    warningSecs: number,
    handlers: IdleHandlers,
    signal: AbortSignal,
  ) {
    this.#timeoutMs = timeoutSecs * 1000;
    this.#warningMs = Math.min(warningSecs, timeoutSecs) * 1000;
    this.#handlers = handlers;
    for (const type of ACTIVITY) {
      document.addEventListener(
        type,
        () => {
          this.#input();
        },
        { capture: true, passive: true, signal },
      );
    }
    this.#timer = setInterval(() => {
      this.#tick();
    }, TICK_MS);
    signal.addEventListener("abort", () => {
      clearInterval(this.#timer);
    });
  }

  /** Starts an idle stretch now, without waiting for input (a sign-in that just happened). */
  arm(): void {
    this.#armed = true;
    this.#lastInput = Date.now();
  }

  /** Ends the warning and starts a new idle stretch (the "continue" button). */
  continueSession(): void {
    this.#warning = false;
    this.#lastInput = Date.now();
    this.#handlers.resume?.();
  }

  #input(): void {
    // While the warning shows, only its button continues the session.
    if (this.#warning) return;
    this.#armed = true;
    this.#lastInput = Date.now();
    this.#handlers.input?.();
  }

  #tick(): void {
    if (!this.#armed) return;
    const idle = Date.now() - this.#lastInput;
    if (idle >= this.#timeoutMs) {
      this.#armed = false;
      this.#warning = false;
      clearInterval(this.#timer);
      this.#handlers.timeout();
    } else if (idle >= this.#timeoutMs - this.#warningMs) {
      this.#warning = true;
      this.#handlers.warn?.(Math.ceil((this.#timeoutMs - idle) / 1000));
    }
  }
}

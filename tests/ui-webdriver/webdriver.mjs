// A minimal W3C WebDriver client over fetch, enough to drive the real kiosk through
// tauri-driver (which starts the app under WebKitWebDriver). No npm dependencies.

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export class WebDriverError extends Error {
  constructor(method, path, status, value) {
    super(
      `${method} ${path} -> ${status}: ${value?.error ?? ""} ${value?.message ?? JSON.stringify(value)}`,
    );
    this.name = "WebDriverError";
    this.error = value?.error;
  }
}

async function request(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers:
      body === undefined
        ? {}
        : { "content-type": "application/json; charset=utf-8" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({ value: { error: "not json" } }));
  if (!res.ok) throw new WebDriverError(method, path, res.status, json.value);
  return json.value;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a truthy value; throws with `what` after `timeoutMs`. */
export async function waitFor(what, probe, timeoutMs = 10_000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ""}`,
      );
    }
    await sleep(everyMs);
  }
}

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  /** Starts the application at `application` with `args`; the window opens with the session. */
  static async start(base, application, args = []) {
    const value = await request(base, "POST", "/session", {
      capabilities: { alwaysMatch: { "tauri:options": { application, args } } },
    });
    return new Session(base, value.sessionId);
  }

  #cmd(method, path, body) {
    return request(this.base, method, `/session/${this.id}${path}`, body);
  }

  async end() {
    await this.#cmd("DELETE", "");
  }

  /** Runs `script` (a function body) in the page with `args`; returns its result. */
  execute(script, ...args) {
    return this.#cmd("POST", "/execute/sync", { script, args });
  }

  /** Finds one element by CSS selector, waiting for it to exist. */
  async find(css, timeoutMs = 10_000) {
    return waitFor(
      `element ${css}`,
      async () => {
        const found = await this.#cmd("POST", "/elements", {
          using: "css selector",
          value: css,
        });
        return found[0]?.[ELEMENT];
      },
      timeoutMs,
    );
  }

  async click(css) {
    const el = await this.find(css);
    await this.#cmd("POST", `/element/${el}/click`, {});
  }

  /** Waits for two animation frames, so a screenshot shows the current frame (WebKit). */
  async settle() {
    await this.#cmd("POST", "/execute/async", {
      script:
        "const done = arguments[arguments.length - 1];" +
        "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
      args: [],
    });
  }

  /** A PNG of the viewport. */
  async screenshot() {
    await this.settle();
    return Buffer.from(await this.#cmd("GET", "/screenshot"), "base64");
  }
}

export const testid = (id) => `[data-testid="${id}"]`;

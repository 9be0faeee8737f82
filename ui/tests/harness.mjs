// Test harness for the Chromium UI tests: serves ui/dist on 127.0.0.1, starts Debian's headless
// Chromium through playwright-core, and replaces the Tauri IPC with a mock core whose state a
// test can read and change (window.__mock).

import assert from "node:assert/strict";
import { after, before } from "node:test";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const DIST = fileURLToPath(new URL("../dist/", import.meta.url));
/** A real portrait frame (JPEG) the mock camera reports as taken. */
export const PORTRAIT_JPEG = readFileSync(
  fileURLToPath(new URL("../../assets/frames/portrait/0-ok-960x540.jpg", import.meta.url)),
);
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
};

/** Serves ui/dist; resolves to { url, close }. */
export async function serveDist() {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = normalize(join(DIST, path === "/" ? "index.html" : path));
    if (!file.startsWith(DIST.endsWith(sep) ? DIST : DIST + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** What `shell_state` answers unless a test says otherwise (`sync` may be given in part). */
export function shellState(overrides = {}) {
  const sync = { state: "synced", detail: "127.0.0.1:8787", lastSyncAt: null, retryAt: null };
  return {
    deviceId: "kiosk-test-01",
    deviceName: "UBND phường Thử Nghiệm",
    mode: "self-service",
    language: "vi",
    idleTimeoutSecs: 90,
    idleWarningSecs: 20,
    reader: { state: "ready", detail: "ACS ACR1252 Dual Reader" },
    camera: { state: "ready", detail: "USB Camera" },
    queueWaiting: 0,
    operator: null,
    operatorLockSecs: 900,
    health: { state: "ok", level: "ok", number: null, at: null },
    version: "0.1.0",
    ...overrides,
    sync: { ...sync, ...overrides.sync },
  };
}

// Runs in the page before any of its scripts: the fake core behind @tauri-apps/api's invoke.
function installMockCore(config) {
  const mock = {
    state: config.shell,
    signInCode: config.signInCode,
    shellStateError: config.shellStateError,
    // The first-run set-up: { status, cardCheck (an answer or { code }), done }.
    setup: config.setup,
    // Command name -> error code it rejects with, for the unhappy paths.
    failures: {},
    // Command name -> true: the command never answers.
    hangs: {},
    calls: [],
    // The card worker: its reader state, the last read id handed out, and event listeners
    // (event name -> listener id -> callback id) that `emit` calls as the core's events would.
    cardState: config.cardState,
    lastReadId: 0,
    // The enrollment: the configured groups, the form check (a phone is required, as in the
    // core) and the receipt of the queued package.
    groups: [
      { id: "to-1", name: "Tổ dân phố 1" },
      { id: "thon-dong", name: "Thôn Đông" },
    ],
    formCheck(form) {
      const errors = [];
      if (form.phone === "")
        errors.push({
          field: "phone",
          vi: "Vui lòng nhập số điện thoại di động.",
          en: "enter a mobile phone number",
        });
      if (form.group === "")
        errors.push({
          field: "group",
          vi: "Hãy chọn tổ dân phố / thôn nơi công dân cư trú.",
          en: "choose the residential group (tổ dân phố / thôn) the citizen lives in",
        });
      if (errors.length > 0) return { outcome: "invalid", errors };
      const group = mock.groups.find((g) => g.id === form.group);
      return {
        outcome: "valid",
        review: {
          chipVerified: mock.chipVerified ?? true,
          fullName: "Nguyễn Văn A",
          idNumber: "001090012345",
          dateOfBirth: "01/01/1990",
          phone: form.phone,
          email: form.email || null,
          healthInsurance: null,
          drivingLicence: null,
          vehiclePlates: form.vehiclePlates,
          taxCode: null,
          group: group?.name ?? "",
        },
      };
    },
    receipt: {
      applicationNumber: "01900000-0000-7000-8000-000000000001",
      qrSvg:
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
    },
    listeners: {},
    emit(event, payload) {
      for (const [id, handler] of Object.entries(mock.listeners[event] ?? {})) {
        window[`_${handler}`]?.({ event, id: Number(id), payload });
      }
    },
  };
  window.__mock = mock;
  window.__TAURI_EVENT_PLUGIN_INTERNALS__ = {
    unregisterListener(event, id) {
      delete mock.listeners[event]?.[id];
    },
  };
  let nextCallback = 1;
  let nextListener = 1;
  window.__TAURI_INTERNALS__ = {
    metadata: {
      currentWindow: { label: "main" },
      currentWebview: { windowLabel: "main", label: "main" },
    },
    transformCallback(callback, once) {
      const id = nextCallback++;
      window[`_${id}`] = (value) => {
        if (once) delete window[`_${id}`];
        callback?.(value);
      };
      return id;
    },
    unregisterCallback(id) {
      delete window[`_${id}`];
    },
    convertFileSrc(path) {
      return path;
    },
    async invoke(cmd, args) {
      mock.calls.push({ cmd, args: args ?? null, at: Date.now() });
      if (mock.failures[cmd]) throw { code: mock.failures[cmd] };
      if (mock.hangs[cmd]) return new Promise(() => {});
      switch (cmd) {
        case "shell_state":
          if (mock.shellStateError) throw { code: mock.shellStateError };
          return JSON.parse(JSON.stringify(mock.state));
        case "clear_session":
          return null;
        case "session_set_id_number":
          if (!/^\d{12}$/.test(args?.idNumber ?? "")) throw { code: "id.format" };
          return null;
        case "operator_sign_in":
          if (mock.signInCode === null) {
            mock.state.operator = args.operatorId;
            return null;
          }
          throw { code: mock.signInCode };
        case "operator_sign_out":
          mock.state.operator = null;
          return null;
        case "operator_active":
          return null;
        case "plugin:event|listen": {
          const id = nextListener++;
          (mock.listeners[args.event] ??= {})[id] = args.handler;
          return id;
        }
        case "plugin:event|unlisten":
          delete mock.listeners[args.event]?.[args.eventId];
          return null;
        case "card_state":
          return mock.cardState;
        case "card_read_typed":
        case "card_read_qr":
          return ++mock.lastReadId;
        case "camera_start":
          mock.cameraRun = (mock.cameraRun ?? 0) + 1;
          return mock.cameraRun;
        case "camera_stop":
        case "enrollment_confirm_qr_only":
          return null;
        case "camera_status":
          return { run: mock.cameraRun ?? 0, state: "stopped", error: null };
        case "session_consent":
          return null;
        case "residential_groups":
          return mock.groups;
        case "enrollment_check_form":
          return mock.formCheck(args.form);
        case "enrollment_submit":
          return mock.receipt;
        // A configured kiosk (no first-run set-up) unless the test gives a set-up; not in
        // kiosk mode.
        case "setup_status":
          return mock.setup?.status ?? { needed: false };
        case "setup_device_key":
          return null;
        case "setup_camera_start":
          mock.cameraRun = (mock.cameraRun ?? 0) + 1;
          return mock.cameraRun;
        case "setup_card_check":
          if (mock.setup.cardCheck.code) throw mock.setup.cardCheck;
          return mock.setup.cardCheck;
        case "setup_apply":
          return mock.setup.done;
        case "kiosk_mode":
          return false;
        default:
          throw { code: "mock.unknown_command" };
      }
    },
  };
}

/**
 * Opens the kiosk in a fresh page with the mock core. `shell` overrides the shell state;
 * `signInCode` is what operator_sign_in rejects with (`null`: it accepts, standing in for a core
 * with operator accounts); `cardState` is what card_state answers.
 */
export async function openKiosk(browser, url, options = {}) {
  const viewport = options.viewport ?? { width: 1280, height: 800 };
  const context = await browser.newContext({ viewport, hasTouch: options.hasTouch ?? false });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  await page.addInitScript(installMockCore, {
    shell: shellState(options.shell),
    signInCode: options.signInCode === undefined ? "operators.none_configured" : options.signInCode,
    cardState: options.cardState ?? { state: "waiting", reader: "ACS ACR1252 Dual Reader PICC" },
    shellStateError: options.shellStateError ?? null,
    setup: options.setup ?? null,
  });
  await page.goto(url);
  if (options.setup) await page.getByTestId("setup").waitFor();
  else if (!options.shellStateError) await page.getByTestId("shell").waitFor();
  return { page, context, errors };
}

export const byId = (page, id) => page.getByTestId(id);

/**
 * The suite's shared set-up: registers node:test hooks that serve ui/dist and start Chromium
 * before the file's tests and close every opened page, the browser and the server after them.
 * `open(options)` opens the kiosk (see `openKiosk`) in a fresh page closed with the suite.
 */
export function kioskSuite() {
  let server;
  let browser;
  const opened = [];
  before(async () => {
    server = await serveDist();
    browser = await launchBrowser();
  });
  after(async () => {
    for (const { context } of opened) await context.close();
    await browser?.close();
    await server?.close();
  });
  return {
    async open(options) {
      const kiosk = await openKiosk(browser, server.url, options);
      opened.push(kiosk);
      return kiosk;
    },
  };
}

/** The axe-core script a test adds to a page. */
export const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/**
 * axe-core's WCAG 2.2 A/AA violations on the page as it is (or only in the element `within`
 * selects), one line each.
 */
export async function axeViolations(page, within = null) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async (within) => {
    const scope = within === null ? document : document.querySelector(within);
    const result = await window.axe.run(scope, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    });
    return result.violations.map(
      (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
  }, within);
}

/** Commands the page sent to the mock core, in order. */
export async function calls(page, cmd) {
  const all = await page.evaluate(() => window.__mock.calls);
  return cmd === undefined ? all : all.filter((c) => c.cmd === cmd);
}

/**
 * From the portrait screen to the form: the mock camera worker reports the portrait taken
 * (a real JPEG), then the person continues. Returns the captured event's data URL.
 */
export async function passPortrait(page, jpeg = PORTRAIT_JPEG) {
  await page.getByTestId("screen-portrait").waitFor();
  const url = `data:image/jpeg;base64,${jpeg.toString("base64")}`;
  await page.evaluate(
    (u) =>
      window.__mock.emit("camera-captured", {
        run: window.__mock.cameraRun,
        jpeg: u,
        width: 420,
        height: 540,
        comparison: null,
        comparisonUnavailable: "face_models_missing",
      }),
    url,
  );
  await page.getByTestId("portrait-continue").click();
  await page.getByTestId("screen-form").waitFor();
  return url;
}

/**
 * Asserts a finger reaches each of `ids` as the screen is: wholly inside the viewport above the
 * footer and what a touch at its centre hits; no button under 56 px; and, unless `scrollable`
 * (a long form beside its keypad), the screen does not scroll.
 */
export async function assertReachable(page, ids, where, { scrollable = false } = {}) {
  const layout = await page.evaluate((ids) => {
    const main = document.querySelector(".shell-main");
    const footer = document.querySelector('[data-testid="footer"]').getBoundingClientRect();
    const place = {};
    for (const id of ids) {
      const el = document.querySelector(`[data-testid="${id}"]`);
      if (el === null || el.getClientRects().length === 0) {
        place[id] = "not shown";
        continue;
      }
      const r = el.getBoundingClientRect();
      const inside = r.top >= 0 && r.left >= 0 && r.right <= innerWidth && r.bottom <= footer.top;
      const touched = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      place[id] = !inside
        ? `outside (${Math.round(r.top)}..${Math.round(r.bottom)}, footer at ${Math.round(footer.top)})`
        : el.contains(touched)
          ? "reachable"
          : `covered by ${touched?.getAttribute("data-testid") ?? touched?.tagName}`;
    }
    return {
      place,
      scrolls: main.scrollHeight > main.clientHeight || main.scrollWidth > main.clientWidth,
      small: [...document.querySelectorAll("button")]
        .filter((b) => b.getClientRects().length > 0)
        .filter((b) => b.offsetWidth < 56 || b.offsetHeight < 56)
        .map((b) => b.getAttribute("data-testid")),
    };
  }, ids);
  if (scrollable) layout.scrolls = false;
  assert.deepEqual(
    layout,
    { place: Object.fromEntries(ids.map((id) => [id, "reachable"])), scrolls: false, small: [] },
    where,
  );
}

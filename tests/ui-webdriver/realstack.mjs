// The real stack around the kiosk app, for the real-app suites and the enrollment-flow bench:
// the app started through tauri-driver with a written configuration, pcscd + vpcd with the
// software card, the reference back office on loopback, the app's support CLI, and the
// element helpers. Needs VNEID_KIOSK_APP (the built binary) and a running tauri-driver.

import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { deflateSync } from "node:zlib";
import { Session, testid, waitFor } from "./webdriver.mjs";

export const APP = process.env.VNEID_KIOSK_APP;
export const DRIVER = process.env.TAURI_DRIVER_URL ?? "http://127.0.0.1:4444";
export const SIZE = process.env.SCREEN_SIZE ?? "1280x800";
export const SHOTS = resolve(process.env.SCREENSHOT_DIR ?? "screenshots");
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CARDSIM = process.env.VNEID_CARDSIM ?? join(ROOT, "target/debug/cardsim");
const BACKOFFICE =
  process.env.VNEID_BACKOFFICE ?? join(ROOT, "target/debug/backoffice");
/** The chip portrait the software card carries, and the live frames the replayed camera plays. */
export const CHIP_PORTRAIT = join(
  ROOT,
  "assets/frames/qr/00-nguyen-van-a-640x480.jpg",
);
const LIVE_FRAME = join(ROOT, "assets/frames/portrait/0-ok-960x540.jpg");

const run = promisify(execFile);

/**
 * Writes a configuration under a fresh folder, runs `prepare(configPath, dataDir)` and starts
 * the app; resolves to { session, dir, config, data, startedMs } (`startedMs`: Date.now() just
 * before the WebDriver session, which starts the app). The camera replays one still face, or
 * the frames of the folder `camera`.
 */
export async function launch({ prepare, ...options }) {
  const { dir, config, data } = await writeConfig(options);
  await prepare?.(config, data);
  const startedMs = Date.now();
  const session = await Session.start(DRIVER, APP, ["--config", config]);
  return { session, dir, config, data, startedMs };
}

/**
 * Writes a kiosk configuration under a fresh folder (see `launch`); resolves to
 * { dir, config, data }.
 */
export async function writeConfig({
  mode,
  backoffice = "http://127.0.0.1:9",
  idleTimeoutSecs = 10,
  idleWarningSecs = 4,
  camera: cameraFolder,
}) {
  assert.ok(APP, "VNEID_KIOSK_APP must name the built kiosk binary");
  const dir = await mkdtemp(join(tmpdir(), `kiosk-${mode}-`));
  const data = join(dir, "data");
  const camera = join(dir, "camera");
  await mkdir(camera, { recursive: true });
  await copyFile(LIVE_FRAME, join(camera, "0-ok.jpg"));
  const config = join(dir, "kiosk.toml");
  await writeFile(
    config,
    [
      `device_id = "kiosk-realstack-${mode}"`,
      `device_name = "Điểm thử nghiệm giao diện"`,
      `mode = "${mode}"`,
      `language = "vi"`,
      `data_dir = "${data}"`,
      `backoffice_url = "${backoffice}"`,
      `trust_store = "${join(ROOT, "assets/test-csca")}"`,
      `idle_timeout_secs = ${idleTimeoutSecs}`,
      `idle_warning_secs = ${idleWarningSecs}`,
      `camera = "replay:${cameraFolder ?? camera}"`,
      "",
    ].join("\n"),
    "utf8",
  );
  return { dir, config, data };
}

/** `vneid-kiosk --config CONFIG ARGS…` with `stdin`; resolves to its standard output. */
export function kioskCli(config, args, stdin = "") {
  return new Promise((done, fail) => {
    const child = execFile(
      APP,
      ["--config", config, ...args],
      (err, stdout, stderr) =>
        err ? fail(new Error(`${err.message}\n${stderr}`)) : done(stdout),
    );
    child.stdin.end(stdin);
  });
}

/** The administrator `admin` (PIN 97531864), who adds the other accounts. */
async function addAdministrator(config) {
  await kioskCli(
    config,
    ["operator", "add", "--id", "admin", "--role", "administrator"],
    "97531864\n",
  );
}

/** An administrator and the operator `cb01` with `pin`, made by the app's CLI. */
export async function addOperator(config, pin) {
  await addAdministrator(config);
  await kioskCli(
    config,
    ["operator", "add", "--id", "cb01", "--role", "operator", "--by", "admin"],
    `${pin}\n97531864\n`,
  );
}

/** A self-service station's own account (named after its device id, no PIN), added by an
 * administrator as the set-up does. */
export async function addSelfServiceStation(config) {
  await addAdministrator(config);
  await kioskCli(
    config,
    [
      "operator",
      "add",
      "--id",
      "kiosk-realstack-self-service",
      "--role",
      "self-service",
      "--by",
      "admin",
    ],
    "97531864\n",
  );
}

/** Gives a kiosk not registered with a back office a key to seal to: any 32 bytes are an
 * X25519 public key (kiosk.test.mjs's counter suite proves the real back office opens what the
 * kiosk seals). */
export async function writePackageKey(data) {
  await writeFile(
    join(data, "backoffice-package-x25519.pub"),
    "8f40c5adb68f25624ae5b214ea767a6ec94d829d3d7b5e1ad1ba6f3e2138285f\n",
    "utf8",
  );
}

/** The queue's package counts by state (`queue status`), e.g. { queued: 1, acknowledged: 0 }. */
export async function queueCounts(config) {
  const out = await kioskCli(config, ["queue", "status"]);
  return Object.fromEntries(
    out
      .trim()
      .split("\n")
      .map((line) => line.split("\t"))
      .filter(([, n]) => /^\d+$/.test(n ?? ""))
      .map(([state, n]) => [state, Number(n)]),
  );
}

/** pcscd with the virtual reader (vpcd), started and stopped by the project's script. */
export const pcscd = (action) =>
  run("bash", [join(ROOT, "scripts/pcscd-vpcd.sh"), action]);

/** Places a software card on the virtual reader. */
export function insertCard(dir, identity, extra = []) {
  assert.ok(existsSync(CARDSIM), `${CARDSIM} missing: cargo build -p cardsim`);
  const pidFile = join(dir, `${identity}-${Date.now()}.pid`);
  const child = spawn(
    CARDSIM,
    ["insert", "--identity", identity, "--pid-file", pidFile, ...extra],
    {
      stdio: "ignore",
    },
  );
  return { child, pidFile };
}

export async function removeCard(card) {
  if (!card) return;
  await run(CARDSIM, ["remove", "--pid-file", card.pidFile]).catch(() =>
    card.child.kill(),
  );
}

/** The reference back office on 127.0.0.1:`port` over the SQLite file `db`. */
export class BackOffice {
  constructor(dir, port) {
    this.dir = dir;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.process = null;
  }

  /** Starts it over `db` (a file name in its folder); resolves once it listens. */
  async start(db = "office.sqlite") {
    assert.ok(
      existsSync(BACKOFFICE),
      `${BACKOFFICE} missing: cargo build -p backoffice`,
    );
    this.db = join(this.dir, db);
    this.process = spawn(
      BACKOFFICE,
      [
        "--db",
        this.db,
        "serve",
        "--listen",
        `127.0.0.1:${this.port}`,
        "--keys",
        join(this.dir, "keys"),
      ],
      { stdio: "ignore" },
    );
    await waitFor(
      "the back office listening",
      () =>
        new Promise((done) => {
          const probe = createConnection(
            { host: "127.0.0.1", port: this.port },
            () => {
              probe.end();
              done(true);
            },
          );
          probe.on("error", () => done(false));
        }),
      20_000,
    );
  }

  /** A one-time registration token for a kiosk. */
  async token() {
    const { stdout } = await run(BACKOFFICE, [
      "--db",
      this.db,
      "create-kiosk-token",
    ]);
    return stdout.trim();
  }

  async stop() {
    const p = this.process;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((done) => p.once("exit", done));
    p.kill();
    await exited;
  }
}

const js = {
  text: "const el = document.querySelector(arguments[0]); return el ? el.textContent.trim() : null;",
  value:
    "const el = document.querySelector(arguments[0]); return el ? el.value : null;",
  attr: "const el = document.querySelector(arguments[0]); return el ? el.getAttribute(arguments[1]) : null;",
  visible:
    "const el = document.querySelector(arguments[0]); return !!el && el.getClientRects().length > 0;",
};

/** Element helpers by data-testid. */
export function ui(session) {
  return {
    text: (id) => session.execute(js.text, testid(id)),
    value: (id) => session.execute(js.value, testid(id)),
    attr: (id, name) => session.execute(js.attr, testid(id), name),
    visible: (id) => session.execute(js.visible, testid(id)),
    click: (id) => session.click(testid(id)),
    async keys(block, chars) {
      for (const c of chars) await session.click(testid(`${block}-key-${c}`));
    },
    waitVisible: (id, ms = 10_000) =>
      waitFor(
        `${id} visible`,
        () => session.execute(js.visible, testid(id)),
        ms,
      ),
    /** Input the idle watch counts (a pointer press on the page, on nothing in particular). */
    nudge: () =>
      session.execute(
        "document.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));",
      ),
    /** Whether the page's HTML or any input's value holds `secret`. */
    holds: (secret) =>
      session.execute(
        "return document.documentElement.outerHTML.includes(arguments[0]) ||" +
          " [...document.querySelectorAll('input')].some((i) => i.value.includes(arguments[0]));",
        secret,
      ),
  };
}

export async function saveScreenshot(session, name) {
  const png = await session.screenshot();
  await mkdir(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}-${SIZE}.png`);
  await writeFile(path, png);
  return path;
}

/** Runs a step; on failure keeps a screenshot of what the app showed. */
export async function step(session, name, body) {
  try {
    await body();
  } catch (err) {
    await saveScreenshot(session, `failed-${name}`).catch(() => {});
    throw err;
  }
}

/** What the card screen says while the reader waits and once a card is on it. */
export const CARD_WAITING = "Đầu đọc sẵn sàng — hãy đặt thẻ lên đầu đọc.";
export const CARD_PRESENT = "Đã thấy thẻ trên đầu đọc.";

/** Counter sign-in with the on-screen keypad. */
export async function signIn(u, operator, pin) {
  await u.click("signin-operator");
  await u.keys("text", [...operator]);
  await u.click("signin-pin");
  // The digit keypad replaces the letters once the PIN field has focus.
  await u.waitVisible(`digits-key-${pin[0]}`);
  await u.keys("digits", pin);
  await u.click("signin-submit");
  await u.waitVisible("screen-consent", 15_000);
}

/** Consent and the typed ID, to the card screen. */
export async function toCardScreen(u, id) {
  await u.click("consent-agree");
  await u.waitVisible("screen-id-entry");
  await u.keys("digits", id);
  await u.click("id-continue");
  await u.waitVisible("screen-card");
}

/** Types the dates and starts the read (the card must be on the reader). */
export async function readCard(u, birth, expiry) {
  await waitFor(
    "the card on the reader",
    async () => (await u.text("card-reader-state")) === CARD_PRESENT,
    15_000,
  );
  await typeDigits(u, "card-dob", birth);
  await typeDigits(u, "card-expiry", expiry);
  await u.click("card-read");
}

/**
 * Types `digits` into the field with the on-screen keypad and checks what arrived; a press
 * lost while the screen was busy (live camera) is typed again.
 */
export async function typeDigits(u, field, digits) {
  for (let attempt = 1; ; attempt++) {
    await u.click(field);
    await u.click("digits-key-clear");
    await u.keys("digits", digits);
    const value = await u.value(field);
    if (value === digits) return;
    assert.ok(
      attempt < 3,
      `${field} holds ${value} after typing ${digits} ${attempt} times`,
    );
  }
}

/**
 * Waits for the machine's own work (a chip read, a capture, sealing) while the person waits
 * in front of it: their presence counts as input, so the idle watch does not wipe meanwhile.
 */
export const machineWait = (u, what, probe, ms = 30_000) =>
  waitFor(
    what,
    async () => {
      await u.nudge();
      return probe();
    },
    ms,
    250,
  );

export const verdict = (u, ms = 30_000) =>
  machineWait(
    u,
    "the verdict",
    async () => (await u.attr("card-verdict", "data-verdict")) || null,
    ms,
  );

/** From a continued card verdict to the form (through the portrait step where there is one). */
export async function toForm(u) {
  await u.click("card-continue");
  const where = await waitFor(
    "the form or the portrait step",
    async () =>
      ((await u.visible("screen-form")) && "form") ||
      ((await u.visible("screen-portrait")) && "portrait"),
    15_000,
  );
  if (where === "portrait") {
    // The citizen poses in front of the camera while the capture runs.
    await machineWait(
      u,
      "the portrait captured",
      () => u.visible("portrait-continue"),
      120_000,
    );
    await u.click("portrait-continue");
  }
  await u.waitVisible("form-group-thon-dong", 15_000);
}

/** Fills the form with `phone` and the group "Thôn Đông", to the review. */
export async function fillForm(u, phone) {
  await u.click("form-phone");
  await u.keys("digits", phone);
  await u.click("form-group-thon-dong");
  await u.click("form-continue");
  await u.waitVisible("screen-review", 15_000);
}

/** The residential groups file every suite uses. */
export const GROUPS =
  "# Phường thử nghiệm\nto-1 Tổ dân phố 1\nthon-dong Thôn Đông\n";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function pngChunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  let crc = 0xffffffff;
  for (const byte of body) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0, body.length + 4);
  return out;
}

/**
 * What the camera sees with nobody in front of it: an empty room (a lit wall with a door, the
 * floor), as a PNG the replay plays. Made here, so no photo of a person is involved.
 */
export function emptyRoomPng(width = 960, height = 540) {
  const stride = 1 + width * 3;
  const raw = Buffer.alloc(stride * height);
  const floorAt = Math.round(height * 0.74);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const door =
        y < floorAt &&
        y >= height * 0.17 &&
        x >= width * 0.65 &&
        x < width * 0.81;
      const shade =
        y >= floorAt
          ? 122 - (y - floorAt) * 0.25
          : door
            ? 165 - (x - width * 0.65) * 0.05
            : 228 - (y / height) * 35 - Math.abs(x - width / 2) * 0.02;
      const i = y * stride + 1 + x * 3;
      raw[i] = Math.round(shade + 6);
      raw[i + 1] = Math.round(shade);
      raw[i + 2] = Math.round(shade - 12);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(raw)),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

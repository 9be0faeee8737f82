// The enrollment flow's figures in the real app (issue 7): app cold start to the first screen,
// machine time per enrollment along the happy path split by step, and the memory (RSS) of the
// app and its WebKit processes across N enrollments in a row at the counter (one operator
// sign-in, the software card through pcscd, the replayed camera, the reference back office).
// Run by bench/enrollment-flow.sh, which starts the display and tauri-driver; writes
// bench/results/enrollment-flow.json and .md.
//
// Machine time is measured from the click that hands work to the kiosk to the moment the next
// screen (or result) shows; the person's typing and posing are excluded (the keypad presses
// are the bench's own and are not counted). The app's own log adds the chip read and the
// seal-and-queue times it measures itself (no personal data is in that log).

import { readdir, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { mkdtemp } from "node:fs/promises";
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import {
  APP,
  BackOffice,
  CHIP_PORTRAIT,
  GROUPS,
  ROOT,
  addOperator,
  insertCard,
  kioskCli,
  launch,
  machineWait,
  pcscd,
  queueCounts,
  removeCard,
  saveScreenshot,
  signIn,
  typeDigits,
  ui,
} from "../tests/ui-webdriver/realstack.mjs";

const COUNT = Number(process.env.ENROLLMENTS ?? 50);
const COLD_STARTS = Number(process.env.COLD_STARTS ?? 3);
const MEMORY_AT = new Set([1, 10, 25, COUNT]);
/** A portrait capture of the replayed (good) frame that takes longer than this has stalled. */
const PORTRAIT_STALL_MS = 20_000;
const MAX_STALLS = 10;
const ID = "001090012345";
const PIN = "246813";

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

/**
 * Milliseconds from `work` (the click) until `done` holds, polled every 20 ms (each poll is one
 * WebDriver round trip, a few ms); the person's presence is signalled once a second so the idle
 * watch does not wipe during long machine work.
 */
async function timed(u, what, work, done, ms = 60_000) {
  const t0 = performance.now();
  await work();
  let nudged = t0;
  for (;;) {
    if (await done()) return performance.now() - t0;
    const now = performance.now();
    if (now - t0 > ms)
      throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    if (now - nudged > 1000) {
      await u.nudge();
      nudged = now;
    }
    await sleep(20);
  }
}

/** The processes of this app: its own and the WebKit processes it started. */
function processes() {
  const all = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  const info = new Map();
  for (const pid of all) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      let exe = "";
      try {
        exe = readlinkSync(`/proc/${pid}/exe`);
      } catch {
        exe = "";
      }
      info.set(Number(pid), { ppid, comm, exe });
    } catch {
      // The process ended while we looked.
    }
  }
  // A rebuild while the app runs leaves its link as "… (deleted)".
  const app = [...info]
    .filter(([, p]) => p.exe === APP || p.exe === `${APP} (deleted)`)
    .map(([pid]) => pid);
  const under = (pid, root) => {
    for (let p = pid, hops = 0; p > 1 && hops < 10; hops++) {
      if (p === root) return true;
      p = info.get(p)?.ppid ?? 0;
    }
    return false;
  };
  const result = [];
  for (const root of app) {
    result.push({ pid: root, role: "app" });
    for (const [pid, p] of info) {
      if (pid !== root && under(pid, root) && p.comm.startsWith("WebKit")) {
        result.push({ pid, role: p.comm });
      }
    }
  }
  return result;
}

function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
}

function memory() {
  const byRole = {};
  for (const { pid, role } of processes()) {
    byRole[role] = (byRole[role] ?? 0) + rssKiB(pid);
  }
  return byRole;
}

/** The app's own timings from its log: chip reads and seal-and-queue, in order. */
async function appTimings(data) {
  const dir = join(data, "logs");
  const files = (await readdir(dir)).sort();
  const lines = (
    await Promise.all(files.map((f) => readFile(join(dir, f), "utf8")))
  )
    .join("\n")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l));
  const millis = (message) =>
    lines
      .filter(
        (l) =>
          typeof l.fields?.message === "string" &&
          l.fields.message.startsWith(message) &&
          typeof l.fields.millis === "number",
      )
      .map((l) => l.fields.millis);
  return {
    cardRead: millis("card read"),
    sealQueue: millis("enrollment sealed and queued"),
  };
}

async function coldStarts() {
  const ms = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    const app = await launch({ mode: "counter" });
    const u = ui(app.session);
    await u.waitVisible("screen-signin", 60_000);
    ms.push(Date.now() - app.startedMs);
    await app.session.end();
    await rm(app.dir, { recursive: true, force: true });
  }
  return ms;
}

async function enrollments() {
  const officeDir = await mkdtemp(join(tmpdir(), "bench-office-"));
  const office = new BackOffice(
    officeDir,
    20000 + Math.floor(Math.random() * 10000),
  );
  await office.start();
  const token = await office.token();
  const app = await launch({
    mode: "counter",
    backoffice: office.url,
    idleTimeoutSecs: 600,
    idleWarningSecs: 30,
    prepare: async (config, data) => {
      await addOperator(config, PIN);
      await kioskCli(config, ["register", "--token", token]);
      await writeFile(join(data, "residential-groups.txt"), GROUPS, "utf8");
    },
  });
  const u = ui(app.session);
  const card = insertCard(app.dir, "nguyen-van-a", [
    "--portrait",
    CHIP_PORTRAIT,
  ]);
  const steps = [];
  const mem = [];
  const stalls = [];
  let failedAt = 0;
  try {
    await u.waitVisible("screen-signin", 60_000);
    mem.push({ after: 0, rssKiB: memory() });
    await signIn(u, "cb01", PIN);
    for (let n = 1; n <= COUNT; n++) {
      const s = {};
      failedAt = n;
      s.consent = await timed(
        u,
        "the ID screen",
        () => u.click("consent-agree"),
        () => u.visible("screen-id-entry"),
      );
      await u.keys("digits", ID);
      s.idCheck = await timed(
        u,
        "the card screen",
        () => u.click("id-continue"),
        () => u.visible("screen-card"),
      );
      await machineWait(
        u,
        "the card on the reader",
        async () =>
          (await u.attr("card-reader-state", "data-state")) === "present",
      );
      await typeDigits(u, "card-dob", "01011990");
      await typeDigits(u, "card-expiry", "01012030");
      s.chipRead = await timed(
        u,
        "the verdict",
        () => u.click("card-read"),
        async () =>
          (await u.attr("card-verdict", "data-verdict")) === "genuine",
      );
      const toNext = await timed(
        u,
        "the next step",
        () => u.click("card-continue"),
        async () =>
          (await u.visible("screen-form")) ||
          (await u.visible("screen-portrait")),
      );
      if (await u.visible("screen-portrait")) {
        s.portraitOpen = toNext;
        const captured = await timed(
          u,
          "the portrait captured",
          async () => {},
          () => u.visible("portrait-continue"),
          PORTRAIT_STALL_MS,
        ).catch(() => null);
        if (captured === null) {
          // A capture that never completes is counted, and this citizen starts over.
          stalls.push({ enrollment: n, at: new Date().toISOString() });
          await saveScreenshot(
            app.session,
            `bench-portrait-stall-${stalls.length}`,
          );
          assert.ok(
            stalls.length <= MAX_STALLS,
            `${stalls.length} portrait stalls`,
          );
          await u.click("cancel");
          await u.waitVisible("screen-consent", 15_000);
          n -= 1;
          continue;
        }
        s.portraitCapture = captured;
        s.toForm = await timed(
          u,
          "the form",
          () => u.click("portrait-continue"),
          () => u.visible("form-group-thon-dong"),
        );
      } else {
        s.toForm = toNext;
      }
      await typeDigits(u, "form-phone", "0912345678");
      await u.click("form-group-thon-dong");
      s.formCheck = await timed(
        u,
        "the review",
        () => u.click("form-continue"),
        () => u.visible("screen-review"),
      );
      s.sealQueue = await timed(
        u,
        "the done screen",
        () => u.click("review-confirm"),
        () => u.visible("screen-done"),
      );
      s.wipe = await timed(
        u,
        "the next citizen's consent",
        () => u.click("done-finish"),
        () => u.visible("screen-consent"),
      );
      steps.push(s);
      if (MEMORY_AT.has(n)) mem.push({ after: n, rssKiB: memory() });
      process.stderr.write(`enrollment ${n}/${COUNT}\n`);
    }
    await machineWait(
      u,
      "every package acknowledged",
      async () => {
        // Acknowledged, or already further on (the reference back office's simulated review).
        const counts = await queueCounts(app.config);
        const waiting =
          (counts.queued ?? 0) +
          (counts.uploading ?? 0) +
          (counts.uploaded ?? 0);
        const all = Object.values(counts).reduce((a, b) => a + b, 0);
        return waiting === 0 && all === COUNT;
      },
      120_000,
    );
    // The log is written by a background thread: wait until every enrollment's lines are in.
    const logged = await machineWait(
      u,
      "the app's timings in its log",
      async () => {
        const t = await appTimings(app.data);
        return t.cardRead.length >= COUNT && t.sealQueue.length === COUNT
          ? t
          : null;
      },
      20_000,
    ).catch(async (err) => {
      const t = await appTimings(app.data);
      throw new Error(
        `${err.message}: ${t.cardRead.length} reads, ${t.sealQueue.length} seals`,
      );
    });
    return { steps, mem, logged, stalls, queue: await queueCounts(app.config) };
  } catch (err) {
    const shot = await saveScreenshot(
      app.session,
      "bench-enrollment-flow-failed",
    ).catch(() => "");
    throw new Error(`enrollment ${failedAt}: ${err.message} (screen: ${shot})`);
  } finally {
    await removeCard(card);
    await app.session.end();
    await office.stop();
    await rm(app.dir, { recursive: true, force: true });
    await rm(officeDir, { recursive: true, force: true });
  }
}

function summarise(values) {
  if (values.length === 0) throw new Error("no values to summarise");
  return {
    median_ms: Number(median(values).toFixed(1)),
    p90_ms: Number(pct(values, 90).toFixed(1)),
    max_ms: Number(Math.max(...values).toFixed(1)),
  };
}

const STEP_NAMES = {
  consent: "consent → ID screen",
  idCheck: "ID check → card screen",
  chipRead: "chip read + PA + CA through pcscd → verdict shown",
  portraitOpen: "card → portrait screen (camera opens)",
  portraitCapture:
    "portrait capture (replayed camera, quality held) → captured",
  toForm: "→ form shown",
  formCheck: "form check → review",
  sealQueue: "seal, sign, queue → done",
  wipe: "wipe → next citizen's consent",
};

await pcscd("start");
try {
  const cold = await coldStarts();
  const run = await enrollments();
  const names = Object.keys(STEP_NAMES).filter((k) =>
    run.steps.some((s) => k in s),
  );
  const perStep = Object.fromEntries(
    names.map((k) => [
      k,
      summarise(run.steps.filter((s) => k in s).map((s) => s[k])),
    ]),
  );
  const totals = run.steps.map((s) =>
    Object.values(s).reduce((a, b) => a + b, 0),
  );
  const build = APP.includes("/release/") ? "release" : "debug";
  const result = {
    benchmark: "enrollment-flow",
    build,
    enrollments: COUNT,
    machine:
      "shared 2-core build machine, Xvfb + matchbox, WebKitGTK through tauri-driver",
    cold_start_to_first_screen_ms: { runs: cold, median: median(cold) },
    machine_time_per_enrollment_ms: summarise(totals),
    per_step: Object.fromEntries(
      names.map((k) => [k, { what: STEP_NAMES[k], ...perStep[k] }]),
    ),
    app_logged_ms: {
      card_read: summarise(run.logged.cardRead),
      seal_and_queue: summarise(run.logged.sealQueue),
    },
    portrait_capture_stalls: run.stalls,
    rss_kib: run.mem,
    queue_after: run.queue,
  };
  await mkdir(join(ROOT, "bench/results"), { recursive: true });
  await writeFile(
    join(ROOT, "bench/results/enrollment-flow.json"),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  const roles = [...new Set(run.mem.flatMap((m) => Object.keys(m.rssKiB)))];
  const md = [
    "# The enrollment flow in the real app",
    "",
    `${COUNT} enrollments in a row at the counter (one sign-in), ${build} build, ${result.machine}; the software card through pcscd + vpcd, the replayed camera, the reference back office on loopback (all ${COUNT} acknowledged). Machine time: from the click that hands work to the kiosk to the next screen or result, polled every 20 ms through WebDriver; the person's typing and posing excluded.`,
    "",
    `Cold start to the first screen (sign-in): median ${median(cold)} ms (runs: ${cold.join(", ")} ms; from the WebDriver session request, which starts the app).`,
    "",
    "| step | median | p90 | max |",
    "|---|---|---|---|",
    ...names.map(
      (k) =>
        `| ${STEP_NAMES[k]} | ${perStep[k].median_ms} ms | ${perStep[k].p90_ms} ms | ${perStep[k].max_ms} ms |`,
    ),
    `| **whole enrollment (machine time)** | ${result.machine_time_per_enrollment_ms.median_ms} ms | ${result.machine_time_per_enrollment_ms.p90_ms} ms | ${result.machine_time_per_enrollment_ms.max_ms} ms |`,
    "",
    `Portrait captures that stalled (no capture within ${PORTRAIT_STALL_MS / 1000} s of a good replayed frame; that citizen was cancelled and started over): ${run.stalls.length}${run.stalls.length ? ` (at enrollments ${run.stalls.map((x) => x.enrollment).join(", ")})` : ""}.`,
    "",
    `The app's own log: chip read ${result.app_logged_ms.card_read.median_ms} ms median, seal and queue ${result.app_logged_ms.seal_and_queue.median_ms} ms median.`,
    "",
    "## Memory (RSS, MiB)",
    "",
    `| after enrollments | ${roles.join(" | ")} |`,
    `|---|${roles.map(() => "---").join("|")}|`,
    ...run.mem.map(
      (m) =>
        `| ${m.after} | ${roles.map((r) => (m.rssKiB[r] === undefined ? "—" : (m.rssKiB[r] / 1024).toFixed(1))).join(" | ")} |`,
    ),
    "",
  ].join("\n");
  await writeFile(join(ROOT, "bench/results/enrollment-flow.md"), md);
  process.stdout.write(md);
} finally {
  await pcscd("stop").catch(() => {});
}

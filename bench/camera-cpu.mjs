// Processor time of the kiosk while its camera runs, in the real app (debug build, as the
// real-app tests run it) with a replayed camera at 15 frames/s that never satisfies the checks
// (a face too far away), so the camera keeps running: the card step (QR reading + preview) and
// the portrait step (portrait checks + preview), 10 s each, against the same app idle on the
// consent screen. Counts the app process and WebKit's web process (which decodes and paints
// the preview). Run inside the real-stack lock with tauri-driver up, like the real-app tests:
//   flock /tmp/vneid-realstack.lock bench/camera-cpu.sh
// Writes bench/results/camera-cpu.json and .md.

import { readFileSync, readdirSync, writeFileSync, mkdirSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import {
  ROOT,
  addOperator,
  insertCard,
  launch,
  pcscd,
  removeCard,
  signIn,
  ui,
  verdict,
} from "../tests/ui-webdriver/realstack.mjs";
import { waitFor } from "../tests/ui-webdriver/webdriver.mjs";

const TICK = 100; // USER_HZ on Linux
const SECONDS = 10;

function jiffies(name) {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (!comm.startsWith(name)) continue;
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

async function measure(u) {
  const before = { app: jiffies("vneid-kiosk"), web: jiffies("WebKitWebProces") };
  const t0 = Date.now();
  const deadline = t0 + SECONDS * 1000;
  while (Date.now() < deadline) {
    await u.nudge();
    await new Promise((r) => setTimeout(r, 500));
  }
  const secs = (Date.now() - t0) / 1000;
  const pct = (d) => Math.round((1000 * d) / TICK / secs) / 10;
  return {
    app: pct(jiffies("vneid-kiosk") - before.app),
    web: pct(jiffies("WebKitWebProces") - before.web),
  };
}

const camera = join(tmpdir(), `camera-cpu-${process.pid}`);
mkdirSync(camera, { recursive: true });
copyFileSync(join(ROOT, "assets/frames/portrait/1-move-closer-960x540.jpg"), join(camera, "0.jpg"));
await pcscd("start");
const { session, dir } = await launch({
  mode: "counter",
  camera,
  idleTimeoutSecs: 300,
  idleWarningSecs: 20,
  async prepare(config) {
    writeFileSync(config, "camera_fps = 15\n", { flag: "a" });
    await addOperator(config, "246813");
  },
});
const u = ui(session);
const results = {};
let card;
try {
  await u.waitVisible("screen-signin", 30_000);
  await signIn(u, "cb01", "246813");
  results.idle = await measure(u);
  await u.click("consent-agree");
  await u.waitVisible("screen-id-entry");
  for (const c of "001090012345") await u.click(`digits-key-${c}`);
  await u.click("id-continue");
  await u.waitVisible("screen-card");
  await waitFor("preview frames", async () => Number(await u.attr("camera", "data-frames")) > 5, 20_000);
  const frames0 = Number(await u.attr("camera", "data-frames"));
  results.card = await measure(u);
  results.card.previewFps =
    Math.round(((Number(await u.attr("camera", "data-frames")) - frames0) / SECONDS) * 10) / 10;
  // Typed keys this time: the replayed frames hold no QR code.
  card = insertCard(dir, "nguyen-van-a");
  await u.click("card-dob");
  for (const c of "01011990") await u.click(`digits-key-${c}`);
  await u.click("card-expiry");
  for (const c of "01012030") await u.click(`digits-key-${c}`);
  await u.waitVisible("card-read");
  await u.click("card-read");
  if ((await verdict(u)) !== "genuine") throw new Error("the card did not read as genuine");
  await u.click("card-continue");
  await u.waitVisible("screen-portrait", 15_000);
  await waitFor("guidance", async () => (await u.attr("portrait-guidance", "data-code")) !== null, 20_000);
  const frames1 = Number(await u.attr("camera", "data-frames"));
  results.portrait = await measure(u);
  results.portrait.previewFps =
    Math.round(((Number(await u.attr("camera", "data-frames")) - frames1) / SECONDS) * 10) / 10;
  results.portrait.guidance = await u.attr("portrait-guidance", "data-code");
} catch (err) {
  writeFileSync("/tmp/camera-cpu-failed.png", await session.screenshot());
  throw err;
} finally {
  await removeCard(card);
  await session.end();
  await pcscd("stop").catch(() => {});
}
const out = join(ROOT, "bench/results");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "camera-cpu.json"), `${JSON.stringify(results, null, 2)}\n`);
const row = (name, r) =>
  `| ${name} | ${r.app} % | ${r.web} % | ${r.previewFps ?? "–"} |`;
writeFileSync(
  join(out, "camera-cpu.md"),
  [
    "# Camera processor time in the real app",
    "",
    "`bench/camera-cpu.sh`: debug build (camera crates optimised, see Cargo.toml), Xvfb 1280x800,",
    `a replayed 960x540 camera at 15 frames/s that never passes the checks; ${SECONDS} s per row;`,
    "percent of one core (shared, loaded 2-core machine: expect noise of a few points).",
    "",
    "| kiosk state | app process | WebKit web process | preview frames/s shown |",
    "|---|---|---|---|",
    row("signed in, consent screen, camera off", results.idle),
    row("card step: QR reading + preview", results.card),
    row("portrait step: face checks + preview", results.portrait),
    "",
  ].join("\n"),
);
console.log(JSON.stringify(results));

// Crash restart in the middle of an enrollment, with the real stack: `vneid-kiosk supervise`
// runs the app, the software card sits behind pcscd + vpcd, two citizens are enrolled
// through the app (their packages queued), a third is driven to the review screen (chip read,
// portrait, form typed) and the app process is killed with SIGKILL. Proves: the supervisor
// starts it again, it shows its start screen with nothing of the interrupted citizen, the queue
// holds exactly the two earlier packages, the audit chain verifies and records the restart (the
// health line of the header and of `doctor` both tell of it), and no file the app wrote (data
// directory, WebKit's storage) holds a citizen's data in clear.
//
// Without `--kiosk` (tests/app_restart.rs restarts a `supervise --kiosk` at its start screen):
// right after the full-screen switch, the first clicks now and then missed the sign-in fields.
//
// Not a `*.test.mjs`: the app is not started by tauri-driver (which would start the supervisor
// once and lose the window at the kill) but by the test, with WebKit's inspector on a fixed
// address; WebKitWebDriver `--target` attaches to whichever kiosk process listens there, so
// the restarted one is driven too. scripts/test.sh runs it in its crash-restart step, under
// Xvfb; by hand: `flock /tmp/vneid-realstack.lock node --test tests/ui-webdriver/crash-restart.e2e.mjs`
// with DISPLAY and VNEID_KIOSK_APP set (cardsim built).

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  APP,
  BackOffice,
  CHIP_PORTRAIT,
  GROUPS,
  addOperator,
  fillForm,
  insertCard,
  kioskCli,
  machineWait,
  pcscd,
  queueCounts,
  readCard,
  removeCard,
  saveScreenshot,
  signIn,
  step,
  toCardScreen,
  toForm,
  ui,
  verdict,
  writeConfig,
} from "./realstack.mjs";
import { Session, waitFor } from "./webdriver.mjs";

const PIN = "246810";
const EARLIER = [
  {
    identity: "nguyen-van-a",
    id: "001090012345",
    name: "Nguyễn Văn A",
    birth: "01011990",
    expiry: "01012030",
    phone: "0912345678",
  },
  {
    identity: "nguyen-van-a",
    id: "001090012345",
    name: "Nguyễn Văn A",
    birth: "01011990",
    expiry: "01012030",
    phone: "0987654321",
  },
];
const INTERRUPTED = {
  identity: "tran-thi-bich-ngoc",
  id: "079303001234",
  name: "Trần Thị Bích Ngọc",
  birth: "15082003",
  expiry: "15082028",
  phone: "0903111222",
};
// Each citizen's data as the chip, the MRZ or the form carry it.
const SECRETS = [
  ...new Set(
    [...EARLIER, INTERRUPTED].flatMap((c) => [
      c.id,
      c.name,
      c.name.normalize("NFD"),
      c.phone,
    ]),
  ),
  "NGUYEN<<VAN<A",
  "TRAN<<THI<BICH<NGOC",
];

const port = () => 40000 + Math.floor(Math.random() * 20000);

/** Every regular file under `dir`, recursively. */
async function filesUnder(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

/** A WebDriver session on the kiosk process listening on the inspector address now. */
async function attach(driver) {
  return waitFor(
    "a WebDriver session on the kiosk",
    async () => {
      const res = await fetch(`${driver}/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ capabilities: { alwaysMatch: {} } }),
      });
      const json = await res.json();
      return res.ok ? new Session(driver, json.value.sessionId) : null;
    },
    60_000,
    500,
  );
}

/** SIGKILL to a kiosk this test started, if it still runs. */
function stop(pid) {
  try {
    if (pid) process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

const lockPid = async (data) =>
  Number((await readFile(join(data, "kiosk.lock"), "utf8")).trim()) || null;

/** One whole enrollment at the counter, from the consent screen; resolves to its number. */
async function enroll(u, dir, citizen) {
  await toCardScreen(u, citizen.id);
  const card = insertCard(dir, citizen.identity, ["--portrait", CHIP_PORTRAIT]);
  try {
    await readCard(u, citizen.birth, citizen.expiry);
    assert.equal(await verdict(u), "genuine");
    await toForm(u);
    await fillForm(u, citizen.phone);
    await u.click("review-confirm");
    await machineWait(u, "the done screen", () => u.visible("screen-done"));
    const number = await u.text("done-number");
    await u.click("done-finish");
    await u.waitVisible("screen-consent", 15_000);
    return number;
  } finally {
    await removeCard(card);
  }
}

test("a kiosk killed mid-enrollment comes back to its start screen with its queue intact and the restart audited", async () => {
  assert.ok(process.env.DISPLAY, "needs an X display (Xvfb)");
  // Registered with a back office that then goes away: packages are sealed and stay queued.
  const office = new BackOffice(
    await mkdtemp(join(tmpdir(), "office-")),
    port(),
  );
  await office.start();
  const { dir, config, data } = await writeConfig({
    mode: "counter",
    backoffice: office.url,
    idleTimeoutSecs: 300,
    idleWarningSecs: 20,
  });
  await addOperator(config, PIN);
  assert.match(
    await kioskCli(config, ["register", "--token", await office.token()]),
    /^OK registered/,
  );
  await office.stop();
  await writeFile(join(data, "residential-groups.txt"), GROUPS, "utf8");
  const xdg = join(dir, "xdg");
  const inspector = `127.0.0.1:${port()}`;
  const driverPort = port();
  const driverUrl = `http://127.0.0.1:${driverPort}`;
  await pcscd("start");
  const driver = spawn(
    "WebKitWebDriver",
    [
      `--port=${driverPort}`,
      `--target=${inspector}`,
      "--replace-on-new-session",
    ],
    { stdio: "ignore" },
  );
  const supervisor = spawn(APP, ["--config", config, "supervise"], {
    env: {
      ...process.env,
      TAURI_WEBVIEW_AUTOMATION: "true",
      WEBKIT_INSPECTOR_SERVER: inspector,
      // WebKit's own storage (local storage, caches) lands here, to be searched below.
      XDG_DATA_HOME: join(xdg, "data"),
      XDG_CACHE_HOME: join(xdg, "cache"),
      XDG_CONFIG_HOME: join(xdg, "config"),
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let said = "";
  supervisor.stderr.on("data", (chunk) => (said += chunk));
  const started = Date.now();
  let killed = null;
  try {
    let session = await attach(driverUrl);
    let u = ui(session);
    await u.waitVisible("screen-signin", 60_000);
    const numbers = [];
    await step(session, "crash-earlier-enrollments", async () => {
      await signIn(u, "cb01", PIN);
      for (const citizen of EARLIER)
        numbers.push(await enroll(u, dir, citizen));
    });
    assert.equal(new Set(numbers).size, 2, `two packages: ${numbers}`);

    const card = insertCard(dir, INTERRUPTED.identity, [
      "--portrait",
      CHIP_PORTRAIT,
    ]);
    try {
      await step(session, "crash-mid-enrollment", async () => {
        await toCardScreen(u, INTERRUPTED.id);
        await readCard(u, INTERRUPTED.birth, INTERRUPTED.expiry);
        assert.equal(await verdict(u), "genuine");
        await toForm(u);
        await fillForm(u, INTERRUPTED.phone);
        assert.equal(await u.holds(INTERRUPTED.name), true, "on the review");
        await saveScreenshot(session, "crash-before-kill");
      });
      killed = await lockPid(data);
      assert.ok(killed, "the kiosk's pid in its run lock");
      process.kill(killed, "SIGKILL");
    } finally {
      await removeCard(card);
    }

    await waitFor(
      "a new kiosk process holding the run lock",
      async () => {
        const pid = await lockPid(data).catch(() => null);
        return pid !== null && pid !== killed;
      },
      60_000,
      250,
    );
    session = await attach(driverUrl);
    u = ui(session);
    await step(session, "crash-restarted", async () => {
      await u.waitVisible("screen-signin", 60_000);
      assert.equal(await u.visible("header"), true);
      for (const secret of [
        INTERRUPTED.id,
        INTERRUPTED.name,
        INTERRUPTED.phone,
      ]) {
        assert.equal(await u.holds(secret), false, `${secret} on screen`);
      }
      // The header's health line tells the technician about the restart, as `doctor` does.
      await waitFor(
        "the health line's notice",
        async () =>
          (await u.attr("health-line", "data-state")) ===
          "recovered_from_crash",
        10_000,
      );
      assert.equal(await u.attr("health-line", "data-level"), "notice");
      await saveScreenshot(session, "crash-restarted");
    });
    await session.end().catch(() => {});
    console.log(
      `crash restart: ${Math.round((Date.now() - started) / 1000)} s with three enrollments`,
    );

    // Stop the supervisor before the kiosk, or it would start the kiosk again.
    supervisor.kill("SIGKILL");
    stop(await lockPid(data).catch(() => null));
    assert.match(said, /starting it again/, said);

    const doctor = await new Promise((done) =>
      execFile(APP, ["--config", config, "doctor", "--lang", "en"], (_, out) =>
        done(out),
      ),
    );
    assert.match(
      doctor,
      /^HEALTH NOTICE: The kiosk restarted itself after a crash at /,
    );

    const counts = Object.entries(await queueCounts(config)).filter(
      ([, n]) => n > 0,
    );
    assert.deepEqual(
      counts,
      [["queued", 2]],
      "exactly the two earlier packages",
    );
    assert.match(
      await kioskCli(config, ["audit", "verify"]),
      /^OK .*audit log intact/,
    );
    const audit = (await kioskCli(config, ["audit", "list", "--limit", "500"]))
      .trim()
      .split("\n")
      .map((line) => line.split("\t"));
    const queued = audit
      .filter(([, , , action]) => action === "enrollment.queued")
      .map(([, , , , subject]) => subject);
    assert.deepEqual(queued, numbers, "one queued entry per receipt, in order");
    const restarts = audit.filter(
      ([, , , action]) => action === "app.unclean-stop-recovered",
    );
    assert.deepEqual(
      restarts.map(([, , actor, , subject]) => [actor, subject]),
      [["system", `pid:${killed}`]],
    );

    const files = [...(await filesUnder(data)), ...(await filesUnder(xdg))];
    assert.ok(
      files.some((f) => f.endsWith("queue.sqlite")),
      "the queue is searched",
    );
    for (const file of files) {
      const bytes = await readFile(file);
      for (const secret of SECRETS) {
        assert.equal(
          bytes.includes(Buffer.from(secret, "utf8")),
          false,
          `${secret} in clear in ${file}`,
        );
      }
    }
  } finally {
    if (supervisor.exitCode === null) supervisor.kill("SIGKILL");
    const pid = await lockPid(data).catch(() => null);
    if (pid !== killed) stop(pid);
    driver.kill();
    await pcscd("stop").catch(() => {});
    await rm(dir, { recursive: true, force: true });
    await rm(office.dir, { recursive: true, force: true });
  }
});

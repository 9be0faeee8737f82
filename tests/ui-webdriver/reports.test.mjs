// The real kiosk app (Tauri + WebKitGTK) under Xvfb: a supervisor made by the CLI signs in at
// the counter, opens "Báo cáo và theo dõi", sees seed 003's 20 residential groups against their
// targets, exports the report to XLSX (the file lands in exports/ under the data directory and
// the audit log records the export), and a screenshot is kept. The print button is not pressed:
// it opens GTK's print dialog, which nothing here can click; the mocked UI tests
// (ui/tests/reports.test.mjs) prove the button reaches the `print_view` command.
//
// Run by scripts/test.sh like kiosk.test.mjs (VNEID_KIOSK_APP, SCREEN_SIZE, SCREENSHOT_DIR,
// TAURI_DRIVER_URL), inside `flock /tmp/vneid-realstack.lock` when run by hand.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  rm,
  stat,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Session, testid, waitFor } from "./webdriver.mjs";

const APP = process.env.VNEID_KIOSK_APP;
const DRIVER = process.env.TAURI_DRIVER_URL ?? "http://127.0.0.1:4444";
const SIZE = process.env.SCREEN_SIZE ?? "1280x800";
const SHOTS = resolve(process.env.SCREENSHOT_DIR ?? "screenshots");
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const GROUPS = join(ROOT, "crates/reports/tests/fixtures/song_lieu.toml");
const PIN = "246813";

/** Runs the kiosk's support CLI with `args`, feeding `stdin`; resolves to its stdout. */
function cli(config, args, stdin = "") {
  return new Promise((done, reject) => {
    const child = execFile(
      APP,
      ["--config", config, ...args],
      (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : done(stdout),
    );
    child.stdin.end(stdin);
  });
}

describe(`the counter's reports as a supervisor, real app at ${SIZE}`, () => {
  let session;
  let dir;
  let config;

  const text = (id) =>
    session.execute(
      "const el = document.querySelector(arguments[0]); return el ? el.textContent.trim() : null;",
      testid(id),
    );
  const visible = (id) =>
    session.execute(
      "const el = document.querySelector(arguments[0]); return !!el && el.getClientRects().length > 0;",
      testid(id),
    );
  const waitVisible = (id, ms = 15_000) =>
    waitFor(`${id} visible`, () => visible(id), ms);
  const keys = async (block, chars) => {
    for (const c of chars) await session.click(testid(`${block}-key-${c}`));
  };

  before(async () => {
    assert.ok(APP, "VNEID_KIOSK_APP must name the built kiosk binary");
    dir = await mkdtemp(join(tmpdir(), "kiosk-ui-reports-"));
    const data = join(dir, "data");
    await mkdir(join(dir, "trust"), { recursive: true });
    await mkdir(data, { recursive: true });
    config = join(dir, "kiosk.toml");
    await writeFile(
      config,
      [
        `device_id = "kiosk-uitest-reports"`,
        `device_name = "Điểm thử nghiệm báo cáo"`,
        `mode = "counter"`,
        `language = "vi"`,
        `data_dir = "${data}"`,
        `backoffice_url = "http://127.0.0.1:9"`,
        `trust_store = "${join(dir, "trust")}"`,
        "",
      ].join("\n"),
      "utf8",
    );
    await copyFile(GROUPS, join(data, "residential-groups.toml"));
    await cli(
      config,
      ["operator", "add", "--id", "admin", "--role", "administrator"],
      "97531864\n",
    );
    await cli(
      config,
      [
        "operator",
        "add",
        "--id",
        "giamsat",
        "--role",
        "supervisor",
        "--by",
        "admin",
      ],
      `${PIN}\n97531864\n`,
    );
    session = await Session.start(DRIVER, APP, ["--config", config]);
    await waitVisible("screen-signin", 30_000);
  });

  after(async () => {
    await session?.end();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("signs in, opens the progress report with seed 003's groups and keeps a screenshot", async () => {
    await session.click(testid("signin-operator"));
    await keys("text", [..."giamsat"]);
    await session.click(testid("signin-pin"));
    await keys("digits", PIN);
    await session.click(testid("signin-submit"));
    await waitVisible("reports-open");
    await session.click(testid("reports-open"));
    await waitVisible("report-title", 20_000);
    assert.equal(
      await text("report-title"),
      "BÁO CÁO TIẾN ĐỘ CẤP, KÍCH HOẠT TÀI KHOẢN ĐỊNH DANH ĐIỆN TỬ MỨC 2",
    );
    const rows = await session.execute(
      "return document.querySelectorAll('[data-testid=\"report-table-Tiến độ\"] tbody tr').length;",
    );
    assert.equal(rows, 20, "seed 003's 20 residential groups");
    // Nothing enrolled yet: every group at 0,00% of its target, the seeds' style.
    assert.match(await text("report-total"), /5\.899.*0,00%$/);
    const bars = await session.execute(
      "return document.querySelectorAll('[data-testid=\"chart-progress-bar\"]').length;",
    );
    assert.equal(bars, 21, "a bar per group with a target, and the total");
    await mkdir(SHOTS, { recursive: true });
    await writeFile(
      join(SHOTS, `reports-supervisor-${SIZE}.png`),
      await session.screenshot(),
    );
    await session.execute(
      "document.querySelector(arguments[0]).scrollIntoView();",
      testid("report-title"),
    );
    await writeFile(
      join(SHOTS, `reports-supervisor-charts-${SIZE}.png`),
      await session.screenshot(),
    );
  });

  test("the XLSX export lands in exports/ under the data directory and is audited", async () => {
    await session.click(testid("export-xlsx"));
    const done = await waitFor(
      "the saved path",
      async () => {
        const t = await text("export-done");
        return t?.startsWith("Đã lưu tệp:") ? t : null;
      },
      20_000,
    );
    const exports = join(dir, "data", "exports");
    const files = await readdir(exports);
    assert.equal(files.length, 1);
    assert.match(files[0], /^progress-.*\.xlsx$/);
    assert.equal(done, `Đã lưu tệp: ${join(exports, files[0])}`);
    assert.ok((await stat(join(exports, files[0]))).size > 5_000);
    const audit = await cli(config, ["audit", "list", "--limit", "5"]);
    assert.match(audit, /giamsat\treport\.export\tprogress-.*\.xlsx/);
  });
});

// The unhappy paths through the real app (tauri-driver + WebKitWebDriver under Xvfb), at the
// counter, with the software card behind the real pcscd and the reference back office on
// loopback. Each says what the person sees (Vietnamese) and that nothing is lost or sent twice:
// a back office that refuses the kiosk, then one that is down while a package waits; a card
// lifted mid-read that resumes; the next citizen's empty form with the operator still signed
// in; the idle timeout mid-form; a wrong typed key, retried; forged cards. Screenshots of each
// go to SCREENSHOT_DIR. Run at one screen size only (1280x800) to keep CI short.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "./webdriver.mjs";
import {
  BackOffice,
  CARD_WAITING,
  CHIP_PORTRAIT,
  GROUPS,
  SIZE,
  addOperator,
  fillForm,
  insertCard,
  kioskCli,
  launch,
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
  typeDigits,
  ui,
  verdict,
} from "./realstack.mjs";

const ID = "001090012345";
const BIRTH = "01011990";
const EXPIRY = "01012030";
const PIN = "246813";
const PHONE = "0912345678";
const IDLE_SECS = 12;

const total = (counts) => Object.values(counts).reduce((a, b) => a + b, 0);

describe(
  `unhappy paths at the counter, real app at ${SIZE}`,
  { skip: SIZE !== "1280x800" },
  () => {
    let app;
    let u;
    let card;
    let office;
    let officeDir;

    /** Stops the back office and starts it again over the database `db`. */
    async function restartOffice(db) {
      await office.stop();
      await office.start(db);
    }

    async function swapCard(extra = []) {
      await removeCard(card);
      card = insertCard(app.dir, "nguyen-van-a", [
        "--portrait",
        CHIP_PORTRAIT,
        ...extra,
      ]);
    }

    before(async () => {
      await pcscd("start");
      officeDir = await mkdtemp(join(tmpdir(), "backoffice-unhappy-"));
      office = new BackOffice(
        officeDir,
        20000 + Math.floor(Math.random() * 10000),
      );
      await office.start("office.sqlite");
      const token = await office.token();
      app = await launch({
        mode: "counter",
        backoffice: office.url,
        idleTimeoutSecs: IDLE_SECS,
        prepare: async (config, data) => {
          await addOperator(config, PIN);
          assert.match(
            await kioskCli(config, ["register", "--token", token]),
            /^OK registered/,
          );
          await writeFile(join(data, "residential-groups.txt"), GROUPS, "utf8");
          // Another back office at the same address, which has never heard of this kiosk.
          await restartOffice("stranger.sqlite");
        },
      });
      u = ui(app.session);
      await u.waitVisible("screen-signin", 30_000);
    });

    after(async () => {
      await removeCard(card);
      await app?.session.end();
      await office?.stop();
      await pcscd("stop").catch(() => {});
      if (app) await rm(app.dir, { recursive: true, force: true });
      if (officeDir) await rm(officeDir, { recursive: true, force: true });
    });

    test("a back office that does not know the kiosk: the header says it is refused and what to do", async () => {
      await step(app.session, "unhappy-refused", async () => {
        await waitFor(
          "the refusal in the header",
          async () => (await u.attr("status-sync", "data-state")) === "refused",
          20_000,
        );
        assert.equal(
          await u.text("status-sync-text"),
          "Máy bị từ chối (chưa đăng ký hoặc đã bị thu hồi) — hãy báo quản trị viên đăng ký lại",
        );
        assert.equal(await u.attr("status-sync", "data-level"), "problem");
        await saveScreenshot(app.session, "unhappy-backoffice-refused");
        await restartOffice("office.sqlite");
        await waitFor(
          "the header synced with its own back office",
          async () => (await u.attr("status-sync", "data-state")) === "synced",
          40_000,
        );
        assert.match(
          await u.text("status-sync-detail"),
          /^đồng bộ lần cuối \d\d:\d\d$/,
        );
      });
    });

    test("a card lifted mid-read resumes when placed again; with the back office down the package waits, then it is sent once", async () => {
      await step(app.session, "unhappy-torn", async () => {
        await signIn(u, "cb01", PIN);
        await toCardScreen(u, ID);
        card = insertCard(app.dir, "nguyen-van-a", [
          "--portrait",
          CHIP_PORTRAIT,
          "--tear-after-bytes",
          "9000",
        ]);
        await readCard(u, BIRTH, EXPIRY);
        await machineWait(
          u,
          "the removal sentence",
          () => u.visible("card-error"),
          20_000,
        );
        assert.equal(
          await u.text("card-error"),
          "Thẻ đã bị nhấc khỏi đầu đọc khi đang đọc. Hãy đặt lại thẻ và giữ yên: máy sẽ đọc tiếp từ chỗ dừng.",
        );
        assert.equal(
          await u.text("card-holder-name"),
          "Nguyễn Văn A",
          "names read before the tear stay",
        );
        await saveScreenshot(app.session, "unhappy-card-removed");
        await waitFor(
          "the reader without the card",
          async () => (await u.text("card-reader-state")) === CARD_WAITING,
          10_000,
        );
        card = insertCard(app.dir, "nguyen-van-a", [
          "--portrait",
          CHIP_PORTRAIT,
        ]);
        assert.equal(await verdict(u), "genuine");
        assert.equal(await u.visible("card-error"), false);
        await saveScreenshot(app.session, "unhappy-card-resumed");
        await toForm(u);
        await fillForm(u, PHONE);
        await office.stop();
        await u.click("review-confirm");
        await machineWait(u, "the done screen", () => u.visible("screen-done"));
        const counts = await queueCounts(app.config);
        assert.equal(
          total(counts),
          1,
          `one package: ${JSON.stringify(counts)}`,
        );
        await waitFor(
          "the header: back office down, one package waiting",
          async () =>
            (await u.attr("status-sync", "data-state")) === "unreachable" &&
            (await u.text("status-queue-text")) === "1 hồ sơ đang chờ gửi",
          15_000,
        );
        assert.equal(
          await u.text("status-sync-text"),
          "Mất kết nối — hồ sơ được giữ lại và tự gửi khi có kết nối",
        );
        assert.match(
          await u.text("status-sync-detail"),
          /thử lại lúc \d\d:\d\d/,
        );
        await saveScreenshot(app.session, "unhappy-backoffice-down");
        await office.start("office.sqlite");
        await waitFor(
          "the package acknowledged",
          async () => (await queueCounts(app.config)).acknowledged === 1,
          60_000,
        );
        const after = await queueCounts(app.config);
        assert.equal(
          total(after),
          1,
          `still one package: ${JSON.stringify(after)}`,
        );
        await waitFor(
          "the header: synced, nothing waiting",
          async () =>
            (await u.attr("status-sync", "data-state")) === "synced" &&
            (await u.text("status-queue-text")) === "Không có hồ sơ chờ gửi",
          15_000,
        );
        await saveScreenshot(app.session, "unhappy-backoffice-back");
      });
    });

    test("the next citizen starts with an empty form while the operator is still signed in; the idle timeout mid-form wipes it", async () => {
      await step(app.session, "unhappy-next-citizen", async () => {
        await waitFor(
          "no idle warning",
          async () => !(await u.visible("idle-warning")),
          15_000,
        );
        if (await u.visible("done-finish")) await u.click("done-finish");
        await u.waitVisible("screen-consent", 15_000);
        assert.equal(await u.text("operator-name"), "Cán bộ: cb01");
        await toCardScreen(u, ID);
        assert.equal(await u.value("card-dob"), "", "the dates start empty");
        await readCard(u, BIRTH, EXPIRY);
        assert.equal(await verdict(u), "genuine");
        await toForm(u);
        const typed = await app.session.execute(
          "return [...document.querySelectorAll('[data-testid=screen-form] input')]" +
            ".filter((i) => i.type !== 'radio' && i.type !== 'checkbox').map((i) => i.value);",
        );
        assert.ok(typed.length >= 5, "the form's text fields");
        assert.deepEqual(
          typed.filter((v) => v !== ""),
          [],
          "the second citizen's form is empty",
        );
        assert.equal(
          await u.holds(PHONE),
          false,
          "nothing of the first citizen",
        );
        assert.equal(await u.text("operator-name"), "Cán bộ: cb01");
        await saveScreenshot(app.session, "unhappy-next-citizen-form");
        await u.click("form-phone");
        await u.keys("digits", "0987");
        await waitFor(
          "the idle warning",
          () => u.visible("idle-warning"),
          (IDLE_SECS + 3) * 1000,
        );
        await saveScreenshot(app.session, "unhappy-idle-warning");
        await waitFor(
          "the wipe back to consent",
          async () =>
            (await u.visible("screen-consent")) &&
            !(await u.visible("idle-warning")),
          10_000,
        );
        assert.equal(await u.holds("0987"), false, "the typed phone is gone");
        assert.equal(
          await u.holds("Nguyễn Văn A"),
          false,
          "the chip's names are gone",
        );
        assert.equal(
          await u.text("operator-name"),
          "Cán bộ: cb01",
          "the operator stays",
        );
        assert.equal(
          total(await queueCounts(app.config)),
          1,
          "nothing queued by the wipe",
        );
        await saveScreenshot(app.session, "unhappy-idle-wiped");
      });
    });

    test("a wrong typed key gets the sentence that says what to check; retries are allowed and the right key then opens the chip", async () => {
      await step(app.session, "unhappy-wrong-key", async () => {
        // The chip also opens with the last 6 digits of the ID (PACE with the CAN), so a wrong
        // key is a wrong ID number: the access key fails with every method.
        await toCardScreen(u, "001090012346");
        await readCard(u, BIRTH, EXPIRY);
        await machineWait(
          u,
          "the wrong-key sentence",
          () => u.visible("card-error"),
          30_000,
        );
        assert.equal(
          await u.text("card-error"),
          "Chip không mở được với số định danh, ngày sinh và ngày hết hạn đã nhập. Hãy kiểm tra lại các số in trên thẻ rồi đọc lại.",
        );
        assert.equal(
          await u.visible("card-dob"),
          true,
          "the dates can be fixed",
        );
        assert.equal(await u.visible("card-verdict"), false);
        await saveScreenshot(app.session, "unhappy-wrong-key");
        // Trying again is allowed (the same wrong key gets the same sentence) ...
        await typeDigits(u, "card-expiry", "01012031");
        await u.click("card-read");
        await machineWait(
          u,
          "the wrong-key sentence again",
          async () =>
            (await u.visible("card-error")) &&
            (await u.attr("card-read", "disabled")) === null,
          30_000,
        );
        assert.match(await u.text("card-error"), /^Chip không mở được/);
        // ... and the kiosk never locks the card out: with the right ID the chip opens.
        await u.click("cancel");
        await u.waitVisible("screen-consent");
        await toCardScreen(u, ID);
        await readCard(u, BIRTH, EXPIRY);
        assert.equal(await verdict(u), "genuine");
        assert.equal(await u.visible("card-error"), false);
        await u.click("cancel");
        await u.waitVisible("screen-consent");
      });
    });

    for (const [flags, expected, sentence, action, mayContinue] of [
      [
        ["--clone"],
        "clone_suspected",
        "Nghi chip sao chép: chip không chứng minh được là chip gốc của thẻ.",
        "Cán bộ: không đăng ký bằng thẻ này; giữ thẻ lại và báo cáo theo quy định.",
        false,
      ],
      [
        ["--issuer", "unknown"],
        "issuer_unknown",
        "Chữ ký số hợp lệ, nhưng cơ quan đã ký không có trong danh sách tin cậy của máy.",
        "Cán bộ: kiểm tra thẻ bằng mắt và hỏi cơ quan cấp thẻ trước khi tiếp tục; báo quản trị viên cập nhật danh sách tin cậy.",
        true,
      ],
      [
        ["--corrupt-dg", "13"],
        "invalid",
        "Thẻ không hợp lệ: dữ liệu trong chip không khớp với chữ ký số, hoặc không khớp với thẻ.",
        "Cán bộ: không đăng ký bằng thẻ này; giữ thẻ lại và báo cáo theo quy định.",
        false,
      ],
    ]) {
      test(`a forged card (${flags.join(" ")}) reads as ${expected} and tells the officer what to do`, async () => {
        await step(app.session, `unhappy-${expected}`, async () => {
          await swapCard(flags);
          await toCardScreen(u, ID);
          await readCard(u, BIRTH, EXPIRY);
          assert.equal(await verdict(u), expected);
          assert.equal(await u.text("card-verdict-text"), sentence);
          assert.equal(await u.text("card-action"), action);
          assert.equal(await u.visible("card-continue"), mayContinue);
          await saveScreenshot(app.session, `unhappy-card-${expected}`);
          await u.click("cancel");
          await u.waitVisible("screen-consent");
        });
      });
    }

    test("'Đăng xuất' ends the operator's sign-in; nothing was queued by the unhappy paths", async () => {
      await step(app.session, "unhappy-sign-out", async () => {
        await u.click("operator-sign-out");
        await u.waitVisible("screen-signin");
        assert.equal(await u.visible("operator"), false);
        assert.deepEqual(await queueCounts(app.config).then(total), 1);
      });
    });
  },
);

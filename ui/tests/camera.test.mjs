// The camera's screens in headless Chromium with the Tauri core mocked (its camera worker's
// events emitted by the test): the card's QR read by the camera instead of typed dates, the
// QR fallback when the chip cannot be read (officer's confirmation at the counter, refused at a
// self-service station), the portrait step with its guidance, automatic capture, retake and the
// chip photo beside it, a camera that fails, and a face not seen for long.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  PORTRAIT_JPEG,
  assertReachable,
  axeViolations,
  byId,
  calls,
  kioskSuite,
  passPortrait,
} from "./harness.mjs";

const suite = kioskSuite();

const QR_FRAME = readFileSync(
  fileURLToPath(new URL("../../assets/frames/qr/01-nguyen-van-a-1280x720.jpg", import.meta.url)),
);
const CHIP_JPEG = [
  ...readFileSync(
    fileURLToPath(new URL("../../assets/frames/qr/00-nguyen-van-a-640x480.jpg", import.meta.url)),
  ),
];
const QR_HOLDER = {
  fullName: "Nguyễn Văn A",
  idNumber: "001090012345",
  dateOfBirth: "01/01/1990",
  gender: "male",
  address: "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",
  dateOfIssue: "15/04/2021",
};

async function open(mode, options = {}) {
  return suite.open({
    shell: { mode },
    signInCode: null,
    cardState: { state: "present", reader: "Virtual PCD 00 00" },
    ...options,
  });
}

const text = async (page, id) => (await byId(page, id).textContent())?.trim();
const emit = (page, event, payload) =>
  page.evaluate(([e, p]) => window.__mock.emit(e, p), [event, payload]);
const run = (page) => page.evaluate(() => window.__mock.cameraRun);

/** Start (sign-in or welcome), consent, then "scan the QR instead": the card step, no typing. */
async function toCardByQr(page, mode) {
  if (mode === "counter") {
    await byId(page, "signin-operator").fill("cb01");
    await byId(page, "signin-pin").fill("246813");
    await byId(page, "signin-submit").click();
  } else {
    await byId(page, "welcome-start").click();
  }
  await byId(page, "consent-agree").click();
  await byId(page, "id-scan-qr").click();
  await byId(page, "screen-card").waitFor();
  await page.waitForFunction(() => window.__mock.cameraRun >= 1);
}

async function showFrame(page, jpeg = QR_FRAME) {
  const url = `data:image/jpeg;base64,${jpeg.toString("base64")}`;
  await emit(page, "camera-frame", { run: await run(page), jpeg: url, width: 480, height: 270 });
}

function cardResult(readId, fields) {
  return {
    readId,
    error: null,
    verdict: null,
    action: null,
    holder: null,
    portrait: null,
    expired: false,
    ...fields,
  };
}

describe("the card's QR code through the camera", () => {
  test("the camera opens for the QR, shows live frames, and its read starts the chip read with no typing", async () => {
    const { page, errors } = await open("self-service");
    await toCardByQr(page, "self-service");
    assert.deepEqual(
      (await calls(page, "camera_start")).map((c) => c.args),
      [{ purpose: "qr" }],
    );
    await showFrame(page);
    await showFrame(page);
    assert.equal(await byId(page, "camera").getAttribute("data-frames"), "2");
    const width = await byId(page, "camera-preview").evaluate((img) =>
      img.decode().then(() => img.naturalWidth),
    );
    assert.equal(width, 1280, "the frame's JPEG is what the preview shows");
    // A frame from an earlier run (another screen's camera) is not shown.
    await emit(page, "camera-frame", { run: 0, jpeg: "data:,", width: 1, height: 1 });
    assert.equal(await byId(page, "camera").getAttribute("data-frames"), "2");

    await emit(page, "camera-qr", { run: await run(page), error: "card.key.qr", holder: null });
    assert.equal(
      await text(page, "card-qr-error"),
      "Mã QR này không phải mã QR của thẻ căn cước. Hãy quét mã QR in trên thẻ.",
    );
    await byId(page, "lang-en").click();
    assert.equal(
      await text(page, "card-qr-error"),
      "This QR code is not an ID card's QR code. Scan the QR code printed on the card.",
    );
    await byId(page, "lang-vi").click();

    await emit(page, "camera-qr", { run: await run(page), error: null, holder: QR_HOLDER });
    assert.equal(await text(page, "card-qr-name"), "Nguyễn Văn A");
    assert.equal(await text(page, "card-qr-id"), "001090012345");
    assert.equal(await byId(page, "card-qr-error").isVisible(), false);
    await page.waitForFunction(() => window.__mock.calls.some((c) => c.cmd === "card_read_qr"));
    assert.deepEqual(
      (await calls(page, "card_read_qr")).map((c) => c.args),
      [{ payload: null }],
    );
    assert.deepEqual(await calls(page, "card_read_typed"), [], "no dates were typed");
    assert.ok((await calls(page, "camera_stop")).length >= 1, "the camera closes once read");
    assert.equal(await byId(page, "camera").isVisible(), false);

    const readId = await page.evaluate(() => window.__mock.lastReadId);
    await emit(
      page,
      "card-result",
      cardResult(readId, {
        verdict: "genuine",
        action: "continue",
        holder: {
          fullName: "Nguyễn Văn A",
          idNumber: "001090012345",
          dateOfBirth: "01/01/1990",
          gender: "male",
          placeOfOrigin: null,
          placeOfResidence: null,
          dateOfExpiry: "01/01/2030",
        },
        portrait: { format: "jpeg", mime: "image/jpeg", width: 640, height: 480, bytes: CHIP_JPEG },
      }),
    );
    await byId(page, "card-continue").click();
    await byId(page, "screen-portrait").waitFor();
    assert.deepEqual(
      (await calls(page, "camera_start")).map((c) => c.args.purpose),
      ["qr", "portrait"],
      "the portrait step opens the camera for the portrait",
    );
    assert.deepEqual(errors, []);
  });

  test("a camera that fails says what to do, in both languages, and 'Thử lại' opens it again", async () => {
    const { page } = await open("self-service");
    await toCardByQr(page, "self-service");
    await emit(page, "camera-status", {
      run: await run(page),
      state: "failed",
      error: "camera.no_camera",
    });
    assert.equal(
      await text(page, "camera-state"),
      "Không tìm thấy camera. Hãy kiểm tra cáp USB của camera, cắm lại rồi chạm “Thử lại”.",
    );
    await byId(page, "lang-en").click();
    assert.equal(
      await text(page, "camera-state"),
      "No camera found. Check the camera's USB cable, plug it in again, then tap “Try again”.",
    );
    assert.equal(await byId(page, "card-dob").isVisible(), true, "typing stays available");
    await byId(page, "camera-retry").click();
    await page.waitForFunction(() => window.__mock.cameraRun === 2);
    assert.equal(await byId(page, "camera-retry").isVisible(), false);
    assert.equal(await byId(page, "camera").getAttribute("data-state"), "starting");
  });
});

describe("QR fallback when the chip cannot be read", () => {
  test("at the counter: the QR data marked not chip-verified, the officer confirms, no chip photo, the review says it", async () => {
    const { page, errors } = await open("counter");
    await toCardByQr(page, "counter");
    await emit(page, "camera-qr", { run: await run(page), error: null, holder: QR_HOLDER });
    await page.waitForFunction(() => window.__mock.lastReadId === 1);
    await emit(page, "card-result", cardResult(1, { error: "card.unreadable" }));
    assert.equal(await text(page, "card-fallback-badge"), "Chưa xác thực bằng chip");
    assert.match(await text(page, "card-fallback-text"), /^Máy không đọc được chip/);
    await byId(page, "lang-en").click();
    assert.equal(await text(page, "card-fallback-badge"), "Not chip-verified");
    await byId(page, "lang-vi").click();
    assert.equal(await text(page, "card-qr-name"), "Nguyễn Văn A", "the decoded data stay shown");
    assert.deepEqual(await calls(page, "enrollment_confirm_qr_only"), []);
    await byId(page, "card-fallback-confirm").click();
    await byId(page, "screen-portrait").waitFor();
    assert.equal((await calls(page, "enrollment_confirm_qr_only")).length, 1);
    assert.equal(
      await text(page, "portrait-chip-missing"),
      "Không có ảnh trong chip để đối chiếu: hồ sơ lập từ mã QR.",
    );
    await page.evaluate(() => {
      window.__mock.chipVerified = false;
    });
    await passPortrait(page);
    await byId(page, "form-phone").fill("0912345678");
    await byId(page, "form-group-to-1").click();
    await byId(page, "form-continue").click();
    await byId(page, "screen-review").waitFor();
    assert.match(await text(page, "review-not-chip-verified"), /^Chưa xác thực bằng chip/);
    assert.deepEqual(errors, []);
  });

  test("with no reader at the counter, the fallback asks for the QR code first", async () => {
    const { page } = await open("counter", { cardState: { state: "service_down", reader: null } });
    await toCardByQr(page, "counter");
    await byId(page, "card-fallback").waitFor();
    assert.match(await text(page, "card-fallback-text"), /hãy đưa mã QR trên thẻ vào trước camera/);
    assert.equal(await byId(page, "card-fallback-confirm").count(), 0);
    await emit(page, "camera-qr", { run: await run(page), error: null, holder: QR_HOLDER });
    await byId(page, "card-fallback-confirm").waitFor();
  });

  test("a self-service station refuses it with a sentence saying where to go", async () => {
    const { page } = await open("self-service");
    await toCardByQr(page, "self-service");
    await emit(page, "camera-qr", { run: await run(page), error: null, holder: QR_HOLDER });
    await page.waitForFunction(() => window.__mock.lastReadId === 1);
    await emit(page, "card-result", cardResult(1, { error: "card.blocked" }));
    assert.match(
      await text(page, "card-fallback-text"),
      /máy tự phục vụ không lập hồ sơ chỉ bằng mã QR\. Hãy mang thẻ đến quầy tiếp nhận có cán bộ/,
    );
    assert.equal(await byId(page, "card-fallback-confirm").count(), 0);
    assert.equal(await byId(page, "card-continue").count(), 0);
  });
});

describe("the portrait step", () => {
  /** Through a genuine chip read (typed dates) to the portrait step. */
  async function toPortrait(page, mode) {
    await toCardByQr(page, mode);
    await emit(page, "camera-qr", { run: await run(page), error: null, holder: QR_HOLDER });
    await page.waitForFunction(() => window.__mock.lastReadId === 1);
    await emit(
      page,
      "card-result",
      cardResult(1, {
        verdict: "genuine",
        action: "continue",
        portrait: { format: "jpeg", mime: "image/jpeg", width: 640, height: 480, bytes: CHIP_JPEG },
      }),
    );
    await byId(page, "card-continue").click();
    await byId(page, "screen-portrait").waitFor();
    await page.waitForFunction(() => window.__mock.cameraRun === 2);
  }

  const guidance = async (page, codes, face = null, steady = 0) =>
    emit(page, "camera-guidance", {
      run: await run(page),
      guidance: codes,
      face,
      steady,
      needed: 4,
      unavailable: false,
    });

  test("guidance drawn over the live picture, automatic capture beside the chip photo, retake, no score", async () => {
    const { page, errors } = await open("counter");
    await toPortrait(page, "counter");
    const chipWidth = await byId(page, "portrait-chip-image").evaluate((img) =>
      img.decode().then(() => img.naturalWidth),
    );
    assert.equal(chipWidth, 640, "the chip's photo is shown");
    const sentences = {
      move_closer: ["Hãy lại gần camera hơn.", "Move closer to the camera."],
      centre_face: ["Hãy đưa khuôn mặt vào giữa khung.", "Centre your face in the frame."],
      more_light: ["Ảnh quá tối — cần thêm ánh sáng.", "Too dark — more light is needed."],
      hold_still: ["Hãy giữ yên.", "Hold still."],
    };
    const face = { x: 0.4, y: 0.25, width: 0.2, height: 0.35 };
    for (const [code, [vi, en]] of Object.entries(sentences)) {
      await guidance(page, [code, "hold_still"], face);
      assert.equal(await text(page, "portrait-guidance"), vi, code);
      await byId(page, "lang-en").click();
      assert.equal(await text(page, "portrait-guidance"), en, code);
      await byId(page, "lang-vi").click();
    }
    const box = await byId(page, "portrait-face").evaluate((el) => [el.style.left, el.style.width]);
    assert.deepEqual(box, ["40%", "20%"], "the face box is drawn where the face is");
    await guidance(page, ["ok"], face, 3);
    assert.equal(await text(page, "portrait-guidance"), "Tốt — giữ yên, máy đang chụp…");
    assert.equal(await byId(page, "portrait-steady").evaluate((p) => p.value), 0.75);
    assert.equal(await byId(page, "portrait-continue").isVisible(), false, "nothing taken yet");

    const url = `data:image/jpeg;base64,${PORTRAIT_JPEG.toString("base64")}`;
    await emit(page, "camera-captured", {
      run: await run(page),
      jpeg: url,
      width: 420,
      height: 540,
      comparison: null,
      comparisonUnavailable: "face_models_missing",
    });
    assert.equal(await byId(page, "portrait-captured-image").getAttribute("src"), url);
    assert.equal(await byId(page, "camera").isVisible(), false, "the live picture gives way");
    assert.equal(await byId(page, "portrait-chip-image").isVisible(), true, "side by side");
    assert.match(await text(page, "portrait-compare"), /không đưa ra điểm số/);
    const screenText = await byId(page, "screen-portrait").textContent();
    assert.doesNotMatch(screenText, /\d[.,]\d\d|\d+\s*%/, "no comparison, never a score");

    await byId(page, "portrait-retake").click();
    await page.waitForFunction(() => window.__mock.cameraRun === 3);
    assert.deepEqual(
      (await calls(page, "camera_start")).map((c) => c.args.purpose),
      ["qr", "portrait", "portrait"],
      "a retake opens the camera for a new portrait",
    );
    assert.equal(await byId(page, "portrait-captured").isVisible(), false);
    assert.equal(await byId(page, "portrait-continue").isVisible(), false);
    // The previous run's late capture is ignored.
    await emit(page, "camera-captured", {
      run: 2,
      jpeg: url,
      width: 420,
      height: 540,
      comparison: null,
      comparisonUnavailable: null,
    });
    assert.equal(await byId(page, "portrait-continue").isVisible(), false);
    await passPortrait(page);
    assert.deepEqual(errors, []);
  });

  test("the comparison's score and verdict beside the photos, with the officer's next step when they differ", async () => {
    const { page, errors } = await open("counter");
    await toPortrait(page, "counter");
    const url = `data:image/jpeg;base64,${PORTRAIT_JPEG.toString("base64")}`;
    const capture = async (comparison) =>
      emit(page, "camera-captured", {
        run: await run(page),
        jpeg: url,
        width: 420,
        height: 540,
        comparison,
        comparisonUnavailable: null,
      });
    await capture({ score: 0.8123, threshold: 0.47, samePerson: true });
    assert.equal(await byId(page, "portrait-compare").getAttribute("data-verdict"), "same");
    assert.equal(
      await text(page, "portrait-compare"),
      "So khớp khuôn mặt: điểm 0.81 (ngưỡng 0.47) — ảnh vừa chụp giống ảnh trong chip.",
    );
    await byId(page, "portrait-retake").click();
    await page.waitForFunction(() => window.__mock.cameraRun === 3);
    await capture({ score: 0.21, threshold: 0.47, samePerson: false });
    assert.equal(await byId(page, "portrait-compare").getAttribute("data-verdict"), "different");
    assert.match(await text(page, "portrait-compare"), /có thể không phải cùng một người\. Cán bộ/);
    await byId(page, "lang-en").click();
    assert.match(
      await text(page, "portrait-compare"),
      /score 0\.21 \(threshold 0\.47\) — possibly not/,
    );
    assert.deepEqual(errors, []);
  });

  test("self-service: a face not seen for long gets a sentence saying what to do and where to get help", async () => {
    const { page } = await open("self-service");
    await page.clock.install();
    await toPortrait(page, "self-service");
    await guidance(page, ["no_face"]);
    assert.equal(
      await text(page, "portrait-guidance"),
      "Chưa thấy khuôn mặt — hãy đứng trước camera, nhìn thẳng.",
    );
    assert.equal(await byId(page, "portrait-no-face-help").isVisible(), false);
    await page.clock.fastForward(16_000);
    await guidance(page, ["no_face"]);
    assert.match(
      await text(page, "portrait-no-face-help"),
      /^Máy chưa thấy khuôn mặt của bạn\..*nhờ nhân viên hỗ trợ/,
    );
    await guidance(page, ["move_closer"], { x: 0.45, y: 0.4, width: 0.1, height: 0.12 });
    assert.equal(await byId(page, "portrait-no-face-help").isVisible(), false);
  });

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 1920, height: 1080 },
  ]) {
    for (const mode of ["self-service", "counter"]) {
      test(`${mode} at ${viewport.width}x${viewport.height}: the picture, the help and every button of the step fit above the footer with no scrolling`, async () => {
        // The header's longest states, as on a kiosk without back office.
        const { page, errors } = await open(mode, {
          viewport,
          shell: {
            mode,
            sync: { state: "refused", lastSyncAt: Date.now(), retryAt: Date.now() },
            queueWaiting: null,
          },
        });
        await page.clock.install();
        await toPortrait(page, mode);
        const frame = `data:image/jpeg;base64,${PORTRAIT_JPEG.toString("base64")}`;
        await emit(page, "camera-frame", {
          run: await run(page),
          jpeg: frame,
          width: 960,
          height: 540,
        });
        await guidance(page, ["no_face"]);
        await page.clock.fastForward(16_000);
        await guidance(page, ["no_face"]);
        assert.equal(await byId(page, "portrait-no-face-help").isVisible(), true);
        for (const lang of ["vi", "en"]) {
          await byId(page, `lang-${lang}`).click();
          const where = `no face for long (${lang})`;
          await assertReachable(page, ["camera-preview", "portrait-no-face-help", "cancel"], where);
          const picture = await byId(page, "camera-preview").boundingBox();
          assert.ok(
            picture.height >= 240,
            `the live picture is ${picture.height} px high: ${where}`,
          );
          assert.deepEqual(await axeViolations(page), [], where);
        }

        await emit(page, "camera-status", {
          run: await run(page),
          state: "failed",
          error: "camera.no_camera",
        });
        for (const lang of ["vi", "en"]) {
          await byId(page, `lang-${lang}`).click();
          const where = `camera failed (${lang})`;
          await assertReachable(
            page,
            ["camera-state", "camera-retry", "portrait-no-face-help", "cancel"],
            where,
          );
        }

        await byId(page, "camera-retry").click();
        await page.waitForFunction(() => window.__mock.cameraRun === 3);
        await emit(page, "camera-captured", {
          run: await run(page),
          jpeg: frame,
          width: 420,
          height: 540,
          comparison: { score: 0.21, threshold: 0.47, samePerson: false },
          comparisonUnavailable: null,
        });
        for (const lang of ["vi", "en"]) {
          await byId(page, `lang-${lang}`).click();
          const where = `taken, compared (${lang})`;
          await assertReachable(
            page,
            [
              "portrait-captured-image",
              "portrait-chip-image",
              "portrait-compare",
              "portrait-continue",
              "portrait-retake",
              "cancel",
            ],
            where,
          );
          assert.deepEqual(await axeViolations(page), [], where);
        }
        assert.deepEqual(errors, []);
      });
    }
  }

  test("leaving the step closes the camera", async () => {
    const { page } = await open("counter");
    await toPortrait(page, "counter");
    const before = (await calls(page, "camera_stop")).length;
    await byId(page, "cancel").click();
    await page.waitForFunction(
      (n) => window.__mock.calls.filter((c) => c.cmd === "camera_stop").length > n,
      before,
    );
  });
});

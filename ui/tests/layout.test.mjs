// The steps with an on-screen keypad or a long list at the kiosk's two screen sizes, in both
// modes and languages, in headless Chromium with the core mocked: a citizen at a touchscreen
// reaches every button of the step without scrolling (the ID entry with its error, the form
// with the digit or the letter keypad and its errors, the review).

import { test } from "node:test";
import assert from "node:assert/strict";
import { assertReachable, byId, kioskSuite, passPortrait } from "./harness.mjs";

const { open } = kioskSuite();

const QR_HOLDER = {
  fullName: "Nguyễn Văn A",
  idNumber: "001090012345",
  dateOfBirth: "01/01/1990",
  gender: "male",
  address: "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",
  dateOfIssue: "15/04/2021",
};

const emit = (page, event, payload) =>
  page.evaluate(([e, p]) => window.__mock.emit(e, p), [event, payload]);

async function inBothLanguages(page, check) {
  for (const lang of ["vi", "en"]) {
    await byId(page, `lang-${lang}`).click();
    await check(lang);
  }
}

for (const viewport of [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
]) {
  const size = `${viewport.width}x${viewport.height}`;
  for (const mode of ["self-service", "counter"]) {
    test(`${mode} at ${size}: the ID entry, the form with either keypad and the review keep their buttons on screen`, async () => {
      const { page, context } = await open({
        viewport,
        shell: { mode },
        signInCode: null,
        cardState: { state: "present", reader: "Virtual PCD 00 00" },
      });
      if (mode === "counter") {
        await byId(page, "signin-operator").fill("cb01");
        await byId(page, "signin-pin").fill("246813");
        await byId(page, "signin-submit").click();
      } else {
        await byId(page, "welcome-start").click();
      }
      await byId(page, "consent-agree").click();
      await byId(page, "digits-key-1").click();
      await byId(page, "id-continue").click();
      await byId(page, "id-error").waitFor();
      await inBothLanguages(page, (lang) =>
        assertReachable(
          page,
          ["id-continue", "id-scan-qr", "cancel", "keypad"],
          `ID entry with its error (${lang})`,
        ),
      );

      await byId(page, "id-scan-qr").click();
      await page.waitForFunction(() => window.__mock.cameraRun >= 1);
      await emit(page, "camera-qr", { run: 1, error: null, holder: QR_HOLDER });
      await page.waitForFunction(() => window.__mock.lastReadId === 1);
      await emit(page, "card-result", {
        readId: 1,
        error: null,
        verdict: "genuine",
        action: "continue",
        holder: null,
        portrait: null,
        expired: false,
      });
      await byId(page, "card-continue").click();
      await passPortrait(page);
      const formButtons = ["form-continue", "form-cancel", "keypad"];
      await inBothLanguages(page, (lang) =>
        assertReachable(page, formButtons, `form (${lang})`, { scrollable: true }),
      );
      await byId(page, "form-continue").click();
      await byId(page, "form-error-phone").waitFor();
      await byId(page, "form-email").click();
      assert.equal(await byId(page, "keypad").getAttribute("data-mode"), "text");
      await inBothLanguages(page, (lang) =>
        assertReachable(page, formButtons, `form with errors, letter keypad (${lang})`, {
          scrollable: true,
        }),
      );

      await byId(page, "form-phone").fill("0912345678");
      await byId(page, "form-group-to-1").click();
      await byId(page, "form-continue").click();
      await byId(page, "screen-review").waitFor();
      await inBothLanguages(page, (lang) =>
        assertReachable(
          page,
          ["review-confirm", "review-edit", "review-cancel"],
          `review (${lang})`,
        ),
      );
      await context.close();
    });
  }
}

// axe-core on every screen, in both languages, in headless Chromium with the core mocked:
// no WCAG 2.2 A/AA violation (contrast, names and labels, target size, ARIA use).

import { test } from "node:test";
import assert from "node:assert/strict";
import * as harness from "./harness.mjs";
import { axeViolations, byId, kioskSuite } from "./harness.mjs";

/** After the card's "continue": the form, through the portrait step where the flow has one. */
async function toFormFromCard(page) {
  await page.locator('[data-testid="screen-form"], [data-testid="screen-portrait"]').waitFor();
  if (await byId(page, "screen-portrait").isVisible()) await harness.passPortrait(page);
}

const { open } = kioskSuite();

async function checkBothLanguages(page, where) {
  for (const lang of ["vi", "en"]) {
    await byId(page, `lang-${lang}`).click();
    assert.deepEqual(await axeViolations(page), [], `${where} (${lang})`);
  }
}

test("self-service screens have no accessibility violations", async () => {
  const { page, context } = await open({
    shell: {
      mode: "self-service",
      reader: { state: "no_reader", detail: null },
      queueWaiting: null,
    },
  });
  await checkBothLanguages(page, "welcome");
  await byId(page, "welcome-start").click();
  await checkBothLanguages(page, "consent");
  await byId(page, "consent-agree").click();
  await checkBothLanguages(page, "ID entry");
  await byId(page, "digits-key-1").click();
  await byId(page, "id-continue").click();
  await checkBothLanguages(page, "ID entry with an error");
  for (const d of "12345678901") await byId(page, `digits-key-${d}`).click();
  await byId(page, "id-continue").click();
  await byId(page, "screen-card").waitFor();
  await checkBothLanguages(page, "card");
  await byId(page, "card-read").click();
  await checkBothLanguages(page, "card with a date error");
  await byId(page, "card-dob").click();
  for (const d of "01011990") await byId(page, `digits-key-${d}`).click();
  await byId(page, "card-expiry").click();
  for (const d of "01012030") await byId(page, `digits-key-${d}`).click();
  await byId(page, "card-read").click();
  await page.waitForFunction(() => window.__mock.lastReadId === 1);
  const emit = (event, payload) =>
    page.evaluate(([e, p]) => window.__mock.emit(e, p), [event, payload]);
  await emit("card-progress", { stage: "file", readId: 1, file: "DG2", read: 100, total: 900 });
  await checkBothLanguages(page, "card reading");
  const holder = {
    fullName: "Nguyễn Văn A",
    idNumber: "112345678901",
    dateOfBirth: "01/01/1990",
    gender: "male",
    placeOfOrigin: null,
    placeOfResidence: "Phường Bến Nghé, Quận 1",
    dateOfExpiry: "01/01/2030",
  };
  await emit("card-result", {
    readId: 1,
    error: null,
    verdict: "clone_suspected",
    action: "refuse_and_report",
    holder,
    portrait: { format: "jpeg2000", mime: "image/jp2", width: 0, height: 0, bytes: null },
  });
  await checkBothLanguages(page, "card verdict");
  await context.close();
});

test("counter sign-in, its letter keypad and its error have no accessibility violations", async () => {
  const { page, context } = await open({ shell: { mode: "counter" } });
  await byId(page, "signin-operator").focus();
  await checkBothLanguages(page, "sign-in");
  await byId(page, "signin-operator").fill("cb01");
  await byId(page, "signin-pin").fill("1234");
  await byId(page, "signin-submit").click();
  await byId(page, "signin-error").waitFor();
  await checkBothLanguages(page, "sign-in with the core's error");
  await context.close();
});

test("the idle warning has no accessibility violations", async () => {
  const { page, context } = await open({
    shell: { mode: "self-service", idleTimeoutSecs: 20, idleWarningSecs: 19 },
  });
  await byId(page, "welcome-start").click();
  await byId(page, "idle-warning").waitFor({ timeout: 3000 });
  assert.deepEqual(await axeViolations(page), [], "idle warning");
  await context.close();
});

test("at the counter: the header with the operator and the sync loop's states, form, review and done have no accessibility violations", async () => {
  const now = Date.now();
  const { page, context } = await open({
    shell: {
      mode: "counter",
      sync: { state: "unreachable", lastSyncAt: now - 3_600_000, retryAt: now + 60_000 },
      queueWaiting: 2,
    },
    signInCode: null,
  });
  await byId(page, "signin-operator").fill("cb01");
  await byId(page, "signin-pin").fill("246813");
  await byId(page, "signin-submit").click();
  await byId(page, "screen-consent").waitFor();
  await checkBothLanguages(page, "consent with the operator in the header");
  for (const state of ["refused", "sending", "synced", "not_registered"]) {
    await page.evaluate(
      (s) =>
        window.__mock.emit("sync-status", {
          sync: { state: s, detail: "127.0.0.1:8787", lastSyncAt: Date.now(), retryAt: null },
          queueWaiting: 0,
        }),
      state,
    );
    await page.waitForFunction(
      (s) => document.querySelector('[data-testid="status-sync"]')?.dataset.state === s,
      state,
    );
    await checkBothLanguages(page, `header with the back office ${state}`);
  }
  await byId(page, "consent-agree").click();
  for (const d of "001090012345") await byId(page, `digits-key-${d}`).click();
  await byId(page, "id-continue").click();
  await byId(page, "card-dob").click();
  for (const d of "01011990") await byId(page, `digits-key-${d}`).click();
  await byId(page, "card-expiry").click();
  for (const d of "01012030") await byId(page, `digits-key-${d}`).click();
  await byId(page, "card-read").click();
  await page.waitForFunction(() => window.__mock.lastReadId === 1);
  await page.evaluate(() =>
    window.__mock.emit("card-result", {
      readId: 1,
      error: null,
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
      portrait: null,
      expired: false,
    }),
  );
  await byId(page, "card-continue").click();
  await toFormFromCard(page);
  await byId(page, "form-group-thon-dong").waitFor();
  await checkBothLanguages(page, "form");
  await byId(page, "form-continue").click();
  await byId(page, "form-error-phone").waitFor();
  await checkBothLanguages(page, "form with the core's errors");
  await byId(page, "form-phone").click();
  for (const d of "0912345678") await byId(page, `digits-key-${d}`).click();
  await byId(page, "form-group-thon-dong").click();
  await byId(page, "form-continue").click();
  await byId(page, "screen-review").waitFor();
  await checkBothLanguages(page, "review");
  await byId(page, "review-confirm").click();
  await byId(page, "screen-done").waitFor();
  await checkBothLanguages(page, "done");
  await context.close();
});

test("the sign-in screen after the desk locked has no accessibility violations", async () => {
  const { page, context } = await open({
    shell: { mode: "counter", operatorLockSecs: 2 },
    signInCode: null,
  });
  await byId(page, "signin-operator").fill("cb01");
  await byId(page, "signin-pin").fill("246813");
  await byId(page, "signin-submit").click();
  await byId(page, "session-notice").waitFor({ timeout: 5000 });
  await checkBothLanguages(page, "sign-in after the lock");
  await context.close();
});

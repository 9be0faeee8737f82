//! The card step: "place the card on the reader" with the reader's live state, the birth and
//! expiry dates typed on the keypad (the ID number came from the previous step), then the chip
//! read with live progress (which file, how many bytes), the names as soon as DG13 is in, the
//! chip portrait, and the authenticity verdict with what to do next. A card lifted off mid-read
//! is named, and the read continues by itself when it is placed again.
//!
//! The camera reads the card's QR code meanwhile (no typing): its data appear and the chip is
//! read with the keys it gives. When the chip cannot be read (or there is no reader), the QR
//! data can stand in, marked "not chip-verified": at the counter once the officer confirms,
//! never at a self-service station (which says where to go instead).

import { cameraView } from "../camera-view";
import { button, h } from "../dom";
import type { MessageKey, PlainKey } from "../i18n";
import {
  toBackendError,
  type CardProgress,
  type CardResult,
  type CardState,
  type Holder,
  type Portrait,
  type QrHolder,
  type QrScan,
} from "../ipc";
import { keypadField } from "../keypad";
import type { ScreenFactory } from "../router";

const DATE_DIGITS = 8;

const STATE_KEYS: Readonly<Record<CardState["state"], PlainKey>> = {
  service_down: "card.state.service_down",
  no_reader: "card.state.no_reader",
  waiting: "card.state.waiting",
  present: "card.state.present",
};

const FILE_KEYS: Readonly<Record<string, PlainKey>> = {
  "EF.COM": "card.file.com",
  DG1: "card.file.dg1",
  DG13: "card.file.dg13",
  "EF.SOD": "card.file.sod",
  DG14: "card.file.dg14",
  DG15: "card.file.dg15",
  DG2: "card.file.dg2",
};

const VERDICT_KEYS: Readonly<Record<string, PlainKey>> = {
  genuine: "card.verdict.genuine",
  issuer_unknown: "card.verdict.issuer_unknown",
  invalid: "card.verdict.invalid",
  clone_suspected: "card.verdict.clone_suspected",
};

const ACTION_KEYS: Readonly<Record<string, PlainKey>> = {
  continue: "card.action.continue",
  check_with_issuer: "card.action.check_with_issuer",
  refuse_and_report: "card.action.refuse_and_report",
};

/** Read errors after which the QR data may stand in for the chip. */
const CHIP_UNREADABLE = new Set([
  "card.unreadable",
  "card.blocked",
  "card.reader_failure",
  "card.no_reader",
]);

export const card: ScreenFactory = (ctx) => {
  const { i18n, keypad, backend, home, go, signal, mode, draft } = ctx;
  const dateField = (id: string, testid: string, autofocus: boolean): HTMLInputElement =>
    keypadField(
      h("input", {
        id,
        type: "text",
        class: "field field-digits",
        testid,
        maxlength: DATE_DIGITS,
        autofocus,
        "aria-describedby": "card-error",
      }),
      "digits",
    );
  const birth = dateField("card-dob", "card-dob", true);
  const expiry = dateField("card-expiry", "card-expiry", false);

  const readerState = h("p", {
    class: "reader-state",
    testid: "card-reader-state",
    role: "status",
  });
  const error = h("p", {
    id: "card-error",
    class: "inline-error",
    testid: "card-error",
    role: "alert",
    hidden: true,
  });
  const read = button({ class: "primary", testid: "card-read" }, () => void start());
  const cancel = button({ class: "secondary", testid: "cancel" }, home);
  i18n.text(read, "card.read");

  const progressText = h("span", { testid: "card-progress-text" });
  const progressFile = h("span", { testid: "card-progress-file" });
  const progressBytes = h("span", { testid: "card-progress-bytes" });
  const actions = h("div", { class: "actions" }, read, i18n.text(cancel, "common.cancel"));
  const progressBar = h("progress", { testid: "card-progress-bar", max: 1, value: 0 });
  const progress = h(
    "div",
    { class: "card-progress", testid: "card-progress", role: "status", hidden: true },
    h("p", {}, progressText, " ", progressFile, " ", progressBytes),
    progressBar,
  );
  i18n.label(progressBar, "card.reading");

  const holderPanel = h("div", { class: "card-holder", testid: "card-holder", hidden: true });
  const portraitPanel = h("div", { class: "card-portrait", testid: "card-portrait", hidden: true });
  const verdict = h("div", {
    class: "notice",
    testid: "card-verdict",
    role: "status",
    hidden: true,
  });

  let current: number | null = null;
  /** The newest read id seen: a new read's id is larger. */
  let newest = 0;
  let starting = false;
  let portraitUrl: string | null = null;
  signal.addEventListener("abort", () => {
    if (portraitUrl !== null) URL.revokeObjectURL(portraitUrl);
  });

  function showError(code: string | null, key?: PlainKey): void {
    if (code === null && key === undefined) {
      error.hidden = true;
      i18n.clear(error);
      return;
    }
    error.hidden = false;
    if (key !== undefined) i18n.text(error, key);
    else if (code !== null) i18n.error(error, code);
  }

  function showState(state: CardState): void {
    readerState.dataset.state = state.state;
    i18n.text(readerState, STATE_KEYS[state.state]);
    readerDown = state.state === "service_down" || state.state === "no_reader";
    if (readerDown) offerFallback();
  }

  const qrHelp = i18n.text(h("p", { class: "lead", testid: "card-qr-help" }), "card.qr.help");
  /** No PC/SC service or no reader: the chip cannot be read at all. */
  let readerDown = false;
  /** The card's QR data, once the camera read it. */
  let scanned: QrHolder | null = null;
  const qrData = h("div", { class: "card-qr-data", testid: "card-qr-data", hidden: true });
  const camera = cameraView(ctx, "qr", "card.qr.preview_alt", {
    qr: onQr,
    failed() {
      qrHelp.hidden = true;
    },
  });
  camera.overlay.append(h("div", { class: "card-qr-guide" }));
  const qrError = h("p", {
    class: "inline-error",
    testid: "card-qr-error",
    role: "alert",
    hidden: true,
  });
  const qrPart = h("div", { class: "card-qr", testid: "card-qr" }, qrHelp, qrError, qrData);

  function onQr(scan: QrScan): void {
    if (scan.holder === null) {
      qrError.hidden = false;
      i18n.error(qrError, scan.error ?? "card.key.qr");
      return;
    }
    qrError.hidden = true;
    scanned = scan.holder;
    camera.stop();
    camera.element.hidden = true;
    const row = (label: PlainKey, value: string, testid: string) =>
      h(
        "div",
        { class: "holder-row" },
        i18n.text(h("dt"), label),
        h("dd", { testid, lang: "vi" }, value),
      );
    qrData.replaceChildren(
      i18n.text(h("p", { class: "card-qr-read", testid: "card-qr-read" }), "card.qr.read"),
      h(
        "dl",
        {},
        row("card.holder.name", scan.holder.fullName, "card-qr-name"),
        row("card.holder.id", scan.holder.idNumber, "card-qr-id"),
        row("card.holder.dob", scan.holder.dateOfBirth, "card-qr-dob"),
      ),
    );
    qrData.hidden = false;
    void startWith(() => backend.cardReadScannedQr());
    // No reader to read the chip with: the QR data may stand in right away.
    if (readerDown) offerFallback();
  }

  const fallback = h("div", {
    class: "notice verdict-problem",
    testid: "card-fallback",
    role: "status",
    hidden: true,
  });

  /** The chip cannot be read: the QR data may stand in (counter), or where to go (self). */
  function offerFallback(): void {
    fallback.hidden = false;
    // Without a reader the read cannot progress: room for the choice instead.
    if (readerDown) progress.hidden = true;
    if (mode !== "counter") {
      fallback.replaceChildren(
        i18n.text(h("p", { testid: "card-fallback-text" }), "card.fallback.self"),
      );
      return;
    }
    if (scanned === null) {
      fallback.replaceChildren(
        i18n.text(h("p", { testid: "card-fallback-text" }), "card.fallback.scan_first"),
      );
      return;
    }
    const holder = scanned;
    const confirm = button({ class: "primary", testid: "card-fallback-confirm" }, () => {
      confirm.disabled = true;
      backend.confirmQrOnly().then(
        () => {
          if (signal.aborted) return;
          draft.qrOnly = holder;
          draft.chipPortrait = null;
          go("portrait");
        },
        (cause: unknown) => {
          if (signal.aborted) return;
          confirm.disabled = false;
          showError(toBackendError(cause).code);
        },
      );
    });
    fallback.replaceChildren(
      i18n.text(
        h("p", { class: "verdict-text", testid: "card-fallback-badge" }),
        "card.fallback.not_verified",
      ),
      i18n.text(h("p", { testid: "card-fallback-text" }), "card.fallback.offer_counter"),
      i18n.text(confirm, "card.fallback.confirm"),
    );
  }

  async function start(): Promise<void> {
    const valid = (el: HTMLInputElement) => new RegExp(`^\\d{${DATE_DIGITS}}$`).test(el.value);
    for (const el of [birth, expiry]) {
      if (valid(el)) el.removeAttribute("aria-invalid");
      else el.setAttribute("aria-invalid", "true");
    }
    if (!valid(birth) || !valid(expiry)) {
      showError(null, "card.error.dates");
      (valid(birth) ? expiry : birth).focus();
      return;
    }
    await startWith(() => backend.cardReadTyped(birth.value, expiry.value));
  }

  /** Starts a chip read (typed dates or the scanned QR) and follows its events. */
  async function startWith(begin: () => Promise<number>): Promise<void> {
    showError(null);
    fallback.hidden = true;
    qrHelp.hidden = true;
    showKeys(false);
    actions.querySelector("[data-testid=card-continue]")?.remove();
    holderPanel.hidden = true;
    portraitPanel.hidden = true;
    verdict.hidden = true;
    read.disabled = true;
    i18n.text(read, "card.reading");
    progress.hidden = false;
    i18n.text(progressText, "card.progress.waiting");
    i18n.clear(progressFile);
    i18n.clear(progressBytes);
    progressBar.value = 0;
    starting = true;
    current = null;
    try {
      adopt(await begin());
    } catch (cause) {
      if (signal.aborted) return;
      progress.hidden = true;
      finishRead();
      showKeys(true);
      showError(toBackendError(cause).code);
    } finally {
      starting = false;
    }
  }

  /** Typing the dates (keypad shown) or reading and its outcome (room for the read-out). */
  function showKeys(keys: boolean): void {
    keysPart.hidden = !keys;
    keypad.element.hidden = !keys;
    screen.classList.toggle("screen-with-keypad", keys);
  }

  function finishRead(): void {
    read.disabled = false;
    read.className = "primary";
    i18n.text(read, "card.read");
  }

  /** The read this screen started (its events may come before the command's answer). */
  function adopt(readId: number): void {
    if (current === null && readId > newest) current = readId;
    newest = Math.max(newest, readId);
  }

  /** Events of the read this screen started; an earlier read's late events are ignored. */
  function ours(readId: number): boolean {
    if (starting) adopt(readId);
    return readId === current;
  }

  function onProgress(p: CardProgress): void {
    if (!ours(p.readId)) return;
    progress.hidden = false;
    if (!error.hidden) showError(null);
    switch (p.stage) {
      case "opening":
        i18n.text(progressText, "card.progress.opening", { attempt: p.attempt, of: p.of });
        break;
      case "file": {
        i18n.text(progressText, "card.reading");
        i18n.text(progressFile, FILE_KEYS[p.file] ?? "card.file.other");
        if (p.total === null) {
          i18n.text(progressBytes, "card.progress.bytes_unknown", { read: p.read });
        } else {
          i18n.text(progressBytes, "card.progress.bytes", { read: p.read, total: p.total });
          progressBar.value = p.total === 0 ? 1 : p.read / p.total;
        }
        progressBytes.dataset.file = p.file;
        break;
      }
      case "holder":
        showHolder(p.holder);
        break;
      case "verifying":
        i18n.text(progressText, "card.progress.verifying");
        break;
    }
  }

  function showHolder(holder: Holder): void {
    const row = (label: MessageKey & PlainKey, value: string, testid: string) =>
      h(
        "div",
        { class: "holder-row" },
        i18n.text(h("dt"), label),
        h("dd", { testid, lang: "vi" }, value),
      );
    holderPanel.replaceChildren(
      i18n.text(h("h2"), "card.holder.title"),
      h(
        "dl",
        {},
        row("card.holder.name", holder.fullName, "card-holder-name"),
        row("card.holder.id", holder.idNumber, "card-holder-id"),
        row("card.holder.dob", holder.dateOfBirth, "card-holder-dob"),
        ...(holder.placeOfResidence === null
          ? []
          : [row("card.holder.residence", holder.placeOfResidence, "card-holder-residence")]),
      ),
    );
    holderPanel.hidden = false;
  }

  function showPortrait(portrait: Portrait): void {
    if (portrait.bytes !== null) {
      if (portraitUrl !== null) URL.revokeObjectURL(portraitUrl);
      portraitUrl = URL.createObjectURL(
        new Blob([new Uint8Array(portrait.bytes)], { type: portrait.mime }),
      );
      const img = h("img", {
        src: portraitUrl,
        testid: "card-portrait-image",
        width: portrait.width || undefined,
        height: portrait.height || undefined,
      });
      i18n.label(img, "card.portrait.alt");
      portraitPanel.replaceChildren(img);
    } else {
      portraitPanel.replaceChildren(
        i18n.text(h("p", { testid: "card-portrait-unavailable" }), "card.portrait.jpeg2000"),
      );
    }
    portraitPanel.hidden = false;
  }

  function onResult(result: CardResult): void {
    if (!ours(result.readId)) return;
    if (result.error !== null) {
      showError(result.error);
      // A lifted card resumes by itself once placed again: the read is still under way.
      if (result.error === "card.removed") {
        i18n.text(progressText, "card.progress.waiting");
      } else {
        progress.hidden = true;
        finishRead();
        showKeys(true);
        if (result.error === "card.wrong_key") birth.focus();
        if (CHIP_UNREADABLE.has(result.error)) offerFallback();
      }
      return;
    }
    progress.hidden = true;
    finishRead();
    camera.stop();
    camera.element.hidden = true;
    qrPart.hidden = true;
    if (result.holder !== null) showHolder(result.holder);
    if (result.portrait !== null) showPortrait(result.portrait);
    const genuine = result.verdict === "genuine";
    verdict.dataset.verdict = result.verdict ?? "";
    verdict.classList.toggle("verdict-ok", genuine && !result.expired);
    verdict.classList.toggle("verdict-problem", !genuine || result.expired);
    const action: PlainKey =
      mode === "counter"
        ? (ACTION_KEYS[result.action ?? ""] ?? "card.action.refuse_and_report")
        : genuine
          ? "card.self.continue"
          : "card.self.refer";
    const children: HTMLElement[] = [
      i18n.text(
        h("p", { class: "verdict-text", testid: "card-verdict-text" }),
        VERDICT_KEYS[result.verdict ?? ""] ?? "card.verdict.invalid",
      ),
      i18n.text(h("p", { testid: "card-action" }), action),
    ];
    if (result.expired) {
      children.push(
        i18n.text(
          h("p", { testid: "card-expired" }),
          mode === "counter" ? "card.expired.counter" : "card.expired.self",
        ),
      );
    }
    const selfServiceMayGoOn = genuine && !result.expired;
    if (result.action !== "refuse_and_report" && (mode === "counter" || selfServiceMayGoOn)) {
      const proceed = button({ class: "primary", testid: "card-continue" }, () => {
        draft.chipPortrait = result.portrait;
        draft.qrOnly = null;
        go("portrait");
      });
      actions.prepend(i18n.text(proceed, "card.continue"));
      i18n.text(read, "card.read_again");
      read.className = "secondary";
    }
    verdict.replaceChildren(...children);
    verdict.hidden = false;
  }

  void backend
    .cardState()
    .then((state) => {
      if (!signal.aborted) showState(state);
    })
    .catch((cause: unknown) => {
      if (!signal.aborted) showError(toBackendError(cause).code);
    });
  void backend
    .watchCard({ state: showState, progress: onProgress, result: onResult }, signal)
    .catch((cause: unknown) => {
      if (!signal.aborted) showError(toBackendError(cause).code);
    });
  keypad.setMode("digits");

  const keysPart = h(
    "div",
    { class: "card-keys", testid: "card-keys" },
    i18n.text(h("p", { class: "lead" }), "card.help"),
    h(
      "div",
      { class: "card-dates" },
      h(
        "div",
        { class: "card-date" },
        i18n.text(h("label", { for: "card-dob", class: "field-label" }), "card.dob.label"),
        birth,
      ),
      h(
        "div",
        { class: "card-date" },
        i18n.text(h("label", { for: "card-expiry", class: "field-label" }), "card.expiry.label"),
        expiry,
      ),
    ),
  );
  const screen = h(
    "section",
    { class: "screen-with-keypad screen-card", testid: "screen-card" },
    h(
      "div",
      { class: "form-column" },
      i18n.text(h("h1"), "card.title"),
      readerState,
      qrPart,
      keysPart,
      error,
      progress,
      h("div", { class: "card-read-out" }, holderPanel, portraitPanel),
      verdict,
      fallback,
      actions,
    ),
    h("div", { class: "card-side" }, keypad.element, camera.element),
  );
  return screen;
};

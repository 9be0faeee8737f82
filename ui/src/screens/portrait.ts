//! The portrait step, between the card and the form: the live camera picture with the
//! guidance drawn over it (one sentence for the most important failed check, the face's box,
//! how long it has held steady), the picture taken by itself once every check has held for a
//! steady run, "Chụp lại" to take it again, and the chip's photo beside the one taken with the
//! face comparison's score and verdict; when no comparison could run (no face models, no chip
//! photo) the officer compares the two photos and no score is shown. When no face is seen for
//! long, a sentence says what to do and where to get help. The step fits the screen without
//! scrolling: the picture takes the height left once the title, the sentences beside it and
//! the buttons below have theirs, so a citizen at a touchscreen always sees "Hủy".

import { button, h } from "../dom";
import type { PlainKey } from "../i18n";
import type { CapturedPortrait, PortraitGuidance } from "../ipc";
import { cameraView } from "../camera-view";
import type { ScreenFactory } from "../router";

/** After this long without a face, the screen says what to do. */
export const NO_FACE_HELP_MS = 15_000;

const GUIDANCE_KEYS: Readonly<Record<string, PlainKey>> = {
  no_face: "portrait.guide.no_face",
  one_face_only: "portrait.guide.one_face_only",
  centre_face: "portrait.guide.centre_face",
  move_closer: "portrait.guide.move_closer",
  move_back: "portrait.guide.move_back",
  more_light: "portrait.guide.more_light",
  less_light: "portrait.guide.less_light",
  hold_still: "portrait.guide.hold_still",
  straighten_head: "portrait.guide.straighten_head",
  plain_background: "portrait.guide.plain_background",
  ok: "portrait.guide.ok",
};

export const portrait: ScreenFactory = (ctx) => {
  const { i18n, draft, go, home, mode, signal } = ctx;
  const guidance = h("p", {
    class: "portrait-guidance",
    testid: "portrait-guidance",
    role: "status",
    "aria-live": "polite",
  });
  const faceBox = h("div", { class: "portrait-face", testid: "portrait-face", hidden: true });
  const steady = h("progress", { class: "portrait-steady", testid: "portrait-steady", max: 1 });
  i18n.label(steady, "portrait.steady");
  const help = h("p", {
    class: "notice",
    testid: "portrait-no-face-help",
    role: "alert",
    hidden: true,
  });
  const error = h("p", {
    class: "inline-error",
    testid: "portrait-error",
    role: "alert",
    hidden: true,
  });
  const captured = h("div", { class: "portrait-photo", testid: "portrait-captured", hidden: true });
  const proceed = button({ class: "primary", testid: "portrait-continue", hidden: true }, () => {
    go("form");
  });
  const retake = button({ class: "secondary", testid: "portrait-retake", hidden: true }, () => {
    takeAgain();
  });
  const cancel = button({ class: "secondary", testid: "cancel" }, home);
  let noFaceSince: number | null = null;

  const camera = cameraView(ctx, "portrait", "portrait.preview_alt", {
    guidance: showGuidance,
    captured: showCaptured,
    failed() {
      guidance.hidden = true;
    },
  });
  camera.overlay.append(h("div", { class: "portrait-oval" }), faceBox, guidance, steady);

  function showGuidance(g: PortraitGuidance): void {
    if (g.unavailable) {
      error.hidden = false;
      i18n.text(error, "portrait.guide.unavailable");
      camera.stop();
      return;
    }
    const first = g.guidance[0] ?? "no_face";
    guidance.hidden = false;
    guidance.dataset.code = first;
    i18n.text(guidance, GUIDANCE_KEYS[first] ?? "portrait.guide.no_face");
    steady.value = g.needed > 0 ? g.steady / g.needed : 0;
    if (g.face === null) {
      faceBox.hidden = true;
    } else {
      faceBox.hidden = false;
      faceBox.style.left = `${(g.face.x * 100).toFixed(2)}%`;
      faceBox.style.top = `${(g.face.y * 100).toFixed(2)}%`;
      faceBox.style.width = `${(g.face.width * 100).toFixed(2)}%`;
      faceBox.style.height = `${(g.face.height * 100).toFixed(2)}%`;
      faceBox.dataset.ok = String(first === "ok");
    }
    const now = Date.now();
    if (first === "no_face") {
      noFaceSince ??= now;
      if (now - noFaceSince >= NO_FACE_HELP_MS && help.hidden) {
        help.hidden = false;
        i18n.text(
          help,
          mode === "counter" ? "portrait.no_face_long.counter" : "portrait.no_face_long.self",
        );
      }
    } else {
      noFaceSince = null;
      help.hidden = true;
    }
  }

  function showCaptured(photo: CapturedPortrait): void {
    camera.stop();
    camera.element.hidden = true;
    help.hidden = true;
    const img = h("img", {
      src: photo.jpeg,
      testid: "portrait-captured-image",
      width: photo.width,
      height: photo.height,
    });
    i18n.label(img, "portrait.captured_alt");
    captured.replaceChildren(i18n.text(h("h2"), "portrait.live_title"), img);
    captured.hidden = false;
    const c = photo.comparison ?? null;
    if (c === null) {
      compare.dataset.verdict = "";
      i18n.text(compare, mode === "counter" ? "portrait.compare.officer" : "portrait.compare.self");
    } else {
      compare.dataset.verdict = c.samePerson ? "same" : "different";
      const vars = { score: c.score.toFixed(2), threshold: c.threshold.toFixed(2) };
      const key = c.samePerson
        ? "portrait.compare.same"
        : mode === "counter"
          ? "portrait.compare.different.counter"
          : "portrait.compare.different.self";
      i18n.text(compare, key, vars);
    }
    compare.classList.toggle("verdict-problem", c !== null && !c.samePerson);
    compare.hidden = false;
    proceed.hidden = false;
    retake.hidden = false;
  }

  function takeAgain(): void {
    captured.hidden = true;
    captured.replaceChildren();
    compare.hidden = true;
    proceed.hidden = true;
    retake.hidden = true;
    error.hidden = true;
    noFaceSince = null;
    camera.element.hidden = false;
    camera.start();
  }

  const chip = h("div", { class: "portrait-photo", testid: "portrait-chip" });
  const chipPhoto = draft.chipPortrait;
  let chipUrl: string | null = null;
  if (chipPhoto !== null && chipPhoto.bytes !== null) {
    chipUrl = URL.createObjectURL(
      new Blob([new Uint8Array(chipPhoto.bytes)], { type: chipPhoto.mime }),
    );
    const img = h("img", {
      src: chipUrl,
      testid: "portrait-chip-image",
      width: chipPhoto.width || undefined,
      height: chipPhoto.height || undefined,
    });
    i18n.label(img, "portrait.chip_alt");
    chip.append(i18n.text(h("h2"), "portrait.chip_title"), img);
  } else {
    chip.append(
      i18n.text(
        h("p", { testid: "portrait-chip-missing" }),
        chipPhoto === null ? "portrait.no_chip_photo" : "card.portrait.jpeg2000",
      ),
    );
  }
  signal.addEventListener("abort", () => {
    if (chipUrl !== null) URL.revokeObjectURL(chipUrl);
  });
  const compare = h("p", { class: "notice", testid: "portrait-compare", hidden: true });

  return h(
    "section",
    { class: "screen-portrait", testid: "screen-portrait" },
    i18n.text(h("h1"), "portrait.title"),
    i18n.text(h("p", { class: "lead" }), "portrait.help"),
    h("div", { class: "portrait-stage" }, camera.element, captured),
    h("div", { class: "portrait-side" }, chip, help, error, compare),
    h(
      "div",
      { class: "actions" },
      i18n.text(proceed, "portrait.continue"),
      i18n.text(retake, "portrait.retake"),
      i18n.text(cancel, "common.cancel"),
    ),
  );
};

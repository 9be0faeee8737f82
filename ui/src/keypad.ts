//! The on-screen keypad: digits for ID numbers and PINs, letters with every Vietnamese letter
//! and tone mark for names and addresses. It types into the focused field (or the last one
//! focused), never takes focus itself, and follows the field's `data-keypad` mode.
//! Any screen can place `keypad.element` in its layout and mark inputs with `keypadField`.

import { button, h } from "./dom";
import type { I18n, PlainKey } from "./i18n";
import { applyTone, graphemes, type Tone } from "./vietnamese";

export type KeypadMode = "digits" | "text";

/** Marks an input as typed by the keypad in the given mode, and keeps system keyboards away. */
export function keypadField<E extends HTMLInputElement>(input: E, mode: KeypadMode): E {
  input.dataset.keypad = mode;
  input.inputMode = "none";
  input.autocomplete = "off";
  input.spellcheck = false;
  if (mode === "digits") {
    input.addEventListener("input", () => {
      const digits = input.value.replace(/\D/g, "");
      if (digits !== input.value) input.value = digits;
    });
  }
  return input;
}

const TEXT_ROWS: readonly (readonly string[])[] = [
  ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"],
  ["q", "w", "e", "r", "t", "y", "u", "i", "o", "p"],
  ["a", "s", "d", "f", "g", "h", "j", "k", "l", "đ"],
  ["z", "x", "c", "v", "b", "n", "m", ",", ".", "-"],
  ["ă", "â", "ê", "ô", "ơ", "ư", "/"],
];

const TONES: readonly { tone: Tone; glyph: string; label: PlainKey }[] = [
  { tone: "acute", glyph: "á", label: "keypad.tone.acute" },
  { tone: "grave", glyph: "à", label: "keypad.tone.grave" },
  { tone: "hook", glyph: "ả", label: "keypad.tone.hook" },
  { tone: "tilde", glyph: "ã", label: "keypad.tone.tilde" },
  { tone: "dot", glyph: "ạ", label: "keypad.tone.dot" },
];

const SEL = "input[data-keypad]";

export class Keypad {
  readonly element: HTMLElement;
  #mode: KeypadMode = "digits";
  #shift = false;
  #lastField: HTMLInputElement | null = null;
  readonly #letterKeys: { key: HTMLButtonElement; letter: string }[] = [];
  readonly #shiftKey: HTMLButtonElement;

  constructor(i18n: I18n, signal: AbortSignal) {
    this.#shiftKey = button(
      { class: "key key-wide", testid: "text-key-shift", "aria-pressed": "false" },
      () => {
        this.#toggleShift();
      },
    );
    i18n.text(this.#shiftKey, "keypad.shift");

    const digits = h(
      "div",
      { class: "keypad-grid keypad-digits" },
      ...["1", "2", "3", "4", "5", "6", "7", "8", "9"].map((d) => this.#charKey(d, "digits")),
      this.#clearKey(i18n, "digits"),
      this.#charKey("0", "digits"),
      this.#backspaceKey(i18n, "digits"),
    );

    const text = h(
      "div",
      { class: "keypad-rows keypad-text" },
      ...TEXT_ROWS.map((row) =>
        h("div", { class: "keypad-row" }, ...row.map((c) => this.#charKey(c, "text"))),
      ),
      h(
        "div",
        { class: "keypad-row" },
        ...TONES.map(({ tone, glyph, label }) => {
          const key = button({ class: "key key-tone", testid: `text-key-tone-${tone}` }, () => {
            this.#tone(tone);
          });
          key.textContent = glyph;
          return i18n.label(key, label);
        }),
        this.#backspaceKey(i18n, "text"),
      ),
      h(
        "div",
        { class: "keypad-row" },
        this.#shiftKey,
        i18n.text(
          button({ class: "key key-space", testid: "text-key-space" }, () => {
            this.#insert(" ");
          }),
          "keypad.space",
        ),
        this.#clearKey(i18n, "text"),
      ),
    );

    this.element = h(
      "div",
      { class: "keypad", role: "group", testid: "keypad", "data-mode": this.#mode },
      digits,
      text,
    );
    i18n.label(this.element, "keypad.label");
    // Pressing a key must not move focus away from the field being typed into (touch taps
    // arrive as mousedown too).
    this.element.addEventListener("mousedown", (e) => {
      e.preventDefault();
    });

    document.addEventListener(
      "focusin",
      (e) => {
        if (e.target instanceof HTMLInputElement && e.target.matches(SEL)) {
          this.#lastField = e.target;
          this.setMode(e.target.dataset.keypad === "text" ? "text" : "digits");
        }
      },
      { signal },
    );
  }

  get mode(): KeypadMode {
    return this.#mode;
  }

  setMode(mode: KeypadMode): void {
    this.#mode = mode;
    this.element.dataset.mode = mode;
  }

  /** The field keys go to: the focused keypad field, else the last one focused while shown. */
  #field(): HTMLInputElement | null {
    const active = document.activeElement;
    if (active instanceof HTMLInputElement && active.matches(SEL)) return active;
    if (this.#lastField?.isConnected) {
      this.#lastField.focus();
      return this.#lastField;
    }
    const first =
      this.element.closest("[data-screen]")?.querySelector<HTMLInputElement>(SEL) ?? null;
    first?.focus();
    return first;
  }

  #charKey(char: string, block: KeypadMode): HTMLButtonElement {
    const key = button({ class: "key", testid: `${block}-key-${char}` }, () => {
      this.#insert(this.#shift ? char.toUpperCase() : char);
    });
    key.textContent = char;
    if (char.toUpperCase() !== char) this.#letterKeys.push({ key, letter: char });
    return key;
  }

  #backspaceKey(i18n: I18n, block: KeypadMode): HTMLButtonElement {
    const key = button({ class: "key key-action", testid: `${block}-key-backspace` }, () => {
      this.#backspace();
    });
    key.textContent = "⌫";
    return i18n.label(key, "keypad.backspace");
  }

  #clearKey(i18n: I18n, block: KeypadMode): HTMLButtonElement {
    const key = button({ class: "key key-action", testid: `${block}-key-clear` }, () => {
      this.#edit(() => ({ value: "", caret: 0 }));
    });
    return i18n.text(key, "keypad.clear");
  }

  #toggleShift(): void {
    this.#shift = !this.#shift;
    this.#shiftKey.setAttribute("aria-pressed", String(this.#shift));
    for (const { key, letter } of this.#letterKeys) {
      key.textContent = this.#shift ? letter.toUpperCase() : letter;
    }
  }

  #insert(text: string): void {
    this.#edit((value, start, end, field) => {
      if (field.dataset.keypad === "digits" && /\D/.test(text)) return null;
      const room =
        field.maxLength >= 0 ? field.maxLength - (value.length - (end - start)) : Infinity;
      if (room < text.length) return null;
      return { value: value.slice(0, start) + text + value.slice(end), caret: start + text.length };
    });
  }

  #backspace(): void {
    this.#edit((value, start, end) => {
      if (start !== end) return { value: value.slice(0, start) + value.slice(end), caret: start };
      if (start === 0) return null;
      const head = graphemes(value.slice(0, start));
      head.pop();
      const kept = head.join("");
      return { value: kept + value.slice(end), caret: kept.length };
    });
  }

  #tone(tone: Tone): void {
    this.#edit((value, start) => applyTone(value, start, tone));
  }

  #edit(
    change: (
      value: string,
      start: number,
      end: number,
      field: HTMLInputElement,
    ) => { value: string; caret: number } | null,
  ): void {
    const field = this.#field();
    if (field === null || field.disabled || field.readOnly) return;
    const start = field.selectionStart ?? field.value.length;
    const end = field.selectionEnd ?? start;
    const next = change(field.value, start, end, field);
    if (next === null || next.value === field.value) return;
    field.value = next.value.normalize("NFC");
    field.setSelectionRange(next.caret, next.caret);
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }
}

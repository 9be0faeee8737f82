//! Vietnamese tone marks for the on-screen keypad: the citizen types the letters of a syllable,
//! then a tone key, and the mark lands on the vowel Vietnamese spelling puts it on
//! ("nguyên" + ngã → "nguyễn", "nguơi" … "ngươi" + huyền → "người", "hoa" + huyền → "hòa").
//! Output is always NFC.

export type Tone = "acute" | "grave" | "hook" | "tilde" | "dot";

const TONE_MARKS: Readonly<Record<Tone, string>> = {
  acute: "\u0301",
  grave: "\u0300",
  hook: "\u0309",
  tilde: "\u0303",
  dot: "\u0323",
};

const ANY_TONE = /[\u0300\u0301\u0303\u0309\u0323]/gu;
/** Circumflex, breve and horn: a vowel carrying one takes the tone (â ă ê ô ơ ư). */
const SHAPED = /[\u0302\u0306\u031B]/u;
const VOWELS = "aăâeêioôơuưy";
const LETTER = /\p{L}/u;

function toneOf(ch: string): Tone | null {
  const nfd = ch.normalize("NFD");
  for (const [tone, mark] of Object.entries(TONE_MARKS) as [Tone, string][]) {
    if (nfd.includes(mark)) return tone;
  }
  return null;
}

function withoutTone(ch: string): string {
  return ch.normalize("NFD").replace(ANY_TONE, "").normalize("NFC");
}

function withTone(ch: string, tone: Tone | null): string {
  const bare = withoutTone(ch).normalize("NFD");
  return (tone === null ? bare : bare + TONE_MARKS[tone]).normalize("NFC");
}

function isVowel(ch: string): boolean {
  return VOWELS.includes(withoutTone(ch).toLowerCase());
}

/** Index, within the syllable's letters, of the vowel that carries the tone; -1 if none. */
function toneIndex(letters: readonly string[]): number {
  const lower = letters.map((ch) => withoutTone(ch).toLowerCase());
  const vowel = lower.map((ch) => VOWELS.includes(ch));
  // The u of "qu" and the i of "gi" (before another vowel) belong to the consonant.
  if (
    (lower[0] === "q" && lower[1] === "u") ||
    (lower[0] === "g" && lower[1] === "i" && vowel[2])
  ) {
    vowel[1] = false;
  }
  const last = vowel.lastIndexOf(true);
  if (last < 0) return -1;
  let first = last;
  while (first > 0 && vowel[first - 1]) first -= 1;
  const cluster: number[] = [];
  for (let i = first; i <= last; i += 1) cluster.push(i);

  const shaped = cluster.filter((i) => SHAPED.test((lower[i] ?? "").normalize("NFD")));
  const lastShaped = shaped[shaped.length - 1];
  if (lastShaped !== undefined) return lastShaped;
  if (last < letters.length - 1) return last; // a final consonant follows: "hoàng", "tiếng"
  if (cluster.length >= 3) return cluster[1] ?? last; // "ngoài", "khuỷu"
  return first; // "hòa", "mùa", "thủy"
}

const SEGMENTER = new Intl.Segmenter("vi", { granularity: "grapheme" });

/** The text's user-perceived characters: a letter with its marks is one, however encoded. */
export function graphemes(text: string): string[] {
  return Array.from(SEGMENTER.segment(text), (s) => s.segment);
}

export interface Edit {
  readonly value: string;
  readonly caret: number;
}

/**
 * Puts `tone` on the syllable that ends at `caret`. The same tone again removes it; another
 * tone replaces it. With no vowel before the caret the text is unchanged.
 */
export function applyTone(value: string, caret: number, tone: Tone): Edit {
  const before = graphemes(value.slice(0, caret));
  const after = value.slice(caret);
  let start = before.length;
  while (start > 0 && LETTER.test(before[start - 1] ?? "")) start -= 1;
  const letters = before.slice(start);
  const target = toneIndex(letters);
  const targetLetter = letters[target];
  if (targetLetter === undefined || !isVowel(targetLetter)) return { value, caret };

  const next = toneOf(targetLetter) === tone ? null : tone;
  const syllable = letters.map((ch, i) => (i === target ? withTone(ch, next) : withoutTone(ch)));
  const head = [...before.slice(0, start), ...syllable].join("");
  return { value: head + after, caret: head.length };
}

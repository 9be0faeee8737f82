// The dictionary's source is stored in NFC, so every Vietnamese text the kiosk shows is NFC
// (decomposed tone marks render badly in some fonts and break comparisons).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";

test("the dictionary source is NFC", async () => {
  const source = await readFile(new URL("../src/i18n.ts", import.meta.url), "utf8");
  const offending = source.split("\n").filter((line) => line !== line.normalize("NFC"));
  assert.deepEqual(offending, []);
  assert.ok(source.includes("Tiếng Việt"), "the file holds Vietnamese text");
});

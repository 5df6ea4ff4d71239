import assert from "node:assert/strict";
import { splitMessage, WHATSAPP_MAX_CHARS } from "./split.ts";

Deno.test("splitMessage()", async (t) => {
  await t.step("keeps a short text whole", () => {
    assert.deepEqual(splitMessage("  rev mtd: $1,000 \n"), ["rev mtd: $1,000"]);
    assert.deepEqual(splitMessage(""), []);
  });
  await t.step("cuts at paragraphs, then lines, then spaces, within the limit", () => {
    const para = "word ".repeat(200).trim(); // 999 chars
    const parts = splitMessage(`${para}\n\n${para}\n\n${para}`);
    assert.equal(parts.length, 3);
    assert.ok(parts.every((p) => p.length <= WHATSAPP_MAX_CHARS && p === para));
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i} `.padEnd(40, "x")).join("\n");
    const byLine = splitMessage(lines);
    assert.ok(byLine.every((p) => p.length <= WHATSAPP_MAX_CHARS));
    assert.equal(byLine.join("\n"), lines);
  });
  await t.step("cuts a word longer than the limit", () => {
    const parts = splitMessage("x".repeat(3500));
    assert.deepEqual(parts.map((p) => p.length), [1600, 1600, 300]);
  });
});

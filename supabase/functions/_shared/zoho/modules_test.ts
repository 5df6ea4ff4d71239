import assert from "node:assert/strict";
import {
  childrenDeletedWith,
  isConverted,
  MODULE_QUIRKS,
  QUIRK_KEYS,
  quirksOf,
} from "./modules.ts";

Deno.test("quirksOf() gives the registry entry, or none", () => {
  assert.deepEqual(quirksOf("Leads").listQuery, { converted: "both" });
  assert.deepEqual(quirksOf("Accounts"), {});
  assert.equal(quirksOf("Notes").deletedWithParent?.parentField, "Parent_Id");
});

Deno.test("isConverted() reads the module's converted flags only", () => {
  assert.equal(isConverted(quirksOf("Leads"), { Converted__s: true }), true);
  assert.equal(isConverted(quirksOf("Leads"), { $converted: true }), true);
  assert.equal(isConverted(quirksOf("Leads"), { Converted__s: false }), false);
  assert.equal(isConverted(quirksOf("Deals"), { Converted__s: true }), false);
});

Deno.test("childrenDeletedWith() names the children a parent's deletion takes along", () => {
  assert.deepEqual(childrenDeletedWith("Leads"), [{ module: "Notes", parentField: "Parent_Id" }]);
  assert.deepEqual(childrenDeletedWith("Notes"), [], "a note's own deletion has its tombstone");
});

Deno.test("QUIRK_KEYS are the converted flags and detail keys of every entry", () => {
  const expected = Object.values(MODULE_QUIRKS).flatMap((q) =>
    q.converted ? [...q.converted.flags, q.converted.detailKey] : []
  );
  assert.deepEqual([...QUIRK_KEYS].sort(), [...new Set(expected)].sort());
  assert.ok(QUIRK_KEYS.includes("$converted_detail"));
});

import assert from "node:assert/strict";
import { fieldGroups, needsSingleRead, planModule } from "./fields.ts";

Deno.test("fieldGroups() keeps ≤50 names per group, Modified_Time in each, none lost", () => {
  const names = ["id", "Modified_Time", ...Array.from({ length: 120 }, (_, i) => `F${i}`)];
  const groups = fieldGroups(names);
  assert.equal(groups.length, 3);
  for (const g of groups) {
    assert.ok(g.length <= 50);
    assert.equal(g[0], "Modified_Time");
  }
  const all = groups.flatMap((g) => g.slice(1));
  assert.deepEqual(all, names.slice(2));
  assert.deepEqual(fieldGroups(["id"]), [["Modified_Time"]]);
});

Deno.test("needsSingleRead() flags subform modules, truncated rich text and converted leads", () => {
  const withItems = planModule("Leads", [
    { api_name: "Description", data_type: "textarea", textarea: { type: "rich_text" } },
    { api_name: "Items", data_type: "subform" },
  ]);
  assert.deepEqual(withItems.omitted, ["Items"]);
  assert.equal(needsSingleRead("Leads", { $has_more: { Items: true } }, withItems), true);
  // Subform values never come in lists; `$has_more` is on single reads only (get-records v7).
  assert.equal(needsSingleRead("Leads", { Description: "short" }, withItems), true);
  const plan = planModule("Leads", [
    { api_name: "Description", data_type: "textarea", textarea: { type: "rich_text" } },
  ]);
  assert.equal(needsSingleRead("Leads", { $has_more: { Items: true } }, plan), true);
  assert.equal(needsSingleRead("Leads", { Description: "x".repeat(500) }, plan), true);
  assert.equal(needsSingleRead("Leads", { Description: "short" }, plan), false);
  assert.equal(needsSingleRead("Leads", { Converted__s: true }, plan), true);
  assert.equal(
    needsSingleRead("Leads", { Converted__s: true, $converted_detail: {} }, plan),
    false,
  );
  assert.equal(needsSingleRead("Deals", { Converted__s: true }, plan), false);
  assert.equal(needsSingleRead("Deals", {}, plan, true), true);
  // Any long string value, whatever its field type (plain multi-line text is cut in lists too).
  assert.equal(needsSingleRead("Deals", { Notes: "x".repeat(500) }, plan), true);
  assert.equal(needsSingleRead("Deals", { Notes: "x".repeat(499) }, plan), false);
  assert.equal(needsSingleRead("Deals", {}, plan, false, true), true);
});

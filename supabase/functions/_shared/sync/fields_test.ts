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
  assert.equal(needsSingleRead({ $has_more: { Items: true } }, withItems), true);
  // Subform values never come in lists; `$has_more` is on single reads only (get-records v7).
  assert.equal(needsSingleRead({ Description: "short" }, withItems), true);
  const fields = [
    { api_name: "Description", data_type: "textarea", textarea: { type: "rich_text" } },
  ];
  const plan = planModule("Leads", fields);
  assert.equal(needsSingleRead({ $has_more: { Items: true } }, plan), true);
  assert.equal(needsSingleRead({ Description: "x".repeat(500) }, plan), true);
  assert.equal(needsSingleRead({ Description: "short" }, plan), false);
  assert.equal(needsSingleRead({ Converted__s: true }, plan), true);
  assert.equal(needsSingleRead({ $converted: true }, plan), true);
  assert.equal(needsSingleRead({ Converted__s: true, $converted_detail: {} }, plan), false);
  const deals = planModule("Deals", fields);
  assert.equal(needsSingleRead({ Converted__s: true }, deals), false, "no converted quirk");
  assert.equal(needsSingleRead({}, deals, { everything: true }), true);
  // Any long string value, whatever its field type (plain multi-line text is cut in lists too).
  assert.equal(needsSingleRead({ Notes: "x".repeat(500) }, deals), true);
  assert.equal(needsSingleRead({ Notes: "x".repeat(499) }, deals), false);
  assert.equal(needsSingleRead({}, deals, { long: true }), true);
});

Deno.test("planModule() reads a module with line items record by record (registry quirk)", () => {
  const quote = planModule("Quotes", [
    { api_name: "Subject", data_type: "text" },
    { api_name: "Quoted_Items", data_type: "lineitem" },
  ]);
  assert.deepEqual(quote.omitted, ["Quoted_Items"]);
  assert.equal(needsSingleRead({}, quote), true);
  const other = planModule("Deals", [{ api_name: "Quoted_Items", data_type: "lineitem" }]);
  assert.equal(needsSingleRead({}, other), false, "the quirk is the module's, not the name's");
});

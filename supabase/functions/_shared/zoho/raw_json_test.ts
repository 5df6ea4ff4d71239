import assert from "node:assert/strict";
import { MalformedJsonError, splitListBody } from "./raw_json.ts";

Deno.test("splitListBody() keeps each record's raw text, bigints included", () => {
  const body = '{"data":[{"id":"5540230000037010121","Big":9007199254740993,"s":"a\\"},{]"},' +
    ' {"id":"2","n":[1,{"x":null}]}],"info":{"more_records":true,"next_page_token":"t1"}}';
  const { records, info } = splitListBody(body);
  assert.equal(records.length, 2);
  assert.equal(records[0], '{"id":"5540230000037010121","Big":9007199254740993,"s":"a\\"},{]"}');
  assert.equal(records[1], '{"id":"2","n":[1,{"x":null}]}');
  assert.deepEqual(info, { more_records: true, next_page_token: "t1" });
});

Deno.test("splitListBody() handles empty data and info-first order", () => {
  assert.deepEqual(splitListBody('{"info":{"count":0},"data":[]}'), {
    records: [],
    info: { count: 0 },
  });
  assert.deepEqual(splitListBody("{}"), { records: [], info: {} });
});

Deno.test("splitListBody() rejects truncated bodies", () => {
  const full = '{"data":[{"id":"1","a":"xyz"},{"id":"2"}],"info":{"more_records":false}}';
  for (const cut of [5, 20, 30, 45, full.length - 1]) {
    assert.throws(() => splitListBody(full.slice(0, cut)), MalformedJsonError, `cut at ${cut}`);
  }
});

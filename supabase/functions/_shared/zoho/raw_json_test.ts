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
    picked: [],
    long: [],
  });
  assert.deepEqual(splitListBody("{}"), { records: [], info: {}, picked: [], long: [] });
});

Deno.test("splitListBody() picks raw top-level values without parsing records", () => {
  const body = '{"data":[ {"id":"55402300000370101","Owner":{"id":"9","name":"x"},' +
    '"Big":9007199254740993, "Desc" : "a\\"},{]", "$has_more":{"Sub":true}} ,{},' +
    '{"id":12345678901234567890,"Desc":null}],"info":{"more_records":false}}';
  const pick = new Set(["id", "Big", "Desc", "$has_more", "Absent"]);
  const { records, picked } = splitListBody(body, { pick });
  assert.equal(records.length, 3);
  assert.deepEqual(picked, [
    {
      id: '"55402300000370101"',
      Big: "9007199254740993",
      Desc: '"a\\"},{]"',
      $has_more: '{"Sub":true}',
    },
    {},
    { id: "12345678901234567890", Desc: "null" },
  ]);
  // nested keys are not top-level keys: Owner.id is not picked over the record's id
  assert.equal(JSON.parse(picked[0]!.id!), "55402300000370101");
  // the records are still their exact raw texts
  assert.equal(records[2], '{"id":12345678901234567890,"Desc":null}');
});

Deno.test("splitListBody() rejects truncated bodies", () => {
  const full = '{"data":[{"id":"1","a":"xyz"},{"id":"2"}],"info":{"more_records":false}}';
  for (const cut of [5, 20, 30, 45, full.length - 1]) {
    assert.throws(() => splitListBody(full.slice(0, cut)), MalformedJsonError, `cut at ${cut}`);
    const pick = new Set(["id"]);
    assert.throws(() => splitListBody(full.slice(0, cut), { pick }), MalformedJsonError, `${cut}`);
  }
});

Deno.test("splitListBody() flags records with a long string value in any top-level field", () => {
  const rec = (fields: Record<string, unknown>) => JSON.stringify({ id: "1", ...fields });
  const body = `{"data":[${
    [
      rec({ Description: "x".repeat(500) }), // a plain multi-line field at the limit
      rec({ Notes_2: "y".repeat(499) }), // one short of it
      rec({ Street: "é".repeat(500) }), // non-ASCII: decoded length counts
      rec({ Desc: "\n".repeat(300) }), // 600 raw characters, 300 decoded: not long
      rec({ Owner: { name: "z".repeat(900) } }), // nested, not a field value
      rec({ Tags: 5, Big: 9007199254740993, Last: "w".repeat(1200) }),
    ].join(",")
  }],"info":{}}`;
  const { long, picked } = splitListBody(body, { pick: new Set(["id"]), longAt: 500 });
  assert.deepEqual(long, [true, false, true, false, false, true]);
  assert.equal(picked.length, 6);
  assert.deepEqual(splitListBody(body, { pick: new Set(["id"]) }).long, [
    false,
    false,
    false,
    false,
    false,
    false,
  ]);
});

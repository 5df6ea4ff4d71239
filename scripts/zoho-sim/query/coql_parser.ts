/**
 * A COQL subset: SELECT fields FROM module [WHERE conditions with AND/OR/parentheses]
 * [ORDER BY field [ASC|DESC], ...] [LIMIT [offset,] limit | LIMIT limit OFFSET offset].
 * Syntax errors carry line, column and the token near them, as Zoho's SYNTAX_ERROR does.
 */
import type { Op, Predicate, Scalar } from "./predicate.ts";

export interface CoqlQuery {
  fields: string[];
  module: string;
  where: Predicate | null;
  orderBy: { field: string; desc: boolean }[];
  limit: number;
  offset: number;
}

/** Thrown for malformed queries. */
export class CoqlSyntaxError extends Error {
  override name = "CoqlSyntaxError";
  constructor(readonly line: number, readonly column: number, readonly near: string) {
    super(`Cannot parse COQL query: error near "${near}" at line ${line} column ${column}`);
  }
}

interface Token {
  type: "word" | "string" | "number" | "op" | "punct" | "end";
  text: string;
  line: number;
  column: number;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let col = 1;
  const push = (type: Token["type"], text: string, l: number, c: number) =>
    out.push({ type, text, line: l, column: c });
  while (i < src.length) {
    const ch = src[i] as string;
    if (ch === "\n") {
      i++;
      line++;
      col = 1;
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      col++;
      continue;
    }
    const l = line;
    const c = col;
    const rest = src.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^'((?:[^'\\]|\\.)*)'/.exec(rest))) {
      push("string", (m[1] as string).replace(/\\'/g, "'"), l, c);
    } else if ((m = /^-?\d+(\.\d+)?/.exec(rest))) push("number", m[0], l, c);
    else if ((m = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*/.exec(rest))) push("word", m[0], l, c);
    else if ((m = /^(>=|<=|!=|<>|=|>|<)/.exec(rest))) push("op", m[0], l, c);
    else if ((m = /^[(),*]/.exec(rest))) push("punct", m[0], l, c);
    else throw new CoqlSyntaxError(l, c, ch);
    i += (m as RegExpExecArray)[0].length;
    col += (m as RegExpExecArray)[0].length;
  }
  out.push({ type: "end", text: "", line, column: col });
  return out;
}

/** Parses a COQL select query. */
export function parseCoql(src: string): CoqlQuery {
  const toks = tokenize(src);
  let pos = 0;
  const peek = () => toks[pos] as Token;
  const fail = (): never => {
    const t = peek();
    throw new CoqlSyntaxError(t.line, t.column, t.text || "end of query");
  };
  const isWord = (w: string) => peek().type === "word" && peek().text.toLowerCase() === w;
  const expectWord = (w: string) => (isWord(w) ? pos++ : fail());
  const ident = (): string => (peek().type === "word" ? (toks[pos++] as Token).text : fail());
  const punct = (p: string) => peek().type === "punct" && peek().text === p;

  expectWord("select");
  const fields = [ident()];
  while (punct(",")) {
    pos++;
    fields.push(ident());
  }
  expectWord("from");
  const module = ident();
  let where: Predicate | null = null;
  if (isWord("where")) {
    pos++;
    where = parseOr();
  }
  const orderBy: CoqlQuery["orderBy"] = [];
  if (isWord("order")) {
    pos++;
    expectWord("by");
    do {
      if (punct(",")) pos++;
      const field = ident();
      let desc = false;
      if (isWord("asc") || isWord("desc")) {
        desc = (toks[pos++] as Token).text.toLowerCase() === "desc";
      }
      orderBy.push({ field, desc });
    } while (punct(","));
  }
  let limit = 200;
  let offset = 0;
  if (isWord("limit")) {
    pos++;
    const first = integer();
    if (punct(",")) {
      pos++;
      offset = first;
      limit = integer();
    } else {
      limit = first;
      if (isWord("offset")) {
        pos++;
        offset = integer();
      }
    }
  }
  if (peek().type !== "end") fail();
  return { fields, module, where, orderBy, limit, offset };

  function integer(): number {
    return peek().type === "number" ? Number((toks[pos++] as Token).text) : fail();
  }

  function value(): Scalar {
    const t = peek();
    if (t.type === "string") return (pos++, t.text);
    if (t.type === "number") return (pos++, Number(t.text));
    if (t.type === "word" && ["true", "false", "null"].includes(t.text.toLowerCase())) {
      pos++;
      return t.text.toLowerCase() === "null" ? null : t.text.toLowerCase() === "true";
    }
    return fail();
  }

  function parseOr(): Predicate {
    const parts = [parseAnd()];
    while (isWord("or")) {
      pos++;
      parts.push(parseAnd());
    }
    return parts.length === 1 ? parts[0] as Predicate : { kind: "or", parts };
  }

  function parseAnd(): Predicate {
    const parts = [parseFactor()];
    while (isWord("and")) {
      pos++;
      parts.push(parseFactor());
    }
    return parts.length === 1 ? parts[0] as Predicate : { kind: "and", parts };
  }

  function parseFactor(): Predicate {
    if (punct("(")) {
      pos++;
      const inner = parseOr();
      if (!punct(")")) fail();
      pos++;
      return inner;
    }
    const field = ident();
    if (isWord("is")) {
      pos++;
      const not = isWord("not") ? (pos++, true) : false;
      expectWord("null");
      return { kind: "cond", field, op: not ? "is not null" : "is null", values: [] };
    }
    const not = isWord("not") ? (pos++, true) : false;
    if (isWord("in")) {
      pos++;
      if (!punct("(")) fail();
      pos++;
      const values = [value()];
      while (punct(",")) {
        pos++;
        values.push(value());
      }
      if (!punct(")")) fail();
      pos++;
      return { kind: "cond", field, op: not ? "not in" : "in", values };
    }
    if (isWord("between")) {
      pos++;
      const a = value();
      expectWord("and");
      return { kind: "cond", field, op: not ? "not between" : "between", values: [a, value()] };
    }
    if (isWord("like")) {
      pos++;
      return { kind: "cond", field, op: not ? "not like" : "like", values: [value()] };
    }
    if (not || peek().type !== "op") fail();
    const text = (toks[pos++] as Token).text;
    const op = (text === "<>" ? "!=" : text) as Op;
    return { kind: "cond", field, op, values: [value()] };
  }
}

/** OAuth scope matching: "ZohoCRM.modules.ALL" covers "ZohoCRM.modules.leads.READ", and so on. */

function covers(granted: string, required: string): boolean {
  const g = granted.toLowerCase().split(".");
  const r = required.toLowerCase().split(".");
  if (g.length < 2 || g[0] !== r[0]) return false;
  const gOp = g[g.length - 1];
  const rOp = r[r.length - 1];
  if (gOp !== rOp && gOp !== "all") return false;
  const gPath = g.slice(1, -1);
  const rPath = r.slice(1, -1);
  if (gPath.length > rPath.length) return false;
  return gPath.every((part, n) => part === rPath[n]);
}

/** True when any granted scope covers any of the alternatives. */
export function hasScope(granted: readonly string[], alternatives: readonly string[]): boolean {
  return alternatives.some((req) => granted.some((g) => covers(g, req)));
}

/** Scopes that allow reading a module's records. */
export function moduleReadScopes(module: string, custom: boolean): string[] {
  const out = [`ZohoCRM.modules.${module}.READ`];
  if (custom) out.push("ZohoCRM.modules.custom.READ");
  return out;
}

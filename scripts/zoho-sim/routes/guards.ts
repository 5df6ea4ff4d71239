/** Module resolution and scope checks shared by the CRM routes. */
import type { Context } from "hono";
import { moduleByName, type ModuleDef } from "../dataset/modules.ts";
import { invalidModule, scopeMismatch, ZohoError } from "../sim/errors.ts";
import { hasScope, moduleReadScopes } from "../sim/scopes.ts";
import type { SimState } from "../sim/state.ts";
import type { SimEnv } from "./env.ts";

/** Throws OAUTH_SCOPE_MISMATCH unless the token grants one of the scopes. */
export function requireScope(state: SimState, c: Context<SimEnv>, alternatives: string[]): void {
  if (!hasScope(c.get("grant").scope, alternatives)) {
    throw scopeMismatch(state.options.behaviour.scopeMismatchStatus);
  }
}

/** Resolves a record-bearing, API-supported module and checks read scope. */
export function recordModule(state: SimState, c: Context<SimEnv>, name: string): ModuleDef {
  const mod = moduleByName(name);
  if (!mod) throw invalidModule();
  if (!mod.api_supported) {
    throw new ZohoError(400, "INVALID_MODULE", "the module name given seems to be invalid", {
      resource_path_index: 0,
    });
  }
  requireScope(state, c, moduleReadScopes(mod.api_name, mod.generated_type === "custom"));
  return mod;
}

/**
 * The local functions gateway, standing in for Supabase's Kong + edge-runtime main service:
 * `/functions/v1/<name>/...` reaches that function's Hono app with the path `/<name>/...`.
 * It honours `verify_jwt` from config.toml (HS256, local JWT secret), answers 401 for a missing,
 * malformed, badly signed or expired token, 404 for an unknown function, 503 when a function
 * cannot boot and 500 when it throws, and keeps serving the others.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { FunctionSpec } from "./functions_config.ts";
import { JwtError, verifyJwt } from "./jwt.ts";

type FetchApp = { fetch(request: Request): Response | Promise<Response> };

/** What the gateway needs: the declared functions, where they live, and the JWT secret. */
export interface GatewayOptions {
  functions: FunctionSpec[];
  functionsDir: string;
  jwtSecret: string;
  /** Loads a function's app; defaults to importing `<functionsDir>/<name>/app.ts`. */
  load?: (spec: FunctionSpec) => Promise<FetchApp>;
  log?: (line: string) => void;
}

function errorResponse(
  status: number,
  { code, message }: { code: string; message: string },
): Response {
  return Response.json({ error: { code, message } }, { status });
}

async function importApp(functionsDir: string, spec: FunctionSpec): Promise<FetchApp> {
  const mod = await import(pathToFileURL(join(functionsDir, spec.name, "app.ts")).href);
  if (typeof mod.createApp !== "function") {
    throw new Error(`${spec.name}/app.ts does not export createApp()`);
  }
  return await mod.createApp();
}

/** Builds the gateway's fetch handler. */
export function createGateway(options: GatewayOptions): (request: Request) => Promise<Response> {
  const log = options.log ?? ((line: string) => console.error(line));
  const specs = new Map(options.functions.filter((f) => f.enabled).map((f) => [f.name, f]));
  const apps = new Map<string, Promise<FetchApp>>();
  const load = options.load ?? ((spec: FunctionSpec) => importApp(options.functionsDir, spec));

  async function checkJwt(request: Request): Promise<Response | undefined> {
    const header = request.headers.get("authorization");
    if (!header) {
      return errorResponse(401, { code: "unauthorized", message: "Missing authorization header" });
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      return errorResponse(401, {
        code: "unauthorized",
        message: "Authorization header is not a Bearer token",
      });
    }
    try {
      await verifyJwt(match[1]!, options.jwtSecret);
      return undefined;
    } catch (e) {
      if (e instanceof JwtError) {
        return errorResponse(401, { code: "unauthorized", message: e.message });
      }
      throw e;
    }
  }

  return async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const match = /^\/functions\/v1\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (!match) {
      return errorResponse(404, {
        code: "not_found",
        message: `No route ${url.pathname}: use /functions/v1/<name>`,
      });
    }
    const name = match[1]!;
    const spec = specs.get(name);
    if (!spec) {
      return errorResponse(404, { code: "not_found", message: `Function not found: ${name}` });
    }
    if (spec.verifyJwt) {
      const refused = await checkJwt(request);
      if (refused) return refused;
    }
    let appPromise = apps.get(name);
    if (!appPromise) {
      appPromise = load(spec);
      apps.set(name, appPromise);
    }
    let app: FetchApp;
    try {
      app = await appPromise;
    } catch (e) {
      apps.delete(name); // retry the boot on the next request
      log(`gateway: function ${name} failed to boot: ${e instanceof Error ? e.stack : e}`);
      return errorResponse(503, {
        code: "boot_error",
        message: `Function failed to start: ${name}`,
      });
    }
    const inner = new URL(`/${name}${match[2] ?? ""}${url.search}`, url.origin);
    const started = performance.now();
    try {
      const response = await app.fetch(new Request(inner, request));
      log(
        `gateway: ${request.method} /${name}${match[2] ?? ""} ${response.status} ` +
          `${Math.round(performance.now() - started)}ms`,
      );
      return response;
    } catch (e) {
      log(`gateway: function ${name} threw: ${e instanceof Error ? e.stack : e}`);
      return errorResponse(500, { code: "function_error", message: `Function failed: ${name}` });
    }
  };
}

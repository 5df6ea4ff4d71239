/**
 * Runs the Zoho CRM simulator alone:
 * `deno run -A scripts/zoho-sim/main.ts [--port N] [--seed N] [--leads N] [--edition NAME]`.
 * Prints the URL and credentials as KEY=value lines and stops cleanly on SIGINT/SIGTERM.
 */
import { startZohoSim } from "./server.ts";

function arg(args: string[], name: string): string | undefined {
  const n = args.indexOf(`--${name}`);
  if (n >= 0) return args[n + 1];
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function num(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) {
    throw new TypeError(`Cannot parse --${name}: ${value} is not an integer`);
  }
  return n;
}

async function main(args: string[]): Promise<void> {
  const leads = num(arg(args, "leads"), "leads");
  const sim = await startZohoSim({
    port: num(arg(args, "port"), "port"),
    seed: num(arg(args, "seed"), "seed"),
    size: leads === undefined ? undefined : { leads },
    edition: arg(args, "edition") as never,
    realTimeClock: true,
  });
  const lines = [
    `ZOHO_SIM_URL=${sim.url}`,
    `ZOHO_ACCOUNTS_URL=${sim.credentials.accountsUrl}`,
    `ZOHO_CLIENT_ID=${sim.credentials.clientId}`,
    `ZOHO_CLIENT_SECRET=${sim.credentials.clientSecret}`,
    `ZOHO_REFRESH_TOKEN=${sim.credentials.refreshToken}`,
  ];
  await Deno.stdout.write(new TextEncoder().encode(lines.join("\n") + "\n"));
  const stop = async () => {
    await sim.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}

if (import.meta.main) await main(Deno.args);

// pg_cron drives the pipeline: a job calls net.http_post with the URL and key read from Vault,
// cron.job_run_details records success, and the request reaches a function through the gateway.
import assert from "node:assert/strict";
import { stackEnv, stackSql, waitFor } from "./_stack.ts";

Deno.test("pg_cron job calls a function through the gateway with net.http_post", async () => {
  const env = stackEnv();
  const sql = stackSql();
  const tag = `cron-test-${crypto.randomUUID().slice(0, 8)}`;
  const secretIds: string[] = [];
  // The job records the id net.http_post returns, so the test reads its own job's response.
  const ids = `cron_ids_${tag.slice(-8)}`;
  await sql`create table ${sql(ids)} (request_id bigint)`;
  try {
    for (
      const [value, name] of <[string, string][]> [[env.SUPABASE_URL!, `${tag}-url`], [
        env.SUPABASE_SERVICE_ROLE_KEY!,
        `${tag}-key`,
      ]]
    ) {
      const [row] = await sql<{ id: string }[]>`
        select vault.create_secret(${value}, ${name})::text as id`;
      secretIds.push(row!.id);
    }
    const command = `
      insert into public.${ids} select net.http_post(
        url := (select decrypted_secret from vault.decrypted_secrets where name = '${tag}-url')
          || '/functions/v1/zoho-sync/health',
        headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization',
          'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = '${tag}-key')),
        body := jsonb_build_object('tag', '${tag}'),
        timeout_milliseconds := 5000
      )`;
    const [{ jobid }] = await sql<{ jobid: string }[]>`
      select cron.schedule(${tag}, '* * * * *', ${command}) as jobid` as unknown as [
      { jobid: string },
    ];
    // Debian's pg_cron 1.4 has minute resolution: the job fires at the next minute boundary.
    const run = await waitFor("the job's run", async () => {
      const [r] = await sql<{ status: string; return_message: string }[]>`
        select status, return_message from cron.job_run_details
        where jobid = ${jobid} and status in ('succeeded', 'failed') order by runid limit 1`;
      return r;
    }, 75_000);
    assert.equal(run.status, "succeeded", run.return_message);
    const [sent] = await sql<{ request_id: string }[]>`select request_id from ${sql(ids)}`;
    assert.ok(sent, "the job queued a request");
    const response = await waitFor("the gateway's answer", async () => {
      const [r] = await sql<{ status_code: number; content: string }[]>`
        select status_code, content from net._http_response where id = ${sent.request_id}`;
      return r;
    });
    assert.equal(response.status_code, 200);
    assert.deepEqual(JSON.parse(response.content), { status: "ok", function: "zoho-sync" });
  } finally {
    await sql`select cron.unschedule(jobname) from cron.job where jobname = ${tag}`;
    await sql`delete from vault.secrets where name like ${tag + "%"}`;
    await sql`drop table if exists ${sql(ids)}`;
    await sql.end();
  }
});

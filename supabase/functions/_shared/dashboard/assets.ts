/**
 * The page's stylesheet and script, served by the function itself (no CDN: the page works
 * offline). The layout is one column on a phone and a grid on wider screens; charts are SVG
 * scaled by CSS.
 */

/** app.css */
export const APP_CSS = `
:root { color-scheme: light; --fg: #1d2330; --muted: #5b6475; --line: #e3e6ec; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--bg); }
header { padding: 1rem clamp(0.75rem, 3vw, 2rem); background: #fff; border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 0.25rem; font-size: 1.4rem; }
.meta, .note { color: var(--muted); margin: 0.25rem 0; font-size: 0.9rem; }
.filters { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: end; margin-top: 0.75rem; }
.filters label { display: flex; flex-direction: column; font-size: 0.8rem; color: var(--muted); }
select, button { font: inherit; padding: 0.35rem 0.6rem; border: 1px solid #c5cad3;
  border-radius: 6px; background: #fff; min-height: 2.2rem; }
button { cursor: pointer; background: #1f5fbf; color: #fff; border-color: #1f5fbf; }
button[disabled] { opacity: 0.6; cursor: progress; }
#brief { grid-column: 1 / -1; }
main { display: grid; gap: 1rem; padding: 1rem clamp(0.5rem, 2vw, 2rem);
  grid-template-columns: repeat(auto-fill, minmax(min(100%, 560px), 1fr)); }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 0.9rem;
  min-width: 0; }
.panel h2 { font-size: 1.02rem; margin: 0 0 0.2rem; }
.chart { margin: 0.5rem 0; }
.chart svg { width: 100%; height: auto; display: block; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 0.5rem;
  margin: 0.5rem 0; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 0.6rem; display: flex;
  flex-direction: column; }
.tile span, .tile small { color: var(--muted); font-size: 0.8rem; }
.tile strong { font-size: 1.35rem; }
details summary { cursor: pointer; color: #1f5fbf; font-size: 0.9rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; margin-top: 0.4rem; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--line);
  white-space: nowrap; }
th { color: var(--muted); font-weight: 600; }
.brief p, .brief li { margin: 0.35rem 0; }
mark.checked { background: #e6f4ea; border-bottom: 2px solid #2e7d32; padding: 0 0.1em; }
mark.checked a { color: inherit; text-decoration: none; }
tr:target { background: #fff7d6; }
.refresh { margin-top: 0.75rem; }
.stages { list-style: none; padding: 0; margin: 0.5rem 0 0; display: flex; flex-wrap: wrap;
  gap: 0.4rem; font-size: 0.85rem; }
.stages li { border: 1px solid var(--line); border-radius: 999px; padding: 0.15rem 0.6rem; }
`;

/** app.js: the Refresh control (starts a pipeline run, follows its stages, reloads when done). */
export const APP_JS = `"use strict";
(function () {
  var button = document.getElementById("refresh");
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (!button || !meta) return;
  var status = document.getElementById("refresh-status");
  var list = document.getElementById("refresh-stages");
  function show(run) {
    list.replaceChildren.apply(list, run.stages.map(function (s) {
      var li = document.createElement("li");
      li.setAttribute("data-stage", s.stage);
      li.setAttribute("data-status", s.status);
      li.textContent = s.stage + ": " + s.status + (s.error ? " (" + s.error + ")" : "");
      return li;
    }));
    status.textContent = "Pipeline run " + run.status;
  }
  function fail(text) {
    status.textContent = text;
    button.disabled = false;
  }
  function poll(id) {
    fetch("dashboard/refresh/" + encodeURIComponent(id), {
      headers: { accept: "application/json" },
      credentials: "same-origin",
    }).then(function (res) {
      if (!res.ok) return fail("Cannot read the run (HTTP " + res.status + ")");
      return res.json().then(function (run) {
        show(run);
        if (run.status === "running") return setTimeout(function () { poll(id); }, 1000);
        if (run.status === "succeeded") {
          status.textContent = "Done: reloading";
          return location.reload();
        }
        fail("Pipeline run " + run.status + (run.error ? ": " + run.error : ""));
      });
    }, function () { fail("Cannot reach the dashboard"); });
  }
  button.addEventListener("click", function () {
    button.disabled = true;
    status.textContent = "Starting a pipeline run";
    fetch("dashboard/refresh", {
      method: "POST",
      headers: { "x-csrf-token": meta.getAttribute("content"), accept: "application/json" },
      credentials: "same-origin",
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (res.status === 202) return show(body), poll(body.id);
        if (res.status === 409 && body.error && body.error.run_id) {
          status.textContent = "A run is already going: following it";
          return poll(body.error.run_id);
        }
        fail((body.error && body.error.message) || "Refresh failed (HTTP " + res.status + ")");
      });
    }, function () { fail("Cannot reach the dashboard"); });
  });
})();
`;

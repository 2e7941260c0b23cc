// Runs every case of cases.json under Extism's own host for node (@extism/extism) and prints, per
// case, what the plugin answered: the text of its CallToolResult, or the error of the call. A fresh
// plugin per call, as KAMI does. Used by scripts/build-extism.sh (writes node-expected.json) and by
// ExtismDifferentialTest (reruns it when node and @extism/extism are available).
// Usage: EXTISM_NODE_MODULES=<node_modules holding @extism/extism> node node-run.mjs <dir of the .wasm files and cases.json>
//        ... node-run.mjs <dir> --bench <calls>: times the wat-echo call, a fresh plugin per call from
//        one compiled WebAssembly.Module (as KAMI compiles once), and prints the median and p90 in µs.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.env.EXTISM_NODE_MODULES;
if (!modules) throw new Error("set EXTISM_NODE_MODULES to the node_modules directory that holds @extism/extism");
const { default: createPlugin } = await import(pathToFileURL(join(modules, "@extism/extism/dist/esm/mod.js")).href);

const dir = process.argv[2];
const cases = JSON.parse(readFileSync(join(dir, "cases.json"), "utf8"));
const notes = [];
const user = {
  "extism:host/user": {
    // what KAMI does with hyper-mcp's host functions: notifications recorded, elicitation declined,
    // no roots; sampling and keyring refused (they end the call)
    notify_progress(cp, h) { notes.push("progress " + cp.read(h).text()); },
    notify_logging_message(cp, h) { notes.push("message " + cp.read(h).text()); },
    notify_tool_list_changed() { notes.push("tools/list_changed"); },
    notify_prompt_list_changed() {},
    notify_resource_list_changed() {},
    notify_resource_updated() {},
    notify_url_elicitation_completed() {},
    create_elicitation(cp) { return cp.store('{"action":"decline"}'); },
    create_message() { throw new Error("sampling is not offered"); },
    list_roots(cp) { return cp.store('{"roots":[]}'); },
    get_keyring_secret() { throw new Error("keyring is not offered"); },
  },
};
if (process.argv[3] === "--bench") {
  const calls = Number(process.argv[4] ?? 2000);
  const module = await WebAssembly.compile(readFileSync(join(dir, "wat-echo.wasm")));
  const payload = JSON.stringify({ method: "tools/call", params: { name: "echo", arguments: { message: "hello" } } });
  const times = [];
  for (let i = 0; i < calls; i++) {
    const t0 = process.hrtime.bigint();
    const plugin = await createPlugin({ wasm: [{ module }] }, { useWasi: false, runInWorker: false });
    const r = await plugin.call("call", payload);
    if (!r.text().includes("hello")) throw new Error("bad echo " + r.text());
    await plugin.close();
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  const measured = times.slice(Math.floor(calls / 2)).sort((a, b) => a - b); // first half is warm-up
  const at = (q) => measured[Math.min(measured.length - 1, Math.floor(q * measured.length))];
  process.stdout.write(JSON.stringify({ calls: measured.length, median_us: Math.round(at(0.5)), p90_us: Math.round(at(0.9)) }) + "\n");
  process.exit(0);
}
const out = [];
for (const c of cases) {
  const wasm = readFileSync(join(dir, c.plugin + ".wasm"));
  const plugin = await createPlugin({ wasm: [{ data: wasm }] },
    { useWasi: false, config: c.config ?? {}, functions: user, runInWorker: false, logger: { info() {}, debug() {}, warn() {}, error() {}, trace() {} } });
  const params = { name: c.tool, arguments: c.arguments };
  const payload = c.contract === "v2"
    ? JSON.stringify({ request: params, context: { id: 1, _meta: {} } })
    : JSON.stringify({ method: "tools/call", params });
  const entry = { plugin: c.plugin, tool: c.tool };
  try {
    const r = await plugin.call(c.contract === "v2" ? "call_tool" : "call", payload);
    const result = JSON.parse(r.text());
    const text = result.content.map((x) => (x.type === "text" ? x.text : JSON.stringify(x))).join("\n");
    entry.isError = result.isError === true;
    entry.text = result.structuredContent ? JSON.stringify(result.structuredContent) : text;
  } catch (e) {
    entry.callError = String(e.message ?? e);
  }
  await plugin.close();
  out.push(entry);
}
process.stdout.write(JSON.stringify(out, null, 1) + "\n");

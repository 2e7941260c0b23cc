// Runs a transpiled kami:tool component (jco transpile) under node on each input and prints the
// outcomes as JSON: [{input, ok, value, logs: [{level, message}]}]. Used by
// scripts/build-components.sh to record the reference outputs KAMI's DifferentialTest compares to.
// Usage: node differential.mjs <transpiled-dir>/<name>.js <inputs.json> [<output.json>]
// (the component's own stdout goes to node's stdout, so give an output file when it prints)
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { logs } from './host.mjs';

const [modulePath, inputsPath, outputPath] = process.argv.slice(2);
const component = await import(pathToFileURL(modulePath).href);
const tool = component.tool ?? component['kami:tool/tool@0.1.0'];
const inputs = JSON.parse(readFileSync(inputsPath, 'utf8'));
const out = [];
for (const input of inputs) {
  logs.length = 0;
  let outcome;
  try {
    outcome = { ok: true, value: tool.run(input) };
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) {
      outcome = { ok: false, trap: true, value: e.message };
    } else {
      outcome = { ok: false, value: e && e.payload !== undefined ? e.payload : String(e) };
    }
  }
  out.push({ input, ...outcome, logs: logs.map((l) => ({ level: l.level, message: l.message })) });
}
out.push({ describe: tool.describe() });
const text = JSON.stringify(out, null, 1) + '\n';
if (outputPath) {
  writeFileSync(outputPath, text);
} else {
  process.stdout.write(text);
}

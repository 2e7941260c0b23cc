// A kami:tool@0.1.0 component in JavaScript that uses WASI 0.2 through the JavaScript engine:
// console (wasi:cli stdout/stderr), Date (wasi:clocks), crypto.getRandomValues (wasi:random).
// Built by scripts/build-components.sh with `jco componentize --disable http` (stdio, random and
// clocks stay enabled, so the component imports those WASI interfaces).
import { log } from 'kami:tool/host@0.1.0';

export const tool = {
  run(input) {
    const value = JSON.parse(input);
    console.log('js-wasi: stdout line');
    console.error('js-wasi: stderr line');
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    const random = Array.from(bytes).some((b) => b !== 0);
    const now = Date.now();
    log('debug', 'js-wasi: now=' + (now > 1577836800000 ? 'after 2020' : 'before 2020'));
    return JSON.stringify({ echo: value, randomBytes: bytes.length, random, after2020: now > 1577836800000 });
  },
  describe() {
    return JSON.stringify({ name: 'js-wasi', description: 'Uses WASI 0.2 clocks, random and stdio (JavaScript)' });
  },
};

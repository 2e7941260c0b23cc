// kami.ts - the KAMI guest SDK for AssemblyScript (kami-v1 ABI, see docs/ABI.md).
//
// Copy this file to assembly/kami.ts and, in assembly/index.ts:
//
//   import * as kami from "./kami";
//   export { kami_alloc } from "./kami";
//
//   function handle(input: string): i32 {
//     kami.output("{\"echo\":" + kami.jsonQuote(input) + "}");
//     return 0;                      // 0 = success, anything else = tool error
//   }
//
//   export function kami_run(ptr: usize, len: i32): i32 {
//     return kami.run(ptr, len, handle);
//   }
//
// Build (npm i assemblyscript@0.27):
//
//   npx asc assembly/index.ts --outFile tool.wasm --optimize --runtime stub --noAssert \
//       --use abort=assembly/kami/kamiAbort
//
// `--runtime stub` (a bump allocator, no GC) suits KAMI: every call is a fresh instance.
// `--use abort=...` keeps the module free of the `env.abort` import KAMI does not provide;
// do not use `trace`, `Math.random` or `Date` (they import from `env` too).

// @ts-ignore: decorator
@external("kami", "output")
declare function _output(ptr: usize, len: usize): void;

// @ts-ignore: decorator
@external("kami", "log")
declare function _log(level: i32, ptr: usize, len: usize): void;

// @ts-ignore: decorator
@external("kami", "http_request")
declare function _http_request(ptr: usize, len: usize): i32;

// @ts-ignore: decorator
@external("kami", "http_response")
declare function _http_response(ptr: usize): i32;

export const TRACE: i32 = 0;
export const DEBUG: i32 = 1;
export const INFO: i32 = 2;
export const WARN: i32 = 3;
export const ERROR: i32 = 4;

/** The `kami_alloc` export: re-export it from your entry file. */
export function kami_alloc(len: i32): usize {
  return heap.alloc(len > 0 ? <usize>len : 1);
}

/** Runs `handler` on the input at ptr..ptr+len (UTF-8 JSON); returns its status. */
export function run(ptr: usize, len: i32, handler: (input: string) => i32): i32 {
  return handler(String.UTF8.decodeUnsafe(ptr, <usize>len));
}

/** Appends a string (as UTF-8) to the call's output. */
export function output(s: string): void {
  const buf = String.UTF8.encode(s);
  _output(changetype<usize>(buf), <usize>buf.byteLength);
}

/** Outputs `message` and returns 1: `return kami.fail("missing 'name'");` */
export function fail(message: string): i32 {
  output(message);
  return 1;
}

/** Logs one line at a level (TRACE .. ERROR). */
export function log(level: i32, message: string): void {
  const buf = String.UTF8.encode(message);
  _log(level, changetype<usize>(buf), <usize>buf.byteLength);
}

/**
 * Sends the HTTP request JSON ({"method":"GET","url":"...","headers":{},"body":"..."}) and
 * returns the host's response JSON ({"status":..,"headers":..,"body":".."} or
 * {"error":"denied","message":".."}).
 */
export function httpRequest(requestJson: string): string {
  const req = String.UTF8.encode(requestJson);
  const n = _http_request(changetype<usize>(req), <usize>req.byteLength);
  if (n <= 0) return "";
  const buf = heap.alloc(<usize>n);
  const got = _http_response(buf);
  return String.UTF8.decodeUnsafe(buf, <usize>(got < 0 ? 0 : got > n ? n : got));
}

/** httpRequest for a plain GET of url. */
export function httpGet(url: string): string {
  return httpRequest("{\"method\":\"GET\",\"url\":" + jsonQuote(url) + "}");
}

/** Returns s as a JSON string literal (with quotes). */
export function jsonQuote(s: string): string {
  const len = s.length;
  let n = 2;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    n += c == 0x22 || c == 0x5c || c == 0x0a || c == 0x0d || c == 0x09 ? 2 : c < 0x20 ? 6 : 1;
  }
  // one buffer, no concatenation: the stub runtime never frees, so `+=` in a loop is quadratic
  const p = heap.alloc(<usize>n << 1);
  let o: usize = p;
  store<u16>(o, 0x22); o += 2;
  for (let i = 0; i < len; i++) {
    const c = <u16>s.charCodeAt(i);
    let e: u16 = 0;
    if (c == 0x22) e = 0x22;
    else if (c == 0x5c) e = 0x5c;
    else if (c == 0x0a) e = 0x6e;
    else if (c == 0x0d) e = 0x72;
    else if (c == 0x09) e = 0x74;
    if (e != 0) {
      store<u16>(o, 0x5c); store<u16>(o + 2, e); o += 4;
    } else if (c < 0x20) {
      store<u16>(o, 0x5c); store<u16>(o + 2, 0x75); store<u16>(o + 4, 0x30); store<u16>(o + 6, 0x30);
      store<u16>(o + 8, c < 16 ? 0x30 : 0x31);
      const d = c & 15;
      store<u16>(o + 10, d < 10 ? 0x30 + d : 0x57 + d);
      o += 12;
    } else {
      store<u16>(o, c); o += 2;
    }
  }
  store<u16>(o, 0x22); o += 2;
  return String.UTF16.decodeUnsafe(p, o - p);
}

function skipWs(s: string, i: i32): i32 {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
    i++;
  }
  return i;
}

/** Index just past the JSON value starting at i, or -1. */
function skipValue(s: string, i: i32): i32 {
  i = skipWs(s, i);
  let depth = 0;
  do {
    if (i >= s.length) return -1;
    const c = s.charCodeAt(i);
    if (c == 0x22) {
      i++;
      while (i < s.length && s.charCodeAt(i) != 0x22) {
        if (s.charCodeAt(i) == 0x5c) i++;
        i++;
      }
      if (i >= s.length) return -1;
      i++;
    } else if (c == 0x7b || c == 0x5b) {
      depth++;
      i++;
    } else if (c == 0x7d || c == 0x5d) {
      depth--;
      i++;
    } else if (depth == 0) {
      while (i < s.length) {
        const d = s.charCodeAt(i);
        if (d == 0x2c || d == 0x7d || d == 0x5d || d == 0x20 || d == 0x0a || d == 0x0d || d == 0x09) break;
        i++;
      }
      return i;
    } else {
      i++;
    }
  } while (depth > 0);
  return i;
}

/** The raw text of the value of `key` in the top-level JSON object, or null. */
export function jsonGetRaw(json: string, key: string): string | null {
  let i = skipWs(json, 0);
  if (i >= json.length || json.charCodeAt(i) != 0x7b) return null;
  i++;
  while (true) {
    i = skipWs(json, i);
    if (i >= json.length || json.charCodeAt(i) != 0x22) return null;
    const ks = i;
    const ke = skipValue(json, i);
    if (ke < 0) return null;
    i = skipWs(json, ke);
    if (i >= json.length || json.charCodeAt(i) != 0x3a) return null;
    const vs = skipWs(json, i + 1);
    const ve = skipValue(json, vs);
    if (ve < 0) return null;
    if (jsonUnquote(json.substring(ks, ke)) == key) return json.substring(vs, ve);
    i = skipWs(json, ve);
    if (i < json.length && json.charCodeAt(i) == 0x2c) {
      i++;
      continue;
    }
    return null;
  }
}

/** Decodes a JSON string literal (with quotes); returns "" if it is not one. */
export function jsonUnquote(lit: string): string {
  if (lit.length < 2 || lit.charCodeAt(0) != 0x22) return "";
  const end = lit.length - 1;
  if (lit.indexOf("\\") < 0) return lit.substring(1, end);
  const p = heap.alloc(<usize>end << 1);
  let o: usize = p;
  let i = 1;
  while (i < end) {
    const c = <u16>lit.charCodeAt(i++);
    if (c != 0x5c) {
      store<u16>(o, c); o += 2;
      continue;
    }
    const e = <u16>lit.charCodeAt(i++);
    let r: u16 = e; // \" \\ \/
    if (e == 0x6e) r = 0x0a;
    else if (e == 0x74) r = 0x09;
    else if (e == 0x72) r = 0x0d;
    else if (e == 0x62) r = 0x08;
    else if (e == 0x66) r = 0x0c;
    else if (e == 0x75) {
      r = <u16>parseInt(lit.substring(i, i + 4), 16);
      i += 4;
    }
    store<u16>(o, r); o += 2;
  }
  return String.UTF16.decodeUnsafe(p, o - p);
}

/** The string argument `key` of the top-level object, or null if absent or not a string. */
export function jsonGetString(json: string, key: string): string | null {
  const raw = jsonGetRaw(json, key);
  if (raw === null || raw.length < 2 || raw.charCodeAt(0) != 0x22) return null;
  return jsonUnquote(raw);
}

/** The `abort` AssemblyScript calls on a failed assertion: log it, then trap. */
export function kamiAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  log(ERROR, "abort: " + (message !== null ? message : "") + " at " +
    (fileName !== null ? fileName : "?") + ":" + line.toString() + ":" + column.toString());
  unreachable();
}

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
  let out = "\"";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) out += "\\\"";
    else if (c == 0x5c) out += "\\\\";
    else if (c == 0x0a) out += "\\n";
    else if (c == 0x0d) out += "\\r";
    else if (c == 0x09) out += "\\t";
    else if (c < 0x20) out += "\\u00" + (c < 16 ? "0" : "1") + "0123456789abcdef".charAt(c & 15);
    else out += String.fromCharCode(c);
  }
  return out + "\"";
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
  let out = "";
  const end = lit.length - 1;
  let i = 1;
  while (i < end) {
    const c = lit.charCodeAt(i++);
    if (c != 0x5c) {
      out += String.fromCharCode(c);
      continue;
    }
    const e = lit.charCodeAt(i++);
    if (e == 0x6e) out += "\n";
    else if (e == 0x74) out += "\t";
    else if (e == 0x72) out += "\r";
    else if (e == 0x62) out += "\b";
    else if (e == 0x66) out += "\f";
    else if (e == 0x75) {
      out += String.fromCharCode(<i32>parseInt(lit.substring(i, i + 4), 16));
      i += 4;
    } else out += String.fromCharCode(e);
  }
  return out;
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

// Shared by the AssemblyScript Extism fixtures (built by scripts/build-extism.sh with @extism/as-pdk).
// The tools: echo (returns the payload the host sent, verbatim), fail (isError), config
// (config_get "greeting"), vars (var_set then var_get), log (log_info), http (GET of arguments.url,
// reports the status and body), upper (upper-cases arguments.text).
import { Config, Host, LogLevel, Memory, Var } from "@extism/as-pdk";
import { error_set, http_request } from "@extism/as-pdk/lib/env";

@external("extism:host/env", "http_status_code")
declare function http_status_code(): i32;

// as-pdk's Host.outputString passes the UTF-16 length as the byte length: write UTF-8 bytes ourselves.
export function output(s: string): void {
  Host.output(Uint8Array.wrap(String.UTF8.encode(s)));
}

export function fail(message: string): i32 {
  const mem = Memory.allocateString(message);
  error_set(mem.offset);
  return 1;
}

export function escape(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 34) out += "\\\"";
    else if (c == 92) out += "\\\\";
    else if (c == 10) out += "\\n";
    else if (c == 13) out += "\\r";
    else if (c == 9) out += "\\t";
    else if (c < 32) {
      const h = c.toString(16);
      out += "\\u" + "0000".substring(h.length) + h;
    } else out += String.fromCharCode(c);
  }
  return out;
}

// The string value of the first "key":"..." in a JSON text (enough for the fixtures' payloads).
export function field(json: string, key: string): string | null {
  const marker = "\"" + key + "\":\"";
  const at = json.indexOf(marker);
  if (at < 0) return null;
  let out = "";
  for (let i = at + marker.length; i < json.length; i++) {
    const c = json.charAt(i);
    if (c == "\"") return out;
    if (c == "\\" && i + 1 < json.length) {
      i++;
      const e = json.charAt(i);
      if (e == "n") out += "\n";
      else if (e == "t") out += "\t";
      else out += e;
      continue;
    }
    out += c;
  }
  return null;
}

export function result(text: string, isError: bool): string {
  return "{\"content\":[{\"type\":\"text\",\"text\":\"" + escape(text) + "\"}],\"isError\":" +
    (isError ? "true" : "false") + "}";
}

function tool(name: string, description: string): string {
  return "{\"name\":\"" + name + "\",\"description\":\"" + description +
    "\",\"inputSchema\":{\"type\":\"object\"}}";
}

export function listTools(extra: string): string {
  return "{\"tools\":[" + tool("echo", "returns the payload it was called with") + "," +
    tool("fail", "reports an error") + "," + tool("config", "reads config greeting") + "," +
    tool("vars", "sets and reads a variable") + "," + tool("log", "logs a line") + "," +
    tool("http", "GETs arguments.url") + "," + tool("upper", "upper-cases arguments.text") + extra + "]}";
}

// Calls a tool by name; returns a CallToolResult JSON, or null for an unknown tool.
export function handle(name: string, payload: string): string | null {
  if (name == "echo") return result(payload, false);
  if (name == "fail") return result("failed on purpose", true);
  if (name == "config") {
    const g = Config.get("greeting");
    return result(g == null ? "(no greeting)" : g, false);
  }
  if (name == "vars") {
    Var.set("n", Uint8Array.wrap(String.UTF8.encode("héllo")));
    const v = Var.getString("n");
    return result(v == null ? "(none)" : v, false);
  }
  if (name == "log") {
    Host.log(LogLevel.Info, "hello from AssemblyScript");
    return result("logged", false);
  }
  if (name == "upper") {
    const t = field(payload, "text");
    return result(t == null ? "" : t.toUpperCase(), false);
  }
  if (name == "http") {
    const url = field(payload, "url");
    const req = Memory.allocateString("{\"url\":\"" + (url == null ? "" : url) + "\",\"method\":\"GET\",\"headers\":{}}");
    const body = http_request(req.offset, 0);
    const status = http_status_code();
    const text = body == 0 ? "" : new Memory(body, load_length(body)).toString();
    return result(status.toString() + " " + text, status == 0);
  }
  return null;
}

import { length } from "@extism/as-pdk/lib/env";
function load_length(offset: u64): u64 {
  return length(offset);
}

export function abort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  unreachable();
}

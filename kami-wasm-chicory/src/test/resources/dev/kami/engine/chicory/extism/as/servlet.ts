// An mcp.run servlet: call({"method":"tools/call","params":{...}}) -> CallToolResult; describe -> tools.
import { Host } from "@extism/as-pdk";
import { fail, field, handle, listTools, output } from "./common";
export { abort } from "./common";

export function describe(): i32 {
  output(listTools(""));
  return 0;
}

export function call(): i32 {
  const payload = Host.inputString();
  const method = field(payload, "method");
  if (method != "tools/call") return fail("servlet: unsupported method " + (method == null ? "(none)" : method));
  const name = field(payload, "name");
  if (name == null) return fail("no params.name in the call");
  const r = handle(name, payload);
  if (r == null) return fail("unknown tool " + name);
  output(r);
  return 0;
}

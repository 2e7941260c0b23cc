// A hyper-mcp v1 plugin: describe -> ListToolsResult, call({"params":{name, arguments}}) -> CallToolResult.
import { Host } from "@extism/as-pdk";
import { fail, field, handle, listTools, output } from "./common";
export { abort } from "./common";

export function describe(): i32 {
  output(listTools(""));
  return 0;
}

export function call(): i32 {
  const payload = Host.inputString();
  const name = field(payload, "name");
  if (name == null) return fail("no params.name in the call");
  const r = handle(name, payload);
  if (r == null) return fail("unknown tool " + name);
  output(r);
  return 0;
}

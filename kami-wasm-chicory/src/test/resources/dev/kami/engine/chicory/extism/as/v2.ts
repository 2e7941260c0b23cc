// A hyper-mcp v2 plugin: list_tools({"context"}) and call_tool({"request","context"}), using
// hyper-mcp's host functions in extism:host/user.
import { Host, Memory } from "@extism/as-pdk";
import { length } from "@extism/as-pdk/lib/env";
import { fail, field, handle, listTools, output, result } from "./common";
export { abort } from "./common";

@external("extism:host/user", "notify_progress")
declare function notify_progress(params: u64): void;
@external("extism:host/user", "notify_logging_message")
declare function notify_logging_message(params: u64): void;
@external("extism:host/user", "notify_tool_list_changed")
declare function notify_tool_list_changed(): void;
@external("extism:host/user", "create_elicitation")
declare function create_elicitation(params: u64): u64;
@external("extism:host/user", "list_roots")
declare function list_roots(): u64;
@external("extism:host/user", "create_message")
declare function create_message(params: u64): u64;

function read(offset: u64): string {
  return offset == 0 ? "" : new Memory(offset, length(offset)).toString();
}

export function list_tools(): i32 {
  output(listTools(",{\"name\":\"notify\",\"description\":\"uses hyper-mcp host functions\",\"inputSchema\":{\"type\":\"object\"}}" +
    ",{\"name\":\"sample\",\"description\":\"asks the client for sampling\",\"inputSchema\":{\"type\":\"object\"}}"));
  return 0;
}

export function call_tool(): i32 {
  const payload = Host.inputString();
  if (payload.indexOf("\"request\":") < 0 || payload.indexOf("\"context\":") < 0) return fail("v2: no request/context");
  const name = field(payload, "name");
  if (name == null) return fail("no request.name in the call");
  if (name == "notify") {
    notify_progress(Memory.allocateString("{\"progressToken\":\"t\",\"progress\":1,\"total\":2}").offset);
    notify_logging_message(Memory.allocateString("{\"level\":\"info\",\"data\":\"half way\"}").offset);
    notify_tool_list_changed();
    const answer = read(create_elicitation(Memory.allocateString("{\"message\":\"sure?\",\"requestedSchema\":{\"type\":\"object\"}}").offset));
    const roots = read(list_roots());
    output(result("elicitation " + answer + " roots " + roots, false));
    return 0;
  }
  if (name == "sample") {
    const answer = read(create_message(Memory.allocateString("{\"messages\":[],\"maxTokens\":5}").offset));
    output(result("sampled " + answer, false));
    return 0;
  }
  const r = handle(name, payload);
  if (r == null) return fail("unknown tool " + name);
  output(r);
  return 0;
}

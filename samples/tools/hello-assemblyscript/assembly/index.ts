// hello-assemblyscript: a KAMI tool (kami-v1 ABI) in AssemblyScript.
// Input {"name":"..."}; output {"greeting":"Hello, ...!"}.
import * as kami from "../../../../kami-guest-sdk/assemblyscript/kami";
export { kami_alloc } from "../../../../kami-guest-sdk/assemblyscript/kami";

function handle(input: string): i32 {
  const name = kami.jsonGetString(input, "name");
  if (name === null) return kami.fail("missing argument 'name' (a string)");
  kami.log(kami.DEBUG, "hello-assemblyscript: greeting");
  kami.output("{\"greeting\":" + kami.jsonQuote("Hello, " + name + "!") + "}");
  return 0;
}

export function kami_run(ptr: usize, len: i32): i32 {
  return kami.run(ptr, len, handle);
}

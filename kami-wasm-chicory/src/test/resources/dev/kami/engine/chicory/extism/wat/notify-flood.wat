;; Hostile: a hyper-mcp v2 plugin that sends notifications/tools/list_changed forever.
(module
  (import "extism:host/user" "notify_tool_list_changed" (func $changed))
  (memory (export "memory") 1)
  (func (export "list_tools") (result i32) (i32.const 1))
  (func (export "call_tool") (result i32)
    (loop $more
      (call $changed)
      (br $more))
    (i32.const 0)))

;; Hostile: logs the same line forever through Extism's log_info.
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "log_info" (func $log_info (param i64)))
  (memory (export "memory") 1)
  (func (export "call") (result i32) (local $line i64)
    (local.set $line (call $alloc (i64.const 1)))
    (call $store_u8 (local.get $line) (i32.const 120))
    (loop $more
      (call $log_info (local.get $line))
      (br $more))
    (i32.const 0)))

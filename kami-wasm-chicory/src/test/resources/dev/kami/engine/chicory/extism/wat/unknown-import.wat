;; Edge: imports a host function nobody provides; refused at compile with its name.
(module
  (import "extism:host/user" "launch_missiles" (func $launch (param i64) (result i64)))
  (memory (export "memory") 1)
  (func (export "call") (result i32) (i32.const 0)))

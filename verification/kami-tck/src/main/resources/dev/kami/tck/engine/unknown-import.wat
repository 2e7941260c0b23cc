;; hostile: imports functions nobody provides.
(module
  (import "env" "launch_missiles" (func (param i32)))
  (import "kami" "exec" (func (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "kami_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "kami_run") (param i32 i32) (result i32) (i32.const 0)))

;; kami-v1 tool that always fails with a message.
(module
  (import "kami" "output" (func $output (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "the tool failed on purpose")
  (func (export "kami_alloc") (param $len i32) (result i32) (i32.const 1024))
  (func (export "kami_run") (param $ptr i32) (param $len i32) (result i32)
    (call $output (i32.const 16) (i32.const 26))
    (i32.const 1)))

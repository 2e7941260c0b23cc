;; What AssemblyScript's asc emits without --use abort=...: a kami-v1 tool that imports
;; env.abort(message, file, line, column), its default abort handler. KAMI provides no env.abort,
;; so the module is refused; the test checks that the refusal says why and gives the fix.
(module
  (import "env" "abort" (func $abort (param i32 i32 i32 i32)))
  (import "kami" "output" (func $output (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "kami_alloc") (param $len i32) (result i32) (i32.const 1024))
  (func (export "kami_run") (param $ptr i32) (param $len i32) (result i32)
    (if (i32.eqz (local.get $len))
      (then (call $abort (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 1))))
    (call $output (local.get $ptr) (local.get $len))
    (i32.const 0)))

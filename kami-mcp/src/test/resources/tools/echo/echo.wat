;; kami-v1 echo: returns its input JSON unchanged (so it comes back as structuredContent).
(module
  (import "kami" "output" (func $output (param i32 i32)))
  (memory (export "memory") 2)
  (global $next (mut i32) (i32.const 1024))
  (func (export "kami_alloc") (param $len i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $next))
    (global.set $next (i32.add (global.get $next) (local.get $len)))
    ;; grow when the bump pointer passes the end of memory
    (if (i32.gt_u (global.get $next) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.add (i32.div_u (local.get $len) (i32.const 65536)) (i32.const 1))))))
    (local.get $p))
  (func (export "kami_run") (param $ptr i32) (param $len i32) (result i32)
    (call $output (local.get $ptr) (local.get $len))
    (i32.const 0)))

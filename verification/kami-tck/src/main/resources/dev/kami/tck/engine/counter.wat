;; kami-v1: a global counter incremented by every kami_run; _initialize sets a flag.
;; Outputs two digits: the counter and the flag. A fresh instance per call always gives "11".
(module
  (import "kami" "output" (func $output (param i32 i32)))
  (memory (export "memory") 2)
  (global $count (mut i32) (i32.const 0))
  (global $init (mut i32) (i32.const 0))
  ;; bump allocator: grows memory when needed, returns -1 when memory.grow fails
  (global $heap (mut i32) (i32.const 65536))
  (func $alloc (export "kami_alloc") (param $len i32) (result i32)
    (local $p i32) (local $end i32) (local $have i32)
    (local.set $p (global.get $heap))
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (local.set $have (i32.mul (memory.size) (i32.const 65536)))
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.eq
              (memory.grow (i32.shr_u (i32.add (i32.sub (local.get $end) (local.get $have)) (i32.const 65535)) (i32.const 16)))
              (i32.const -1))
          (then (return (i32.const -1))))))
    (global.set $heap (local.get $end))
    (local.get $p))
  (func (export "_initialize") (global.set $init (i32.add (global.get $init) (i32.const 1))))
  (func (export "kami_run") (param i32 i32) (result i32)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (i32.store8 (i32.const 0) (i32.add (i32.const 48) (global.get $count)))
    (i32.store8 (i32.const 1) (i32.add (i32.const 48) (global.get $init)))
    (call $output (i32.const 0) (i32.const 2))
    (i32.const 0)))

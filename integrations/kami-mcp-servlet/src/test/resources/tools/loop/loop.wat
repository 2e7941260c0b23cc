;; kami-v1 tool that never returns in practice: an i64 counting br_if loop (2^64 iterations),
;; the back-edge compilers emit; stopped only by cancellation or its deadline.
(module
  (memory (export "memory") 1)
  (func (export "kami_alloc") (param $len i32) (result i32) (i32.const 1024))
  (func (export "kami_run") (param $ptr i32) (param $len i32) (result i32)
    (local $i i64)
    (loop $l
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $l (i64.ne (local.get $i) (i64.const 0))))
    (i32.const 0)))

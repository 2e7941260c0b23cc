;; hostile: a loop whose back-edge is a conditional branch (what compilers emit), which never
;; ends in practice (2^64 iterations).
(module
  (memory (export "memory") 1)
  (func (export "kami_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "kami_run") (param i32 i32) (result i32)
    (local $i i64)
    (loop $l
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $l (i64.ne (local.get $i) (i64.const 0))))
    (i32.const 0)))

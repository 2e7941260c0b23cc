;; kami-v1: reports its table's size, then tries to grow it by 10 million entries and by 1.
;; Output: the size before growing (a digit), then "c" if the big grow was refused ("g" if not).
;; A fresh instance per call, with tables capped, always gives "1c".
(module
  (import "kami" "output" (func $output (param i32 i32)))
  (memory (export "memory") 1)
  (table $t 1 funcref)
  (func (export "kami_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "kami_run") (param i32 i32) (result i32)
    (i32.store8 (i32.const 0) (i32.add (i32.const 48) (table.size $t)))
    (i32.store8 (i32.const 1)
      (select (i32.const 99) (i32.const 103)
        (i32.eq (table.grow $t (ref.null func) (i32.const 10000000)) (i32.const -1))))
    (drop (table.grow $t (ref.null func) (i32.const 1)))
    (call $output (i32.const 0) (i32.const 2))
    (i32.const 0)))

;; hostile: kami_alloc returns a pointer outside memory (breaks the ABI).
(module
  (memory (export "memory") 1)
  (func (export "kami_alloc") (param i32) (result i32) (i32.const -16))
  (func (export "kami_run") (param i32 i32) (result i32) (i32.const 0)))

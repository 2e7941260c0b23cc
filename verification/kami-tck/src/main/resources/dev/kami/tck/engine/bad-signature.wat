;; kami_run has the wrong signature.
(module
  (memory (export "memory") 1)
  (func (export "kami_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "kami_run") (param i32) (result i32) (i32.const 0)))

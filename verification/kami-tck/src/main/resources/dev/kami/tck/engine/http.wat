;; kami-v1: the input is an http_request JSON; the output is the response JSON.
(module
  (import "kami" "output" (func $output (param i32 i32)))
  (import "kami" "http_request" (func $req (param i32 i32) (result i32)))
  (import "kami" "http_response" (func $resp (param i32) (result i32)))
  (memory (export "memory") 2)
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
  (func (export "kami_run") (param $ptr i32) (param $len i32) (result i32)
    (local $n i32) (local $p i32)
    (local.set $n (call $req (local.get $ptr) (local.get $len)))
    (local.set $p (call $alloc (local.get $n)))
    (call $output (local.get $p) (call $resp (local.get $p)))
    (i32.const 0)))

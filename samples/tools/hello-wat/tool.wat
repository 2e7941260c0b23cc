;; hello-wat: a KAMI tool (kami-v1 ABI) in the WebAssembly text format, no SDK.
;; It answers {"greeting":"Hello from WAT!","input_bytes":N}: N is the input's length.
(module
  (import "kami" "output" (func $output (param i32 i32)))

  (memory (export "memory") 1)
  ;; a bump allocator: every call runs on a fresh instance, so nothing is ever freed
  (global $heap (mut i32) (i32.const 1024))

  (data (i32.const 16) "{\"greeting\":\"Hello from WAT!\",\"input_bytes\":")
  ;; the string above is 44 bytes long, at 16..60

  (func (export "kami_alloc") (param $len i32) (result i32)
    (local $ptr i32) (local $end i32)
    (local.set $ptr (global.get $heap))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    ;; grow the memory when the input does not fit
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.lt_s
              (memory.grow (i32.sub (i32.shr_u (i32.add (local.get $end) (i32.const 65535)) (i32.const 16))
                                    (memory.size)))
              (i32.const 0))
          (then (return (i32.const 0))))))
    (global.set $heap (local.get $end))
    (local.get $ptr))

  ;; writes the decimal digits of $n just below 1000 and outputs them
  (func $output_u32 (param $n i32)
    (local $p i32)
    (local.set $p (i32.const 1000))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digits (local.get $n)))
    (call $output (local.get $p) (i32.sub (i32.const 1000) (local.get $p))))

  (func (export "kami_run") (param $ptr i32) (param $len i32) (result i32)
    (call $output (i32.const 16) (i32.const 44))
    (call $output_u32 (local.get $len))
    (i32.store8 (i32.const 1000) (i32.const 125)) ;; '}'
    (call $output (i32.const 1000) (i32.const 1))
    (i32.const 0))
)

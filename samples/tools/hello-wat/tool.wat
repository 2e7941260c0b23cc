;; hello-wat: a KAMI tool (kami-v1 ABI) in the WebAssembly text format, no SDK.
;; Input {"name":"..."}; output {"greeting":"Hello, ...!"}. The name is copied as the input
;; writes it (escapes included), so the output is valid JSON; a missing name is a tool error.
;; The lookup is a tiny one: the first "name" followed by a colon and a string. Use a language
;; with a JSON library (Rust, C, AssemblyScript, Java) for real parsing.
(module
  (import "kami" "output" (func $output (param i32 i32)))

  (memory (export "memory") 1)
  ;; a bump allocator: every call runs on a fresh instance, so nothing is ever freed
  (global $heap (mut i32) (i32.const 1024))

  (data (i32.const 16) "{\"greeting\":\"Hello, ")                ;; 20 bytes at 16
  (data (i32.const 48) "!\"}")                                    ;;  3 bytes at 48
  (data (i32.const 64) "\"name\"")                                ;;  6 bytes at 64
  (data (i32.const 80) "missing argument 'name' (a string)")      ;; 34 bytes at 80

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

  ;; the byte at $p, or -1 at or past $end
  (func $byte (param $p i32) (param $end i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $p) (local.get $end))
      (then (i32.load8_u (local.get $p)))
      (else (i32.const -1))))

  ;; 1 when the 6 bytes at $p (before $end) are "name" with its quotes
  (func $is_key (param $p i32) (param $end i32) (result i32)
    (local $k i32)
    (loop $each
      (if (i32.ne (call $byte (i32.add (local.get $p) (local.get $k)) (local.get $end))
                  (i32.load8_u (i32.add (i32.const 64) (local.get $k))))
        (then (return (i32.const 0))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $each (i32.lt_u (local.get $k) (i32.const 6))))
    (i32.const 1))

  ;; the first position at or after $p that is not JSON white space
  (func $skip_ws (param $p i32) (param $end i32) (result i32)
    (local $c i32)
    (loop $each
      (local.set $c (call $byte (local.get $p) (local.get $end)))
      (if (i32.or (i32.or (i32.eq (local.get $c) (i32.const 32)) (i32.eq (local.get $c) (i32.const 9)))
                  (i32.or (i32.eq (local.get $c) (i32.const 10)) (i32.eq (local.get $c) (i32.const 13))))
        (then
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $each))))
    (local.get $p))

  ;; a tool error: the message is the output, the result non-zero
  (func $fail (result i32)
    (call $output (i32.const 80) (i32.const 34))
    (i32.const 1))

  (func (export "kami_run") (param $ptr i32) (param $len i32) (result i32)
    (local $end i32) (local $p i32) (local $start i32) (local $c i32)
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (local.set $p (local.get $ptr))
    ;; the key "name"
    (block $found
      (loop $search
        (br_if $found (call $is_key (local.get $p) (local.get $end)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br_if $search (i32.le_u (i32.add (local.get $p) (i32.const 6)) (local.get $end)))
        (return (call $fail))))
    ;; a colon, then the opening quote
    (local.set $p (call $skip_ws (i32.add (local.get $p) (i32.const 6)) (local.get $end)))
    (if (i32.ne (call $byte (local.get $p) (local.get $end)) (i32.const 58)) ;; ':'
      (then (return (call $fail))))
    (local.set $p (call $skip_ws (i32.add (local.get $p) (i32.const 1)) (local.get $end)))
    (if (i32.ne (call $byte (local.get $p) (local.get $end)) (i32.const 34)) ;; '"'
      (then (return (call $fail))))
    ;; the string up to its closing quote; a backslash escapes the next byte
    (local.set $start (i32.add (local.get $p) (i32.const 1)))
    (local.set $p (local.get $start))
    (block $closed
      (loop $chars
        (local.set $c (call $byte (local.get $p) (local.get $end)))
        (br_if $closed (i32.eq (local.get $c) (i32.const 34)))
        (if (i32.eq (local.get $c) (i32.const -1))
          (then (return (call $fail))))
        (local.set $p (i32.add (local.get $p)
                               (select (i32.const 2) (i32.const 1) (i32.eq (local.get $c) (i32.const 92)))))
        (br $chars)))
    (call $output (i32.const 16) (i32.const 20))
    (call $output (local.get $start) (i32.sub (local.get $p) (local.get $start)))
    (call $output (i32.const 48) (i32.const 3))
    (i32.const 0))
)

;; kami-v1: linear-memory semantics an engine must keep. The first input byte picks a case;
;; anything else runs the checks below and outputs one letter per check ("." passed, "X" failed):
;;  1 an active data segment is in place at offset 16
;;  2 memory.init copies a passive segment (then data.drop drops it)
;;  3 memory.copy with overlapping ranges moves like memmove, forwards and backwards
;;  4 memory.fill fills exactly its range
;;  5 memory.grow returns the old size in pages; memory.size follows; the new page reads zero;
;;    a grow past the declared maximum of 64 pages returns -1 and changes nothing
;;  6 loads and stores reach the very last bytes of the memory
;;  7 the memory starts zeroed beyond the data segments (a fresh instance on every call)
;;  8 growing one page at a time to 40 pages keeps what every page held
;; Cases that must trap with an out-of-bounds access:
;;  a i32.load straddling the end of memory     f memory.fill past the end
;;  c memory.copy reading past the end          i memory.init of a dropped segment
;;  g i64.store at the last 4 bytes             n memory.fill of 0 bytes starting past the end
(module
  (import "kami" "output" (func $output (param i32 i32)))
  (memory (export "memory") 1 64)
  (data (i32.const 16) "KAMI")
  (data $passive "passive")
  (global $heap (mut i32) (i32.const 4096))
  (func (export "kami_alloc") (param $len i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $len)))
    (local.get $p))
  ;; writes "." or "X" at $at
  (func $mark (param $at i32) (param $ok i32)
    (i32.store8 (local.get $at) (select (i32.const 46) (i32.const 88) (local.get $ok))))
  (func (export "kami_run") (param $ptr i32) (param $len i32) (result i32)
    (local $op i32) (local $end i32)
    (if (i32.gt_u (local.get $len) (i32.const 0))
      (then (local.set $op (i32.load8_u (local.get $ptr)))))
    (local.set $end (i32.mul (memory.size) (i32.const 65536)))
    (if (i32.eq (local.get $op) (i32.const 97)) ;; a
      (then (return (i32.load (i32.sub (local.get $end) (i32.const 3))))))
    (if (i32.eq (local.get $op) (i32.const 102)) ;; f
      (then (memory.fill (i32.sub (local.get $end) (i32.const 8)) (i32.const 1) (i32.const 9)) (return (i32.const 0))))
    (if (i32.eq (local.get $op) (i32.const 99)) ;; c
      (then (memory.copy (i32.const 0) (i32.sub (local.get $end) (i32.const 4)) (i32.const 5)) (return (i32.const 0))))
    (if (i32.eq (local.get $op) (i32.const 105)) ;; i
      (then (data.drop $passive) (memory.init $passive (i32.const 0) (i32.const 0) (i32.const 1)) (return (i32.const 0))))
    (if (i32.eq (local.get $op) (i32.const 103)) ;; g
      (then (i64.store (i32.sub (local.get $end) (i32.const 4)) (i64.const 1)) (return (i32.const 0))))
    (if (i32.eq (local.get $op) (i32.const 110)) ;; n
      (then (memory.fill (i32.add (local.get $end) (i32.const 1)) (i32.const 1) (i32.const 0)) (return (i32.const 0))))
    ;; 1: "KAMI" at 16
    (call $mark (i32.const 0) (i32.eq (i32.load (i32.const 16)) (i32.const 0x494d414b)))
    ;; 2: memory.init "passive" (7 bytes) at 100, then drop it
    (memory.init $passive (i32.const 100) (i32.const 0) (i32.const 7))
    (data.drop $passive)
    (call $mark (i32.const 1) (i32.and
      (i32.eq (i32.load (i32.const 100)) (i32.const 0x73736170))       ;; "pass"
      (i32.eq (i32.load (i32.const 103)) (i32.const 0x65766973))))     ;; "sive"
    ;; 3: overlapping copies: "passive" at 100 -> 102 (forwards overlap), then 102 -> 101 (backwards)
    (memory.copy (i32.const 102) (i32.const 100) (i32.const 7))        ;; 100: "papassive"
    (memory.copy (i32.const 101) (i32.const 102) (i32.const 7))        ;; 100: "ppassivee"
    (call $mark (i32.const 2) (i32.and
      (i32.eq (i32.load (i32.const 100)) (i32.const 0x73617070))       ;; "ppas"
      (i32.eq (i32.load (i32.const 105)) (i32.const 0x65657669))))     ;; "ivee"
    ;; 4: fill 5 bytes of 'x' at 200, nothing around them
    (memory.fill (i32.const 200) (i32.const 120) (i32.const 5))
    (call $mark (i32.const 3) (i32.and (i32.and
      (i32.eq (i32.load8_u (i32.const 199)) (i32.const 0))
      (i32.eq (i32.load (i32.const 201)) (i32.const 0x78787878)))
      (i32.eq (i32.load8_u (i32.const 205)) (i32.const 0))))
    ;; 5: grow by 2 from 1 page: returns 1, size 3; a grow to 65 pages is refused
    (call $mark (i32.const 4) (i32.and (i32.and (i32.and
      (i32.eq (memory.grow (i32.const 2)) (i32.const 1))
      (i32.eq (memory.size) (i32.const 3)))
      (i64.eq (i64.load (i32.const 196600)) (i64.const 0)))
      (i32.and
        (i32.eq (memory.grow (i32.const 62)) (i32.const -1))
        (i32.eq (memory.size) (i32.const 3)))))
    ;; 6: the last bytes of the 3-page memory
    (i64.store (i32.const 196600) (i64.const 0x0102030405060708))
    (i32.store8 (i32.const 196607) (i32.const 9))
    (call $mark (i32.const 5) (i32.and
      (i32.eq (i32.load (i32.const 196604)) (i32.const 0x09020304))
      (i32.eq (i32.load16_u (i32.const 196606)) (i32.const 0x0902))))
    ;; 7: zero where no segment wrote (a global counter would show a reused instance)
    (call $mark (i32.const 6) (i32.and
      (i64.eq (i64.load (i32.const 1000)) (i64.const 0))
      (i64.eq (i64.load (i32.const 65528)) (i64.const 0))))
    ;; 8: one page at a time up to 40 pages, the page number stored at each new page's start
    (block $grown
      (loop $more
        (br_if $grown (i32.ge_u (memory.size) (i32.const 40)))
        (i32.store (i32.mul (memory.grow (i32.const 1)) (i32.const 65536)) (memory.size))
        (br $more)))
    (local.set $end (i32.const 3)) ;; pages 3..39 hold their number + 1
    (block $checked
      (loop $next
        (br_if $checked (i32.ge_u (local.get $end) (i32.const 40)))
        (br_if $checked (i32.ne (i32.load (i32.mul (local.get $end) (i32.const 65536)))
                                (i32.add (local.get $end) (i32.const 1))))
        (local.set $end (i32.add (local.get $end) (i32.const 1)))
        (br $next)))
    (call $mark (i32.const 7) (i32.and
      (i32.eq (local.get $end) (i32.const 40))
      (i64.eq (i64.load (i32.const 196600)) (i64.const 0x0902030405060708))))
    (call $output (i32.const 0) (i32.const 8))
    (i32.const 0)))

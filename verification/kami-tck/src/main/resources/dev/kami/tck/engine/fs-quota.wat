;; kami-v1 with WASI: a file system bomb that runs until the scratch quotas stop it (fd 3 = /data).
;; Input: one op byte. Output: "<how many succeeded> ERR<errno of the first failure>".
;;   f  create empty files f0, f1, ... (O_CREAT|O_EXCL, closed at once): the file-count bomb
;;   d  create directories d0, d1, ...
;;   p  create nested directories d, d/d, d/d/d, ...: the depth bomb
;;   o  open /data itself again and again without closing: the descriptor bomb
;;   n  create one file whose name is the rest of the input: "1 ERR00" on success
;;   w  write one byte at offset 2^62 (fd_pwrite): "0 ERR<errno>", never a trap
;;   c  create and delete the same file 1,000 times: "1000 ERR00" when deletions give quota back
;; Without quotas f, d and o never end (the deadline stops them); p stops at the path limits.
(module
  (import "kami" "output" (func $output (param i32 i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite" (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file" (func $unlink (param i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 100) " ERR")
  (data (i32.const 108) ".")
  (func (export "kami_alloc") (param i32) (result i32) (i32.const 65536))
  ;; writes n in decimal at $at; returns its length
  (func $itoa (param $n i32) (param $at i32) (result i32)
    (local $len i32) (local $t i32) (local $i i32)
    (local.set $t (local.get $n))
    (local.set $len (i32.const 1))
    (block $done
      (loop $count
        (br_if $done (i32.lt_u (local.get $t) (i32.const 10)))
        (local.set $t (i32.div_u (local.get $t) (i32.const 10)))
        (local.set $len (i32.add (local.get $len) (i32.const 1)))
        (br $count)))
    (local.set $i (local.get $len))
    (local.set $t (local.get $n))
    (loop $write
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i32.store8 (i32.add (local.get $at) (local.get $i))
        (i32.add (i32.const 48) (i32.rem_u (local.get $t) (i32.const 10))))
      (local.set $t (i32.div_u (local.get $t) (i32.const 10)))
      (br_if $write (local.get $i)))
    (local.get $len))
  ;; outputs "<count> ERR<e>" (e as two digits)
  (func $report (param $count i32) (param $e i32) (result i32)
    (call $output (i32.const 200) (call $itoa (local.get $count) (i32.const 200)))
    (call $output (i32.const 100) (i32.const 4))
    (i32.store8 (i32.const 120) (i32.add (i32.const 48) (i32.div_u (local.get $e) (i32.const 10))))
    (i32.store8 (i32.const 121) (i32.add (i32.const 48) (i32.rem_u (local.get $e) (i32.const 10))))
    (call $output (i32.const 120) (i32.const 2))
    (i32.const 0))
  ;; writes prefix byte + decimal i at 300; returns the length
  (func $name (param $prefix i32) (param $i i32) (result i32)
    (i32.store8 (i32.const 300) (local.get $prefix))
    (i32.add (i32.const 1) (call $itoa (local.get $i) (i32.const 301))))
  (func (export "kami_run") (param $ptr i32) (param $len i32) (result i32)
    (local $op i32) (local $i i32) (local $e i32) (local $n i32)
    (local.set $op (i32.load8_u (local.get $ptr)))
    (if (i32.eq (local.get $op) (i32.const 110)) ;; n
      (then
        (local.set $e (call $path_open (i32.const 3) (i32.const 0) (i32.add (local.get $ptr) (i32.const 1))
          (i32.sub (local.get $len) (i32.const 1)) (i32.const 5) (i64.const 64) (i64.const 0) (i32.const 0)
          (i32.const 0)))
        (if (local.get $e) (then (return (call $report (i32.const 0) (local.get $e)))))
        (drop (call $fd_close (i32.load (i32.const 0))))
        (return (call $report (i32.const 1) (i32.const 0)))))
    (if (i32.eq (local.get $op) (i32.const 119)) ;; w
      (then
        (local.set $e (call $path_open (i32.const 3) (i32.const 0) (i32.const 300) (call $name (i32.const 119)
          (i32.const 0)) (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 0)))
        (if (local.get $e) (then (return (call $report (i32.const 0) (local.get $e)))))
        (i32.store (i32.const 8) (i32.const 100))
        (i32.store (i32.const 12) (i32.const 1))
        (local.set $e (call $fd_pwrite (i32.load (i32.const 0)) (i32.const 8) (i32.const 1)
          (i64.const 0x4000000000000000) (i32.const 16)))
        (return (call $report (i32.const 0) (local.get $e)))))
    (if (i32.eq (local.get $op) (i32.const 99)) ;; c
      (then
        (local.set $n (call $name (i32.const 102) (i32.const 0)))
        (loop $again
          (local.set $e (call $path_open (i32.const 3) (i32.const 0) (i32.const 300) (local.get $n)
            (i32.const 5) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 0)))
          (if (local.get $e) (then (return (call $report (local.get $i) (local.get $e)))))
          (drop (call $fd_close (i32.load (i32.const 0))))
          (local.set $e (call $unlink (i32.const 3) (i32.const 300) (local.get $n)))
          (if (local.get $e) (then (return (call $report (local.get $i) (local.get $e)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $again (i32.lt_u (local.get $i) (i32.const 1000))))
        (return (call $report (local.get $i) (i32.const 0)))))
    (if (i32.eq (local.get $op) (i32.const 112)) ;; p: path at 300 grows "d", "d/d", ...
      (then
        (i32.store8 (i32.const 300) (i32.const 100))
        (local.set $n (i32.const 1))
        (loop $deeper
          (local.set $e (call $mkdir (i32.const 3) (i32.const 300) (local.get $n)))
          (if (local.get $e) (then (return (call $report (local.get $i) (local.get $e)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (i32.store8 (i32.add (i32.const 300) (local.get $n)) (i32.const 47))
          (i32.store8 (i32.add (i32.const 301) (local.get $n)) (i32.const 100))
          (local.set $n (i32.add (local.get $n) (i32.const 2)))
          (br_if $deeper (i32.lt_u (local.get $n) (i32.const 60000))))
        (return (call $report (local.get $i) (i32.const 0)))))
    (loop $bomb
      (if (i32.eq (local.get $op) (i32.const 102)) ;; f
        (then
          (local.set $e (call $path_open (i32.const 3) (i32.const 0) (i32.const 300)
            (call $name (i32.const 102) (local.get $i)) (i32.const 5) (i64.const 64) (i64.const 0) (i32.const 0)
            (i32.const 0)))
          (if (i32.eqz (local.get $e)) (then (drop (call $fd_close (i32.load (i32.const 0))))))))
      (if (i32.eq (local.get $op) (i32.const 100)) ;; d
        (then
          (local.set $e (call $mkdir (i32.const 3) (i32.const 300) (call $name (i32.const 100) (local.get $i))))))
      (if (i32.eq (local.get $op) (i32.const 111)) ;; o: O_DIRECTORY, no rights needed
        (then
          (local.set $e (call $path_open (i32.const 3) (i32.const 0) (i32.const 108) (i32.const 1)
            (i32.const 2) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))))
      (if (local.get $e) (then (return (call $report (local.get $i) (local.get $e)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $bomb))
    (i32.const 0)))

;; kami-v1 with WASI: lists and stats /data (fd 3) with fd_readdir, fd_filestat_get and
;; path_filestat_get. Input: one op byte, then a path (may be empty).
;;   P  fd_filestat_get on the preopen itself:                "OK type=<filetype>"
;;   S  path_filestat_get (following links) on the path:      "OK type=<filetype> size=<bytes>"
;;   F  open the path for reading, fd_filestat_get on it:     "OK type=<filetype> size=<bytes>"
;;   L  fd_readdir of the path (empty: /data itself):         "OK <name>,<name>,..."
;;   R  fd_read from the preopen (a directory):               "ERR<errno>"
;; Any failing call outputs "ERR" + its errno as two digits. Filetypes: 3 directory, 4 regular file.
(module
  (import "kami" "output" (func $output (param i32 i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 100) "OK type=")
  (data (i32.const 110) " size=")
  (data (i32.const 116) "ERR")
  (data (i32.const 120) "OK ")
  (data (i32.const 124) ",")
  (func (export "kami_alloc") (param i32) (result i32) (i32.const 65536))
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
  (func $err (param $e i32) (result i32)
    (i32.store8 (i32.const 130) (i32.add (i32.const 48) (i32.div_u (local.get $e) (i32.const 10))))
    (i32.store8 (i32.const 131) (i32.add (i32.const 48) (i32.rem_u (local.get $e) (i32.const 10))))
    (call $output (i32.const 116) (i32.const 3))
    (call $output (i32.const 130) (i32.const 2))
    (i32.const 0))
  ;; outputs the filestat at 1024: "OK type=T" and, if $size, " size=N"
  (func $stat (param $size i32) (result i32)
    (call $output (i32.const 100) (i32.const 8))
    (call $output (i32.const 200) (call $itoa (i32.load8_u (i32.const 1040)) (i32.const 200)))
    (if (local.get $size)
      (then
        (call $output (i32.const 110) (i32.const 6))
        (call $output (i32.const 200) (call $itoa (i32.wrap_i64 (i64.load (i32.const 1056))) (i32.const 200)))))
    (i32.const 0))
  ;; opens the path (rights: FD_READ | FD_READDIR); the descriptor is left at address 0
  (func $open (param $p i32) (param $n i32) (param $oflags i32) (result i32)
    (call $path_open (i32.const 3) (i32.const 1) (local.get $p) (local.get $n) (local.get $oflags)
      (i64.const 16386) (i64.const 0) (i32.const 0) (i32.const 0)))
  (func $list (param $fd i32) (result i32)
    (local $e i32) (local $at i32) (local $end i32) (local $namelen i32) (local $first i32)
    (local.set $e (call $fd_readdir (local.get $fd) (i32.const 4096) (i32.const 16384) (i64.const 0) (i32.const 8)))
    (if (local.get $e) (then (return (call $err (local.get $e)))))
    (call $output (i32.const 120) (i32.const 3))
    (local.set $at (i32.const 4096))
    (local.set $end (i32.add (i32.const 4096) (i32.load (i32.const 8))))
    (local.set $first (i32.const 1))
    (block $done
      (loop $entry
        (br_if $done (i32.gt_u (i32.add (local.get $at) (i32.const 24)) (local.get $end)))
        (local.set $namelen (i32.load (i32.add (local.get $at) (i32.const 16))))
        (br_if $done (i32.gt_u (i32.add (i32.add (local.get $at) (i32.const 24)) (local.get $namelen))
          (local.get $end)))
        (if (i32.eqz (local.get $first)) (then (call $output (i32.const 124) (i32.const 1))))
        (local.set $first (i32.const 0))
        (call $output (i32.add (local.get $at) (i32.const 24)) (local.get $namelen))
        (local.set $at (i32.add (local.get $at) (i32.add (i32.const 24) (local.get $namelen))))
        (br $entry)))
    (i32.const 0))
  (func (export "kami_run") (param $ptr i32) (param $len i32) (result i32)
    (local $op i32) (local $p i32) (local $n i32) (local $e i32)
    (local.set $op (i32.load8_u (local.get $ptr)))
    (local.set $p (i32.add (local.get $ptr) (i32.const 1)))
    (local.set $n (i32.sub (local.get $len) (i32.const 1)))
    (if (i32.eq (local.get $op) (i32.const 80)) ;; P
      (then
        (local.set $e (call $fd_filestat_get (i32.const 3) (i32.const 1024)))
        (if (local.get $e) (then (return (call $err (local.get $e)))))
        (return (call $stat (i32.const 0)))))
    (if (i32.eq (local.get $op) (i32.const 83)) ;; S
      (then
        (local.set $e (call $path_filestat_get (i32.const 3) (i32.const 1) (local.get $p) (local.get $n)
          (i32.const 1024)))
        (if (local.get $e) (then (return (call $err (local.get $e)))))
        (return (call $stat (i32.const 1)))))
    (if (i32.eq (local.get $op) (i32.const 70)) ;; F
      (then
        (local.set $e (call $open (local.get $p) (local.get $n) (i32.const 0)))
        (if (local.get $e) (then (return (call $err (local.get $e)))))
        (local.set $e (call $fd_filestat_get (i32.load (i32.const 0)) (i32.const 1024)))
        (if (local.get $e) (then (return (call $err (local.get $e)))))
        (drop (call $fd_close (i32.load (i32.const 0))))
        (return (call $stat (i32.const 1)))))
    (if (i32.eq (local.get $op) (i32.const 76)) ;; L
      (then
        (if (i32.eqz (local.get $n)) (then (return (call $list (i32.const 3)))))
        (local.set $e (call $open (local.get $p) (local.get $n) (i32.const 2)))
        (if (local.get $e) (then (return (call $err (local.get $e)))))
        (return (call $list (i32.load (i32.const 0))))))
    (if (i32.eq (local.get $op) (i32.const 82)) ;; R
      (then
        (i32.store (i32.const 16) (i32.const 8192))
        (i32.store (i32.const 20) (i32.const 64))
        (local.set $e (call $fd_read (i32.const 3) (i32.const 16) (i32.const 1) (i32.const 24)))
        (if (local.get $e) (then (return (call $err (local.get $e)))))
        (call $output (i32.const 120) (i32.const 2))
        (return (i32.const 0))))
    (call $err (i32.const 28))))

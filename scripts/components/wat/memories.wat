;; Two core modules, each with a memory of its own: max_memory_mb caps them together.
;; Built to memories.wasm by scripts/build-components.sh (`jco parse`).
(component
  (core module $m
    (memory 1)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
  (core instance $a (instantiate $m))
  (core instance $b (instantiate $m))
  (func $grow-a (param "pages" u32) (result s32) (canon lift (core func $a "grow")))
  (func $grow-b (param "pages" u32) (result s32) (canon lift (core func $b "grow")))
  (instance $api (export "grow-a" (func $grow-a)) (export "grow-b" (func $grow-b)))
  (export "test:edge/memories" (instance $api))
)

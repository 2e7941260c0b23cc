/* The benchmark's component echo: what the kami-v1 echo sample does per call and nothing more
 * (no log line, no stderr write), so `kami.call` on it measures the component path against the
 * kami-v1 path (docs/PERFORMANCE.md). Canonical ABI written by hand, as c-echo.
 * Built by scripts/build-components.sh: clang wasm32-wasi reactor -> jco embed -> jco new with
 * the preview-1 reactor adapter, as every C tool brought to the component ABI would be. */
#include <stdint.h>
#include <stdlib.h>

__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
    (void) old_size;
    if (new_size == 0) return (void *) align;
    void *p = realloc(ptr, new_size);
    if (!p) abort();
    return p;
}

static uint32_t ret_area[3];

/* result<string, string> ok(input): the input buffer is handed back, freed by post-return */
__attribute__((export_name("kami:tool/tool@0.1.0#run")))
uint32_t *run(char *input, size_t len) {
    ret_area[0] = 0;
    ret_area[1] = (uint32_t) input;
    ret_area[2] = len;
    return ret_area;
}

__attribute__((export_name("cabi_post_kami:tool/tool@0.1.0#run")))
void run_post(uint32_t *ret) { free((void *) ret[1]); }

__attribute__((export_name("kami:tool/tool@0.1.0#describe")))
uint32_t *describe(void) {
    static const char d[] = "Echoes its input back unchanged (C component, benchmark fixture)";
    ret_area[0] = (uint32_t) d;
    ret_area[1] = sizeof d - 1;
    return ret_area;
}

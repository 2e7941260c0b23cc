/* A kami:tool@0.1.0 component written in C against the canonical ABI by hand (no bindings
 * generator): run(input) -> result<string, string>, describe() -> string, host.log(level, msg).
 * Built by scripts/build-components.sh: clang wasm32-wasi reactor -> jco embed -> jco new with
 * the preview-1 reactor adapter, so its stderr/env/clock calls become WASI 0.2 imports. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

__attribute__((import_module("kami:tool/host@0.1.0"), import_name("log")))
extern void host_log(int32_t level, const char *ptr, size_t len);

__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
    (void) old_size; (void) align;
    if (new_size == 0) return (void *) align;
    void *p = realloc(ptr, new_size);
    if (!p) abort();
    return p;
}

static uint32_t ret_area[3];
static char *volatile grown;

/* not a tail call (the result is used after it), so clang keeps the frames */
static int recurse(int n) {
    volatile char frame[256];
    frame[n & 255] = (char) n;
    return recurse(n + 1) + frame[(n * 7) & 255];
}

static void say(int level, const char *text) { host_log(level, text, strlen(text)); }

/* result<string, string>: discriminant byte at 0, (ptr, len) at 4 and 8 */
__attribute__((export_name("kami:tool/tool@0.1.0#run")))
uint32_t *run(char *input, size_t len) {
    say(2, "c-echo: run called");
    fprintf(stderr, "c-echo: %zu bytes in\n", len);
    if (len >= 5 && memcmp(input, "\"fail", 5) == 0) {
        const char *msg = "asked to fail";
        char *out = malloc(strlen(msg));
        memcpy(out, msg, strlen(msg));
        ret_area[0] = 1;
        ret_area[1] = (uint32_t) out;
        ret_area[2] = strlen(msg);
        free(input);
        return ret_area;
    }
    if (len >= 6 && memcmp(input, "\"clock", 6) == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        char *out = malloc(64);
        int n = snprintf(out, 64, "{\"after2020\":%s}", ts.tv_sec > 1577836800 ? "true" : "false");
        ret_area[0] = 0;
        ret_area[1] = (uint32_t) out;
        ret_area[2] = n;
        free(input);
        return ret_area;
    }
    if (len >= 5 && memcmp(input, "\"spin", 5) == 0) {
        volatile uint64_t x = 0;
        for (;;) x++;
    }
    if (len >= 5 && memcmp(input, "\"grow", 5) == 0) {
        /* the pointers are published through a volatile, so clang cannot elide the mallocs */
        for (;;) { char *p = malloc(1 << 20); if (!p) break; p[0] = 1; grown = p; }
        abort();
    }
    /* hostile inputs: each must be contained by a limit */
    if (len >= 6 && memcmp(input, "\"flood", 6) == 0) {
        for (;;) fputs("flooding stderr with text\n", stderr);
    }
    if (len >= 5 && memcmp(input, "\"logs", 5) == 0) {
        for (;;) say(1, "a log line, again and again");
    }
    if (len >= 5 && memcmp(input, "\"deep", 5) == 0) {
        ret_area[0] = (uint32_t) recurse(1); /* unbounded recursion, never returns */
    }
    if (len >= 4 && memcmp(input, "\"big", 4) == 0) {
        size_t n = 2 * 1024 * 1024;
        char *out = malloc(n);
        memset(out, 'x', n);
        ret_area[0] = 0;
        ret_area[1] = (uint32_t) out;
        ret_area[2] = n;
        free(input);
        return ret_area;
    }
    ret_area[0] = 0;
    ret_area[1] = (uint32_t) input; /* echo: hand the input buffer back */
    ret_area[2] = len;
    return ret_area;
}

__attribute__((export_name("cabi_post_kami:tool/tool@0.1.0#run")))
void run_post(uint32_t *ret) { free((void *) ret[1]); }

__attribute__((export_name("kami:tool/tool@0.1.0#describe")))
uint32_t *describe(void) {
    static const char d[] = "{\"name\":\"c-echo\",\"description\":\"Echoes its input (C component)\"}";
    ret_area[0] = (uint32_t) d;
    ret_area[1] = sizeof d - 1;
    return ret_area;
}

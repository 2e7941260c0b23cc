/*
 * kami.h - the KAMI guest SDK for C (kami-v1 ABI, see docs/ABI.md). Single header, no
 * dependencies beyond wasi-libc (malloc, memcpy, strlen).
 *
 * Build (Debian: apt-get install clang lld wasi-libc libclang-rt-dev-wasm32):
 *
 *   clang --target=wasm32-wasi --sysroot=/usr -O2 -mexec-model=reactor -Wl,--strip-all \
 *         -o tool.wasm tool.c
 *
 * Use:
 *
 *   #include "kami.h"
 *
 *   static int run(const char *input, size_t len) {   // input is NUL-terminated too
 *       kami_output(input, len);                        // the result (appended)
 *       return 0;                                       // 0 = success, else tool error
 *   }
 *   KAMI_TOOL(run)
 *
 * KAMI_TOOL defines the exports kami_alloc and kami_run; include it in exactly one .c file.
 * Every call runs on a fresh instance, so nothing needs to be freed.
 */
#ifndef KAMI_H
#define KAMI_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunused-function"

/* ---- host imports (module "kami") -------------------------------------------------------- */

#define KAMI_IMPORT_(n) __attribute__((import_module("kami"), import_name(n)))
#define KAMI_EXPORT_(n) __attribute__((export_name(n)))

/** Appends len bytes at ptr to the call's output. */
KAMI_IMPORT_("output") void kami_output(const void *ptr, size_t len);
/** Logs one UTF-8 line at a level (KAMI_TRACE .. KAMI_ERROR). */
KAMI_IMPORT_("log") void kami_log(int32_t level, const void *ptr, size_t len);
/** Performs the HTTP request whose JSON is at ptr; returns the response JSON's byte length. */
KAMI_IMPORT_("http_request") int32_t kami_http_request_raw(const void *ptr, size_t len);
/** Copies the pending response JSON to ptr; returns the bytes copied. */
KAMI_IMPORT_("http_response") int32_t kami_http_response_raw(void *ptr);

enum { KAMI_TRACE = 0, KAMI_DEBUG = 1, KAMI_INFO = 2, KAMI_WARN = 3, KAMI_ERROR = 4 };

/* ---- exports ------------------------------------------------------------------------------ */

/**
 * Defines kami_alloc and kami_run around fn, an `int fn(const char *input, size_t len)`.
 * The input buffer has one extra byte, set to 0 before fn runs, so it is a C string too.
 */
#define KAMI_TOOL(fn)                                                                     \
    KAMI_EXPORT_("kami_alloc") void *kami_alloc(int32_t len) {                            \
        void *p = malloc((size_t)(len < 0 ? 0 : len) + 1);                                \
        if (!p) __builtin_trap(); /* memory.grow failed: KAMI reports MEMORY_LIMIT */     \
        return p;                                                                         \
    }                                                                                     \
    KAMI_EXPORT_("kami_run") int32_t kami_run(char *ptr, int32_t len) {                   \
        ptr[len] = 0;                                                                     \
        return (int32_t)fn(ptr, (size_t)len);                                             \
    }

/** Defines kami_describe, which outputs a JSON description (a string literal). */
#define KAMI_DESCRIBE(json_literal)                                                       \
    KAMI_EXPORT_("kami_describe") int32_t kami_describe(void) {                           \
        kami_output(json_literal, sizeof(json_literal) - 1);                              \
        return 0;                                                                         \
    }

/* ---- output and log helpers --------------------------------------------------------------- */

static inline void kami_output_str(const char *s) { kami_output(s, strlen(s)); }

static inline void kami_log_str(int32_t level, const char *s) { kami_log(level, s, strlen(s)); }

/** Outputs s as a message and returns 1: `return kami_fail("missing 'url'");` */
static inline int kami_fail(const char *s) {
    kami_output_str(s);
    return 1;
}

/**
 * Writes s[0..len) as a JSON string literal (quotes and escapes included) into out, which
 * must hold 6 * len + 2 bytes; returns the bytes written (out is not NUL-terminated).
 */
static size_t kami_json_quote(const char *s, size_t len, char *out) {
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    out[n++] = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': out[n++] = '\\'; out[n++] = '"'; break;
        case '\\': out[n++] = '\\'; out[n++] = '\\'; break;
        case '\n': out[n++] = '\\'; out[n++] = 'n'; break;
        case '\r': out[n++] = '\\'; out[n++] = 'r'; break;
        case '\t': out[n++] = '\\'; out[n++] = 't'; break;
        default:
            if (c < 0x20) {
                out[n++] = '\\'; out[n++] = 'u'; out[n++] = '0'; out[n++] = '0';
                out[n++] = hex[c >> 4]; out[n++] = hex[c & 15];
            } else {
                out[n++] = (char)c;
            }
        }
    }
    out[n++] = '"';
    return n;
}

/** Outputs bytes as a JSON string literal (quotes and escapes included). */
static void kami_output_json_string(const char *s, size_t len) {
    char *buf = (char *)malloc(6 * len + 2);
    if (!buf) return;
    kami_output(buf, kami_json_quote(s, len, buf));
    free(buf);
}

/* ---- a tiny JSON reader: enough to pick top-level arguments ------------------------------- */

static const char *kami_json_ws_(const char *p, const char *e) {
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

/* Skips one JSON value starting at p (after whitespace); returns its end or NULL. */
static const char *kami_json_skip_(const char *p, const char *e) {
    int depth = 0;
    p = kami_json_ws_(p, e);
    if (p >= e) return NULL;
    do {
        if (p >= e) return NULL;
        char c = *p;
        if (c == '"') {
            for (p++; p < e && *p != '"'; p++) if (*p == '\\') p++;
            if (p >= e) return NULL;
            p++;
        } else if (c == '{' || c == '[') {
            depth++; p++;
        } else if (c == '}' || c == ']') {
            depth--; p++;
        } else if (depth == 0) {
            /* scalar at top level: number, true, false, null */
            while (p < e && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n'
                   && *p != '\r' && *p != '\t') p++;
            return p;
        } else {
            p++;
        }
    } while (depth > 0);
    return p;
}

/**
 * Finds the value of key in the top-level JSON object json[0..len). On success sets *val and
 * *vlen to the raw value text (a string keeps its quotes) and returns 1; returns 0 if absent
 * or if json is not an object.
 */
static int kami_json_find(const char *json, size_t len, const char *key, const char **val,
                          size_t *vlen) {
    const char *p = json, *e = json + len;
    size_t klen = strlen(key);
    p = kami_json_ws_(p, e);
    if (p >= e || *p != '{') return 0;
    p++;
    for (;;) {
        p = kami_json_ws_(p, e);
        if (p >= e || *p != '"') return 0;
        const char *ks = ++p;
        while (p < e && *p != '"') { if (*p == '\\') p++; p++; }
        if (p >= e) return 0;
        const char *ke = p++;
        p = kami_json_ws_(p, e);
        if (p >= e || *p != ':') return 0;
        p = kami_json_ws_(p + 1, e);
        const char *vs = p;
        const char *ve = kami_json_skip_(p, e);
        if (!ve) return 0;
        if ((size_t)(ke - ks) == klen && memcmp(ks, key, klen) == 0) {
            *val = vs;
            *vlen = (size_t)(ve - vs);
            return 1;
        }
        p = kami_json_ws_(ve, e);
        if (p < e && *p == ',') { p++; continue; }
        return 0;
    }
}

static int kami_hex_(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static char *kami_utf8_(char *o, uint32_t cp) {
    if (cp < 0x80) { *o++ = (char)cp; }
    else if (cp < 0x800) { *o++ = (char)(0xC0 | (cp >> 6)); *o++ = (char)(0x80 | (cp & 63)); }
    else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | (cp >> 12)); *o++ = (char)(0x80 | ((cp >> 6) & 63));
        *o++ = (char)(0x80 | (cp & 63));
    } else {
        *o++ = (char)(0xF0 | (cp >> 18)); *o++ = (char)(0x80 | ((cp >> 12) & 63));
        *o++ = (char)(0x80 | ((cp >> 6) & 63)); *o++ = (char)(0x80 | (cp & 63));
    }
    return o;
}

/**
 * Reads the string argument key of the top-level object: returns a NUL-terminated, unescaped,
 * malloc'd copy and sets *out_len (if not NULL), or returns NULL if absent or not a string.
 */
static char *kami_json_get_string(const char *json, size_t len, const char *key,
                                  size_t *out_len) {
    const char *v;
    size_t vl;
    if (!kami_json_find(json, len, key, &v, &vl) || vl < 2 || v[0] != '"') return NULL;
    const char *p = v + 1, *e = v + vl - 1;
    char *out = (char *)malloc(vl + 1), *o = out;
    if (!out) return NULL;
    while (p < e) {
        char c = *p++;
        if (c != '\\') { *o++ = c; continue; }
        if (p >= e) break;
        c = *p++;
        switch (c) {
        case 'n': *o++ = '\n'; break;
        case 't': *o++ = '\t'; break;
        case 'r': *o++ = '\r'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'u': {
            uint32_t cp = 0;
            for (int i = 0; i < 4 && p < e; i++) cp = cp * 16 + (uint32_t)kami_hex_(*p++);
            if (cp >= 0xD800 && cp < 0xDC00 && e - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                uint32_t lo = 0;
                for (int i = 2; i < 6; i++) lo = lo * 16 + (uint32_t)kami_hex_(p[i]);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
            }
            o = kami_utf8_(o, cp);
            break;
        }
        default: *o++ = c; /* \" \\ \/ */
        }
    }
    *o = 0;
    if (out_len) *out_len = (size_t)(o - out);
    return out;
}

/** Reads the integer argument key; returns def if absent or not a number. */
static long long kami_json_get_int(const char *json, size_t len, const char *key, long long def) {
    const char *v;
    size_t vl;
    if (!kami_json_find(json, len, key, &v, &vl) || vl == 0) return def;
    const char *p = v, *e = v + vl;
    int neg = 0;
    if (*p == '-') { neg = 1; p++; }
    if (p >= e || *p < '0' || *p > '9') return def;
    long long n = 0;
    while (p < e && *p >= '0' && *p <= '9') n = n * 10 + (*p++ - '0');
    return neg ? -n : n;
}

/* ---- outbound HTTP ------------------------------------------------------------------------ */

/**
 * Sends the request JSON ({"method":"GET","url":"...","headers":{...},"body":"..."}) and
 * returns the host's response JSON ({"status":..,"headers":..,"body":".."} or
 * {"error":"denied","message":".."}), NUL-terminated and malloc'd; *resp_len gets its length.
 * Returns NULL only if the host returned nothing.
 */
static char *kami_http(const char *request_json, size_t len, size_t *resp_len) {
    int32_t n = kami_http_request_raw(request_json, len);
    if (n <= 0) return NULL;
    char *buf = (char *)malloc((size_t)n + 1);
    if (!buf) return NULL;
    int32_t got = kami_http_response_raw(buf);
    if (got < 0) got = 0;
    if (got > n) got = n;
    buf[got] = 0;
    if (resp_len) *resp_len = (size_t)got;
    return buf;
}

#pragma clang diagnostic pop

#ifdef __cplusplus
}
#endif
#endif /* KAMI_H */

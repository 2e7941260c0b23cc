/*
 * hello-world: a wasi-command tool (no SDK). Reads {"name":"..."} on stdin and prints
 * "Hello, <name>!" on stdout. A missing name is a tool error: a message on stderr, exit 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Finds "key" : "value" in json and copies the (unescaped) value into out. Tiny, not a parser. */
static int get_string(const char *json, const char *key, char *out, size_t cap) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *p = strstr(json, pat);
    if (!p) return 0;
    p += strlen(pat);
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    if (*p++ != ':') return 0;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    if (*p++ != '"') return 0;
    size_t n = 0;
    while (*p && *p != '"' && n + 1 < cap) {
        if (*p == '\\' && p[1]) {
            p++;
            switch (*p) {
            case 'n': out[n++] = '\n'; break;
            case 't': out[n++] = '\t'; break;
            default: out[n++] = *p; /* \" \\ \/ (\uXXXX is kept as is) */
            }
            p++;
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = 0;
    return *p == '"';
}

int main(void) {
    static char input[65536];
    size_t len = fread(input, 1, sizeof input - 1, stdin);
    input[len] = 0;
    char name[1024];
    if (!get_string(input, "name", name, sizeof name) || name[0] == 0) {
        fprintf(stderr, "missing argument 'name' (a non-empty string), e.g. {\"name\":\"World\"}\n");
        return 1;
    }
    printf("Hello, %s!", name); /* no newline: the output is exactly the greeting */
    return 0;
}

/* {{name}}: a KAMI tool (kami-v1 ABI) in C. Input {"name":"..."}; output {"greeting":"Hello, ...!"}. */
#include "kami.h"

static int run(const char *input, size_t len) {
    size_t name_len;
    char *name = kami_json_get_string(input, len, "name", &name_len);
    if (!name) return kami_fail("missing argument 'name' (a string)");
    kami_log_str(KAMI_DEBUG, "{{name}}: greeting");
    kami_output_str("{\"greeting\":");
    size_t n = 7 + name_len + 1;
    char *greeting = malloc(n + 1);
    memcpy(greeting, "Hello, ", 7);
    memcpy(greeting + 7, name, name_len);
    greeting[n - 1] = '!';
    kami_output_json_string(greeting, n);
    kami_output_str("}");
    return 0;
}

KAMI_TOOL(run)

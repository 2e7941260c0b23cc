/* echo: returns its input JSON unchanged (kami-v1, C, kami-guest-sdk/c/kami.h). */
#include "kami.h"

static int run(const char *input, size_t len) {
    kami_output(input, len);
    return 0;
}

KAMI_TOOL(run)

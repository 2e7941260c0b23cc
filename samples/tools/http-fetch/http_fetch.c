/*
 * http-fetch: a kami-v1 tool (C, kami-guest-sdk/c/kami.h) that fetches a URL with HTTP GET
 * through the host (kami.http_request / kami.http_response). The host enforces the net grant.
 *
 * Input  {"url":"https://example.com/","max_bytes":65536}
 * Output {"status":200,"body":"...","truncated":false}
 * A refused or failed request is a tool error whose message is the host's:
 *   "http error (denied): host 'x' is not in the tool's net grant [...]"
 */
#include "kami.h"

#define DEFAULT_MAX_BYTES 65536

static int run(const char *input, size_t len) {
    size_t url_len;
    char *url = kami_json_get_string(input, len, "url", &url_len);
    if (!url || url_len == 0)
        return kami_fail("missing argument 'url' (a string), e.g. {\"url\":\"https://example.com/\"}");
    const char *mv;
    size_t mvl;
    long long max_bytes = kami_json_get_int(input, len, "max_bytes", -1);
    if (!kami_json_find(input, len, "max_bytes", &mv, &mvl) || (mvl == 4 && memcmp(mv, "null", 4) == 0))
        max_bytes = DEFAULT_MAX_BYTES; /* absent or null */
    if (max_bytes < 0) return kami_fail("'max_bytes' must be a number of bytes, 0 or more");

    /* {"method":"GET","url":<url>} */
    static const char head[] = "{\"method\":\"GET\",\"url\":";
    char *req = (char *)malloc(sizeof head + 6 * url_len + 4);
    size_t n = sizeof head - 1;
    memcpy(req, head, n);
    n += kami_json_quote(url, url_len, req + n);
    req[n++] = '}';

    kami_log(KAMI_DEBUG, req, n);
    size_t resp_len;
    char *resp = kami_http(req, n, &resp_len);
    if (!resp) return kami_fail("http error: the host returned no response");

    char *error = kami_json_get_string(resp, resp_len, "error", NULL);
    if (error) {
        char *message = kami_json_get_string(resp, resp_len, "message", NULL);
        kami_output_str("http error (");
        kami_output_str(error);
        kami_output_str("): ");
        kami_output_str(message ? message : "(no message)");
        return 1;
    }

    const char *status;
    size_t status_len;
    if (!kami_json_find(resp, resp_len, "status", &status, &status_len))
        return kami_fail("http error: the host's response has no status");
    size_t body_len = 0;
    char *body = kami_json_get_string(resp, resp_len, "body", &body_len);
    if (!body) body = "";
    int truncated = 0;
    if ((long long)body_len > max_bytes) {
        body_len = (size_t)max_bytes;
        /* do not cut a UTF-8 sequence in half */
        while (body_len > 0 && ((unsigned char)body[body_len] & 0xC0) == 0x80) body_len--;
        truncated = 1;
    }
    kami_output_str("{\"status\":");
    kami_output(status, status_len);
    kami_output_str(",\"body\":");
    kami_output_json_string(body, body_len);
    kami_output_str(truncated ? ",\"truncated\":true}" : ",\"truncated\":false}");
    return 0;
}

KAMI_TOOL(run)

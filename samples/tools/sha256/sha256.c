/*
 * sha256: a CPU-bound kami-v1 tool (C, kami-guest-sdk/c/kami.h), used as a benchmark.
 * Input {"data":"...","rounds":N}: h = SHA-256(data), then rounds-1 times h = SHA-256(h)
 * (over the 32 raw bytes). Returns h as 64 lowercase hex characters. The work is linear in
 * rounds (default 1, at most 10,000,000).
 */
#include "kami.h"

typedef struct {
    uint32_t h[8];
    uint8_t buf[64];
    uint64_t total;
    size_t used;
} sha256_ctx;

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void block(sha256_ctx *c, const uint8_t *p) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3];
    uint32_t e = c->h[4], f = c->h[5], g = c->h[6], h = c->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
        h = g; g = f; f = e; e = d + t1; d = cc; cc = b; b = a; a = t1 + t2;
    }
    c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d;
    c->h[4] += e; c->h[5] += f; c->h[6] += g; c->h[7] += h;
}

static void sha256(const uint8_t *data, size_t len, uint8_t out[32]) {
    static const uint32_t H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    sha256_ctx c;
    memcpy(c.h, H0, sizeof H0);
    size_t i = 0;
    for (; i + 64 <= len; i += 64) block(&c, data + i);
    size_t rest = len - i;
    memset(c.buf, 0, 64);
    memcpy(c.buf, data + i, rest);
    c.buf[rest] = 0x80;
    if (rest >= 56) { block(&c, c.buf); memset(c.buf, 0, 64); }
    uint64_t bits = (uint64_t)len * 8;
    for (int k = 0; k < 8; k++) c.buf[63 - k] = (uint8_t)(bits >> (8 * k));
    block(&c, c.buf);
    for (int k = 0; k < 8; k++) {
        out[4 * k] = (uint8_t)(c.h[k] >> 24); out[4 * k + 1] = (uint8_t)(c.h[k] >> 16);
        out[4 * k + 2] = (uint8_t)(c.h[k] >> 8); out[4 * k + 3] = (uint8_t)c.h[k];
    }
}

static int run(const char *input, size_t len) {
    size_t dlen;
    char *data = kami_json_get_string(input, len, "data", &dlen);
    if (!data) return kami_fail("missing argument 'data' (a string), e.g. {\"data\":\"abc\",\"rounds\":1000}");
    const char *rv;
    size_t rvl;
    long long rounds = kami_json_get_int(input, len, "rounds", -1);
    if (!kami_json_find(input, len, "rounds", &rv, &rvl) || (rvl == 4 && memcmp(rv, "null", 4) == 0))
        rounds = 1; /* absent or null: one round */
    if (rounds < 1 || rounds > 10000000) return kami_fail("'rounds' must be an integer from 1 to 10000000");
    uint8_t h[32];
    sha256((const uint8_t *)data, dlen, h);
    for (long long r = 1; r < rounds; r++) sha256(h, 32, h);
    static const char hex[] = "0123456789abcdef";
    char out[64];
    for (int i = 0; i < 32; i++) { out[2 * i] = hex[h[i] >> 4]; out[2 * i + 1] = hex[h[i] & 15]; }
    kami_output(out, 64);
    return 0;
}

KAMI_TOOL(run)

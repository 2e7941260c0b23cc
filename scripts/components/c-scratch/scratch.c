/* A kami:tool component that fills its /data until a scratch quota stops it, through libc and
 * the preview-1 adapter (so every call becomes wasi:filesystem). run(input) takes one word:
 *   files  create /data/f<i> (closing each) until creation fails
 *   dirs   mkdir /data/d<i> until it fails
 *   deep   mkdir /data/a/a/a/... one level deeper until it fails
 *   long   create /data/<name of 200 x>/<...> one level longer until it fails
 *   open   open /data/o<i> for writing, keeping each open, until it fails
 *   bytes  append 64 KiB blocks to /data/big until a write fails
 * and returns "<word>: <count> then <strerror(errno)>". Built by scripts/build-components.sh as
 * c-echo is. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>

__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
    (void) old_size;
    if (new_size == 0) return (void *) align;
    void *p = realloc(ptr, new_size);
    if (!p) abort();
    return p;
}

static uint32_t ret_area[3];
static char path[8192];

static int is(const char *input, size_t len, const char *word) {
    return len == strlen(word) && memcmp(input, word, len) == 0;
}

static uint32_t *answer(const char *word, int count, int err) {
    char *out = malloc(256);
    int n = snprintf(out, 256, "%s: %d then %s", word, count, strerror(err));
    ret_area[0] = 0;
    ret_area[1] = (uint32_t) out;
    ret_area[2] = n;
    return ret_area;
}

__attribute__((export_name("kami:tool/tool@0.1.0#run")))
uint32_t *run(char *input, size_t len) {
    int i = 0;
    if (is(input, len, "files")) {
        for (;; i++) {
            snprintf(path, sizeof path, "/data/f%d", i);
            int fd = open(path, O_CREAT | O_WRONLY, 0644);
            if (fd < 0) return answer("files", i, errno);
            close(fd);
        }
    }
    if (is(input, len, "dirs")) {
        for (;; i++) {
            snprintf(path, sizeof path, "/data/d%d", i);
            if (mkdir(path, 0755) != 0) return answer("dirs", i, errno);
        }
    }
    if (is(input, len, "deep")) {
        strcpy(path, "/data");
        for (;; i++) {
            strcat(path, "/a");
            if (mkdir(path, 0755) != 0) return answer("deep", i, errno);
        }
    }
    if (is(input, len, "long")) {
        strcpy(path, "/data");
        for (;; i++) {
            size_t at = strlen(path);
            if (at + 202 >= sizeof path) return answer("long", i, 0);
            path[at] = '/';
            memset(path + at + 1, 'x', 200);
            path[at + 201] = 0;
            if (mkdir(path, 0755) != 0) return answer("long", i, errno);
        }
    }
    if (is(input, len, "open")) {
        for (;; i++) {
            snprintf(path, sizeof path, "/data/o%d", i);
            if (open(path, O_CREAT | O_WRONLY, 0644) < 0) return answer("open", i, errno);
        }
    }
    if (is(input, len, "bytes")) {
        static char block[65536];
        memset(block, 'b', sizeof block);
        int fd = open("/data/big", O_CREAT | O_WRONLY | O_APPEND, 0644);
        if (fd < 0) return answer("bytes", 0, errno);
        for (;; i++) {
            if (write(fd, block, sizeof block) != (ssize_t) sizeof block) return answer("bytes", i, errno);
        }
    }
    return answer("unknown", 0, EINVAL);
}

__attribute__((export_name("cabi_post_kami:tool/tool@0.1.0#run")))
void run_post(uint32_t *ret) { free((void *) ret[1]); }

__attribute__((export_name("kami:tool/tool@0.1.0#describe")))
uint32_t *describe(void) {
    static const char d[] = "Fills its /data until a scratch quota stops it (C component, test fixture)";
    ret_area[0] = (uint32_t) d;
    ret_area[1] = sizeof d - 1;
    return ret_area;
}

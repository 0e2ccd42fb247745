/* test_lab_corpus.c -- the lab's corpora: Brown tag stripping, the download
 * code against a local HTTP server on 127.0.0.1 (never the network), the
 * cache, and bad paths. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include "io/io_util.h"
#include "lab/brown.h"
#include "lab/corpus.h"
#include "testlib.h"

static void brown(void)
{
    const char *in = "\n\n\tThe/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' ,/, then/rb left/vbd ./.\n\n"
                     "\t1/2/cd of/in it/pps (/( sic/rb )/) ;/. ok\n";
    const char *want = "The jury said \"no evidence\", then left.\n1/2 of it (sic); ok\n";
    char out[256];
    size_t len = 0;
    CHECK(sw_brown_strip(out, sizeof out, &len, in, strlen(in)) == SWIGLU_OK, "strip status");
    CHECK(len == strlen(want) && !memcmp(out, want, len), "stripped text: '%.*s'", (int)len, out);
    CHECK(sw_brown_strip(out, 5, &len, in, strlen(in)) == SWIGLU_ERR_SIZE, "small output refused");
    CHECK(sw_brown_strip(out, sizeof out, &len, "", 0) == SWIGLU_OK && len == 0, "empty input");
    CHECK(sw_brown_strip(out, sizeof out, &len, "/x //. a/", 9) == SWIGLU_OK && len <= 9, "odd slashes stay in bounds");
    CHECK(sw_brown_strip(NULL, 0, &len, "a", 1) == SWIGLU_ERR_NULL, "NULL out");
    /* found by tests/fuzz/fuzz_brown.c: a last sentence without its newline
     * gets one, so the output can be one byte longer than the input (the
     * header said cap >= n sufficed); cap n must be refused, n + 1 suffice */
    {
        static const char fz[] = "\0\0\0\0\n\0\0.\0\0he`";
        size_t n = sizeof fz - 1;
        char *small = malloc(n), *big = malloc(n + 1);
        CHECK(small && big, "alloc");
        CHECK(sw_brown_strip(small, n, &len, fz, n) == SWIGLU_ERR_SIZE, "fuzz input: cap n refused, not overrun");
        CHECK(sw_brown_strip(big, n + 1, &len, fz, n) == SWIGLU_OK && len == n + 1 && big[n] == '\n',
              "fuzz input: cap n + 1 suffices (length %zu)", len);
        CHECK(sw_brown_strip(big, 1, &len, "a/x", 3) == SWIGLU_ERR_SIZE, "'a/x' needs 2 bytes");
        CHECK(sw_brown_strip(big, 2, &len, "a/x", 3) == SWIGLU_OK && len == 2 && !memcmp(big, "a\n", 2), "'a/x' -> 'a\\n'");
        free(small); free(big);
    }
}

/* ---- a tiny HTTP server on 127.0.0.1 ------------------------------------ */

typedef struct server { int fd, port, requests; const char *body; size_t n; } server;

static void *serve(void *arg)
{
    server *s = arg;
    for (int k = 0; k < 8; k++) {   /* bounded: a test makes at most a few requests */
        int c = accept(s->fd, NULL, NULL);
        if (c < 0) break;
        struct timeval tv = {5, 0};
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char req[2048] = {0};
        ssize_t got = recv(c, req, sizeof req - 1, 0);
        if (got <= 0) { close(c); continue; }
        s->requests++;
        char hdr[256];
        if (!strncmp(req, "GET /ok ", 8) || !strncmp(req, "GET /bad ", 9)) {
            int bad = !strncmp(req, "GET /bad ", 9);
            size_t n = bad ? 11 : s->n;
            int h = snprintf(hdr, sizeof hdr, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", n);
            send(c, hdr, (size_t)h, MSG_NOSIGNAL);
            const char *p = bad ? "not shakesp" : s->body;
            for (size_t off = 0; off < n;) {
                ssize_t w = send(c, p + off, n - off, MSG_NOSIGNAL);
                if (w <= 0) break;
                off += (size_t)w;
            }
        } else {
            const char *nf = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            send(c, nf, strlen(nf), MSG_NOSIGNAL);
        }
        close(c);
    }
    return NULL;
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)sz + 1);
    *n = fread(b, 1, (size_t)sz, f);
    fclose(f);
    return b;
}

static void download(void)
{
    const char *shared = tl_shared_dir();
    if (!shared) { tl_skip("no ../shared: the download test"); return; }
    char src[4096];
    snprintf(src, sizeof src, "%s/data/tinyshakespeare.txt", shared);
    server s = {0};
    s.body = slurp(src, &s.n);
    CHECK(s.body && s.n == 1115394, "shared tinyshakespeare readable");
    if (!s.body) return;
    s.fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    CHECK(bind(s.fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(s.fd, 4) == 0 &&
          getsockname(s.fd, (struct sockaddr *)&a, &al) == 0, "local server listens");
    s.port = ntohs(a.sin_port);
    pthread_t th;
    pthread_create(&th, NULL, serve, &s);

    char dir[] = "/tmp/swiglu-test-cache-XXXXXX", url[128], path[4200], err[512];
    CHECK(mkdtemp(dir) != NULL, "temp dir");
    setenv("SWIGLU_CACHE", dir, 1);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/ok", s.port);
    setenv("SWIGLU_SHAKESPEARE_URL", url, 1);
    const char *name = NULL;
    CHECK(sw_corpus_resolve(path, sizeof path, &name, "shakespeare", err, sizeof err) == SWIGLU_OK, "fetch: %s", err);
    size_t n = 0;
    char *got = slurp(path, &n);
    CHECK(got && n == s.n && !memcmp(got, s.body, n) && !strcmp(name, "shakespeare"), "downloaded bytes equal the source");
    free(got);
    int before = s.requests;
    CHECK(sw_corpus_resolve(path, sizeof path, &name, "shakespeare", err, sizeof err) == SWIGLU_OK && s.requests == before,
          "second use comes from the cache");

    /* a wrong file is refused and never replaces what is there */
    char keep[4300];
    snprintf(keep, sizeof keep, "%s/keep.txt", dir);
    CHECK(sw_atomic_write(keep, "precious", 8, NULL, err, sizeof err) == SWIGLU_OK, "atomic write");
    snprintf(url, sizeof url, "http://127.0.0.1:%d/bad", s.port);
    CHECK(sw_fetch_url(keep, url, SW_SHAKESPEARE_SHA256, err, sizeof err) == SWIGLU_ERR_IO && strstr(err, "SHA-256"),
          "checksum mismatch named: %s", err);
    got = slurp(keep, &n);
    CHECK(got && n == 8 && !memcmp(got, "precious", 8), "existing file kept on a failed download");
    free(got);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/missing", s.port);
    CHECK(sw_fetch_url(keep, url, NULL, err, sizeof err) == SWIGLU_ERR_IO && strstr(err, "404"), "404 named: %s", err);

    shutdown(s.fd, SHUT_RDWR);
    close(s.fd);
    pthread_join(th, NULL);
    free((void *)s.body);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0, "cleanup");
}

static void files(void)
{
    char path[256], err[256];
    const char *name;
    CHECK(sw_corpus_resolve(path, sizeof path, &name, "/nonexistent/corpus.txt", err, sizeof err) == SWIGLU_ERR_IO &&
          strstr(err, "/nonexistent/corpus.txt"), "missing file named: %s", err);
    CHECK(sw_corpus_resolve(path, sizeof path, &name, "/tmp", err, sizeof err) == SWIGLU_ERR_IO &&
          strstr(err, "not a regular file"), "directory refused: %s", err);
    CHECK(sw_corpus_resolve(path, sizeof path, &name, "tests/ref/make_act_ref.py", err, sizeof err) == SWIGLU_OK &&
          !strcmp(name, "make_act_ref.py"), "a file is used as it is");
}

int main(void)
{
    brown();
    download();
    files();
    return tl_finish("test_lab_corpus");
}

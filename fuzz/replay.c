/*
 * replay.c - runs a libFuzzer target's LLVMFuzzerTestOneInput over files and
 * directories given on the command line, without libFuzzer (any C compiler,
 * any sanitizer or none), and prints one TAP line per input.  Used by
 * `make test` (through t/unit/fuzz_*.t) to replay the committed corpus and
 * every crash found so far, and by hand to reproduce a finding:
 *     build/fuzz/replay_verify crash-<sha1>
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0
        || fseek(f, 0, SEEK_SET) != 0) {
        printf("not ok %d - cannot read %s\n", ++count, path);
        if (f) fclose(f);
        return 1;
    }
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        printf("not ok %d - cannot read %s\n", ++count, path);
        free(buf);
        fclose(f);
        return 1;
    }
    fclose(f);
    /* a crash or sanitizer report ends the program: no "ok" line, and the
     * plan check of the harness fails */
    LLVMFuzzerTestOneInput(buf, (size_t)n);
    free(buf);
    printf("ok %d - %s\n", ++count, path);
    fflush(stdout);
    return 0;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, i;
    int bad = 0;

    if (stat(path, &st) != 0) {
        printf("not ok %d - %s does not exist\n", ++count, path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) return run_file(path);
    if ((d = opendir(path)) == NULL) {
        printf("not ok %d - cannot open %s\n", ++count, path);
        return 1;
    }
    while ((e = readdir(d)) != NULL) {
        char *full;
        if (e->d_name[0] == '.') continue;
        full = malloc(strlen(path) + strlen(e->d_name) + 2);
        if (full == NULL) break;
        sprintf(full, "%s/%s", path, e->d_name);
        names = realloc(names, (n + 1) * sizeof(*names));
        names[n++] = full;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof(*names), cmp);
    for (i = 0; i < n; i++) {
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            bad |= run_file(names[i]);
        free(names[i]);
    }
    free(names);
    return bad;
}

int main(int argc, char **argv)
{
    int i, bad = 0;

    for (i = 1; i < argc; i++) bad |= run_path(argv[i]);
    if (count == 0) {
        printf("not ok 1 - no input given\n");
        count = 1;
        bad = 1;
    }
    printf("1..%d\n", count);
    return bad;
}

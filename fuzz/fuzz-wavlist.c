/* fuzz-wavlist.c -- fuzz target of codebook's list of recordings (--wavs).
 * Tangled from chapters/p3-codebook.nw. */
/* <<standard headers for every program>> */
#define _XOPEN_SOURCE 700
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif
#include <errno.h>
#include <float.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_matrix.h>
/* <<error reports>> */
typedef struct {
    char msg[512];
} Error;

static int fail(Error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}
/* <<checked allocation>> */
static void *alloc_array(size_t n, size_t size, Error *err)
{
    if (size != 0 && n > SIZE_MAX / size) {
        fail(err, "cannot allocate %zu items of %zu bytes: size overflows", n, size);
        return NULL;
    }
    void *p = malloc(n * size == 0 ? 1 : n * size);
    if (p == NULL)
        fail(err, "out of memory (%zu bytes)", n * size);
    return p;
}

/* <<a checked growable array>> */
static inline void *grow_array(void *data, size_t *cap, size_t need, size_t size, Error *err)
{
    if (need <= *cap)
        return data;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c = c > SIZE_MAX / 2 ? need : 2 * c;
    if (size != 0 && c > SIZE_MAX / size) {
        fail(err, "cannot hold %zu items of %zu bytes: size overflows", need, size);
        return NULL;
    }
    void *p = realloc(data, c * size == 0 ? 1 : c * size);
    if (p == NULL) {
        fail(err, "out of memory (%zu items of %zu bytes)", c, size);
        return NULL;
    }
    *cap = c;
    return p;
}
/* <<keys, chords and the circle of fifths>> */
enum { CB_KEYS = 24, CHORDS = 48 };
static const char *const PITCH_NAME[12] = {"C", "C#", "D", "Eb", "E", "F", "F#",
                                           "G", "Ab", "A", "Bb", "B"};

static int key_tonic(int key) { return key % 12; }
static bool key_minor(int key) { return key >= 12; }

static void key_name(int key, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", PITCH_NAME[key % 12], key >= 12 ? "m" : "");
}

/* <<places and distances on the circle of fifths>> */
static int fifths_position(int key)
{
    const int t = key_minor(key) ? (key_tonic(key) + 3) % 12 : key_tonic(key);
    return 7 * t % 12;
}

static int fifths_distance(int a, int b)
{
    const int d = abs(fifths_position(a) - fifths_position(b));
    return d < 12 - d ? d : 12 - d;
}

static int key_in_fifths_order(int i)           /* i = 0..23 */
{
    return i < 12 ? 7 * i % 12 : 12 + (7 * (i - 12) + 9) % 12;
}
/* <<read a key name>> */
static int parse_key(const char *s)
{
    static const int letter[7] = {9, 11, 0, 2, 4, 5, 7};    /* A B C D E F G */
    if (*s < 'A' || *s > 'G')
        return -1;
    int pc = letter[*s++ - 'A'];
    if (*s == '#' || *s == 'b')
        pc += *s++ == '#' ? 1 : 11;
    pc %= 12;
    if (*s == '\0')
        return pc;
    return strcmp(s, "m") == 0 ? 12 + pc : -1;
}
/* <<transpose a key>> */
static int transpose_key(int key, int n)
{
    const int t = ((key_tonic(key) + n) % 12 + 12) % 12;
    return key_minor(key) ? 12 + t : t;
}
/* <<keys, chords and the circle of fifths>> */
static const int SCALE[2][7] = {{0, 2, 4, 5, 7, 9, 11}, {0, 2, 3, 5, 7, 8, 11}};

static int triad(int key, int degree, int pcs[3])
{
    const int *s = SCALE[key_minor(key)], t = key_tonic(key);
    for (int k = 0; k < 3; k++)
        pcs[k] = (t + s[(degree + 2 * k) % 7]) % 12;
    const int third = (pcs[1] - pcs[0] + 12) % 12;
    const int fifth = (pcs[2] - pcs[0] + 12) % 12;
    const int quality = third == 4 ? (fifth == 7 ? 0 : 3) : (fifth == 7 ? 1 : 2);
    return 4 * pcs[0] + quality;
}
/* <<the list of WAV files>> */
typedef struct {
    char *path, *group;
    int key;
    bool test;
} Wav_entry;

typedef struct {
    Wav_entry *e;
    size_t n;
} Wav_list;

static void wav_list_free(Wav_list *wl)
{
    for (size_t i = 0; i < wl->n; i++) {
        free(wl->e[i].path);
        free(wl->e[i].group);
    }
    free(wl->e);
}
/* <<parse one line of the list of WAV files>> */
/* <<split a line at its tabs, keeping empty fields>> */
static char *next_field(char **rest)
{
    char *field = *rest;
    if (field == NULL)
        return NULL;
    char *tab = strchr(field, '\t');
    if (tab != NULL)
        *tab = '\0';
    *rest = tab != NULL ? tab + 1 : NULL;
    return field;
}
static char *copy_string(const char *s, Error *err)
{
    const size_t n = strlen(s) + 1;
    char *c = alloc_array(n, 1, err);
    if (c != NULL)
        memcpy(c, s, n);
    return c;
}

static int parse_wav_entry(char *line, const char *path, size_t lineno,
                           Wav_entry *w, Error *err)
{
    char *f[4], *rest = line;
    int n = 0;
    for (char *t = next_field(&rest); t != NULL; t = next_field(&rest))
        if (n++ < 4)
            f[n - 1] = t;
    if (n != 4)
        return fail(err, "%s:%zu: expected 4 tab-separated fields (WAV file, key, "
                    "group, train or test), got %d", path, lineno, n);
    for (int k = 0; k < 4; k++)
        if (f[k][0] == '\0')
            return fail(err, "%s:%zu: empty field (two tabs in a row, or a tab at "
                        "the end of the line)", path, lineno);
    /* <<check the key, the group and the split of one WAV file>> */
    if ((w->key = parse_key(f[1])) < 0)
        return fail(err, "%s:%zu: '%s' is not one of the 24 key names", path, lineno,
                    f[1]);
    if (f[2][strcspn(f[2], "/ ")] != '\0')
        return fail(err, "%s:%zu: group '%s' contains '/' or a space", path, lineno,
                    f[2]);
    if (strcmp(f[3], "train") != 0 && strcmp(f[3], "test") != 0)
        return fail(err, "%s:%zu: split '%s' is neither train nor test", path, lineno,
                    f[3]);
    w->test = strcmp(f[3], "test") == 0;
    w->path = copy_string(f[0], err);
    w->group = w->path ? copy_string(f[2], err) : NULL;
    return w->group ? 0 : -1;
}
/* <<read the list of WAV files>> */
static int read_wav_list_stream(FILE *fp, const char *path, Wav_list *wl,
                                Error *err)
{
    *wl = (Wav_list){NULL, 0};
    size_t cap = 0, lineno = 0, lcap = 0;
    char *line = NULL;
    ssize_t got;
    int status = 0;
    while (status == 0 && (got = getline(&line, &lcap, fp)) != -1) {
        lineno++;
        /* <<refuse a NUL byte, and cut the line's end>> */
        if (strlen(line) != (size_t)got) {
            status = fail(err, "%s:%zu: contains a NUL byte (is it a text file?)", path,
                          lineno);
            break;
        }
        if (got > 0 && line[got - 1] == '\n')
            line[--got] = '\0';
        if (got > 0 && line[got - 1] == '\r')
            line[--got] = '\0';
        if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
            continue;
        /* <<make room for one more WAV file>> */
        Wav_entry *e = grow_array(wl->e, &cap, wl->n + 1, sizeof *e, err);
        if (e == NULL) {
            status = -1;
            break;
        }
        wl->e = e;
        wl->e[wl->n] = (Wav_entry){NULL, NULL, 0, false};
        status = parse_wav_entry(line, path, lineno, &wl->e[wl->n++], err);
        for (size_t i = 0; status == 0 && i + 1 < wl->n; i++)
            if (strcmp(wl->e[i].group, wl->e[wl->n - 1].group) == 0)
                status = fail(err, "%s:%zu: group '%s' is named twice", path,
                              lineno, wl->e[i].group);
    }
    if (status == 0 && ferror(fp))
        status = fail(err, "error reading '%s': %s", path, strerror(errno));
    if (status == 0 && wl->n == 0)
        status = fail(err, "'%s' lists no WAV files", path);
    free(line);
    if (status != 0) {
        wav_list_free(wl);
        *wl = (Wav_list){NULL, 0};
    }
    return status;
}

static int read_wav_list(const char *path, Wav_list *wl, Error *err)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        *wl = (Wav_list){NULL, 0};
        return fail(err, "cannot open '%s': %s", path, strerror(errno));
    }
    const int status = read_wav_list_stream(fp, path, wl, err);
    fclose(fp);
    return status;
}
/* <<a simple check of key names, for the fuzz targets>> */
static int simple_key(const char *s, size_t n)
{
    static const char letters[] = "CDEFGAB";
    static const int pc[7] = {0, 2, 4, 5, 7, 9, 11};
    static const char *const acc[3] = {"", "#", "b"};
    static const int shift[3] = {0, 1, 11};
    char name[8];
    for (int l = 0; l < 7; l++)
        for (int a = 0; a < 3; a++)
            for (int m = 0; m < 2; m++) {
                const int len = snprintf(name, sizeof name, "%c%s%s", letters[l],
                                         acc[a], m ? "m" : "");
                if ((size_t)len == n && memcmp(name, s, n) == 0)
                    return (pc[l] + shift[a]) % 12 + 12 * m;
            }
    return -1;
}

typedef struct {            /* one line of the input, as the check sees it */
    const char *p;
    size_t n;
} Span;

static size_t simple_lines(const uint8_t *data, size_t size, Span *line)
{
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= size; i++)
        if (i == size || data[i] == '\n') {
            if (i == size && start == size)
                break;
            size_t len = i - start;
            if (len > 0 && data[start + len - 1] == '\r')
                len--;
            line[n++] = (Span){(const char *)data + start, len};
            start = i + 1;
        }
    return n;
}

static size_t simple_fields(Span line, Span *field, size_t most)
{
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= line.n; i++)
        if (i == line.n || line.p[i] == '\t') {
            if (n < most)
                field[n] = (Span){line.p + start, i - start};
            n++;
            start = i + 1;
        }
    return n;
}
/* <<a simple check of a list of recordings>> */
static bool simple_wav_list(const uint8_t *data, size_t size, Span entry[][4],
                            size_t *n)
{
    static Span line[4097];
    *n = 0;
    if (memchr(data, '\0', size) != NULL)
        return false;
    const size_t nl = simple_lines(data, size, line);
    for (size_t l = 0; l < nl; l++) {
        size_t blank = 0;
        while (blank < line[l].n && (line[l].p[blank] == ' ' || line[l].p[blank] == '\t'))
            blank++;
        if (blank == line[l].n || line[l].p[0] == '#')
            continue;
        Span *f = entry[*n];
        if (simple_fields(line[l], f, 4) != 4)
            return false;
        for (int k = 0; k < 4; k++)
            if (f[k].n == 0)
                return false;
        if (simple_key(f[1].p, f[1].n) < 0
            || memchr(f[2].p, '/', f[2].n) || memchr(f[2].p, ' ', f[2].n))
            return false;
        if (!(f[3].n == 5 && memcmp(f[3].p, "train", 5) == 0)
            && !(f[3].n == 4 && memcmp(f[3].p, "test", 4) == 0))
            return false;
        for (size_t i = 0; i < *n; i++)
            if (entry[i][2].n == f[2].n && memcmp(entry[i][2].p, f[2].p, f[2].n) == 0)
                return false;
        (*n)++;
    }
    return *n > 0;
}
/* <<open the fuzzer's bytes as a stream>> */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *fuzz_stream(const uint8_t *data, size_t size)
{
    static const char nothing[1] = "";
    FILE *fp = size > 0 ? fmemopen((void *)data, size, "rb")
                        : fmemopen((void *)nothing, 1, "rb");
    if (fp != NULL && size == 0)
        (void)fgetc(fp);
    return fp;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static Span entry[4096][4];
    size_t n;
    if (size > 4096)
        return 0;
    const bool valid = simple_wav_list(data, size, entry, &n);
    FILE *fp = fuzz_stream(data, size);
    if (fp == NULL)
        return 0;
    Wav_list wl;
    Error err = {""};
    const int status = read_wav_list_stream(fp, "input", &wl, &err);
    fclose(fp);
    if ((status == 0) != valid)
        abort();
    if (status == 0) {
        if (wl.n != n)
            abort();
        for (size_t i = 0; i < n; i++)
            if (strlen(wl.e[i].path) != entry[i][0].n
                || memcmp(wl.e[i].path, entry[i][0].p, entry[i][0].n) != 0
                || strlen(wl.e[i].group) != entry[i][2].n
                || memcmp(wl.e[i].group, entry[i][2].p, entry[i][2].n) != 0
                || wl.e[i].key != simple_key(entry[i][1].p, entry[i][1].n)
                || wl.e[i].test != (entry[i][3].n == 4))
                abort();
        wav_list_free(&wl);
    }
    return 0;
}
/* <<run the fuzz target on the files named on the command line>> */
#ifndef LIBFUZZER
int main(int argc, char *argv[])
{
    for (int k = 1; k < argc; k++) {
        FILE *fp = fopen(argv[k], "rb");
        if (fp == NULL) {
            fprintf(stderr, "fuzz: cannot open '%s': %s\n", argv[k], strerror(errno));
            return EXIT_FAILURE;
        }
        size_t n = 0, cap = 4096;
        uint8_t *buf = malloc(cap);
        for (size_t got; buf != NULL && (got = fread(buf + n, 1, cap - n, fp)) > 0; ) {
            n += got;
            if (n == cap) {
                uint8_t *more = cap <= SIZE_MAX / 2 ? realloc(buf, cap *= 2) : NULL;
                if (more == NULL)
                    free(buf);
                buf = more;
            }
        }
        fclose(fp);
        if (buf == NULL) {
            fprintf(stderr, "fuzz: out of memory reading '%s'\n", argv[k]);
            return EXIT_FAILURE;
        }
        LLVMFuzzerTestOneInput(buf, n);
        free(buf);
    }
    return EXIT_SUCCESS;
}
#endif

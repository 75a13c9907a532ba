/* fuzz-codes.c -- fuzz target of codebook's table of codes (--codes).
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
/* <<a table of clips>> */
typedef struct {
    size_t clips, frames, groups;
    int *key;                   /* per clip */
    size_t *first;              /* clips + 1 offsets into the frames */
    size_t *code;               /* per frame */
    int *chord;                 /* per frame, or NULL */
    size_t *gfirst;             /* groups + 1 offsets into gclip */
    size_t *gclip;              /* the clips, group by group */
    size_t tunes;               /* tunes in several transpositions, or 0 */
    size_t *tfirst;             /* tunes + 1 offsets into tgroup */
    size_t *tgroup;             /* the groups, tune by tune, lowest offset first */
    char **id;                  /* per clip, while the table is read */
} Clips;
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
/* <<free a table of clips>> */
static void clips_free(Clips *cl)
{
    for (size_t c = 0; cl->id != NULL && c < cl->clips; c++)
        free(cl->id[c]);
    free(cl->id);
    free(cl->key);
    free(cl->first);
    free(cl->code);
    free(cl->chord);
    free(cl->gfirst);
    free(cl->gclip);
    free(cl->tfirst);
    free(cl->tgroup);
    *cl = (Clips){0};
}
/* <<read a table of clips>> */
/* <<sort the clips by id and gather them into groups>> */
typedef struct {
    const char *id;
    size_t clip;
} Clip_id;

static int compare_clip_ids(const void *a, const void *b)
{
    return strcmp(((const Clip_id *)a)->id, ((const Clip_id *)b)->id);
}

static size_t group_length(const char *id)
{
    return strcspn(id, "/");
}
/* <<gather the sorted clips into groups>> */
static int group_clips(const char *path, Clips *cl, Error *err)
{
    const size_t n = cl->clips;
    Clip_id *s = alloc_array(n, sizeof *s, err);
    cl->gclip = s ? alloc_array(n, sizeof *cl->gclip, err) : NULL;
    cl->gfirst = cl->gclip ? alloc_array(n + 1, sizeof *cl->gfirst, err) : NULL;
    int status = cl->gfirst ? 0 : -1;
    for (size_t c = 0; status == 0 && c < n; c++)
        s[c] = (Clip_id){cl->id[c], c};
    if (status == 0)
        qsort(s, n, sizeof *s, compare_clip_ids);
    for (size_t i = 0; status == 0 && i < n; i++) {
        /* <<check the clip against the one sorted before it, and open a group>> */
        const size_t len = group_length(s[i].id);
        if (i > 0 && strcmp(s[i].id, s[i - 1].id) == 0) {
            status = fail(err, "'%s': the clip id '%s' appears twice", path, s[i].id);
            break;
        }
        const bool same = i > 0 && len == group_length(s[i - 1].id)
                          && strncmp(s[i].id, s[i - 1].id, len) == 0 && s[i].id[len] == '/'
                          && s[i - 1].id[len] == '/';
        if (same && cl->key[s[i].clip] != cl->key[s[i - 1].clip]) {
            status = fail(err, "'%s': the clips of group '%.*s' disagree about the key",
                          path, (int)len, s[i].id);
            break;
        }
        if (!same)
            cl->gfirst[cl->groups++] = i;
        cl->gclip[i] = s[i].clip;
    }
    if (status == 0)
        cl->gfirst[cl->groups] = n;
    free(s);
    return status;
}
/* <<gather the groups that are transpositions of one tune>> */
typedef struct {
    const char *name;
    size_t len, group;
    long offset;
} Tune_key;

static int compare_tune_keys(const void *a, const void *b)
{
    const Tune_key *x = a, *y = b;
    const size_t n = x->len < y->len ? x->len : y->len;
    const int c = strncmp(x->name, y->name, n);
    if (c != 0 || x->len != y->len)
        return c != 0 ? c : x->len < y->len ? -1 : 1;
    return (x->offset > y->offset) - (x->offset < y->offset);
}
/* <<split a group name into its tune and its offset>> */
static bool tune_offset(const char *id, Tune_key *t)
{
    const size_t n = group_length(id);
    size_t i = n;
    while (i > 0 && id[i - 1] >= '0' && id[i - 1] <= '9')
        i--;
    if (i == n || i < 2 || (id[i - 1] != '+' && id[i - 1] != '-'))
        return false;
    t->name = id;
    t->len = i - 1;
    t->offset = strtol(id + i - 1, NULL, 10);
    return true;
}
/* <<sort the groups by tune and offset>> */
static int tune_blocks(Clips *cl, Error *err)
{
    Tune_key *t = alloc_array(cl->groups, sizeof *t, err);
    if (t == NULL)
        return -1;
    bool all = true;
    for (size_t g = 0; all && g < cl->groups; g++) {
        all = tune_offset(cl->id[cl->gclip[cl->gfirst[g]]], &t[g]);
        t[g].group = g;
    }
    cl->tgroup = all ? alloc_array(cl->groups, sizeof *cl->tgroup, err) : NULL;
    cl->tfirst = cl->tgroup ? alloc_array(cl->groups + 1, sizeof *cl->tfirst, err)
                            : NULL;
    if (all && cl->tfirst != NULL) {
        qsort(t, cl->groups, sizeof *t, compare_tune_keys);
        for (size_t i = 0; i < cl->groups; i++) {
            if (i == 0 || t[i].len != t[i - 1].len
                || strncmp(t[i].name, t[i - 1].name, t[i].len) != 0)
                cl->tfirst[cl->tunes++] = i;
            cl->tgroup[i] = t[i].group;
        }
        cl->tfirst[cl->tunes] = cl->groups;
    }
    free(t);
    return all && cl->tfirst == NULL ? -1 : 0;
}
static int read_clip_table_stream(FILE *fp, const char *path, size_t limit,
                                  Clips *cl, Error *err)
{
    *cl = (Clips){0};
    size_t cap_c[3] = {0}, cap_f = 0, lineno = 0;    /* key, first, id; code */
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int status = 0;
    while (status == 0 && (got = getline(&line, &cap, fp)) != -1) {
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
        if (line[0] == '\0' || line[0] == '#')
            continue;
        /* <<grow the clip arrays when they are full>> */
        int *k = grow_array(cl->key, &cap_c[0], cl->clips + 1, sizeof *k, err);
        if (k != NULL)
            cl->key = k;
        size_t *f = k ? grow_array(cl->first, &cap_c[1], cl->clips + 2, sizeof *f, err)
                      : NULL;
        if (f != NULL)
            cl->first = f;
        char **ids = f ? grow_array(cl->id, &cap_c[2], cl->clips + 1, sizeof *ids, err)
                       : NULL;
        if (ids == NULL) {
            status = -1;
            break;
        }
        cl->id = ids;
        cl->first[cl->clips] = cl->frames;
        /* <<parse the id, the key and the values of one clip>> */
        char *rest = line, *id = next_field(&rest), *key = next_field(&rest);
        char *tok = next_field(&rest);
        if (tok == NULL) {
            status = fail(err, "%s:%zu: a clip needs an id, a key and at least one value "
                          "(tab-separated)", path, lineno);
            break;
        }
        if (*id == '\0' || *key == '\0') {
            status = fail(err, "%s:%zu: empty field (two tabs in a row, or a tab at the "
                          "end of the line)", path, lineno);
            break;
        }
        if ((cl->id[cl->clips] = malloc(strlen(id) + 1)) == NULL) {
            status = fail(err, "out of memory reading '%s'", path);
            break;
        }
        strcpy(cl->id[cl->clips], id);
        cl->key[cl->clips] = parse_key(key);
        if (cl->key[cl->clips] < 0) {
            cl->clips++;
            status = fail(err, "%s:%zu: '%s' is not one of the 24 key names (C, C#, Db, "
                          "..., Am, Bbm, ...)", path, lineno, key);
            break;
        }
        for (; tok != NULL && status == 0; tok = next_field(&rest)) {
            char *end;
            errno = 0;
            const long v = strtol(tok, &end, 10);
            if (*tok == '\0')
                status = fail(err, "%s:%zu: empty field (two tabs in a row, or a tab at the "
                              "end of the line)", path, lineno);
            else if (tok[strspn(tok, "0123456789")] != '\0' || end == tok || *end != '\0'
                     || errno == ERANGE || v < 0 || (size_t)v >= limit)
                status = fail(err, "%s:%zu: '%s' is not a whole number from 0 to %zu", path,
                              lineno, tok, limit - 1);
            else {
                size_t *c = grow_array(cl->code, &cap_f, cl->frames + 1, sizeof *c, err);
                if (c == NULL)
                    status = -1;
                else
                    cl->code = c;
            }
            if (status == 0)
                cl->code[cl->frames++] = (size_t)v;
        }
        cl->first[++cl->clips] = cl->frames;
    }
    if (status == 0 && ferror(fp))
        status = fail(err, "error reading '%s': %s", path, strerror(errno));
    free(line);
    if (status == 0 && cl->clips == 0)
        status = fail(err, "'%s' contains no clips", path);
    if (status == 0)
        status = group_clips(path, cl, err);
    if (status == 0)
        status = tune_blocks(cl, err);
    if (status != 0)
        clips_free(cl);
    return status;
}

static int read_clip_table(const char *path, size_t limit, Clips *cl, Error *err)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        *cl = (Clips){0};
        return fail(err, "cannot open '%s': %s", path, strerror(errno));
    }
    const int status = read_clip_table_stream(fp, path, limit, cl, err);
    fclose(fp);
    return status;
}
/* <<a simple check of a table of clips, for the fuzz targets>> */
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
typedef struct {
    size_t clips, frames, groups;
    int key[4096];
    Span id[4096];
} Simple_table;

static size_t group_span(Span id, bool *slash)
{
    size_t g = 0;
    while (g < id.n && id.p[g] != '/')
        g++;
    *slash = g < id.n;
    return g;
}

static bool simple_same_group(Span a, Span b)
{
    bool sa, sb;
    const size_t ga = group_span(a, &sa), gb = group_span(b, &sb);
    if (!sa || !sb)
        return a.n == b.n && memcmp(a.p, b.p, a.n) == 0 && !sa && !sb;
    return ga == gb && memcmp(a.p, b.p, ga) == 0;
}

static bool simple_table(const uint8_t *data, size_t size, size_t limit,
                         Simple_table *t)
{
    static Span line[4097], field[4097];
    *t = (Simple_table){0};
    if (memchr(data, '\0', size) != NULL)
        return false;
    const size_t nl = simple_lines(data, size, line);
    for (size_t l = 0; l < nl; l++) {
        if (line[l].n == 0 || line[l].p[0] == '#')
            continue;
        const size_t nf = simple_fields(line[l], field, 4097);
        if (nf < 3)
            return false;
        for (size_t f = 0; f < nf; f++)
            if (field[f].n == 0)
                return false;
        const int key = simple_key(field[1].p, field[1].n);
        if (key < 0)
            return false;
        for (size_t f = 2; f < nf; f++) {
            size_t v = 0;
            for (size_t i = 0; i < field[f].n; i++) {
                const char c = field[f].p[i];
                if (c < '0' || c > '9')
                    return false;
                v = v * 10 + (size_t)(c - '0');
                if (v >= limit)
                    return false;
            }
        }
        /* <<check the id against every earlier id, and count the clip>> */
        bool new_group = true;
        for (size_t c = 0; c < t->clips; c++) {
            if (t->id[c].n == field[0].n && memcmp(t->id[c].p, field[0].p, field[0].n) == 0)
                return false;
            if (simple_same_group(t->id[c], field[0])) {
                if (t->key[c] != key)
                    return false;
                new_group = false;
            }
        }
        t->groups += new_group;
        t->id[t->clips] = field[0];
        t->key[t->clips++] = key;
        t->frames += nf - 2;
    }
    return t->clips > 0;
}
/* <<hold a table of clips to what the check counted>> */
static void check_table(const Clips *cl, const Simple_table *t, size_t limit)
{
    if (cl->clips != t->clips || cl->frames != t->frames || cl->groups != t->groups)
        abort();
    for (size_t c = 0; c < cl->clips; c++)
        if (cl->key[c] != t->key[c] || cl->first[c] > cl->first[c + 1])
            abort();
    for (size_t f = 0; f < cl->frames; f++)
        if (cl->code[f] >= limit)
            abort();
    static unsigned char seen[4096];
    memset(seen, 0, sizeof seen);
    for (size_t g = 0; g < cl->groups; g++)
        for (size_t i = cl->gfirst[g]; i < cl->gfirst[g + 1]; i++) {
            const size_t c = cl->gclip[i];
            if (c >= cl->clips || seen[c]++ || cl->key[c] != cl->key[cl->gclip[cl->gfirst[g]]])
                abort();
        }
    if (cl->gfirst[cl->groups] != cl->clips)
        abort();
    if (cl->tunes > 0 && cl->tfirst[cl->tunes] != cl->groups)
        abort();
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
    enum { LIMIT = 37 };
    static Simple_table t;
    if (size > 4096)                /* the check's arrays hold 4096 bytes' worth */
        return 0;
    const bool valid = simple_table(data, size, LIMIT, &t);
    FILE *fp = fuzz_stream(data, size);
    if (fp == NULL)
        return 0;
    Clips cl;
    Error err = {""};
    const int status = read_clip_table_stream(fp, "input", LIMIT, &cl, &err);
    fclose(fp);
    if ((status == 0) != valid || (status != 0 && err.msg[0] == '\0'))
        abort();
    if (status == 0)
        check_table(&cl, &t, LIMIT);
    clips_free(&cl);
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

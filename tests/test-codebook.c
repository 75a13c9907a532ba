/* test-codebook.c -- CUnit tests of section 23.2 (the codebook experiment).
 * Tangled from chapters/23-2*.nw and p3-codebook.nw; expected values come from closed
 * forms, brute force and the definitions, never from the program's own
 * output.  PROGRAM names the built program, TESTDIR a scratch directory. */
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
#include <time.h>
#include <sndfile.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_fft_real.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <CUnit/Basic.h>

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
/* <<checked allocation of a GSL matrix>> */
static gsl_matrix *alloc_matrix(size_t rows, size_t cols, Error *err)
{
    if (rows == 0 || cols == 0) {
        fail(err, "cannot allocate an empty %zu x %zu matrix", rows, cols);
        return NULL;
    }
    if (rows > SIZE_MAX / cols / sizeof(double)) {
        fail(err, "cannot allocate a %zu x %zu matrix: size overflows", rows, cols);
        return NULL;
    }
    gsl_block *b = gsl_block_alloc(rows * cols);
    gsl_matrix *m = b ? gsl_matrix_alloc_from_block(b, 0, rows, cols, cols) : NULL;
    if (m == NULL) {
        if (b != NULL)
            gsl_block_free(b);
        fail(err, "out of memory (%zu x %zu matrix)", rows, cols);
        return NULL;
    }
    m->owner = 1;
    return m;
}
/* <<read a matrix of numbers from a stream>> */
/* <<parse one line of numbers into a growing array>> */
typedef struct {
    double *v;
    size_t n, cap;
} Numbers;

static int push_number(Numbers *nums, double x, Error *err)
{
    double *v = grow_array(nums->v, &nums->cap, nums->n + 1, sizeof *v, err);
    if (v == NULL)
        return -1;
    nums->v = v;
    nums->v[nums->n++] = x;
    return 0;
}

/* <<classify what strtod returned>> */
enum { NUMBER_OK, NUMBER_NOT_FINITE, NUMBER_OUT_OF_RANGE };
static const char *const number_problem[] = {
    "", "is not finite", "is out of the range of a double"};

static int number_kind(double x, int errno_after)
{
    if (errno_after == ERANGE && (isinf(x) || x == 0.0))
        return NUMBER_OUT_OF_RANGE;       /* overflow, or underflow to zero */
    if (!isfinite(x))
        return NUMBER_NOT_FINITE;         /* "nan" or "inf" written out */
    return NUMBER_OK;                     /* subnormals included */
}
/* <<parse one field as a finite number>> */
static int parse_field(char *p, char *end, const char *path, size_t lineno,
                       size_t col, Numbers *nums, Error *err)
{
    if (end == p)
        return fail(err, "%s:%zu: column %zu is empty", path, lineno, col);
    char saved = *end, *stop;
    *end = '\0';
    errno = 0;
    double x = strtod(p, &stop);
    bool ascii = true;
    for (const char *c = p; *c; c++)
        ascii &= (unsigned char)*c < 128;
    int status = 0, kind = number_kind(x, errno);
    if (stop != end)
        status = fail(err, "%s:%zu: column %zu: '%s' is not a number%s",
                      path, lineno, col, p,
                      ascii ? "" : " (it contains a non-ASCII character)");
    else if (kind != 0)
        status = fail(err, "%s:%zu: column %zu: value '%s' %s", path, lineno, col,
                      p, number_problem[kind]);
    *end = saved;
    return status == 0 ? push_number(nums, x, err) : status;
}

static int parse_numbers(char *line, const char *path, size_t lineno,
                         Numbers *nums, Error *err)
{
    char *p = line + strspn(line, " \t\r\n\v\f");
    if (*p == '#' || *p == '\0')
        return 0;                                   /* a comment or a blank line */
    for (size_t col = 1;; col++) {
        char *end = p + strcspn(p, " \t\r\n\v\f,#");
        if (parse_field(p, end, path, lineno, col, nums, err) != 0)
            return -1;
        p = end + strspn(end, " \t\r\n\v\f");
        if (*p == ',')
            p += 1 + strspn(p + 1, " \t\r\n\v\f");
        else if (*p == '\0' || *p == '#')
            return 0;
    }
}
/* <<check the shape of a row>> */
static int check_row_shape(const char *path, size_t lineno, size_t ncols,
                           size_t *rows, size_t *cols, Error *err)
{
    if (*rows == 0)
        *cols = ncols;
    else if (ncols != *cols)
        return fail(err, "%s:%zu: ragged rows: this row has %zu columns, "
                    "the first had %zu", path, lineno, ncols, *cols);
    (*rows)++;
    return 0;
}

static gsl_matrix *read_matrix_stream(FILE *fp, const char *path, Error *err)
{
    Numbers nums = {NULL, 0, 0};
    size_t rows = 0, cols = 0, lineno = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int status = 0;
    while (status == 0 && (len = getline(&line, &cap, fp)) != -1) {
        size_t before = nums.n;
        lineno++;
        /* <<refuse a line with a NUL byte, and skip a byte-order mark>> */
        if (strlen(line) != (size_t)len) {
            status = fail(err, "%s:%zu: contains a NUL byte (is it a text file?)",
                          path, lineno);
            break;
        }
        char *text = line;
        if (lineno == 1 && strncmp(text, "\xEF\xBB\xBF", 3) == 0)
            text += 3;
        status = parse_numbers(text, path, lineno, &nums, err);
        if (status == 0 && nums.n > before)
            status = check_row_shape(path, lineno, nums.n - before,
                                     &rows, &cols, err);
    }
    if (status == 0 && ferror(fp))
        status = fail(err, "error reading '%s': %s", path, strerror(errno));
    free(line);
    /* <<turn the numbers into a matrix, or report an empty file>> */
    gsl_matrix *m = NULL;
    if (status == 0 && rows == 0)
        fail(err, "'%s' contains no data rows", path);
    else if (status == 0 && (m = alloc_matrix(rows, cols, err)) != NULL)
        memcpy(m->data, nums.v, rows * cols * sizeof *nums.v);   /* tda == cols */
    free(nums.v);
    return m;
}
/* <<read a NumPy array>> */
typedef struct {
    size_t rows, cols, item;            /* item: 4 or 8 bytes */
    bool fortran;                       /* column-major data */
} Npy_shape;

/* <<parse the header of a NumPy array>> */
typedef struct {
    const char *p, *end;                /* the unread part of the header */
} Npy_cursor;

static bool npy_token(Npy_cursor *c, char ch)   /* spaces, then the character ch */
{
    while (c->p < c->end && *c->p == ' ')
        c->p++;
    if (c->p == c->end || *c->p != ch)
        return false;
    c->p++;
    return true;
}

/* <<read a quoted string, a truth value and a whole number of a header>> */
/* <<read a quoted string of a header>> */
static bool npy_string(Npy_cursor *c, const char **s, size_t *len)
{
    if (!npy_token(c, '\'') && !(c->p < c->end && npy_token(c, '"')))
        return false;
    const char quote = c->p[-1];
    *s = c->p;
    while (c->p < c->end && *c->p != quote && *c->p != '\\'
           && *c->p >= ' ' && *c->p <= '~')
        c->p++;
    if (c->p == c->end || *c->p != quote)
        return false;
    *len = (size_t)(c->p++ - *s);
    return true;
}

/* <<read a given word of a header>> */
static bool npy_word(Npy_cursor *c, const char *word)
{
    const size_t n = strlen(word);
    while (c->p < c->end && *c->p == ' ')
        c->p++;
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
        return false;
    c->p += n;
    return true;
}

/* <<read a whole number of a header>> */
static bool npy_whole(Npy_cursor *c, size_t *out)
{
    while (c->p < c->end && *c->p == ' ')
        c->p++;
    const char *start = c->p;
    size_t x = 0;
    for (; c->p < c->end && *c->p >= '0' && *c->p <= '9'; c->p++) {
        const size_t digit = (size_t)(*c->p - '0');
        if (x > (SIZE_MAX - digit) / 10)
            return false;
        x = 10 * x + digit;
    }
    *out = x;
    return c->p > start && !(*start == '0' && c->p - start > 1);
}
/* <<read the shape tuple of a header>> */
static bool npy_shape(Npy_cursor *c, size_t dims[3], size_t *ndim)
{
    if (!npy_token(c, '('))
        return false;
    bool comma = false;                 /* a comma after the last number */
    for (*ndim = 0;; (*ndim)++) {
        Npy_cursor look = *c;
        if (npy_token(&look, ')')) {
            *c = look;
            return *ndim != 1 || comma;
        }
        size_t d;
        if ((*ndim > 0 && !comma) || !npy_whole(c, &d))
            return false;
        if (*ndim < 3)
            dims[*ndim] = d;
        comma = npy_token(c, ',');
    }
}
/* <<read the dictionary of a header>> */
typedef struct {
    const char *descr;
    size_t descr_len, dims[3], ndim;
    bool fortran;
} Npy_fields;

static bool npy_entry(Npy_cursor *c, Npy_fields *f, bool seen[3])
{
    static const char *const keys[3] = {"descr", "fortran_order", "shape"};
    const char *key;
    size_t len;
    int k = 0;
    if (!npy_string(c, &key, &len))
        return false;
    while (k < 3 && !(strlen(keys[k]) == len && memcmp(key, keys[k], len) == 0))
        k++;
    if (k == 3 || seen[k] || !npy_token(c, ':'))
        return false;
    seen[k] = true;
    if (k == 0)
        return npy_string(c, &f->descr, &f->descr_len);
    if (k == 2)
        return npy_shape(c, f->dims, &f->ndim);
    f->fortran = npy_word(c, "True");
    return f->fortran || npy_word(c, "False");
}

static bool npy_dict(const char *h, size_t len, Npy_fields *f)
{
    Npy_cursor c = {h, h + len};
    bool seen[3] = {false, false, false}, comma = true;
    if (!npy_token(&c, '{'))
        return false;
    for (int n = 0; !npy_token(&c, '}'); n++) {
        if ((n > 0 && !comma) || n == 3 || !npy_entry(&c, f, seen))
            return false;
        comma = npy_token(&c, ',');
    }
    while (c.p < c.end && *c.p == ' ')
        c.p++;
    return seen[0] && seen[1] && seen[2] && c.p + 1 == c.end && *c.p == '\n';
}
/* <<parse the header of a NumPy array>> */
static int npy_header(const char *h, size_t len, const char *path, Npy_shape *sh,
                      Error *err)
{
    Npy_fields f = {NULL, 0, {0, 0, 0}, 0, false};
    if (!npy_dict(h, len, &f))
        return fail(err, "'%s': malformed .npy header (a dictionary of 'descr', "
                    "'fortran_order' and 'shape', as numpy.save writes it, is "
                    "needed)", path);
    if (f.descr_len == 3 && memcmp(f.descr, "<f8", 3) == 0)
        sh->item = 8;
    else if (f.descr_len == 3 && memcmp(f.descr, "<f4", 3) == 0)
        sh->item = 4;
    else
        return fail(err, "'%s': NumPy type '%.*s' is not supported; save the array "
                    "as little-endian float64 ('<f8') or float32 ('<f4')", path,
                    (int)(f.descr_len > 16 ? 16 : f.descr_len), f.descr);
    if (f.ndim != 2)
        return fail(err, "'%s': the array has %zu dimension%s; a 2-D array is "
                    "needed, one point per row", path, f.ndim, f.ndim == 1 ? "" : "s");
    sh->rows = f.dims[0];
    sh->cols = f.dims[1];
    sh->fortran = f.fortran;
    if (sh->rows == 0 || sh->cols == 0)
        return fail(err, "'%s' contains no data rows (its shape is %zu x %zu)",
                    path, sh->rows, sh->cols);
    if (sh->rows > SIZE_MAX / sh->cols / sh->item)
        return fail(err, "'%s': the shape %zu x %zu in the .npy header is too "
                    "large", path, sh->rows, sh->cols);
    return 0;
}
/* <<read the values of a NumPy array>> */
/* <<read exactly the bytes a shape promises>> */
static unsigned char *npy_bytes(FILE *fp, const char *path, size_t count,
                                size_t item, Error *err)
{
    const size_t want = count * item;
    size_t cap = want < 65536 ? want : 65536, n = 0;
    unsigned char *b = alloc_array(cap, 1, err);
    for (size_t got = 1; b != NULL && n < want && got > 0; n += got) {
        if (n == cap) {
            cap = cap > want / 2 ? want : 2 * cap;
            unsigned char *more = realloc(b, cap);
            if (more == NULL) {
                fail(err, "out of memory reading '%s' (%zu bytes)", path, cap);
                free(b);
                return NULL;
            }
            b = more;
        }
        got = fread(b + n, 1, cap - n, fp);
    }
    /* <<refuse a read error, a short file or bytes left over>> */
    int status = b == NULL ? -1 : 0;
    if (status == 0 && ferror(fp))
        status = fail(err, "error reading '%s': %s", path, strerror(errno));
    else if (status == 0 && n < want)
        status = fail(err, "'%s' is truncated: it holds %zu of %zu values", path,
                      n / item, count);
    else if (status == 0 && fgetc(fp) != EOF)   /* the shape must account for every byte */
        status = fail(err, "'%s' has bytes after its %zu values", path, count);
    if (status != 0) {
        free(b);
        return NULL;
    }
    return b;
}

static double npy_number(const unsigned char *b, size_t item)
{
    uint64_t bits = 0;
    for (size_t k = item; k-- > 0; )
        bits = bits << 8 | b[k];                /* little-endian */
    if (item == 8) {
        double x;
        memcpy(&x, &bits, sizeof x);
        return x;
    }
    uint32_t b32 = (uint32_t)bits;
    float f;
    memcpy(&f, &b32, sizeof f);
    return f;
}

static gsl_matrix *npy_values(FILE *fp, const char *path, const Npy_shape *sh,
                              Error *err)
{
    const size_t count = sh->rows * sh->cols;   /* npy_header checked both */
    unsigned char *b = npy_bytes(fp, path, count, sh->item, err);
    gsl_matrix *m = b != NULL ? alloc_matrix(sh->rows, sh->cols, err) : NULL;
    for (size_t k = 0; m != NULL && k < count; k++) {
        const size_t i = sh->fortran ? k % sh->rows : k / sh->cols;
        const size_t j = sh->fortran ? k / sh->rows : k % sh->cols;
        const double x = npy_number(b + k * sh->item, sh->item);
        if (!isfinite(x)) {
            fail(err, "'%s': row %zu, column %zu: value is not finite", path,
                 i + 1, j + 1);
            gsl_matrix_free(m);
            m = NULL;
        } else
            gsl_matrix_set(m, i, j, x);
    }
    free(b);
    return m;
}
/* <<read the points from a text or NumPy file>> */
enum { NPY_HEADER_MAX = 10000 };

static gsl_matrix *read_npy_stream(FILE *fp, const char *path, Error *err)
{
    unsigned char pre[12];
    if (fread(pre, 1, 6, fp) != 6 || memcmp(pre, "\x93NUMPY", 6) != 0) {
        fail(err, "'%s' is not a NumPy file: it does not begin with the magic "
             "bytes \\x93NUMPY", path);
        return NULL;
    }
    /* <<read the version and the length of the header>> */
    if (fread(pre + 6, 1, 2, fp) != 2 || pre[6] < 1 || pre[6] > 3 || pre[7] != 0) {
        fail(err, "'%s': unsupported .npy version (1.0, 2.0 and 3.0 are read)", path);
        return NULL;
    }
    const size_t width = pre[6] == 1 ? 2 : 4;
    size_t hlen = 0;
    if (fread(pre + 8, 1, width, fp) != width) {
        fail(err, "'%s': the .npy header is truncated", path);
        return NULL;
    }
    for (size_t k = width; k-- > 0; )
        hlen = hlen << 8 | pre[8 + k];              /* little-endian */
    if (hlen > NPY_HEADER_MAX) {
        fail(err, "'%s': the .npy header is %zu bytes long, more than the %d "
             "NumPy reads", path, hlen, NPY_HEADER_MAX);
        return NULL;
    }
    char *header = alloc_array(hlen, 1, err);
    Npy_shape sh = {0, 0, 0, false};
    gsl_matrix *m = NULL;
    if (header != NULL && fread(header, 1, hlen, fp) != hlen)
        fail(err, "'%s': the .npy header is truncated", path);
    else if (header != NULL && npy_header(header, hlen, path, &sh, err) == 0)
        m = npy_values(fp, path, &sh, err);
    free(header);
    return m;
}
/* <<read the points from a text or NumPy file>> */
static gsl_matrix *read_points_stream(FILE *fp, const char *path, Error *err)
{
    const size_t n = strlen(path);
    const bool named = n >= 4 && strcmp(path + n - 4, ".npy") == 0;
    const int first = fgetc(fp);
    if (first != EOF && ungetc(first, fp) == EOF) {
        fail(err, "cannot read '%s'", path);
        return NULL;
    }
    if (first == 0x93 || (first != EOF && named))
        return read_npy_stream(fp, path, err);
    return read_matrix_stream(fp, path, err);
}

static gsl_matrix *read_points(const char *path, Error *err)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        fail(err, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    gsl_matrix *m = read_points_stream(fp, path, err);
    fclose(fp);
    return m;
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
/* <<the synthesiser>> */
enum { RATE = 32000 };

typedef struct {
    double seconds;             /* length of a clip */
    double tempo_lo, tempo_hi;  /* beats per minute */
    double noise;               /* standard deviation of the white noise */
} Synth;

static const Synth SYNTH_DEFAULT = {3.2, 80.0, 140.0, 0.003};
/* <<the timbres>> */
typedef struct {
    int partials;
    double ratio[8], amp[8];
    double decay;               /* 1/s for the fundamental; 0: sustained */
    double attack;              /* seconds */
} Timbre;

static const Timbre TIMBRES[4] = {
    {8, {1, 2, 3, 4, 5, 6, 7, 8}, {1, .5, .33, .25, .2, .17, .14, .12}, 1.0, 0.005},
    {6, {1, 2, 3, 4, 6, 8, 0, 0}, {1, .6, .4, .25, .2, .1, 0, 0}, 0.0, 0.02},
    {8, {1, 2, 3, 4, 5, 6, 7, 8}, {1, .5, .33, .25, .2, .17, .14, .12}, 0.0, 0.08},
    {3, {1, 4, 10, 0, 0, 0, 0, 0}, {1, .35, .1, 0, 0, 0, 0, 0}, 2.5, 0.002}};
/* <<add one note to a clip>> */
static void add_note(double *out, size_t n, double f, double gain, const Timbre *tb,
                     double phase)
{
    const size_t attack = (size_t)(tb->attack * RATE) + 1, fade = RATE / 50;
    for (int h = 0; h < tb->partials; h++) {
        const double fh = f * tb->ratio[h];
        if (fh >= 0.45 * RATE)
            break;
        const double w = 2.0 * M_PI * fh / RATE, cw = cos(w), sw = sin(w);
        const double k = exp(-tb->decay * tb->ratio[h] / RATE);
        double c = cos(phase * (h + 1)), s = sin(phase * (h + 1));
        double env = gain * tb->amp[h];
        /* <<add the partial sample by sample, rotating its phase>> */
        for (size_t i = 0; i < n; i++) {
            double a = env;
            if (i < attack)
                a *= (double)i / (double)attack;
            if (i + fade > n)
                a *= (double)(n - i) / (double)fade;
            out[i] += a * s;
            const double c2 = c * cw - s * sw;
            s = s * cw + c * sw;
            c = c2;
            env *= k;
        }
    }
}
/* <<voice a triad in four notes>> */
static void voice_triad(const int pcs[3], gsl_rng *rng, int midi[4])
{
    const int bass = gsl_rng_uniform(rng) < 0.75 ? pcs[0]
                                                 : pcs[1 + gsl_rng_uniform_int(rng,
                                                                               2)];
    midi[0] = 36 + bass;
    const int low = 52 + (int)gsl_rng_uniform_int(rng, 12);
    for (int k = 0; k < 3; k++)
        midi[1 + k] = low + (pcs[k] - low % 12 + 12) % 12;
}
/* <<render one clip>> */
/* <<draw the next degree of the progression>> */
static const double DEGREE_WEIGHT[7] = {3.0, 1.0, 0.5, 2.0, 3.0, 1.5, 0.5};

static int next_degree(gsl_rng *rng, int previous)
{
    double total = 0.0;
    for (int d = 0; d < 7; d++)
        total += d == previous ? 0.0 : DEGREE_WEIGHT[d];
    double u = gsl_rng_uniform(rng) * total;
    int d = 0;
    for (; d < 6; d++)
        if (d != previous && (u -= DEGREE_WEIGHT[d]) < 0.0)
            break;
    return d == previous ? (d + 1) % 7 : d;
}

static void render_clip(int key, unsigned long seed, const Synth *sy, gsl_rng *rng,
                        double *out, int *chord, size_t n)
{
    gsl_rng_set(rng, seed);
    const Timbre *tb = &TIMBRES[gsl_rng_uniform_int(rng, 4)];
    const double tempo = sy->tempo_lo + (sy->tempo_hi - sy->tempo_lo)
                                        * gsl_rng_uniform(rng);
    const double loud = -18.0 + 12.0 * gsl_rng_uniform(rng);       /* dB */
    const double gain = pow(10.0, loud / 20.0) / 4.0;
    const size_t span = (size_t)(2.0 * 60.0 / tempo * RATE);
    memset(out, 0, n * sizeof *out);
    for (size_t s0 = 0, degree = 0; s0 < n; s0 += span) {
        /* <<play one chord for the length of its span>> */
        const size_t len = s0 + span < n ? span : n - s0;
        int pcs[3], midi[4];
        const int label = triad(key, (int)degree, pcs);
        voice_triad(pcs, rng, midi);
        for (int v = 0; v < 4; v++)
            add_note(out + s0, len, 440.0 * pow(2.0, (midi[v] - 69) / 12.0),
                     gain, tb, 2.0 * M_PI * gsl_rng_uniform(rng));
        for (size_t i = 0; i < len; i++)
            chord[s0 + i] = label;
        degree = (size_t)next_degree(rng, (int)degree);
    }
    for (size_t i = 0; i < n; i++)
        out[i] += gsl_ran_gaussian(rng, sy->noise);
}
/* <<write a clip as a WAV file>> */
static int write_wav_stream(FILE *fp, const char *name, const double *x, size_t n,
                            Error *err)
{
    SF_INFO info = {.samplerate = RATE, .channels = 1,
                    .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    if (fflush(fp) != 0)
        return fail(err, "error writing '%s': %s", name, strerror(errno));
    SNDFILE *sf = sf_open_fd(fileno(fp), SFM_WRITE, &info, SF_FALSE);
    if (sf == NULL)
        return fail(err, "cannot write '%s': %s", name, sf_strerror(NULL));
    sf_command(sf, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);    /* it holds a time */
    const sf_count_t written = sf_writef_double(sf, x, (sf_count_t)n);
    const int closed = sf_close(sf);
    if (written != (sf_count_t)n || closed != 0)
        return fail(err, "error writing '%s'", name);
    return 0;
}
/* <<the encoder>> */
enum { HOP = RATE / 50 };

typedef struct {
    size_t window, bins;        /* W (a power of 2) and B < W/2 */
    double floor;               /* epsilon of the log */
} Encoder;

static const Encoder ENCODER_DEFAULT = {2048, 320, 1e-4};

static size_t frame_count(size_t n, const Encoder *e)
{
    return n < e->window ? 0 : (n - e->window) / HOP + 1;
}

/* <<the log-magnitude spectrum of one frame>> */
static int frame_spectrum(const double *x, const Encoder *e, double *buf,
                          float *out)
{
    const size_t W = e->window;
    for (size_t i = 0; i < W; i++)
        buf[i] = x[i] * (0.5 - 0.5 * cos(2.0 * M_PI * (double)i / (double)W));
    if (gsl_fft_real_radix2_transform(buf, 1, W) != GSL_SUCCESS)
        return -1;
    for (size_t k = 1; k <= e->bins; k++)
        out[k - 1] = (float)log(hypot(buf[k], buf[W - k]) / (W / 4.0) + e->floor);
    return 0;
}
/* <<principal components of the spectra>> */
static int pca_fit(const float *spec, size_t n, size_t B, gsl_matrix *axes,
                   double *mean, double *explained, Error *err)
{
    const size_t dims = axes->size2, R = 1024;
    /* <<allocate the scatter, the eigenvectors and the eigensolver's workspace>> */
    gsl_matrix *S = alloc_matrix(B, B, err), *V = S ? alloc_matrix(B, B, err) : NULL;
    gsl_matrix *xb = V ? alloc_matrix(R, B, err) : NULL;
    gsl_vector *ev = xb ? gsl_vector_alloc(B) : NULL;
    gsl_eigen_symmv_workspace *ws = ev ? gsl_eigen_symmv_alloc(B) : NULL;
    int status = ws ? 0
                    : xb ? fail(err, "out of memory (PCA of size %zu)", B) : -1;
    if (status == 0) {
        /* <<the mean and the scatter of the spectra>> */
        for (size_t k = 0; k < B; k++)
            mean[k] = 0.0;
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < B; k++)
                mean[k] += spec[i * B + k];
        for (size_t k = 0; k < B; k++)
            mean[k] /= (double)n;
        /* <<accumulate the scatter matrix block by block>> */
        gsl_matrix_set_zero(S);
        for (size_t i0 = 0; i0 < n && status == 0; i0 += R) {
            const size_t r = i0 + R <= n ? R : n - i0;
            for (size_t i = 0; i < r; i++)
                for (size_t k = 0; k < B; k++)
                    gsl_matrix_set(xb, i, k, spec[(i0 + i) * B + k] - mean[k]);
            gsl_matrix_view blk = gsl_matrix_submatrix(xb, 0, 0, r, B);
            if (gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, &blk.matrix, 1.0, S) != 0)
                status = fail(err, "the scatter matrix could not be computed");
        }
    }
    if (status == 0) {
        /* <<the leading eigenvectors of the scatter, with fixed signs>> */
        if (gsl_eigen_symmv(S, ev, V, ws) != GSL_SUCCESS
            || gsl_eigen_symmv_sort(ev, V, GSL_EIGEN_SORT_VAL_DESC) != GSL_SUCCESS)
            status = fail(err, "the principal components could not be computed");
        double kept = 0.0, total = 0.0;
        for (size_t k = 0; status == 0 && k < B; k++) {
            total += gsl_vector_get(ev, k);
            if (k < dims)
                kept += gsl_vector_get(ev, k);
        }
        /* <<give every kept axis the sign that makes its largest entry positive>> */
        for (size_t c = 0; status == 0 && c < dims; c++) {
            gsl_vector_view axis = gsl_matrix_column(V, c);
            if (gsl_vector_get(&axis.vector, gsl_blas_idamax(&axis.vector)) < 0.0)
                gsl_vector_scale(&axis.vector, -1.0);
            gsl_matrix_set_col(axes, c, &axis.vector);
        }
        if (status == 0)
            *explained = total > 0.0 ? kept / total : 0.0;
    }
    /* <<free the scatter, the eigenvectors and the eigensolver's workspace>> */
    gsl_eigen_symmv_free(ws);
    gsl_vector_free(ev);
    gsl_matrix_free(xb);
    gsl_matrix_free(V);
    gsl_matrix_free(S);
    return status;
}

/* <<project spectra on the principal axes>> */
static int pca_project(const float *spec, size_t n, size_t B, const double *mean,
                       const gsl_matrix *axes, gsl_matrix *z, Error *err)
{
    const size_t R = 1024;
    gsl_matrix *xb = alloc_matrix(R, B, err);
    int status = xb ? 0 : -1;
    for (size_t i0 = 0; i0 < n && status == 0; i0 += R) {
        const size_t r = i0 + R <= n ? R : n - i0;
        for (size_t i = 0; i < r; i++)
            for (size_t k = 0; k < B; k++)
                gsl_matrix_set(xb, i, k, spec[(i0 + i) * B + k] - mean[k]);
        gsl_matrix_view blk = gsl_matrix_submatrix(xb, 0, 0, r, B);
        gsl_matrix_view out = gsl_matrix_submatrix(z, i0, 0, r, z->size2);
        if (gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &blk.matrix, axes, 0.0,
                           &out.matrix) != 0)
            status = fail(err, "the projection on the principal axes failed");
    }
    gsl_matrix_free(xb);
    return status;
}
/* <<the encoder>> */
typedef struct {
    size_t clips, frames_per_clip, bins;
    int *key;                   /* per clip */
    int *chord;                 /* per frame: the chord at the frame's centre */
    float *spec;                /* per frame, bins log-magnitudes */
    size_t *group;              /* rendered tunes: per clip, its recording */
    char **group_name;          /* and the recordings' names */
    size_t groups;
} Corpus;

/* <<free a corpus>> */
static void corpus_free(Corpus *cp)
{
    free(cp->key);
    free(cp->chord);
    free(cp->spec);
    free(cp->group);
    for (size_t g = 0; g < cp->groups; g++)
        free(cp->group_name[g]);
    free(cp->group_name);
    *cp = (Corpus){0};
}
/* <<render and encode a range of clips>> */
static int render_corpus(size_t first, size_t clips, size_t nkeys,
                         unsigned long seed, const Synth *sy, const Encoder *e,
                         Corpus *cp, Error *err)
{
    const size_t n = (size_t)(sy->seconds * RATE), F = frame_count(n, e);
    *cp = (Corpus){clips, F, e->bins, NULL, NULL, NULL, NULL, NULL, 0};
    if (F == 0)
        return fail(err, "a clip of %g s is shorter than one analysis window",
                    sy->seconds);
    /* <<allocate a clip, its chords, a generator and the arrays of a corpus>> */
    double *x = alloc_array(n, sizeof *x, err);
    double *buf = x ? alloc_array(e->window, sizeof *buf, err) : NULL;
    int *chord = buf ? alloc_array(n, sizeof *chord, err) : NULL;
    gsl_rng *rng = chord ? gsl_rng_alloc(gsl_rng_mt19937) : NULL;
    cp->key = rng ? alloc_array(clips, sizeof *cp->key, err) : NULL;
    cp->chord = cp->key ? alloc_array(clips * F, sizeof *cp->chord, err) : NULL;
    cp->spec = cp->chord ? alloc_array(clips * F * e->bins, sizeof *cp->spec, err)
                         : NULL;
    int status = cp->spec ? 0 : -1;
    /* <<render every clip and encode its frames, keeping the chord at each frame's centre>> */
    for (size_t c = 0; status == 0 && c < clips; c++) {
        cp->key[c] = key_in_fifths_order((int)((first + c) % nkeys));
        render_clip(cp->key[c], seed * 1000000UL + first + c, sy, rng, x, chord, n);
        for (size_t f = 0; status == 0 && f < F; f++) {
            cp->chord[c * F + f] = chord[f * HOP + e->window / 2];
            float *out = cp->spec + (c * F + f) * e->bins;
            if (frame_spectrum(x + f * HOP, e, buf, out) != 0)
                status = fail(err, "the FFT of a frame failed");
        }
    }
    free(x); free(buf); free(chord);
    gsl_rng_free(rng);
    if (status != 0)
        corpus_free(cp);
    return status;
}
/* <<read the clips of rendered tunes>> */
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
/* <<read a WAV file as mono samples>> */
static double *read_mono(const char *path, size_t *n, Error *err)
{
    SF_INFO info = {0};
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (sf == NULL) {
        fail(err, "cannot open '%s': %s", path, sf_strerror(NULL));
        return NULL;
    }
    const size_t frames = info.frames > 0 ? (size_t)info.frames : 0;
    const size_t ch = info.channels > 0 ? (size_t)info.channels : 1;
    double *buf = NULL, *x = NULL;
    if (info.samplerate != RATE)
        fail(err, "'%s' has a sample rate of %d Hz; codebook reads %d Hz only "
             "(resample it first)", path, info.samplerate, RATE);
    else if (frames == 0)
        fail(err, "'%s' holds no samples", path);
    else if ((buf = alloc_array(frames, ch * sizeof *buf, err)) != NULL
             && (x = alloc_array(frames, sizeof *x, err)) != NULL)
        /* <<read the samples and average the channels>> */
        {
            if (sf_readf_double(sf, buf, (sf_count_t)frames) != (sf_count_t)frames) {
                fail(err, "error reading '%s': %s", path, sf_strerror(sf));
                free(x);
                x = NULL;
            } else {
                for (size_t i = 0; i < frames && x != NULL; i++) {
                    double s = 0.0;
                    for (size_t c = 0; c < ch; c++)
                        s += buf[i * ch + c];
                    x[i] = s / (double)ch;
                    if (!isfinite(x[i])) {
                        fail(err, "'%s': sample %zu is not a finite number", path, i + 1);
                        free(x);
                        x = NULL;
                    }
                }
            }
        }
    if (sf_close(sf) != 0 && x != NULL) {
        fail(err, "error closing '%s'", path);
        free(x);
        x = NULL;
    }
    free(buf);
    *n = frames;
    return x;
}
/* <<check a WAV file before the long work begins>> */
/* <<read every sample and refuse one that is not finite>> */
static int check_samples(SNDFILE *sf, const char *path, int channels, Error *err)
{
    double buf[4096];
    const sf_count_t per = (sf_count_t)(4096 / (channels > 0 ? channels : 1));
    sf_count_t got, done = 0;
    if (channels <= 0 || channels > 4096)
        return fail(err, "'%s' has %d channels", path, channels);
    while ((got = sf_readf_double(sf, buf, per)) > 0) {
        for (sf_count_t i = 0; i < got * channels; i++)
            if (!isfinite(buf[i]))
                return fail(err, "'%s': sample %lld (channel %lld) is not a finite "
                            "number", path, (long long)(done + i / channels + 1),
                            (long long)(i % channels + 1));
        done += got;
    }
    return 0;
}
static int check_wav(const char *path, Error *err)
{
    SF_INFO info = {0};
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (sf == NULL)
        return fail(err, "cannot open '%s': %s", path, sf_strerror(NULL));
    int status = 0;
    if (info.samplerate != RATE)
        status = fail(err, "'%s' has a sample rate of %d Hz; codebook reads %d Hz "
                      "only (resample it first)", path, info.samplerate, RATE);
    else if (info.frames <= 0)
        status = fail(err, "'%s' holds no samples", path);
    else
        status = check_samples(sf, path, info.channels, err);
    sf_close(sf);
    return status;
}
/* <<cut a recording into clips and encode them>> */
typedef struct {
    Corpus cp;
    size_t cap[3];              /* room in key, group and spec, in clips */
    size_t names_cap;           /* room in group_name */
} Growing;

/* <<make room for more clips>> */
static int grow_corpus(Growing *g, size_t need, Error *err)
{
    Corpus *cp = &g->cp;
    const size_t per = cp->frames_per_clip * cp->bins;
    if (per > SIZE_MAX / sizeof(float))
        return fail(err, "a clip of %zu values is too large", per);
    int *key = grow_array(cp->key, &g->cap[0], need, sizeof *key, err);
    if (key == NULL)
        return -1;
    cp->key = key;
    size_t *group = grow_array(cp->group, &g->cap[1], need, sizeof *group, err);
    if (group == NULL)
        return -1;
    cp->group = group;
    float *spec = grow_array(cp->spec, &g->cap[2], need, per * sizeof *spec, err);
    if (spec == NULL)
        return -1;
    cp->spec = spec;
    return 0;
}

static int append_clips(const double *x, size_t n, size_t len, long most,
                        const Wav_entry *w, const Encoder *e, double *buf,
                        Growing *g, Error *err)
{
    const double SILENCE = 1e-3;
    size_t a = 0, b = n;
    while (a < n && fabs(x[a]) < SILENCE)
        a++;
    while (b > a && fabs(x[b - 1]) < SILENCE)
        b--;
    size_t m = (b - a) / len;
    if (most > 0 && m > (size_t)most)
        m = (size_t)most;
    /* <<encode the clips of one recording>> */
    Corpus *cp = &g->cp;
    const size_t F = cp->frames_per_clip, B = cp->bins;
    if (m == 0)
        return 0;
    if (grow_corpus(g, cp->clips + m, err) != 0)
        return -1;
    char **names = grow_array(cp->group_name, &g->names_cap, cp->groups + 1,
                              sizeof *names, err);
    if (names == NULL)
        return -1;
    cp->group_name = names;
    if ((names[cp->groups] = copy_string(w->group, err)) == NULL)
        return -1;
    const size_t gi = cp->groups++;
    for (size_t c = 0; c < m; c++, cp->clips++) {
        cp->key[cp->clips] = w->key;
        cp->group[cp->clips] = gi;
        for (size_t f = 0; f < F; f++)
            if (frame_spectrum(x + a + c * len + f * HOP, e, buf,
                               cp->spec + (cp->clips * F + f) * B) != 0)
                return fail(err, "the FFT of a frame failed");
    }
    return 0;
}
/* <<read the training and held-out clips of a list>> */
static int read_wav_corpus(const char *list, double seconds, long most,
                           const Encoder *e, Corpus *train, Corpus *test, Error *err)
{
    const size_t len = (size_t)(seconds * RATE), F = frame_count(len, e);
    Growing g[2] = {{(Corpus){0, F, e->bins, NULL, NULL, NULL, NULL, NULL, 0}, {0}, 0},
                    {(Corpus){0, F, e->bins, NULL, NULL, NULL, NULL, NULL, 0}, {0}, 0}};
    Wav_list wl = {NULL, 0};
    if (F == 0)
        return fail(err, "a clip of %g s is shorter than one analysis window",
                    seconds);
    double *buf = alloc_array(e->window, sizeof *buf, err);
    int status = buf ? read_wav_list(list, &wl, err) : -1;
    for (size_t i = 0; status == 0 && i < wl.n; i++)
        status = check_wav(wl.e[i].path, err);
    if (status == 0)
        fprintf(stderr, "codebook: reading and encoding the %zu recordings of %s\n",
                wl.n, list);
    for (size_t i = 0; status == 0 && i < wl.n; i++) {
        const Wav_entry *w = &wl.e[i];
        const size_t before = g[w->test].cp.clips;
        size_t n;
        double *x = read_mono(w->path, &n, err);
        status = x ? append_clips(x, n, len, w->test ? 0 : most, w, e, buf,
                                  &g[w->test], err) : -1;
        free(x);
        if (status == 0 && g[w->test].cp.clips == before)
            status = fail(err, "'%s' gives no clip of %g s once its silent ends "
                          "are skipped", w->path, seconds);
    }
    /* <<make sure both corpora have clips>> */
    if (status == 0 && (g[0].cp.clips == 0 || g[1].cp.clips == 0))
        status = fail(err, "'%s' gives no %s clips of %g s", list,
                      g[0].cp.clips == 0 ? "training" : "held-out", seconds);
    free(buf);
    if (wl.e != NULL)
        wav_list_free(&wl);
    if (status != 0) {
        corpus_free(&g[0].cp);
        corpus_free(&g[1].cp);
        g[0].cp = g[1].cp = (Corpus){0};    /* the caller frees what it is given */
    }
    *train = g[0].cp;
    *test = g[1].cp;
    return status;
}
/* <<put spectra on another log floor>> */
static float *refloor(const float *spec, size_t n, double from, double to,
                      Error *err)
{
    float *out = alloc_array(n, sizeof *out, err);
    for (size_t i = 0; out != NULL && i < n; i++)
        out[i] = (float)log(fmax(exp((double)spec[i]) - from, 0.0) + to);
    return out;
}
/* <<the quantiser>> */
static int nearest_codewords(const gsl_matrix *x, const gsl_matrix *c,
                             size_t *code, double *d2, Error *err)
{
    const size_t N = x->size1, K = c->size1, D = x->size2, R = 512;
    double *cn = alloc_array(K, sizeof *cn, err);
    gsl_matrix *g = cn ? alloc_matrix(R, K, err) : NULL;
    int status = g ? 0 : -1;
    /* <<the squared norm of every codeword>> */
    for (size_t j = 0; status == 0 && j < K; j++) {
        gsl_vector_const_view cj = gsl_matrix_const_row(c, j);
        cn[j] = 0.0;
        for (size_t d = 0; d < D; d++)
            cn[j] += gsl_vector_get(&cj.vector, d) * gsl_vector_get(&cj.vector, d);
    }
    for (size_t i0 = 0; status == 0 && i0 < N; i0 += R) {
        const size_t r = i0 + R <= N ? R : N - i0;
        gsl_matrix_const_view xb = gsl_matrix_const_submatrix(x, i0, 0, r, D);
        gsl_matrix_view gb = gsl_matrix_submatrix(g, 0, 0, r, K);
        if (gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, &xb.matrix, c, 0.0,
                           &gb.matrix) != 0) {
            status = fail(err, "the distances to the codewords could not be "
                          "computed");
            break;
        }
        /* <<pick the nearest codeword of every frame in the block>> */
        for (size_t i = 0; i < r; i++) {
            const double *gi = gsl_matrix_const_ptr(&gb.matrix, i, 0);
            const double *xi = gsl_matrix_const_ptr(x, i0 + i, 0);
            double xn = 0.0, best = cn[0] - 2.0 * gi[0];
            size_t bj = 0;
            for (size_t d = 0; d < D; d++)
                xn += xi[d] * xi[d];
            for (size_t j = 1; j < K; j++)
                if (cn[j] - 2.0 * gi[j] < best) {
                    best = cn[j] - 2.0 * gi[j];
                    bj = j;
                }
            code[i0 + i] = bj;
            d2[i0 + i] = fmax(0.0, xn + best);
        }
    }
    free(cn);
    gsl_matrix_free(g);
    return status;
}
/* <<the quantiser>> */
typedef struct {
    size_t K;                   /* codewords */
    int iterations;             /* Lloyd iterations */
    unsigned long seed;
} Kmeans_plan;

/* <<choose the starting codewords by k-means++>> */
static int kmeanspp(const gsl_matrix *x, gsl_matrix *c, gsl_rng *rng, Error *err)
{
    const size_t N = x->size1, K = c->size1, D = x->size2;
    const size_t S = 8 * K < N ? 8 * K : N;
    if (K > N)
        return fail(err, "%zu codewords need at least as many frames, got %zu",
                    K, N);
    /* <<allocate the sample of candidates and their distances>> */
    size_t *idx = alloc_array(N, sizeof *idx, err);
    gsl_matrix *xs = idx ? alloc_matrix(S, D, err) : NULL;
    double *best = xs ? alloc_array(S, sizeof *best, err) : NULL;
    double *dot = best ? alloc_array(S, sizeof *dot, err) : NULL;
    double *xn = dot ? alloc_array(S, sizeof *xn, err) : NULL;
    int status = xn ? 0 : -1;
    if (status == 0) {
        /* <<draw the sample of candidates>> */
        for (size_t i = 0; i < N; i++)
            idx[i] = i;
        gsl_ran_shuffle(rng, idx, N, sizeof *idx);
        for (size_t i = 0; i < S; i++) {
            gsl_vector_const_view row = gsl_matrix_const_row(x, idx[i]);
            gsl_matrix_set_row(xs, i, &row.vector);
            xn[i] = 0.0;
            for (size_t d = 0; d < D; d++)
                xn[i] += gsl_vector_get(&row.vector, d) * gsl_vector_get(&row.vector, d);
            best[i] = HUGE_VAL;
        }
        size_t pick = gsl_rng_uniform_int(rng, S);
        for (size_t k = 0; k < K && status == 0; k++) {
            /* <<make candidate [[pick]] codeword [[k]] and update the distances>> */
            gsl_vector_view ck = gsl_matrix_row(c, k);
            gsl_vector_const_view cand = gsl_matrix_const_row(xs, pick);
            gsl_vector_memcpy(&ck.vector, &cand.vector);
            gsl_vector_view dv = gsl_vector_view_array(dot, S);
            if (gsl_blas_dgemv(CblasNoTrans, 1.0, xs, &ck.vector, 0.0, &dv.vector) != 0) {
                status = fail(err, "k-means++: a distance computation failed");
                break;
            }
            double total = 0.0;
            for (size_t i = 0; i < S; i++) {
                const double d = fmax(0.0, xn[i] - 2.0 * dot[i] + xn[pick]);
                best[i] = i == pick ? 0.0 : fmin(best[i], d);
                total += best[i];
            }
            /* <<draw the next candidate in proportion to its squared distance>> */
            if (total > 0.0) {
                double u = gsl_rng_uniform(rng) * total;
                for (pick = 0; pick + 1 < S && (u -= best[pick]) >= 0.0; pick++)
                    ;
            } else
                pick = gsl_rng_uniform_int(rng, S);
        }
    }
    free(idx); gsl_matrix_free(xs); free(best); free(dot); free(xn);
    return status;
}
/* <<Lloyd's iteration with dead codewords re-seeded>> */
static int kmeans(const gsl_matrix *x, gsl_matrix *c, const Kmeans_plan *plan,
                  double *trace, size_t *code, double *d2, long *reseeded,
                  Error *err)
{
    const size_t N = x->size1, K = c->size1, D = x->size2;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    long *count = alloc_array(K, sizeof *count, err);
    size_t *far = count ? alloc_array(K, sizeof *far, err) : NULL;
    int status = far && rng ? 0
                 : far ? fail(err, "cannot allocate a generator") : -1;
    *reseeded = 0;
    if (status == 0) {
        gsl_rng_set(rng, plan->seed);
        status = kmeanspp(x, c, rng, err);
    }
    for (int t = 0; status == 0; t++) {
        /* <<assign every frame to its nearest codeword and record the distortion>> */
        if ((status = nearest_codewords(x, c, code, d2, err)) != 0)
            break;
        double sum = 0.0;
        for (size_t i = 0; i < N; i++)
            sum += d2[i];
        trace[t] = sum / (double)N;
        if (t == plan->iterations)
            break;
        /* <<move every codeword to the mean of its frames>> */
        gsl_matrix_set_zero(c);
        for (size_t j = 0; j < K; j++)
            count[j] = 0;
        for (size_t i = 0; i < N; i++) {
            double *cj = gsl_matrix_ptr(c, code[i], 0);
            const double *xi = gsl_matrix_const_ptr(x, i, 0);
            for (size_t d = 0; d < D; d++)
                cj[d] += xi[d];
            count[code[i]]++;
        }
        for (size_t j = 0; j < K; j++)
            if (count[j] > 0) {
                gsl_vector_view cj = gsl_matrix_row(c, j);
                gsl_vector_scale(&cj.vector, 1.0 / (double)count[j]);
            }
        /* <<re-seed the dead codewords at the farthest frames>> */
        size_t dead = 0;
        for (size_t j = 0; j < K; j++)
            dead += count[j] == 0;
        if (dead > 0) {
            gsl_sort_largest_index(far, dead, d2, 1, N);
            for (size_t j = 0, k = 0; j < K; j++)
                if (count[j] == 0) {
                    gsl_vector_view cj = gsl_matrix_row(c, j);
                    gsl_vector_const_view xf = gsl_matrix_const_row(x, far[k++]);
                    gsl_vector_memcpy(&cj.vector, &xf.vector);
                }
            *reseeded += (long)dead;
        }
    }
    gsl_rng_free(rng);
    free(count);
    free(far);
    return status;
}
/* <<the quantiser>> */
/* <<the plan of a training run>> */
typedef struct {
    long keys, train_clips, test_clips;     /* clips per key */
    long dims, codewords, codewords2, iterations, raw_sample;
    long sizes[4];              /* smaller codebooks for the sensitivity study */
    int nsizes;
    double floors[4];           /* other log floors for the sensitivity study */
    int nfloors;
    long windows[4];            /* other windows for the sensitivity study */
    int nwindows;
    unsigned long seed;
    Synth synth;
    Encoder enc;
    const char *wavs;           /* a list of recordings instead of the generator */
    long clips_per_wav;         /* at most this many from a training recording */
} Cb_plan;
/* <<the dominant label of every codeword>> */
typedef struct {
    size_t K, L;                /* codewords, labels */
    long *count;                /* K x L */
    int *dominant;              /* per codeword; -1 when unused */
    double *share, *entropy;    /* per codeword */
    size_t used;
    double mean_share, mean_entropy;    /* over the used codewords */
} Label_table;

/* <<allocate and free a label table>> */
static int label_table_alloc(Label_table *t, size_t K, size_t L, Error *err)
{
    *t = (Label_table){K, L, NULL, NULL, NULL, NULL, 0, 0.0, 0.0};
    t->count = alloc_array(K * L, sizeof *t->count, err);
    t->dominant = t->count ? alloc_array(K, sizeof *t->dominant, err) : NULL;
    t->share = t->dominant ? alloc_array(K, sizeof *t->share, err) : NULL;
    t->entropy = t->share ? alloc_array(K, sizeof *t->entropy, err) : NULL;
    return t->entropy ? 0 : -1;
}

static void label_table_free(Label_table *t)
{
    free(t->count); free(t->dominant); free(t->share); free(t->entropy);
}
/* <<count the labels of every codeword>> */
static void label_table_fill(Label_table *t, const size_t *code, const int *label,
                             size_t n)
{
    const size_t L = t->L;
    memset(t->count, 0, t->K * L * sizeof *t->count);
    for (size_t i = 0; i < n; i++)
        t->count[code[i] * L + (size_t)label[i]]++;
    t->used = 0;
    double ms = 0.0, me = 0.0;
    for (size_t j = 0; j < t->K; j++) {
        const long *c = t->count + j * L;
        long total = 0, best = 0;
        size_t arg = 0;
        for (size_t l = 0; l < L; l++) {
            total += c[l];
            if (c[l] > best) {
                best = c[l];
                arg = l;
            }
        }
        double h = 0.0;
        for (size_t l = 0; l < L; l++)
            if (c[l] > 0)
                h -= (double)c[l] / total * log2((double)c[l] / total);
        t->dominant[j] = total > 0 ? (int)arg : -1;
        t->share[j] = total > 0 ? (double)best / total : 0.0;
        t->entropy[j] = total > 0 ? h : 0.0;
        t->used += total > 0;
        ms += t->share[j];
        me += t->entropy[j];
    }
    t->mean_share = t->used ? ms / (double)t->used : 0.0;
    t->mean_entropy = t->used ? me / (double)t->used : 0.0;
}
/* <<neighbours and contiguity>> */
static int neighbour_lists(const double *pts, size_t n, size_t dim, const int *label,
                           const int *group, size_t k, size_t *nn, Error *err)
{
    double *d = alloc_array(n, sizeof *d, err);
    if (d == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (label[i] < 0)
            continue;
        for (size_t j = 0; j < n; j++) {
            double s = 0.0;
            for (size_t c = 0; c < dim; c++)
                s += gsl_pow_2(pts[i * dim + c] - pts[j * dim + c]);
            d[j] = j == i || label[j] < 0 || (group && group[j] == group[i])
                   ? HUGE_VAL : s;
        }
        gsl_sort_smallest_index(nn + i * k, k, d, 1, n);
    }
    free(d);
    return 0;
}

/* <<the contiguity: the share of valid neighbours with the same label>> */
static double contiguity(const size_t *nn, size_t n, size_t k, const int *label)
{
    double sum = 0.0;
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (label[i] < 0)
            continue;
        size_t same = 0, valid = 0;
        for (size_t m = 0; m < k; m++) {
            same += label[nn[i * k + m]] == label[i];
            valid += label[nn[i * k + m]] >= 0;
        }
        if (valid > 0) {
            sum += (double)same / (double)valid;
            used++;
        }
    }
    return used ? sum / (double)used : 0.0;
}

/* <<the contiguity expected by chance>> */
static double chance_contiguity(const int *label, size_t n)
{
    double count[CHORDS] = {0}, used = 0.0, s = 0.0;
    for (size_t i = 0; i < n; i++)
        if (label[i] >= 0) {
            count[label[i]] += 1.0;
            used += 1.0;
        }
    for (int l = 0; l < CHORDS; l++)
        s += gsl_pow_2(count[l] / used);
    return s;
}
/* <<distances between key centroids>> */
typedef struct {
    double dist[CB_KEYS][CB_KEYS];
    bool present[CB_KEYS];
} Key_distances;

static int key_distances(const double *pts, size_t n, size_t dim, const int *label,
                         Key_distances *kd, Error *err)
{
    double *cen = alloc_array(CB_KEYS * dim, sizeof *cen, err);
    if (cen == NULL)
        return -1;
    size_t count[CB_KEYS] = {0};
    memset(cen, 0, CB_KEYS * dim * sizeof *cen);
    for (size_t i = 0; i < n; i++)
        if (label[i] >= 0) {
            count[label[i]]++;
            for (size_t c = 0; c < dim; c++)
                cen[(size_t)label[i] * dim + c] += pts[i * dim + c];
        }
    for (int a = 0; a < CB_KEYS; a++) {
        kd->present[a] = count[a] > 0;
        for (size_t c = 0; c < dim && count[a] > 0; c++)
            cen[(size_t)a * dim + c] /= (double)count[a];
    }
    for (int a = 0; a < CB_KEYS; a++)
        for (int b = 0; b < CB_KEYS; b++) {
            double s = 0.0;
            for (size_t c = 0; c < dim; c++)
                s += gsl_pow_2(cen[(size_t)a * dim + c] - cen[(size_t)b * dim + c]);
            kd->dist[a][b] = kd->present[a] && kd->present[b] ? sqrt(s) : NAN;
        }
    free(cen);
    return 0;
}
/* <<rank correlation with the circle of fifths, and the Mantel test>> */
enum { PAIRS = CB_KEYS * (CB_KEYS - 1) / 2 };

/* <<ranks with ties, and Pearson's correlation>> */
static void average_ranks(const double *v, size_t n, double *rank)
{
    size_t order[PAIRS];
    gsl_sort_index(order, v, 1, n);
    for (size_t i = 0; i < n; ) {
        size_t j = i;
        while (j + 1 < n && v[order[j + 1]] == v[order[i]])
            j++;
        for (size_t m = i; m <= j; m++)
            rank[order[m]] = 0.5 * (double)(i + j);
        i = j + 1;
    }
}

static double pearson(const double *a, const double *b, size_t n)
{
    double ma = 0.0, mb = 0.0, sab = 0.0, saa = 0.0, sbb = 0.0;
    for (size_t i = 0; i < n; i++) {
        ma += a[i] / (double)n;
        mb += b[i] / (double)n;
    }
    for (size_t i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa > 0.0 && sbb > 0.0 ? sab / sqrt(saa * sbb) : 0.0;
}
/* <<Spearman's rho of the key distances, keys relabelled by a permutation>> */
static double fifths_rho(const Key_distances *kd, const int *perm)
{
    double x[PAIRS], y[PAIRS], rx[PAIRS], ry[PAIRS];
    size_t n = 0;
    for (int a = 0; a < CB_KEYS; a++)
        for (int b = a + 1; b < CB_KEYS; b++)
            if (kd->present[a] && kd->present[b]) {
                x[n] = kd->dist[perm ? perm[a] : a][perm ? perm[b] : b];
                y[n++] = fifths_distance(a, b);
            }
    if (n < 3)
        return 0.0;
    average_ranks(x, n, rx);
    average_ranks(y, n, ry);
    return pearson(rx, ry, n);
}
/* <<the Mantel test>> */
static double mantel_p(const Key_distances *kd, double rho, long perms,
                       gsl_rng *rng)
{
    int present[CB_KEYS], perm[CB_KEYS], n = 0;
    for (int a = 0; a < CB_KEYS; a++) {
        perm[a] = a;
        if (kd->present[a])
            present[n++] = a;
    }
    long ge = 0;
    for (long m = 0; m < perms; m++) {
        int shuffled[CB_KEYS];
        memcpy(shuffled, present, (size_t)n * sizeof *shuffled);
        if (n > 1)
            gsl_ran_shuffle(rng, shuffled, (size_t)n, sizeof *shuffled);
        for (int i = 0; i < n; i++)
            perm[present[i]] = shuffled[i];
        ge += fifths_rho(kd, perm) >= rho - 1e-12;
    }
    return (1.0 + (double)ge) / (1.0 + (double)perms);
}
/* <<judge the three parts of the claim by Holm's rule>> */
#define VERDICT_ALPHA 0.05

static void holm_parts(const double stat[3], const double p[3], int part[3])
{
    int order[3], m = 0;
    for (int j = 0; j < 3; j++) {
        part[j] = isfinite(stat[j]) && isfinite(p[j]) ? 0 : -1;
        if (part[j] == 0)
            order[m++] = j;
    }
    for (int i = 1; i < m; i++)             /* sort the measured parts by p */
        for (int j = i; j > 0 && p[order[j]] < p[order[j - 1]]; j--) {
            const int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (int i = 0; i < m && p[order[i]] <= VERDICT_ALPHA / (m - i); i++)
        part[order[i]] = 1;
}

static const char *verdict_word(const int part[3])
{
    int held = 0, measured = 0;
    for (int j = 0; j < 3; j++) {
        held += part[j] == 1;
        measured += part[j] >= 0;
    }
    return measured == 0 ? "not measurable" : held == 3 ? "reproduced"
           : held > 0 ? "partly reproduced" : "not reproduced";
}
/* <<replace every frame by its nearest codeword>> */
static void quantise_frames(const double *pts, size_t n, const gsl_matrix *cb,
                            double *q)
{
    const size_t K = cb->size1, D = cb->size2;
    for (size_t i = 0; i < n; i++) {
        size_t best = 0;
        double bd = HUGE_VAL;
        /* <<find the nearest codeword of frame [[i]]>> */
        for (size_t j = 0; j < K; j++) {
            double d = 0.0;
            for (size_t c = 0; c < D && d < bd; c++)
                d += gsl_pow_2(pts[i * D + c] - gsl_matrix_get(cb, j, c));
            if (d < bd) {
                bd = d;
                best = j;
            }
        }
        for (size_t c = 0; c < D; c++)
            q[i * D + c] = gsl_matrix_get(cb, best, c);
    }
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
/* <<null T: the parts a test can use>> */
static bool same_tune_class(const Clips *cl, size_t a, size_t b)
{
    const size_t na = cl->tfirst[a + 1] - cl->tfirst[a];
    const size_t nb = cl->tfirst[b + 1] - cl->tfirst[b];
    const int ka = cl->key[cl->gclip[cl->gfirst[cl->tgroup[cl->tfirst[a]]]]];
    const int kb = cl->key[cl->gclip[cl->gfirst[cl->tgroup[cl->tfirst[b]]]]];
    return na == nb && key_minor(ka) == key_minor(kb);
}

static int group_key(const Clips *cl, size_t g)
{
    return cl->key[cl->gclip[cl->gfirst[g]]];
}
/* <<draw one permutation of the tunes' keys>> */
static void permute_tunes(const Clips *cl, size_t *src, size_t *pool, gsl_rng *rng,
                          int *ck)
{
    for (size_t t = 0; t < cl->tunes; t++)
        src[t] = SIZE_MAX;
    for (size_t t = 0; t < cl->tunes; t++) {
        if (src[t] != SIZE_MAX)
            continue;
        size_t n = 0;                   /* the class of tune t */
        for (size_t u = t; u < cl->tunes; u++)
            if (src[u] == SIZE_MAX && same_tune_class(cl, t, u))
                pool[n++] = u;
        size_t *dest = pool + n;
        memcpy(dest, pool, n * sizeof *dest);
        gsl_ran_shuffle(rng, pool, n, sizeof *pool);
        for (size_t i = 0; i < n; i++)
            src[dest[i]] = pool[i];
    }
    for (size_t t = 0; t < cl->tunes; t++)
        for (size_t i = 0; i < cl->tfirst[t + 1] - cl->tfirst[t]; i++) {
            const size_t g = cl->tgroup[cl->tfirst[t] + i];
            const int key = group_key(cl, cl->tgroup[cl->tfirst[src[t]] + i]);
            for (size_t j = cl->gfirst[g]; j < cl->gfirst[g + 1]; j++)
                ck[cl->gclip[j]] = key;
        }
}
/* <<the chords of every key, as a bit set>> */
static uint64_t key_chords(int key)
{
    uint64_t set = 0;
    int pcs[3];
    for (int d = 0; d < 7; d++)
        set |= UINT64_C(1) << triad(key, d, pcs);
    return set;
}
/* <<the keys allowed to every group of clips>> */
static void allowed_keys(const Clips *cl, int *allowed, int *nallowed)
{
    for (size_t j = 0; j < cl->groups; j++) {
        uint64_t played = 0;
        for (size_t i = cl->gfirst[j]; i < cl->gfirst[j + 1]; i++) {
            const size_t c = cl->gclip[i];
            for (size_t f = cl->first[c]; f < cl->first[c + 1]; f++)
                played |= UINT64_C(1) << cl->chord[f];
        }
        nallowed[j] = 0;
        for (int key = 0; key < CB_KEYS; key++)
            if ((played & ~key_chords(key)) == 0)
                allowed[j * CB_KEYS + nallowed[j]++] = key;
        if (nallowed[j] == 0)
            allowed[j * CB_KEYS + nallowed[j]++] = cl->key[cl->gclip[cl->gfirst[j]]];
    }
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
/* <<append the frames of one group to a resample>> */
typedef struct {
    size_t n, cap[2];           /* frames held; room in code and in key */
    size_t *code;
    int *key;
} Resample;

static int append_group(const Clips *cl, size_t group, Resample *r, Error *err)
{
    for (size_t i = cl->gfirst[group]; i < cl->gfirst[group + 1]; i++) {
        const size_t c = cl->gclip[i], len = cl->first[c + 1] - cl->first[c];
        size_t *code = grow_array(r->code, &r->cap[0], r->n + len, sizeof *code, err);
        if (code == NULL)
            return -1;
        r->code = code;
        int *key = grow_array(r->key, &r->cap[1], r->n + len, sizeof *key, err);
        if (key == NULL)
            return -1;
        r->key = key;
        for (size_t f = cl->first[c]; f < cl->first[c + 1]; f++) {
            r->code[r->n] = cl->code[f];
            r->key[r->n++] = cl->key[c];
        }
    }
    return 0;
}
/* <<draw one bootstrap resample>> */
static int bootstrap_draw(const Clips *cl, gsl_rng *rng, Resample *r, Error *err)
{
    const bool by_tune = cl->tunes > 1;
    const size_t units = by_tune ? cl->tunes : cl->groups;
    int status = 0;
    r->n = 0;
    for (size_t j = 0; j < units && status == 0; j++) {
        const size_t u = gsl_rng_uniform_int(rng, units);
        if (!by_tune)
            status = append_group(cl, u, r, err);
        for (size_t i = by_tune ? cl->tfirst[u] : 0;
             by_tune && i < cl->tfirst[u + 1] && status == 0; i++)
            status = append_group(cl, cl->tgroup[i], r, err);
    }
    return status;
}
/* <<gather the groups of one shape>> */
static bool same_shape(const Clips *cl, size_t a, size_t b)
{
    const size_t na = cl->gfirst[a + 1] - cl->gfirst[a];
    if (na != cl->gfirst[b + 1] - cl->gfirst[b])
        return false;
    for (size_t j = 0; j < na; j++) {
        const size_t ca = cl->gclip[cl->gfirst[a] + j], cb = cl->gclip[cl->gfirst[b] + j];
        if (cl->first[ca + 1] - cl->first[ca] != cl->first[cb + 1] - cl->first[cb])
            return false;
    }
    return true;
}

static size_t shape_classes(const Clips *cl, size_t *rep, size_t *cls,
                            size_t *order, size_t *start)
{
    size_t classes = 0;
    for (size_t g = 0; g < cl->groups; g++) {
        size_t c = 0;
        while (c < classes && !same_shape(cl, rep[c], g))
            c++;
        if (c == classes)
            rep[classes++] = g;
        cls[g] = c;
    }
    /* <<list the groups class by class, by a counting sort>> */
    for (size_t c = 0; c <= classes; c++)       /* a counting sort by class */
        start[c] = 0;
    for (size_t g = 0; g < cl->groups; g++)
        start[cls[g] + 1]++;
    for (size_t c = 0; c < classes; c++) {
        start[c + 1] += start[c];
        rep[c] = start[c];                      /* now the next free slot */
    }
    for (size_t g = 0; g < cl->groups; g++)
        order[rep[cls[g]]++] = g;
    return classes;
}
/* <<hand every group the chords of a group of its shape>> */
static void permute_chords(const Clips *cl, const size_t *order, const size_t *start,
                           size_t classes, size_t *perm, gsl_rng *rng, int *fc)
{
memcpy(perm, order, cl->groups * sizeof *perm);
for (size_t c = 0; c < classes; c++)
    if (start[c + 1] - start[c] > 1)
        gsl_ran_shuffle(rng, perm + start[c], start[c + 1] - start[c], sizeof *perm);
for (size_t i = 0; i < cl->groups; i++) {
    const size_t to = order[i], from = perm[i];
    for (size_t j = 0; j < cl->gfirst[to + 1] - cl->gfirst[to]; j++) {
        const size_t dc = cl->gclip[cl->gfirst[to] + j];
        const size_t sc = cl->gclip[cl->gfirst[from] + j];
        memcpy(fc + cl->first[dc], cl->chord + cl->first[sc],
               (cl->first[dc + 1] - cl->first[dc]) * sizeof *fc);
    }
}
}
/* <<write a matrix as a NumPy file>> */
static void codebook_write_npy(FILE *fp, const gsl_matrix *m)
{
    char dict[128];
    const int len = snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': "
                             "False, 'shape': (%zu, %zu), }", m->size1, m->size2);
    const size_t pad = (64 - (10 + (size_t)len + 1) % 64) % 64;
    const size_t hlen = (size_t)len + pad + 1;
    fwrite("\x93NUMPY\x01\x00", 1, 8, fp);
    fputc((int)(hlen & 0xff), fp);
    fputc((int)(hlen >> 8), fp);
    fprintf(fp, "%s%*s\n", dict, (int)pad, "");
    for (size_t i = 0; i < m->size1; i++)
        for (size_t j = 0; j < m->size2; j++) {
            const double x = gsl_matrix_get(m, i, j);
            uint64_t bits;
            memcpy(&bits, &x, sizeof bits);
            for (int b = 0; b < 8; b++)
                fputc((int)(bits >> (8 * b) & 0xff), fp);
        }
}
/* <<run the program under test>> */
#include <dirent.h>
#include <sys/wait.h>

typedef struct {
    int status;             /* exit status, or -1 if the program did not exit */
    char out[4096];         /* the start of what it wrote on standard output */
    char err[1024];         /* the start of what it wrote on standard error */
} Run;

static void slurp(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *fp = fopen(path, "r");
    if (fp != NULL) {
        size_t n = fread(buf, 1, size - 1, fp);
        buf[n] = '\0';
        fclose(fp);
    }
}

/* Run the program with ARGS, its standard output going to STDOUT_TO
   (a path; relative paths are inside TESTDIR). */
static Run run_program_to(const char *args, const char *stdout_to)
{
    Run r = {-1, "", ""};
    const char *prog = getenv("PROGRAM"), *dir = getenv("TESTDIR");
    if (prog == NULL || dir == NULL) {
        snprintf(r.err, sizeof r.err, "PROGRAM or TESTDIR is not set");
        return r;
    }
    char cmd[4096], outpath[1024], errpath[1024];
    snprintf(outpath, sizeof outpath, "%s/stdout.txt", dir);
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", dir);
    remove(outpath);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >'%s' 2>'%s'",
             dir, prog, args, stdout_to, errpath);
    int s = system(cmd);
    if (s != -1 && WIFEXITED(s))
        r.status = WEXITSTATUS(s);
    slurp(outpath, r.out, sizeof r.out);
    slurp(errpath, r.err, sizeof r.err);
    return r;
}

static Run run_program(const char *args)
{
    return run_program_to(args, "stdout.txt");
}

static void write_test_file(const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", getenv("TESTDIR"), name);
    FILE *fp = fopen(path, "w");
    if (fp != NULL) {
        fputs(text, fp);
        fclose(fp);
    }
}

static bool test_file_exists(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", getenv("TESTDIR"), name);
    return access(path, F_OK) == 0;
}

static int leftover_files(const char *prefix)
{
    int n = 0;
    DIR *d = opendir(getenv("TESTDIR"));
    if (d == NULL)
        return -1;
    for (struct dirent *e; (e = readdir(d)) != NULL; )
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

static int count_lines(const char *text)
{
    int n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}
/* <<expect a one-line rejection>> */
static void expect_rejection_of(const char *args, const char *needle,
                                const char *output)
{
    Run r = run_program(args);
    CU_ASSERT(r.status == 1);
    CU_ASSERT(strstr(r.err, needle) != NULL);
    CU_ASSERT(count_lines(r.err) == 1);
    CU_ASSERT(leftover_files(output) == 0);
    if (r.status != 1 || strstr(r.err, needle) == NULL)
        fprintf(stderr, "\n  [%s] gave status %d and: %s", args, r.status, r.err);
}
/* <<run a table of CUnit tests>> */
typedef struct {
    int suite;              /* index into the suite names */
    const char *name;
    CU_TestFunc fn;
} Test_entry;

static int run_test_table(const char *const *suite_names, int nsuites,
                          const Test_entry *tests, size_t ntests)
{
    gsl_set_error_handler_off();
    if (CU_initialize_registry() != CUE_SUCCESS)
        return EXIT_FAILURE;
    CU_pSuite suites[8] = {NULL};
    for (int k = 0; k < nsuites && k < 8; k++)
        suites[k] = CU_add_suite(suite_names[k], NULL, NULL);
    for (size_t k = 0; k < ntests; k++)
        if (tests[k].suite >= nsuites || suites[tests[k].suite] == NULL
            || !CU_add_test(suites[tests[k].suite], tests[k].name, tests[k].fn)) {
            CU_cleanup_registry();
            return EXIT_FAILURE;
        }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
/* <<helpers for the tests of the codebook>> */
static void remove_test_file(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", getenv("TESTDIR"), name);
    remove(path);
}

/* A 2 x 2 .npy file of type DESCR followed by BYTES zero bytes of data. */
static void write_test_npy(const char *name, const char *descr, size_t bytes)
{
    char path[1024], dict[128];
    snprintf(path, sizeof path, "%s/%s", getenv("TESTDIR"), name);
    snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, "
             "'shape': (2, 2), }", descr);
    FILE *fp = fopen(path, "wb");
    if (fp == NULL)
        return;
    fwrite("\x93NUMPY\x01\x00\x76\x00", 1, 10, fp);      /* header: 118 bytes */
    fprintf(fp, "%-117s\n", dict);
    for (size_t k = 0; k < bytes; k++)
        fputc(0, fp);
    fclose(fp);
}
/* <<tests of the codebook>> */
static void test_pure_tone(void)
{
    const Encoder e = ENCODER_DEFAULT;
    double x[2048], buf[2048];
    float s[320];
    const double f[2] = {437.5, 440.0};
    for (int t = 0; t < 2; t++) {
        for (size_t i = 0; i < 2048; i++)
            x[i] = 0.5 * sin(2.0 * M_PI * f[t] * (double)i / RATE);
        CU_ASSERT_FATAL(frame_spectrum(x, &e, buf, s) == 0);
        size_t peak = 0;
        for (size_t k = 1; k < 320; k++)
            if (s[k] > s[peak])
                peak = k;
        CU_ASSERT_EQUAL(peak + 1, 28);                  /* s[k-1] is bin k */
        if (t == 0)
            CU_ASSERT_DOUBLE_EQUAL(s[27], log(0.5 + 1e-4), 1e-5);
    }
}
/* <<tests of the codebook>> */
static void test_pca_orthonormal(void)
{
    enum { N = 400, B = 24, DIMS = 8 };
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    float *spec = malloc(N * B * sizeof *spec);
    gsl_matrix *axes = gsl_matrix_alloc(B, DIMS), *g = gsl_matrix_alloc(DIMS, DIMS);
    double mean[B], explained = 0.0;
    Error err = {""};
    CU_ASSERT_FATAL(rng && spec && axes && g);
    for (size_t i = 0; i < N * B; i++)
        spec[i] = (float)(gsl_ran_gaussian(rng, 1.0) * (1.0 + (double)(i % B)));
    CU_ASSERT_FATAL(pca_fit(spec, N, B, axes, mean, &explained, &err) == 0);
    /* <<check that the axes are orthonormal>> */
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, axes, axes, 0.0, g);
    for (size_t a = 0; a < DIMS; a++)
        for (size_t b = 0; b < DIMS; b++)
            CU_ASSERT_DOUBLE_EQUAL(gsl_matrix_get(g, a, b), a == b, 1e-12);
    CU_ASSERT(explained > 0.0 && explained <= 1.0);
    gsl_matrix *z = gsl_matrix_alloc(N, DIMS);
    CU_ASSERT_FATAL(z != NULL && pca_project(spec, N, B, mean, axes, z, &err) == 0);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, z, z, 0.0, g);
    /* <<check that the projections are uncorrelated, with variances in decreasing order>> */
    for (size_t a = 0; a < DIMS; a++) {             /* uncorrelated, in order */
        for (size_t b = 0; b < DIMS; b++)
            if (a != b) {
                CU_ASSERT(fabs(gsl_matrix_get(g, a, b))
                          < 1e-6 * gsl_matrix_get(g, 0, 0));
            }
        if (a > 0) {
            CU_ASSERT(gsl_matrix_get(g, a, a) <= gsl_matrix_get(g, a - 1, a - 1));
        }
    }
    gsl_matrix_free(z);
    gsl_matrix_free(g);
    gsl_matrix_free(axes);
    free(spec);
    gsl_rng_free(rng);
}
/* <<tests of the codebook>> */
static void test_kmeans_by_brute_force(void)
{
    enum { N = 600, D = 5, K = 40, IT = 12 };
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_matrix *x = gsl_matrix_alloc(N, D), *c = gsl_matrix_alloc(K, D);
    size_t code[N];
    double d2[N], trace[IT + 1];
    long reseeded;
    Error err = {""};
    CU_ASSERT_FATAL(rng && x && c);
    for (size_t i = 0; i < N; i++)              /* 12 blobs, one far outlier */
        for (size_t d = 0; d < D; d++)
            gsl_matrix_set(x, i, d, (i == 0 ? 100.0 : (double)(i % 12 * (d + 1) % 7))
                                    + gsl_ran_gaussian(rng, 0.3));
    const Kmeans_plan plan = {K, IT, 3};
    CU_ASSERT_FATAL(kmeans(x, c, &plan, trace, code, d2, &reseeded, &err) == 0);
    for (int t = 1; t <= IT; t++)
        CU_ASSERT(trace[t] <= trace[t - 1] * (1.0 + 1e-12));
    /* <<check every assignment against the nearest codeword by brute force>> */
    for (size_t i = 0; i < N; i++) {
        double best = HUGE_VAL, mine = 0.0;
        for (size_t j = 0; j < K; j++) {
            double s = 0.0;
            for (size_t d = 0; d < D; d++)
                s += gsl_pow_2(gsl_matrix_get(x, i, d) - gsl_matrix_get(c, j, d));
            best = fmin(best, s);
            if (j == code[i])
                mine = s;
        }
        CU_ASSERT(mine <= best + 1e-9 * (1.0 + best));
        CU_ASSERT_DOUBLE_EQUAL(d2[i], mine, 1e-9 * (1.0 + mine));
    }
    gsl_matrix_free(x);
    gsl_matrix_free(c);
    gsl_rng_free(rng);
}
/* <<tests of the codebook>> */
static void test_corpus_labels(void)
{
    static const int major[7] = {0, 2, 4, 5, 7, 9, 11};
    Synth sy = SYNTH_DEFAULT;
    sy.seconds = 0.5;
    const Encoder e = ENCODER_DEFAULT;
    Corpus cp;
    Error err = {""};
    CU_ASSERT_FATAL(render_corpus(0, 8, 4, 9, &sy, &e, &cp, &err) == 0);
    CU_ASSERT_EQUAL(cp.frames_per_clip, (16000 - 2048) / 640 + 1);
    const int expect[4] = {0, 7, 2, 9};                 /* C G D A major */
    for (size_t c = 0; c < 8; c++) {
        CU_ASSERT_EQUAL(cp.key[c], expect[c % 4]);
        for (size_t f = 0; f < cp.frames_per_clip; f++) {
            const int ch = cp.chord[c * cp.frames_per_clip + f], root = ch / 4;
            const int q = ch % 4, third = q == 0 || q == 3 ? 4 : 3;
            const int fifth = q == 2 ? 6 : q == 3 ? 8 : 7;
            const int notes[3] = {root, root + third, root + fifth};
            for (int k = 0; k < 3; k++) {
                bool in = false;
                for (int s = 0; s < 7; s++)
                    in |= (notes[k] - expect[c % 4] + 24) % 12 == major[s];
                CU_ASSERT(in);
            }
        }
    }
    corpus_free(&cp);
}
/* <<tests of the codebook>> */
static void test_refloor(void)
{
    const Encoder e = ENCODER_DEFAULT;
    double x[2048], buf[2048];
    float s[320], direct[320];
    Error err = {""};
    for (size_t i = 0; i < 2048; i++)
        x[i] = 0.5 * sin(2.0 * M_PI * 440.0 * (double)i / RATE)
               + 1e-3 * sin(2.0 * M_PI * 3000.0 * (double)i / RATE);
    CU_ASSERT_FATAL(frame_spectrum(x, &e, buf, s) == 0);
    const double to[2] = {1e-2, 1e-6}, tol[2] = {1e-5, 1e-2};
    for (int t = 0; t < 2; t++) {
        const Encoder e2 = {2048, 320, to[t]};
        CU_ASSERT_FATAL(frame_spectrum(x, &e2, buf, direct) == 0);
        float *r = refloor(s, 320, 1e-4, to[t], &err);
        CU_ASSERT_FATAL(r != NULL);
        for (size_t k = 0; k < 320; k++)
            CU_ASSERT_DOUBLE_EQUAL(r[k], direct[k], tol[t]);
        free(r);
    }
}
/* <<tests of the codebook>> */
static void test_label_counts(void)
{
    Label_table t;
    Error err = {""};
    CU_ASSERT_FATAL(label_table_alloc(&t, 3, CB_KEYS, &err) == 0);
    size_t code[10];
    int label[10];
    for (int i = 0; i < 10; i++) {
        code[i] = 1;
        label[i] = i < 6 ? 0 : i < 9 ? 7 : 21;             /* C, G, Am */
    }
    label_table_fill(&t, code, label, 10);
    CU_ASSERT(t.dominant[0] == -1 && t.dominant[2] == -1 && t.used == 1);
    CU_ASSERT_EQUAL(t.dominant[1], 0);
    CU_ASSERT_DOUBLE_EQUAL(t.share[1], 0.6, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(t.entropy[1], -(0.6 * log2(0.6) + 0.3 * log2(0.3)
                                           + 0.1 * log2(0.1)), 1e-12);
    label_table_free(&t);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    CU_ASSERT_FATAL(label_table_alloc(&t, 50, CHORDS, &err) == 0 && rng != NULL);
    size_t rc[5000];
    int rl[5000];
    for (int i = 0; i < 5000; i++) {
        rc[i] = gsl_rng_uniform_int(rng, 40);           /* codewords 40..49 unused */
        rl[i] = (int)gsl_rng_uniform_int(rng, CHORDS);
    }
    label_table_fill(&t, rc, rl, 5000);
    long sum = 0;
    for (size_t k = 0; k < 50 * CHORDS; k++)
        sum += t.count[k];
    CU_ASSERT_EQUAL(sum, 5000);
    CU_ASSERT_EQUAL(t.used, 40);
    label_table_free(&t);
    gsl_rng_free(rng);
}
/* <<tests of the codebook>> */
static void test_contiguity_by_hand(void)
{
    const double pts[6] = {0, 1, 2, 10, 11, 12};
    int label[6] = {0, 0, 7, 7, 7, 0};                  /* C C G G G C */
    size_t nn[12];
    Error err = {""};
    CU_ASSERT_FATAL(neighbour_lists(pts, 6, 1, label, NULL, 2, nn, &err) == 0);
    CU_ASSERT_DOUBLE_EQUAL(contiguity(nn, 6, 2, label), 1.0 / 3.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(chance_contiguity(label, 6), 0.5, 1e-15);
    label[2] = -1;                                      /* the point at 2 unused */
    CU_ASSERT_FATAL(neighbour_lists(pts, 6, 1, label, NULL, 2, nn, &err) == 0);
    CU_ASSERT_DOUBLE_EQUAL(contiguity(nn, 6, 2, label), 2.0 / 5.0, 1e-15);
    const int group[6] = {0, 0, 1, 2, 3, 4};            /* 0 and 1: one clip */
    label[2] = 7;
    CU_ASSERT_FATAL(neighbour_lists(pts, 6, 1, label, group, 2, nn, &err) == 0);
    CU_ASSERT(nn[0] != 1 && nn[1] != 1 && nn[2] != 0 && nn[3] != 0);
}
/* <<tests of the codebook>> */
static void test_mantel_uniform_under_null(void)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    CU_ASSERT_FATAL(rng != NULL);
    int small = 0, half = 0;
    const int draws = 300;
    for (int r = 0; r < draws; r++) {
        Key_distances kd;
        double pt[CB_KEYS][4];
        for (int a = 0; a < CB_KEYS; a++)
            for (int c = 0; c < 4; c++)
                pt[a][c] = gsl_ran_gaussian(rng, 1.0);
        for (int a = 0; a < CB_KEYS; a++) {
            kd.present[a] = true;
            for (int b = 0; b < CB_KEYS; b++) {
                double s = 0.0;
                for (int c = 0; c < 4; c++)
                    s += gsl_pow_2(pt[a][c] - pt[b][c]);
                kd.dist[a][b] = sqrt(s);
            }
        }
        const double p = mantel_p(&kd, fifths_rho(&kd, NULL), 99, rng);
        small += p <= 0.05;
        half += p <= 0.5;
    }
    CU_ASSERT(fabs(small / (double)draws - 0.05) < 4 * 0.0126);
    CU_ASSERT(fabs(half / (double)draws - 0.5) < 4 * 0.0289);
    gsl_rng_free(rng);
}
/* <<tests of the codebook>> */
/* <<write a test recording>> */
static int write_test_wav(const char *name, const double *x, size_t frames,
                          int channels, int rate)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", getenv("TESTDIR"), name);
    SF_INFO info = {.samplerate = rate, .channels = channels,
                    .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    if (sf == NULL)
        return -1;
    const sf_count_t w = sf_writef_double(sf, x, (sf_count_t)frames);
    return sf_close(sf) == 0 && w == (sf_count_t)frames ? 0 : -1;
}

static void test_wav_list(void)
{
    enum { N = 48000, PAD = 8000 };
    double *x = calloc(N + 2 * PAD, sizeof *x), *y = calloc(2 * N, sizeof *y);
    char list[256];
    CU_ASSERT_FATAL(x != NULL && y != NULL);
    for (size_t i = 0; i < N; i++) {
        const double t = (double)i / 32000.0;
        x[PAD + i] = 0.3 * cos(2 * M_PI * 440 * t) + 0.2 * cos(2 * M_PI * 660 * t);
        y[2 * i] = x[PAD + i] + 0.1 * sin(2 * M_PI * 1000 * t);
        y[2 * i + 1] = x[PAD + i] - 0.1 * sin(2 * M_PI * 1000 * t);
    }
    CU_ASSERT_FATAL(write_test_wav("mono.wav", x, N + 2 * PAD, 1, 32000) == 0);
    CU_ASSERT_FATAL(write_test_wav("stereo.wav", y, N, 2, 32000) == 0);
    CU_ASSERT_FATAL(write_test_wav("rate.wav", x, N, 1, 44100) == 0);
    const double kept = x[12000];
    x[12000] = NAN;             /* sample 12001, counting from 1 */
    CU_ASSERT_FATAL(write_test_wav("nan.wav", x, N, 1, 32000) == 0);
    x[12000] = kept;
    const char *d = getenv("TESTDIR");
    snprintf(list, sizeof list, "%s/mono.wav\tC\ttune+0\ttrain\n"
             "%s/stereo.wav\tAm\ttune+9\ttest\n", d, d);
    write_test_file("w.tsv", list);
    /* <<read the two recordings back as clips>> */
    Corpus tr, te;
    Error err = {""};
    const Encoder e = ENCODER_DEFAULT;
    char path[1024];
    snprintf(path, sizeof path, "%s/w.tsv", d);
    CU_ASSERT_FATAL(read_wav_corpus(path, 0.5, 2, &e, &tr, &te, &err) == 0);
    const size_t F = (16000 - 2048) / 640 + 1;           /* frames of a 0.5 s clip */
    CU_ASSERT(tr.clips == 2 && te.clips == 3 && tr.frames_per_clip == F);
    CU_ASSERT(tr.key[0] == 0 && te.key[2] == 21 && te.groups == 1 && te.group[2] == 0);
    CU_ASSERT_STRING_EQUAL(te.group_name[0], "tune+9");
    double buf[2048], xf[16000];
    float s[320];
    for (size_t c = 0; c < 3; c++) {
        for (size_t i = 0; i < 16000; i++)
            xf[i] = (float)x[PAD + c * 16000 + i];
        for (size_t f = 0; f < F; f += 7) {
            CU_ASSERT_FATAL(frame_spectrum(xf + f * 640, &e, buf, s) == 0);
            for (size_t k = 0; k < 320; k++) {
                CU_ASSERT_DOUBLE_EQUAL(te.spec[(c * F + f) * 320 + k], s[k], 1e-3);
                if (c < 2)
                    CU_ASSERT_EQUAL(tr.spec[(c * F + f) * 320 + k], s[k]);
            }
        }
    }
    corpus_free(&tr);
    corpus_free(&te);
    /* <<bad lists and recordings are refused by name>> */
    const char *bad[][2] = {
        {"%s/rate.wav\tC\ta\ttrain\n", "sample rate of 44100 Hz"},
        {"%s/nowhere.wav\tC\ta\ttrain\n", "cannot open"},
        {"%s/mono.wav\tH\ta\ttrain\n", "'H' is not one of the 24 key names"},
        {"%s/mono.wav\tC\ta\tdev\n", "split 'dev' is neither train nor test"},
        {"%s/mono.wav\tC\ta/b\ttrain\n", "contains '/'"},
        {"%s/mono.wav\tC\ta\ttrain\n", "gives no held-out clips"},
        {"%s/mono.wav\tC\t\ttrain\n", "empty field"},
        {"%s/nan.wav\tC\ta\ttrain\n", "sample 12001 (channel 1) is not a finite"}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        snprintf(list, sizeof list, bad[k][0], d);
        write_test_file("bad.tsv", list);
        snprintf(path, sizeof path, "%s/bad.tsv", d);
        err.msg[0] = '\0';
        CU_ASSERT(read_wav_corpus(path, 0.5, 0, &e, &tr, &te, &err) != 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, bad[k][1]));
    }
    free(x);
    free(y);
}
/* <<tests of the codebook>> */
static double scale_share(int key, const int scale[7])
{
    const size_t n = 32000, W = 8192;
    double *x = malloc(n * sizeof *x), *buf = malloc(W * sizeof *buf);
    int *chord = malloc(n * sizeof *chord);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double pc[12] = {0}, in = 0.0, all = 0.0;
    Synth sy = SYNTH_DEFAULT;
    sy.seconds = 1.0;
    render_clip(key, 77, &sy, rng, x, chord, n);
    for (size_t f = 0; f + W <= n; f += W / 2) {
        memcpy(buf, x + f, W * sizeof *buf);
        gsl_fft_real_radix2_transform(buf, 1, W);
        for (size_t k = 1; k < W / 2; k++) {
            const double hz = (double)k * RATE / (double)W;
            if (hz < 60.0 || hz > 2000.0)
                continue;
            const long p = lround(12.0 * log2(hz / 440.0)) + 9;
            pc[(p % 12 + 12) % 12] += buf[k] * buf[k] + buf[W - k] * buf[W - k];
        }
    }
    for (int k = 0; k < 12; k++) {
        all += pc[k];
        for (int s = 0; s < 7; s++)
            in += scale[s] == k ? pc[k] : 0.0;
    }
    free(x); free(buf); free(chord);
    gsl_rng_free(rng);
    return in / all;
}

static void test_generator_plays_in_key(void)
{
    const int e_major[7] = {4, 6, 8, 9, 11, 1, 3};
    const int c_minor[7] = {0, 2, 3, 5, 7, 8, 11};
    CU_ASSERT(scale_share(4, e_major) > 0.8);
    CU_ASSERT(scale_share(12, c_minor) > 0.8);
    CU_ASSERT(scale_share(4, c_minor) < 0.8);       /* and not in another key */
}
/* <<tests of the codebook>> */
static void test_transpose_key(void)
{
    const char *cases[][2] = {{"C", "G"}, {"Am", "Cm"}, {"Bbm", "Abm"},
                              {"F#", "C"}, {"Eb", "Bb"}, {"E", "F"}};
    const int by[6] = {7, 3, -2, 6, -5, 13};
    for (int k = 0; k < 6; k++) {
        char name[8];
        const int key = parse_key(cases[k][0]);
        CU_ASSERT_FATAL(key >= 0);
        key_name(transpose_key(key, by[k]), name, sizeof name);
        CU_ASSERT_STRING_EQUAL(name, cases[k][1]);
    }
}
/* <<tests of the codebook>> */
static void test_mantel_finds_the_circle(void)
{
    Key_distances kd;
    double pts[2 * 2 * CB_KEYS];                   /* two codewords per key */
    int label[2 * CB_KEYS];
    Error err = {""};
    for (int i = 0; i < 2 * CB_KEYS; i++) {
        const int a = i % CB_KEYS;
        const double t = 2 * M_PI * fifths_position(a) / 12.0;
        const double r = (key_minor(a) ? 0.9 : 1.0) + (i < CB_KEYS ? 0.01 : -0.01);
        pts[2 * i] = r * cos(t);
        pts[2 * i + 1] = r * sin(t);
        label[i] = a;
    }
    CU_ASSERT_FATAL(key_distances(pts, 2 * CB_KEYS, 2, label, &kd, &err) == 0);
    CU_ASSERT_DOUBLE_EQUAL(kd.dist[0][7], 2 * sin(M_PI / 12), 1e-12);  /* C, G */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    CU_ASSERT_FATAL(rng != NULL);
    const double rho = fifths_rho(&kd, NULL);
    CU_ASSERT(rho > 0.9);
    CU_ASSERT_DOUBLE_EQUAL(mantel_p(&kd, rho, 199, rng), 1.0 / 200.0, 1e-15);
    CU_ASSERT_EQUAL(fifths_distance(0, 6), 6);      /* C, F#: the tritone */
    CU_ASSERT_EQUAL(fifths_distance(0, 21), 0);     /* C, Am: relative keys */
    CU_ASSERT_EQUAL(parse_key("Db"), parse_key("C#"));
    CU_ASSERT_EQUAL(parse_key("Ebm"), 15);
    CU_ASSERT_EQUAL(parse_key("H"), -1);
    for (int a = 0; a < CB_KEYS; a++) {
        char name[8];
        key_name(a, name, sizeof name);
        CU_ASSERT_EQUAL(parse_key(name), a);
    }
    gsl_rng_free(rng);
}
/* <<tests of the codebook>> */
static void test_wav_round_trip(void)
{
    enum { N = 4000 };
    double x[N], y[N];
    int chord[N];
    char path[1024];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    Synth sy = SYNTH_DEFAULT;
    Error err = {""};
    CU_ASSERT_FATAL(rng != NULL);
    render_clip(7, 5, &sy, rng, x, chord, N);
    snprintf(path, sizeof path, "%s/rt.wav", getenv("TESTDIR"));
    FILE *fp = fopen(path, "wb");
    CU_ASSERT_FATAL(fp != NULL);
    CU_ASSERT_FATAL(write_wav_stream(fp, path, x, N, &err) == 0);
    CU_ASSERT_FATAL(fclose(fp) == 0);
    SF_INFO info = {0};
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    CU_ASSERT_FATAL(sf != NULL);
    CU_ASSERT(info.samplerate == 32000 && info.channels == 1 && info.frames == N);
    CU_ASSERT(sf_readf_double(sf, y, N) == N);
    sf_close(sf);
    for (size_t i = 0; i < N; i++)
        CU_ASSERT_EQUAL(y[i], (double)(float)x[i]);
    gsl_rng_free(rng);
}

static void test_npy_round_trip(void)
{
    gsl_matrix *m = gsl_matrix_alloc(5, 3);
    char path[1024];
    Error err = {""};
    CU_ASSERT_FATAL(m != NULL);
    for (size_t k = 0; k < 15; k++)
        m->data[k] = (k % 2 ? -1.0 : 1.0) / (double)(k + 3) * 1e5;
    snprintf(path, sizeof path, "%s/rt.npy", getenv("TESTDIR"));
    FILE *fp = fopen(path, "wb");
    CU_ASSERT_FATAL(fp != NULL);
    codebook_write_npy(fp, m);
    fclose(fp);
    gsl_matrix *r = read_points(path, &err);
    CU_ASSERT_FATAL(r != NULL);
    CU_ASSERT(r->size1 == 5 && r->size2 == 3);
    CU_ASSERT(memcmp(r->data, m->data, 15 * sizeof *m->data) == 0);
    gsl_matrix_free(r);
    gsl_matrix_free(m);
}
/* <<tests of the codebook>> */
static void expect_cb_rejection(const char *args, const char *needle)
{
    expect_rejection_of(args, needle, "m.tex");
}

static void test_codebook_cli(void)
{
    Run r = run_program("--help");
    CU_ASSERT(r.status == 0 && strstr(r.out, "synthesise KEY")
              && strstr(r.out, "train") && strstr(r.out, "measure")
              && strstr(r.out, "--codebook") && strstr(r.out, "--permutations"));
    r = run_program("synthesise F#m --output one.wav --seconds 0.5");
    CU_ASSERT(r.status == 0 && test_file_exists("one.wav"));
    r = run_program("train --keys 4 --train-clips 3 --test-clips 2 --seconds 1 "
                    "--codewords 32 --codewords2 16 --iterations 4 --raw-sample 64 "
                    "--write-codebook s.npy --write-codes c.tsv "
                    "--write-chords h.tsv "
                    "--write-raw raw.tsv --distortion d.dat --macros t.tex");
    CU_ASSERT_FATAL(r.status == 0);
    /* <<check that the files of the small training run fit together>> */
    Error err = {""};
    char path[1024];
    snprintf(path, sizeof path, "%s/c.tsv", getenv("TESTDIR"));
    Clips cl;
    CU_ASSERT_FATAL(read_clip_table(path, 32, &cl, &err) == 0);
    CU_ASSERT_EQUAL(cl.clips, 4 * 2);
    const size_t F = (32000 - 2048) / 640 + 1;           /* frames of a 1 s clip */
    CU_ASSERT_EQUAL(cl.frames, cl.clips * F);
    for (size_t c = 0; c < cl.clips; c++)
        CU_ASSERT_EQUAL(cl.key[c], key_in_fifths_order((int)((12 + c) % 4)));
    clips_free(&cl);
    snprintf(path, sizeof path, "%s/s.npy", getenv("TESTDIR"));
    gsl_matrix *cb = read_points(path, &err);
    CU_ASSERT(cb != NULL && cb->size1 == 32 && cb->size2 == 128);
    gsl_matrix_free(cb);
    r = run_program("measure --codebook s.npy --codes c.tsv --chords h.tsv "
                    "--raw raw.tsv -p 5 --permutations 59 --map map.dat --heatmap heat.dat "
                    "--macros m.tex");
    CU_ASSERT(r.status == 0 && test_file_exists("map.dat")
              && test_file_exists("m.tex"));
    {   /* four major keys: no pair of relative keys, so that mean is "none" */
        char text[16384], mpath[1024];
        snprintf(mpath, sizeof mpath, "%s/m.tex", getenv("TESTDIR"));
        slurp(mpath, text, sizeof text);
        CU_ASSERT(strstr(text, "NaN") == NULL && strstr(text, "nan") == NULL);
        CU_ASSERT(strstr(text, "{\\CbRelativeRatio}{\\mbox{none}}") != NULL);
        CU_ASSERT(strstr(text, "{\\CbMcErrMax}") != NULL);
    }
    remove_test_file("m.tex");
    /* <<bad codebooks and bad codes are refused by name>> */
    write_test_npy("int.npy", "<i4", 16);
    write_test_npy("short.npy", "<f8", 3);
    write_test_file("text.npy", "\x93NUMPX not a NumPy file\n");
    write_test_file("badkey.tsv", "clip1\tH\t1\t2\n");
    write_test_file("badcode.tsv", "clip1\tC\t1\t32\n");
    write_test_file("nocode.tsv", "clip1\tC\n");
    write_test_file("empty.tsv", "clip1\tC\t1\t\t2\n");
    write_test_file("twice.tsv", "clip1\tC\t1\nclip2\tG\t2\nclip1\tC\t3\n");
    write_test_file("group.tsv", "t/1\tC\t1\nt/2\tG\t2\n");
    write_test_file("signed.tsv", "clip1\tC\t+1\n");
    {
        char nul[1024];
        snprintf(nul, sizeof nul, "%s/nul.tsv", getenv("TESTDIR"));
        static const char bytes[] = "clip1\tC\t1\nclip2\tC\t2\0\t3\n";
        FILE *fp = fopen(nul, "wb");
        CU_ASSERT_FATAL(fp != NULL);
        fwrite(bytes, 1, sizeof bytes - 1, fp);
        fclose(fp);
    }
    const char *m = " --map map2.dat --macros m.tex";
    char args[512];
    const char *cases[][2] = {
        {"--codebook int.npy --codes c.tsv", "'<i4' is not supported"},
        {"--codebook short.npy --codes c.tsv", "truncated"},
        {"--codebook text.npy --codes c.tsv", "does not begin with the magic bytes"},
        {"--codebook s.npy --codes badkey.tsv", "'H' is not one of the 24 key names"},
        {"--codebook s.npy --codes badcode.tsv",
         "'32' is not a whole number from 0 to 31"},
        {"--codebook s.npy --codes nocode.tsv", "needs an id, a key and at least one"},
        {"--codebook s.npy --codes empty.tsv", "empty field"},
        {"--codebook s.npy --codes twice.tsv", "'clip1' appears twice"},
        {"--codebook s.npy --codes group.tsv", "group 't' disagree about the key"},
        {"--codebook s.npy --codes c.tsv --chords badcode.tsv",
         "do not describe the same"},
        {"--codebook s.npy --codes c.tsv --raw c.tsv", "is not a number"},
        {"--codebook s.npy", "needs --codes"},
        {"--codebook s.npy --codes c.tsv --train", "exclude each other"},
        {"train --codebook s.npy --codes c.tsv", "exclude each other"},
        {"measure --codes c.tsv", "measure needs --codebook"},
        {"measure --codebook s.npy --codes c.tsv --keys 4", "does not belong"},
        {"analyse --codebook s.npy", "unknown command 'analyse'"},
        {"--codebook s.npy --codes c.tsv --window 1000", "power of 2"},
        {"--codebook s.npy --codes c.tsv --write-raw r.tsv", "need train"},
        {"--codebook s.npy --codes c.tsv --map c.tsv", "overwrite an input"},
        {"--codebook s.npy --codes c.tsv --floors 1e-2", "need train"},
        {"--train --floors 2", "must lie in (0, 1)"},
        {"--train --sizes 8", "out of range"},
        {"--codebook s.npy --codes c.tsv --bogus", "unknown option"},
        {"--codebook s.npy --codes c.tsv -p 0", "must be greater than 1"},
        {"--codebook s.npy --codes c.tsv -p 31", "too large for 32 points"},
        {"--codebook s.npy --codes c.tsv --permutations 58", "out of range [59,"},
        {"--codebook s.npy --codes nul.tsv", "nul.tsv:2: contains a NUL byte"},
        {"--codebook s.npy --codes c.tsv --chords nul.tsv", "contains a NUL byte"},
        {"--codebook s.npy --codes signed.tsv", "'+1' is not a whole number"}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        snprintf(args, sizeof args, "%s%s", cases[k][0], strstr(cases[k][0], "--map")
                 ? " --macros m.tex" : m);
        expect_cb_rejection(args, cases[k][1]);
    }
    expect_rejection_of("--synthesise H --output x.wav", "not one of the 24", "x.wav");
    expect_rejection_of("--synthesise C", "needs --output", "x.wav");
    expect_rejection_of("synthesise --output x.wav", "synthesise needs a KEY", "x.wav");
    expect_rejection_of("transpose", "transpose needs KEY,N", "x.wav");
    /* <<the recordings on the command line>> */
    r = run_program("--transpose Bbm,-2");
    CU_ASSERT(r.status == 0 && strcmp(r.out, "Abm\n") == 0);
    r = run_program("--train --wavs w.tsv --seconds 0.5 --dims 8 --codewords 4 "
                    "--codewords2 4 --iterations 2 --raw-sample 11 --write-codes rc.tsv "
                    "--key-table kt.tex --macros rt.tex");
    CU_ASSERT_FATAL(r.status == 0);
    snprintf(path, sizeof path, "%s/rc.tsv", getenv("TESTDIR"));
    Clips rc;
    CU_ASSERT_FATAL(read_clip_table(path, 4, &rc, &err) == 0);
    CU_ASSERT(rc.clips == 3 && rc.key[0] == 21);
    clips_free(&rc);
    char text[8192];
    slurp(path, text, sizeof text);
    CU_ASSERT(strncmp(text, "tune+9/1\tAm\t", 12) == 0
              && strstr(text, "\ntune+9/3\tAm\t") != NULL);
    expect_rejection_of("--train --wavs w.tsv --write-chords h2.tsv", "no chord labels",
                        "h2.tsv");
    expect_rejection_of("--train --wavs w.tsv --keys 4", "belong to the generator",
                        "t2.tex");
    expect_rejection_of("--train --key-table k2.tex", "need --wavs", "k2.tex");
    write_test_file("gone.tsv", "/nonexistent/a.wav\tC\tg\ttrain\n");
    expect_rejection_of("--train --wavs gone.tsv --macros g2.tex", "cannot open",
                        "g2.tex");                  /* once freed twice, under ASan */

    /* <<every output is checked before any work, and none is left behind>> */
    {
        char sub[1024];
        snprintf(sub, sizeof sub, "%s/adir", getenv("TESTDIR"));
        CU_ASSERT_FATAL(mkdir(sub, 0777) == 0);
        const char *train[] = {"--write-codebook", "--write-codes", "--write-chords",
                               "--write-raw", "--distortion", "--macros", "--wav"};
        const char *measure[] = {"--map", "--heatmap", "--macros"};
        const char *bad[3][2] = {{"''", "the file name is empty"},
                                 {"adir", "is a directory"},
                                 {"nodir/x", "No such file or directory"}};
        for (int mode = 0; mode < 2; mode++) {
            const char **opts = mode == 0 ? train : measure;
            const int n = mode == 0 ? 7 : 3;
            for (int k = 0; k < n; k++)
                for (int b = 0; b < 3; b++) {
                    char args[1024];
                    int len = snprintf(args, sizeof args, "%s", mode == 0
                        ? "--train --keys 4 --train-clips 3 --test-clips 2 --seconds 1 "
                          "--codewords 32 --codewords2 16 --iterations 4 --raw-sample 64"
                        : "--codebook s.npy --codes c.tsv -p 5 --permutations 59");
                    for (int j = 0; j < n; j++) {
                        char good[16];
                        snprintf(good, sizeof good, "o-%d", j);
                        len += snprintf(args + len, sizeof args - (size_t)len, " %s %s",
                                        opts[j], j == k ? bad[b][0] : good);
                    }
                    expect_rejection_of(args, bad[b][1], "o-");
                    CU_ASSERT(leftover_files(".tmp") == 0);
                }
        }
        expect_rejection_of("--synthesise C --output adir", "is a directory", "adir.");
        expect_rejection_of("--synthesise C --output nodir/x.wav", "No such file",
                            "x.wav");
        /* the worked example checks its outputs before it prints anything */
        Run ex = run_program("--values o-v.tsv --macros nodir/m.tex");
        CU_ASSERT(ex.status == 1 && ex.out[0] == '\0' && count_lines(ex.err) == 1);
        CU_ASSERT(!test_file_exists("o-v.tsv") && leftover_files("o-") == 0);
    }
}
/* <<tests of the codebook>> */
static void test_clip_groups(void)
{
    write_test_file("groups.tsv", "a\tC\t0\nb/2\tG\t1\nab/1\tD\t2\t3\n"
                    "b/1\tG\t4\nb-x/1\tA\t5\n");
    char path[1024];
    snprintf(path, sizeof path, "%s/groups.tsv", getenv("TESTDIR"));
    Error err = {""};
    Clips cl;
    CU_ASSERT_FATAL(read_clip_table(path, 8, &cl, &err) == 0);
    CU_ASSERT_EQUAL(cl.clips, 5);
    CU_ASSERT_EQUAL(cl.frames, 6);
    CU_ASSERT_EQUAL_FATAL(cl.groups, 4);
    const size_t first[5] = {0, 1, 2, 3, 5};
    for (int g = 0; g <= 4; g++)
        CU_ASSERT_EQUAL(cl.gfirst[g], first[g]);
    CU_ASSERT_EQUAL(cl.gclip[0], 0);                    /* a */
    CU_ASSERT_EQUAL(cl.gclip[1], 2);                    /* ab/1 */
    CU_ASSERT_EQUAL(cl.gclip[2], 4);                    /* b-x/1 */
    CU_ASSERT_EQUAL(cl.gclip[3], 3);                    /* b/1 */
    CU_ASSERT_EQUAL(cl.gclip[4], 1);                    /* b/2 */
    clips_free(&cl);
    remove_test_file("groups.tsv");
}

static void test_holm_verdict(void)
{
    double stat[3] = {0.3, 0.5, 0.2}, p[3] = {0.005, 0.02, 0.04};
    int part[3];
    holm_parts(stat, p, part);
    CU_ASSERT(part[0] == 1 && part[1] == 1 && part[2] == 1);
    CU_ASSERT_STRING_EQUAL(verdict_word(part), "reproduced");
    p[1] = 0.03;                        /* 0.03 > 0.05/2: the second step fails */
    holm_parts(stat, p, part);
    CU_ASSERT(part[0] == 1 && part[1] == 0 && part[2] == 0);
    CU_ASSERT_STRING_EQUAL(verdict_word(part), "partly reproduced");
    stat[2] = NAN;                      /* m = 2: thresholds 0.025 and 0.05 */
    p[0] = 0.02, p[1] = 0.02;
    holm_parts(stat, p, part);
    CU_ASSERT(part[0] == 1 && part[1] == 1 && part[2] == -1);
    CU_ASSERT_STRING_EQUAL(verdict_word(part), "partly reproduced");
    p[0] = 0.5, p[1] = 0.5;
    holm_parts(stat, p, part);
    CU_ASSERT_STRING_EQUAL(verdict_word(part), "not reproduced");
    stat[0] = stat[1] = NAN;
    holm_parts(stat, p, part);
    CU_ASSERT_STRING_EQUAL(verdict_word(part), "not measurable");
}
/* <<tests of the codebook>> */
/* Codewords (0,0), (4,0), (0,3); by hand the nearest codeword of (1,1) is
   the first (squared distance 2), of (3,1) the second (2, against 10 and 13)
   and of (1,2) the third (2, against 5 and 13). */
static void test_quantise_frames(void)
{
    gsl_matrix *cb = gsl_matrix_calloc(3, 2);
    CU_ASSERT_FATAL(cb != NULL);
    gsl_matrix_set(cb, 1, 0, 4.0);
    gsl_matrix_set(cb, 2, 1, 3.0);
    const double pts[6] = {1, 1, 3, 1, 1, 2};
    const double want[6] = {0, 0, 4, 0, 0, 3};
    double q[6];
    quantise_frames(pts, 3, cb, q);
    for (int i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(q[i], want[i]);
    gsl_matrix_free(cb);
}

/* By hand, from the diatonic triads (harmonic minor for minor keys): C, F
   and G major together lie only in C major; Am and Dm lie in C major, F
   major (F Gm Am Bb C Dm E-dim) and A minor (Am B-dim C+ Dm E F G#-dim),
   and in no other key.  Chord labels are 4 x root + quality (0 major,
   1 minor); keys are tonic, plus 12 for minor. */
static void test_allowed_keys(void)
{
    size_t first[3] = {0, 4, 6}, gfirst[3] = {0, 1, 2}, gclip[2] = {0, 1};
    int key[2] = {0, 21}, chord[6] = {0, 20, 28, 0, 37, 9};
    const Clips cl = {.clips = 2, .frames = 6, .groups = 2, .key = key,
                      .first = first, .chord = chord, .gfirst = gfirst,
                      .gclip = gclip};
    int allowed[2 * CB_KEYS], n[2];
    allowed_keys(&cl, allowed, n);
    CU_ASSERT_EQUAL(n[0], 1);
    CU_ASSERT_EQUAL(allowed[0], 0);
    CU_ASSERT_EQUAL_FATAL(n[1], 3);
    CU_ASSERT(allowed[CB_KEYS] == 0 && allowed[CB_KEYS + 1] == 5
              && allowed[CB_KEYS + 2] == 21);
}

/* Tunes x (offsets 0, 2: keys C, D) and y (-1, +1: B, C#) are major with two
   transpositions each, so null T may swap their keys, lowest offset to
   lowest; z (Am, Bbm) is alone in its class and keeps its keys.  x's groups
   come first (x+0 then x+2), then y's (y-1, y+1), then z's. */
static void test_null_tunes(void)
{
    write_test_file("tunes.tsv", "y+1/1\tC#\t0\nx+0/1\tC\t1\nx+2/1\tD\t2\n"
                    "z+0/1\tAm\t3\ny-1/1\tB\t4\nz+1/1\tBbm\t5\nx+0/2\tC\t6\n");
    char path[1024];
    snprintf(path, sizeof path, "%s/tunes.tsv", getenv("TESTDIR"));
    Error err = {""};
    Clips cl;
    CU_ASSERT_FATAL(read_clip_table(path, 8, &cl, &err) == 0);
    CU_ASSERT_EQUAL_FATAL(cl.tunes, 3);
    const size_t tfirst[4] = {0, 2, 4, 6};
    for (int t = 0; t <= 3; t++)
        CU_ASSERT_EQUAL(cl.tfirst[t], tfirst[t]);
    /* <<draw null T many times and check every draw>> */
    const int C = 0, Cs = 1, D = 2, B = 11, Am = 21, Bbm = 22;
    const int same[7] = {Cs, C, D, Am, B, Bbm, C};
    const int swapped[7] = {D, B, Cs, Am, C, Bbm, B};
    size_t src[3], pool[6];
    int ck[7], seen[2] = {0, 0};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    CU_ASSERT_FATAL(rng != NULL);
    for (int m = 0; m < 200; m++) {
        permute_tunes(&cl, src, pool, rng, ck);
        const bool a = memcmp(ck, same, sizeof ck) == 0;
        const bool b = memcmp(ck, swapped, sizeof ck) == 0;
        CU_ASSERT(a || b);
        seen[b]++;
    }
    CU_ASSERT(seen[0] > 0 && seen[1] > 0);
    gsl_rng_free(rng);
    clips_free(&cl);
    remove_test_file("tunes.tsv");
}
/* <<tests of the codebook>> */
static void test_bootstrap_tunes(void)
{
    write_test_file("tunes.tsv", "a+0/1\tC\t1\na+2/1\tD\t2\n"
                    "b+0/1\tC\t3\t3\t3\t3\t3\t3\t3\t3\t3\t3\n"
                    "b+2/1\tD\t4\t4\t4\t4\t4\t4\t4\t4\t4\t4\n");
    char path[1024];
    snprintf(path, sizeof path, "%s/tunes.tsv", getenv("TESTDIR"));
    Clips cl;
    Error err = {""};
    CU_ASSERT_FATAL(read_clip_table(path, 5, &cl, &err) == 0);
    CU_ASSERT_FATAL(cl.tunes == 2 && cl.groups == 4);
    Resample r = {0, {4, 4}, malloc(4 * sizeof *r.code), malloc(4 * sizeof *r.key)};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    CU_ASSERT_FATAL(r.code != NULL && r.key != NULL && rng != NULL);
    bool size[41] = {false};
    for (int m = 0; m < 200; m++) {
        CU_ASSERT_FATAL(bootstrap_draw(&cl, rng, &r, &err) == 0);
        size_t count[5] = {0};
        for (size_t i = 0; i < r.n; i++)
            count[r.code[i]]++;
        CU_ASSERT(count[1] == count[2] && count[3] == count[4]);
        CU_ASSERT(r.n == 4 || r.n == 22 || r.n == 40);
        size[r.n <= 40 ? r.n : 0] = true;
    }
    CU_ASSERT(size[4] && size[22] && size[40]);
    free(r.code);
    free(r.key);
    gsl_rng_free(rng);
    clips_free(&cl);
}
/* <<tests of the codebook>> */
static void test_chord_null(void)
{
    write_test_file("shapes.tsv", "x/1\tC\t1\t2\ny/1\tG\t3\t4\nz/1\tD\t5\t6\t7\n");
    char path[1024];
    snprintf(path, sizeof path, "%s/shapes.tsv", getenv("TESTDIR"));
    Clips cl;
    Error err = {""};
    CU_ASSERT_FATAL(read_clip_table(path, 8, &cl, &err) == 0);
    CU_ASSERT_FATAL(cl.groups == 3 && cl.frames == 7);
    int chord[7] = {1, 2, 3, 4, 5, 6, 7}, fc[7];
    cl.chord = malloc(sizeof chord);
    CU_ASSERT_FATAL(cl.chord != NULL);
    memcpy(cl.chord, chord, sizeof chord);
    size_t rep[3], cls[3], order[3], start[4], perm[3];
    const size_t classes = shape_classes(&cl, rep, cls, order, start);
    CU_ASSERT(classes == 2 && start[0] == 0 && start[1] == 2 && start[2] == 3);
    CU_ASSERT(order[0] == 0 && order[1] == 1 && order[2] == 2);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    CU_ASSERT_FATAL(rng != NULL);
    int kept = 0, swapped = 0;
    for (int m = 0; m < 100; m++) {
        permute_chords(&cl, order, start, classes, perm, rng, fc);
        CU_ASSERT(fc[4] == 5 && fc[5] == 6 && fc[6] == 7);
        kept += fc[0] == 1 && fc[1] == 2 && fc[2] == 3 && fc[3] == 4;
        swapped += fc[0] == 3 && fc[1] == 4 && fc[2] == 1 && fc[3] == 2;
    }
    CU_ASSERT(kept + swapped == 100 && kept > 0 && swapped > 0);
    gsl_rng_free(rng);
    clips_free(&cl);
}
/* <<run every suite of codebook>> */
int main(void)
{
    static const char *const suites[] = {"23.2 codebook"};
    static const Test_entry tests[] = {
        {0, "the generator plays in its key", test_generator_plays_in_key},
        {0, "the corpus: keys balanced, chords diatonic", test_corpus_labels},
        {0, "WAV round trip through libsndfile", test_wav_round_trip},
        {0, "a pure tone peaks at its FFT bin", test_pure_tone},
        {0, "principal axes are orthonormal", test_pca_orthonormal},
        {0, "spectra moved to another log floor", test_refloor},
        {0, "k-means: distortion never rises; nearest codeword by brute force",
         test_kmeans_by_brute_force},
        {0, "label counts: worked example 23.2A, unused codewords, totals",
         test_label_counts},
        {0, "contiguity of a small case by hand", test_contiguity_by_hand},
        {0, "Mantel p is uniform under the null", test_mantel_uniform_under_null},
        {0, "Mantel test finds a circle of fifths; key names and distances",
         test_mantel_finds_the_circle},
        {0, ".npy round trip", test_npy_round_trip},
        {0, "clip ids gather into groups", test_clip_groups},
        {0, "Holm's rule judges the three parts of the claim", test_holm_verdict},
        {0, "frames quantised to their nearest codewords", test_quantise_frames},
        {0, "the keys a clip's chords allow", test_allowed_keys},
        {0, "null T: tunes trade their keys within a mode", test_null_tunes},
        {0, "key names transposed by semitones", test_transpose_key},
        {0, "a list of recordings read as clips; bad lists refused",
         test_wav_list},
        {0, "the bootstrap draws whole tunes", test_bootstrap_tunes},
        {0, "the chord null trades chords between groups of one shape",
         test_chord_null},
        {0, "command line: small pipeline, bad files", test_codebook_cli}};
    return run_test_table(suites, 1, tests, sizeof tests / sizeof tests[0]);
}

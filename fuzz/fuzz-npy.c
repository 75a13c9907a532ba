/* fuzz-npy.c -- libFuzzer target for the .npy reader of the program tsne.
 * Tangled from chapters/p2-tsne.nw and chapters/support.nw; edit those, then
 * `make tangle`. */
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
#include <ctype.h>
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
/* <<a second, simple reading of a NumPy file>> */
typedef struct {
    size_t rows, cols, item, offset;
    bool fortran;
} Ref_npy;

typedef struct {
    char kind;                  /* the punctuation itself, 's' string, 'w' word */
    const char *text;           /* a string's contents, or a word */
    size_t len;
} Ref_token;

enum { REF_TOKENS = 32 };

/* <<split a header into tokens>> */
static bool ref_tokens(const char *h, size_t len, Ref_token *t, size_t *nt)
{
    if (len == 0 || h[len - 1] != '\n')
        return false;
    *nt = 0;
    for (size_t k = 0; k + 1 < len; ) {
        const unsigned char ch = (unsigned char)h[k];
        if (ch < 32 || ch > 126)
            return false;
        if (ch == ' ') {
            k++;
            continue;
        }
        if (*nt == REF_TOKENS)
            return false;
        Ref_token *tok = &t[(*nt)++];
        if (strchr("{}():,", ch) != NULL) {
            *tok = (Ref_token){(char)ch, h + k, 1};
            k++;
        } else if (ch == '\'' || ch == '"') {
            size_t e = k + 1;
            while (e + 1 < len && h[e] != (char)ch)
                e++;
            if (e + 1 >= len || memchr(h + k + 1, '\\', e - k - 1) != NULL)
                return false;
            *tok = (Ref_token){'s', h + k + 1, e - k - 1};
            k = e + 1;
        } else {
            size_t e = k;
            while (e + 1 < len && (isalnum((unsigned char)h[e]) || h[e] == '_'))
                e++;
            if (e == k)
                return false;
            *tok = (Ref_token){'w', h + k, e - k};
            k = e;
        }
    }
    return true;
}
/* <<match the tokens against the only pattern allowed>> */
static bool ref_is(const Ref_token *t, const char *text)
{
    return t->len == strlen(text) && memcmp(t->text, text, t->len) == 0;
}

static bool ref_number(const Ref_token *t, size_t *out)
{
    char buf[32];
    if (t->kind != 'w' || t->len > 20 || (t->text[0] == '0' && t->len > 1))
        return false;
    for (size_t k = 0; k < t->len; k++)
        if (!isdigit((unsigned char)t->text[k]))
            return false;
    memcpy(buf, t->text, t->len);
    buf[t->len] = '\0';
    errno = 0;
    unsigned long long x = strtoull(buf, NULL, 10);
    if (errno == ERANGE || x > SIZE_MAX)
        return false;
    *out = (size_t)x;
    return true;
}

/* <<match one entry of the dictionary>> */
static bool ref_entry(const Ref_token *t, size_t nt, size_t *k, bool seen[3],
                      Ref_npy *r)
{
    size_t i = *k;
    if (i + 2 >= nt || t[i].kind != 's' || t[i + 1].kind != ':')
        return false;
    const Ref_token *key = &t[i], *v = &t[i + 2];
    i += 3;
    if (ref_is(key, "descr") && !seen[0] && v->kind == 's') {
        seen[0] = true;
        r->item = ref_is(v, "<f8") ? 8 : ref_is(v, "<f4") ? 4 : 0;
        if (r->item == 0)
            return false;
    } else if (ref_is(key, "fortran_order") && !seen[1] && v->kind == 'w'
               && (ref_is(v, "True") || ref_is(v, "False"))) {
        seen[1] = true;
        r->fortran = ref_is(v, "True");
    } else if (ref_is(key, "shape") && !seen[2] && v->kind == '(') {
        seen[2] = true;
        if (i + 3 >= nt || !ref_number(&t[i], &r->rows) || t[i + 1].kind != ','
            || !ref_number(&t[i + 2], &r->cols))
            return false;
        i += 3;
        if (t[i].kind == ',')
            i++;
        if (i >= nt || t[i++].kind != ')')
            return false;
    } else
        return false;
    *k = i;
    return true;
}

static bool ref_pattern(const Ref_token *t, size_t nt, Ref_npy *r)
{
    bool seen[3] = {false, false, false};
    size_t k = 1;
    if (nt < 2 || t[0].kind != '{' || t[nt - 1].kind != '}')
        return false;
    for (int e = 0; e < 3; e++) {
        if (e > 0 && (k >= nt || t[k++].kind != ','))
            return false;
        if (!ref_entry(t, nt, &k, seen, r))
            return false;
    }
    if (k < nt && t[k].kind == ',')
        k++;
    return k == nt - 1;
}
/* <<read one value of the second reading>> */
static double ref_value(const uint8_t *b, size_t item)
{
    if (item == 4) {
        float f;
        memcpy(&f, b, 4);
        return f;
    }
    double x;
    memcpy(&x, b, 8);
    return x;
}

static bool ref_npy(const uint8_t *d, size_t size, Ref_npy *r)
{
    *r = (Ref_npy){0, 0, 0, 0, false};
    if (size < 10 || memcmp(d, "\x93NUMPY", 6) != 0 || d[6] < 1 || d[6] > 3
        || d[7] != 0)
        return false;
    size_t hlen = d[8] + 256 * (size_t)d[9], start = 10;
    if (d[6] > 1) {
        if (size < 12)
            return false;
        hlen += 65536 * (size_t)d[10] + 16777216 * (size_t)d[11];
        start = 12;
    }
    if (hlen > 10000 || hlen > size - start)
        return false;
    Ref_token t[REF_TOKENS];
    size_t nt;
    if (!ref_tokens((const char *)d + start, hlen, t, &nt)
        || !ref_pattern(t, nt, r))
        return false;
    r->offset = start + hlen;
    /* <<check the size and the values the pattern promises>> */
    if (r->rows == 0 || r->cols == 0 || r->rows > SIZE_MAX / r->cols / r->item
        || size - r->offset != r->rows * r->cols * r->item)
        return false;
    for (size_t k = 0; k < r->rows * r->cols; k++)
        if (!isfinite(ref_value(d + r->offset + k * r->item, r->item)))
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *fp = fuzz_stream(data, size);
    if (fp == NULL)
        return 0;
    Error err = {""};
    gsl_set_error_handler_off();
    gsl_matrix *m = read_points_stream(fp, "fuzz.npy", &err);
    fclose(fp);
    Ref_npy ref;
    const bool valid = ref_npy(data, size, &ref);
    /* <<abort if the reader and the second reading disagree>> */
    if (valid != (m != NULL) || (m == NULL && err.msg[0] == '\0'))
        abort();
    if (m != NULL && (m->size1 != ref.rows || m->size2 != ref.cols))
        abort();
    for (size_t i = 0; m != NULL && i < ref.rows; i++)
        for (size_t j = 0; j < ref.cols; j++) {
            const size_t k = ref.fortran ? j * ref.rows + i : i * ref.cols + j;
            const double x = ref_value(data + ref.offset + k * ref.item, ref.item);
            if (!isfinite(gsl_matrix_get(m, i, j)) || gsl_matrix_get(m, i, j) != x)
                abort();
        }
    gsl_matrix_free(m);
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

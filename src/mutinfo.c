/* mutinfo.c -- entropy, conditional entropy, KL divergence and mutual information
 * of discrete distributions, in bits; the data-processing inequality on random
 * Markov chains.
 *
 * Tangled from chapters/23-5-mutinfo.nw, chapters/p5-mutinfo.nw and
 * chapters/support.nw of the book
 * "Can AI Understand Music?"; edit those files, not this one, then `make tangle`.
 * Build alone:
 *   cc -std=c11 -O2 mutinfo.c $(pkg-config --cflags --libs gsl) -o mutinfo
 */
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
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>

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
/* <<information measures of discrete distributions>> */
static double xlog2x_over(double p, double q)       /* p log2(p/q), 0 if p = 0 */
{
    if (p == 0.0)
        return 0.0;
    return q == 0.0 ? INFINITY : p * log2(p / q);
}

static double entropy(const double *p, size_t n, size_t stride)
{
    double H = 0.0;
    for (size_t k = 0; k < n; k++)
        H -= xlog2x_over(p[k * stride], 1.0);
    return H;
}
/* <<the Kullback--Leibler divergence>> */
static double kl_divergence(const double *p, const double *q, size_t n)
{
    double cross = 0.0;                   /* D = cross-entropy - entropy */
    for (size_t k = 0; k < n; k++)
        if (p[k] > 0.0) {
            if (q[k] == 0.0)
                return INFINITY;
            cross -= p[k] * log2(q[k]);
        }
    return cross - entropy(p, n, 1);
}
/* <<marginals of a joint distribution>> */
static void marginals(const gsl_matrix *pxy, double *px, double *py)
{
    for (size_t y = 0; y < pxy->size2; y++)
        py[y] = 0.0;
    for (size_t x = 0; x < pxy->size1; x++) {
        px[x] = 0.0;
        for (size_t y = 0; y < pxy->size2; y++) {
            px[x] += gsl_matrix_get(pxy, x, y);
            py[y] += gsl_matrix_get(pxy, x, y);
        }
    }
}
/* <<conditional entropy, row by row>> */
static double cond_entropy_rows(const gsl_matrix *pxy, const double *px)
{
    double H = 0.0, *row = malloc(pxy->size2 * sizeof *row);
    if (row == NULL)
        return NAN;
    for (size_t x = 0; x < pxy->size1; x++) {
        if (px[x] == 0.0)
            continue;
        for (size_t y = 0; y < pxy->size2; y++)
            row[y] = gsl_matrix_get(pxy, x, y) / px[x];
        H += px[x] * entropy(row, pxy->size2, 1);
    }
    free(row);
    return H;
}
/* <<conditional entropy, column by column>> */
static double cond_entropy_cols(const gsl_matrix *pxy, const double *py)
{
    double H = 0.0, *col = malloc(pxy->size1 * sizeof *col);
    if (col == NULL)
        return NAN;
    for (size_t y = 0; y < pxy->size2; y++) {
        if (py[y] == 0.0)
            continue;
        for (size_t x = 0; x < pxy->size1; x++)
            col[x] = gsl_matrix_get(pxy, x, y) / py[y];
        H += py[y] * entropy(col, pxy->size1, 1);
    }
    free(col);
    return H;
}
/* <<mutual information, four ways>> */
typedef struct {
    double HX, HY, HXgY, HYgX;      /* H(X), H(Y), H(X|Y), H(Y|X) */
    double I_sum, I_hy, I_hx, I_kl; /* the sum, two entropy differences, KL */
} Info;
/* <<compute every measure of one joint distribution>> */
static int information(const gsl_matrix *pxy, Info *info, Error *err)
{
    const size_t nx = pxy->size1, ny = pxy->size2;
    double *px = alloc_array(nx, sizeof *px, err);
    double *py = alloc_array(ny, sizeof *py, err);
    double *prod = alloc_array(nx * ny, sizeof *prod, err);
    if (px == NULL || py == NULL || prod == NULL) {
        free(px);
        free(py);
        free(prod);
        return -1;
    }
    marginals(pxy, px, py);
    info->HX = entropy(px, nx, 1);
    info->HY = entropy(py, ny, 1);
    info->HYgX = cond_entropy_rows(pxy, px);
    info->HXgY = cond_entropy_cols(pxy, py);
    /* <<the sum of the definition, and the product distribution>> */
    info->I_sum = 0.0;
    for (size_t x = 0; x < nx; x++)
        for (size_t y = 0; y < ny; y++) {
            prod[x * ny + y] = px[x] * py[y];
            info->I_sum += xlog2x_over(gsl_matrix_get(pxy, x, y), px[x] * py[y]);
        }
    info->I_hy = info->HY - info->HYgX;
    info->I_hx = info->HX - info->HXgY;
    info->I_kl = kl_divergence(pxy->data, prod, nx * ny);    /* tda == ny */
    free(px);
    free(py);
    free(prod);
    return 0;
}
/* <<the bias of plug-in information from counts>> */
typedef struct {
    bool counts;                /* whole numbers, 1 < N < 2^53 */
    double N;
    size_t rows, cols, cells;   /* in use: r, c and m of the bias formula */
    double bias_full, bias_mm;  /* (r-1)(c-1)/(2N ln 2), (m-r-c+1)/(2N ln 2) */
} Count_bias;

static Count_bias count_bias(const gsl_matrix *n)
{
    Count_bias cb = {true, 0.0, 0, 0, 0, 0.0, 0.0};
    for (size_t x = 0; x < n->size1; x++) {
        bool used = false;
        for (size_t y = 0; y < n->size2; y++) {
            double v = gsl_matrix_get(n, x, y);
            cb.counts = cb.counts && v == floor(v);
            cb.N += v;
            cb.cells += v > 0.0;
            used = used || v > 0.0;
        }
        cb.rows += used;
    }
    for (size_t y = 0; y < n->size2; y++) {
        bool used = false;
        for (size_t x = 0; x < n->size1; x++)
            used = used || gsl_matrix_get(n, x, y) > 0.0;
        cb.cols += used;
    }
    cb.counts = cb.counts && cb.N > 1.0 && cb.N < 9007199254740992.0;
    if (cb.counts) {
        double scale = 2.0 * cb.N * M_LN2;
        cb.bias_full = ((double)cb.rows - 1.0) * ((double)cb.cols - 1.0) / scale;
        cb.bias_mm = ((double)cb.cells - (double)cb.rows - (double)cb.cols + 1.0) / scale;
    }
    return cb;
}
/* <<random Markov chains>> */
enum { MAX_OUTCOMES = 144 };

static void random_distribution(gsl_rng *rng, double *p, size_t n, double conc)
{
    double alpha[MAX_OUTCOMES];
    if (n > MAX_OUTCOMES)
        abort();                                    /* a programming error */
    for (size_t k = 0; k < n; k++)
        alpha[k] = conc;
    gsl_ran_dirichlet(rng, n, alpha, p);
}

/* <<draw one random chain and measure both informations>> */
typedef struct {
    size_t nx, ny, nz;
    bool permutation;               /* the second channel is a permutation */
    double Ixy, Ixz;
} Chain;

static int random_chain(gsl_rng *rng, bool permutation, Chain *c, Error *err)
{
    double px[12], pyx[12][12], pzy[12][12];
    double conc = pow(10.0, gsl_ran_flat(rng, -1.5, 1.0));
    c->nx = 2 + gsl_rng_uniform_int(rng, 11);
    c->ny = 2 + gsl_rng_uniform_int(rng, 11);
    c->nz = permutation ? c->ny : 2 + gsl_rng_uniform_int(rng, 11);
    c->permutation = permutation;
    random_distribution(rng, px, c->nx, 1.0);
    for (size_t x = 0; x < c->nx; x++)
        random_distribution(rng, pyx[x], c->ny, conc);
    /* <<choose the second channel, random or a permutation>> */
    if (permutation) {
        size_t perm[12];
        for (size_t k = 0; k < c->ny; k++)
            perm[k] = k;
        gsl_ran_shuffle(rng, perm, c->ny, sizeof perm[0]);
        for (size_t y = 0; y < c->ny; y++)
            for (size_t z = 0; z < c->nz; z++)
                pzy[y][z] = perm[y] == z;
    } else {
        for (size_t y = 0; y < c->ny; y++)
            random_distribution(rng, pzy[y], c->nz, conc);
    }
    gsl_matrix *pxy = gsl_matrix_calloc(c->nx, c->ny);
    gsl_matrix *pxz = gsl_matrix_calloc(c->nx, c->nz);
    Info a, b;
    int status = pxy && pxz ? 0 : fail(err, "out of memory");
    for (size_t x = 0; status == 0 && x < c->nx; x++)
        for (size_t y = 0; y < c->ny; y++) {
            gsl_matrix_set(pxy, x, y, px[x] * pyx[x][y]);
            for (size_t z = 0; z < c->nz; z++)    /* sum_y p(x) p(y|x) p(z|y) */
                *gsl_matrix_ptr(pxz, x, z) += px[x] * pyx[x][y] * pzy[y][z];
        }
    if (status == 0 && (status = information(pxy, &a, err)) == 0
        && (status = information(pxz, &b, err)) == 0) {
        c->Ixy = a.I_sum;
        c->Ixz = b.I_sum;
    }
    gsl_matrix_free(pxy);
    gsl_matrix_free(pxz);
    return status;
}
/* <<the two-bit example>> */
enum { MI_KEYS = 24, MI_GROUPS = 4, MI_CLASSES = 64 };

static gsl_matrix *two_bit_joint(Error *err)    /* rows: class x; columns: key y */
{
    gsl_matrix *p = gsl_matrix_calloc(MI_CLASSES, MI_KEYS);
    if (p == NULL) {
        fail(err, "out of memory");
        return NULL;
    }
    const int keys_per_group = MI_KEYS / MI_GROUPS;
    const int classes_per_group = MI_CLASSES / MI_GROUPS;
    for (int y = 0; y < MI_KEYS; y++) {
        int g = y / keys_per_group;
        for (int x = g * classes_per_group; x < (g + 1) * classes_per_group; x++)
            gsl_matrix_set(p, x, y, (1.0 / MI_KEYS) * (1.0 / classes_per_group));
    }
    return p;
}
/* <<the example of counts from independent variables>> */
typedef struct {
    size_t rows, cols;
    unsigned long seed;
    unsigned N, bigN;
    int tables;
    Count_bias cb;
    double I, mean, big_mean, big_full;
} Bias_example;
/* <<draw one table of independent counts>> */
static double independent_table(gsl_rng *rng, gsl_matrix *n, unsigned N,
                                Count_bias *cb, Error *err)
{
    unsigned k[MAX_OUTCOMES] = {0};
    double p[MAX_OUTCOMES] = {0};
    const size_t cells = n->size1 * n->size2;       /* tda == size2 */
    if (cells > MAX_OUTCOMES)
        abort();                                    /* a programming error */
    for (size_t c = 0; c < cells; c++)
        p[c] = 1.0 / (double)cells;                 /* uniform X times uniform Y */
    gsl_ran_multinomial(rng, cells, N, p, k);
    for (size_t c = 0; c < cells; c++)
        n->data[c] = k[c];
    Info in;
    *cb = count_bias(n);
    gsl_matrix_scale(n, 1.0 / N);
    return information(n, &in, err) == 0 ? in.I_sum : NAN;
}
/* <<draw the tables of the example of counts>> */
static int bias_example(Bias_example *e, Error *err)
{
    *e = (Bias_example){6, 24, 5, 200, 20000, 1000, {0}, 0, 0, 0, 0};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_matrix *n = gsl_matrix_alloc(e->rows, e->cols);
    int status = rng && n ? 0 : fail(err, "out of memory");
    Count_bias cb;
    if (status == 0) {
        gsl_rng_set(rng, e->seed);
        e->I = independent_table(rng, n, e->N, &e->cb, err);
        for (int t = 0; t < e->tables; t++) {
            e->mean += independent_table(rng, n, e->N, &cb, err) / e->tables;
            e->big_mean += independent_table(rng, n, e->bigN, &cb, err) / e->tables;
        }
        e->big_full = cb.bias_full;
        if (!isfinite(e->I + e->mean + e->big_mean))
            status = fail(err, "the example of counts failed");
    }
    gsl_matrix_free(n);
    gsl_rng_free(rng);
    return status;
}
/* <<read a matrix of numbers>> */
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

static gsl_matrix *read_matrix(const char *path, Error *err)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        fail(err, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    gsl_matrix *m = read_matrix_stream(fp, path, err);
    fclose(fp);
    return m;
}
/* <<parse a whole-number option>> */
static int parse_count(const char *arg, const char *option, long lo, long hi,
                       long *out, Error *err)
{
    char *end;
    errno = 0;
    long x = strtol(arg, &end, 10);
    if (end == arg || *end != '\0')
        return fail(err, "%s: '%s' is not a whole number", option, arg);
    if (errno == ERANGE || x < lo || x > hi)
        return fail(err, "%s: %s is out of range [%ld, %ld]", option, arg, lo, hi);
    *out = x;
    return 0;
}
/* <<report a bad option and fail>> */
static int bad_option(int c, char *const argv[], int optind_now, int optopt_now,
                      Error *err)
{
    const char *arg = argv[optind_now - 1];
    char name[64];
    if (strncmp(arg, "--", 2) == 0)
        snprintf(name, sizeof name, "%.*s", (int)strcspn(arg, "="), arg);
    else
        snprintf(name, sizeof name, "-%c", optopt_now);
    if (c == ':')
        return fail(err, "option '%s' needs a value (see --help)", name);
    if (optopt_now != 0 && strncmp(arg, "--", 2) == 0 && strchr(arg, '=') != NULL)
        return fail(err, "option '%s' takes no value (see --help)", name);
    return fail(err, "unknown option '%s' (see --help)", name);
}
/* <<tell whether two names denote one file>> */
static void canonical_name(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + 1 : 1,
             slash ? path : ".");
    char *real = realpath(dir, NULL);
    snprintf(out, size, "%s/%s", real ? real : dir, slash ? slash + 1 : path);
    free(real);
}

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (a == NULL || b == NULL || strcmp(a, "-") == 0 || strcmp(b, "-") == 0)
        return false;
    bool ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea && eb)
        return S_ISREG(sa.st_mode) && S_ISREG(sb.st_mode)
               && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (ea != eb)
        return false;
    char ca[8192], cb[8192];
    canonical_name(a, ca, sizeof ca);
    canonical_name(b, cb, sizeof cb);
    return strcmp(ca, cb) == 0;
}
/* <<refuse outputs that overwrite inputs or each other>> */
static int distinct_outputs(const char *const *ins, int nin,
                            const char *const *outs, int nout, Error *err)
{
    for (int a = 0; a < nout; a++) {
        for (int b = 0; b < nin; b++)
            if (same_file(ins[b], outs[a]))
                return fail(err, "output '%s' would overwrite an input", outs[a]);
        for (int b = a + 1; b < nout; b++)
            if (same_file(outs[a], outs[b]))
                return fail(err, "two outputs are the same file '%s'", outs[a]);
    }
    return 0;
}
/* <<write output files safely>> */
typedef struct {
    FILE *fp;               /* NULL when not open */
    const char *name;       /* as the user gave it, for messages */
    char *path;             /* destination, resolved; NULL unless via a temporary */
    char *tmp;              /* temporary file while open */
} Outfile;

static Outfile outfile_none(void)
{
    return (Outfile){NULL, NULL, NULL, NULL};
}

/* <<open an output file>> */
static int outfile_open(Outfile *o, const char *name, Error *err)
{
    *o = outfile_none();
    o->name = name;
    if (name[0] == '\0')               /* else the temporary is ".tmp-XXXXXX" */
        return fail(err, "an output file name is empty");
    struct stat st;
    bool exists = stat(name, &st) == 0;
    if (strcmp(name, "-") == 0) {
        o->fp = stdout;
        return 0;
    }
    if (exists && S_ISDIR(st.st_mode))
        return fail(err, "cannot write '%s': it is a directory", name);
    if (exists && !S_ISREG(st.st_mode)) {           /* a device or a pipe */
        if ((o->fp = fopen(name, "w")) == NULL)
            return fail(err, "cannot open '%s': %s", name, strerror(errno));
        return 0;
    }
    mode_t mask = umask(0);
    umask(mask);
    mode_t mode = exists ? st.st_mode & 07777 : 0666 & ~mask;
    o->path = exists ? realpath(name, NULL) : strdup(name);
    size_t len = o->path ? strlen(o->path) + sizeof ".tmp-XXXXXX" : 0;
    if (o->path == NULL || (o->tmp = alloc_array(len, 1, err)) == NULL) {
        free(o->path);
        *o = outfile_none();
        return fail(err, "cannot create '%s': out of memory", name);
    }
    snprintf(o->tmp, len, "%s.tmp-XXXXXX", o->path);
    int fd = mkstemp(o->tmp);
    if (fd < 0 || fchmod(fd, mode) != 0 || (o->fp = fdopen(fd, "w")) == NULL) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            remove(o->tmp);
        }
        free(o->tmp);
        free(o->path);
        *o = outfile_none();
        return fail(err, "cannot create '%s': %s", name, strerror(e));
    }
    return 0;
}
/* <<close every output file and move each into place>> */
static void outfiles_abort(Outfile *o, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (o[k].fp != NULL && o[k].fp != stdout)
            fclose(o[k].fp);
        if (o[k].tmp != NULL)
            remove(o[k].tmp);
        free(o[k].tmp);
        free(o[k].path);
        o[k] = outfile_none();
    }
}

static int outfiles_commit(Outfile *o, size_t n, Error *err)
{
    for (size_t k = 0; k < n; k++) {
        if (o[k].fp == NULL)
            continue;
        errno = 0;
        bool bad = ferror(o[k].fp) != 0;
        bad |= o[k].fp == stdout ? fflush(stdout) != 0 : fclose(o[k].fp) != 0;
        int e = errno;
        if (o[k].fp != stdout)
            o[k].fp = NULL;
        if (bad) {
            fail(err, "error writing %s%s%s: %s", o[k].fp == stdout ? "" : "'",
                 o[k].fp == stdout ? "standard output" : o[k].name,
                 o[k].fp == stdout ? "" : "'", e ? strerror(e) : "I/O error");
            outfiles_abort(o, n);
            return -1;
        }
    }
    for (size_t k = 0; k < n; k++) {
        if (o[k].tmp != NULL && rename(o[k].tmp, o[k].path) != 0) {
            fail(err, "cannot replace '%s': %s", o[k].name, strerror(errno));
            outfiles_abort(o + k, n - k);
            return -1;
        }
        free(o[k].tmp);
        free(o[k].path);
        o[k] = outfile_none();
    }
    return 0;
}
/* <<write numbers as LaTeX macros>> */
static void tex_number(char *buf, size_t size, double x, int digits)
{
    if (!isfinite(x)) {                 /* never expected, but never a crash */
        snprintf(buf, size, "%s", isnan(x) ? "\\mathrm{NaN}"
                                  : x > 0  ? "\\infty" : "-\\infty");
        return;
    }
    if (x == 0.0) {
        snprintf(buf, size, "0");
        return;
    }
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*e", digits - 1, x);
    char *e = strchr(tmp, 'e');
    int e10 = atoi(e + 1);              /* the exponent after rounding */
    if (fabs(x) >= 1e-3 && fabs(x) < 1e6 && e10 <= digits - 1) {
        snprintf(buf, size, "%.*f", digits - 1 - e10, x);
        return;
    }
    *e = '\0';
    snprintf(buf, size, "%s\\times10^{%d}", tmp, e10);
}

static void tex_macro(FILE *fp, const char *name, double x, int digits)
{
    char buf[96];
    tex_number(buf, sizeof buf, x, digits);
    fprintf(fp, "\\newcommand{\\%s}{\\ensuremath{%s}}\n", name, buf);
}

static void tex_macro_int(FILE *fp, const char *name, long n)
{
    fprintf(fp, "\\newcommand{\\%s}{%ld}\n", name, n);
}
/* <<write exact numbers as LaTeX macros>> */
/* The same, without trailing zeros: 2 rather than 2.00000, for exact values. */
static void tex_macro_trim(FILE *fp, const char *name, double x, int digits)
{
    char buf[96];
    tex_number(buf, sizeof buf, x, digits);
    if (strchr(buf, '.') != NULL && strchr(buf, '\\') == NULL) {
        size_t n = strlen(buf);
        while (buf[n - 1] == '0')
            buf[--n] = '\0';
        if (buf[n - 1] == '.')
            buf[n - 1] = '\0';
    }
    fprintf(fp, "\\newcommand{\\%s}{\\ensuremath{%s}}\n", name, buf);
}
/* <<check that standard output was written>> */
static int stdout_written(Error *err)
{
    if (fflush(stdout) != 0 || ferror(stdout))
        return fail(err, "error writing standard output");
    return 0;
}
/* <<finish a program run>> */
static int finish(const char *program, int status, Error *err, void (*usage)(FILE *))
{
    if (status == -2) {
        usage(stdout);
        status = 0;
    }
    if (status >= 0 && (fflush(stdout) != 0 || ferror(stdout)))
        status = fail(err, "error writing standard output");
    if (status < 0) {
        fprintf(stderr, "%s: %s\n", program, err->msg);
        return EXIT_FAILURE;
    }
    return status;
}
/* <<the command line of mutinfo>> */
typedef struct {
    const char *joint, *output, *macros, *values;
    long chains;
    unsigned long seed;
} Mutinfo_options;

/* <<print the usage of mutinfo>> */
static void mutinfo_usage(FILE *fp)
{
    fputs(
"Usage: mutinfo [OPTION]...\n"
"Entropies, conditional entropies and mutual information (bits) of a discrete\n"
"joint distribution; the data-processing inequality on random Markov chains.\n"
"With no options, print worked example 23.5A of the book (two bits) and\n"
"worked example 23.5B (counts drawn from independent variables).\n"
"\n"
"  -j, --joint FILE      a joint distribution: rows x, columns y, non-negative\n"
"                        weights or counts (normalised by the program).  A\n"
"                        table of whole numbers with total 1 < N < 2^53 is\n"
"                        read as counts and reported with the Miller-Madow\n"
"                        bias of its plug-in I(X;Y)\n"
"  -c, --chains N        draw N random chains X -> Y -> Z and write, one per\n"
"                        line: |X| |Y| |Z| permutation I(X;Y) I(X;Z)\n"
"  -s, --seed S          seed of the random chains (default 2024)\n"
"  -o, --output FILE     where --chains writes (default: standard output)\n"
"      --macros FILE     write the numbers of the run as LaTeX macros\n"
"      --values FILE     write 'key<TAB>value' lines for `make verify`\n"
"  -h, --help            show this help and exit\n", fp);
}
/* <<parse the options of mutinfo>> */
static int mutinfo_parse_options(int argc, char *argv[], Mutinfo_options *opt,
                                 Error *err)
{
    static const struct option longopts[] = {
        {"joint", required_argument, NULL, 'j'},
        {"chains", required_argument, NULL, 'c'},
        {"seed", required_argument, NULL, 's'},
        {"output", required_argument, NULL, 'o'},
        {"macros", required_argument, NULL, 'm'},
        {"values", required_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    *opt = (Mutinfo_options){NULL, "-", NULL, NULL, 0, 2024};
    long v = 0;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":j:c:s:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': opt->joint = optarg; break;
        case 'o': opt->output = optarg; break;
        case 'm': opt->macros = optarg; break;
        case 'V': opt->values = optarg; break;
        case 'h': return -2;
        case 'c':
            if (parse_count(optarg, "--chains", 1, 10000000, &opt->chains, err) != 0)
                return -1;
            break;
        case 's':
            if (parse_count(optarg, "--seed", 1, 4294967295L, &v, err) != 0)
                return -1;
            opt->seed = (unsigned long)v;
            break;
        default: return bad_option(c, argv, optind, optopt, err);
        }
    }
    /* <<check the combination of mutinfo's options>> */
    if (optind < argc)
        return fail(err, "unexpected argument '%s' (see --help)", argv[optind]);
    if (opt->joint && opt->chains)
        return fail(err, "--joint and --chains are separate modes");
    if (!opt->chains && strcmp(opt->output, "-") != 0)
        return fail(err, "--output goes with --chains");
    if ((opt->chains || opt->joint) && opt->values)
        return fail(err, "--values belongs to the worked example");
    if (!opt->chains && opt->seed != 2024)
        return fail(err, "--seed goes with --chains");
    const char *outs[3] = {opt->output, opt->macros, opt->values};
    return distinct_outputs(&opt->joint, 1, outs, 3, err);
}
/* <<report the measures of one joint distribution>> */
/* <<normalise a joint distribution read from a file>> */
static int normalise_joint(gsl_matrix *p, const char *path, Error *err)
{
    double big = 0.0, total = 0.0;
    for (size_t x = 0; x < p->size1; x++)
        for (size_t y = 0; y < p->size2; y++) {
            double v = gsl_matrix_get(p, x, y);
            if (v < 0.0)
                return fail(err, "%s: entry (%zu, %zu) is negative: %g",
                            path, x + 1, y + 1, v);
            big = fmax(big, v);
        }
    if (!(big > 0.0))
        return fail(err, "%s: every weight is zero; they must have a positive sum",
                    path);
    for (size_t k = 0; k < p->size1 * p->size2; k++)  /* divide: big may be tiny */
        total += p->data[k] /= big;
    gsl_matrix_scale(p, 1.0 / total);
    return 0;
}

static void print_info(FILE *fp, const Info *in, size_t nx, size_t ny)
{
    fprintf(fp, "|X| = %zu, |Y| = %zu (rows x, columns y)\n", nx, ny);
    fprintf(fp, "  H(X) = %.10g bits   H(X|Y) = %.10g bits\n", in->HX, in->HXgY);
    fprintf(fp, "  H(Y) = %.10g bits   H(Y|X) = %.10g bits\n", in->HY, in->HYgX);
    fprintf(fp, "  I(X;Y): sum %.12g, H(Y)-H(Y|X) %.12g,", in->I_sum, in->I_hy);
    fprintf(fp, " H(X)-H(X|Y) %.12g, KL %.12g\n", in->I_hx, in->I_kl);
}
/* <<report the measures of one joint distribution>> */
static void print_count_bias(FILE *fp, const Count_bias *cb, double I)
{
    if (!cb->counts) {
        fputs("  read as a distribution (not every entry is a whole number, or the "
              "total is 1 or less):\n  no bias estimate\n", fp);
        return;
    }
    fprintf(fp, "  read as counts (whole numbers, N = %.17g): the plug-in I(X;Y) is "
            "biased upward\n", cb->N);
    fprintf(fp, "  Miller-Madow bias (m-r-c+1)/(2N ln 2) = %.6g bits (m = %zu cells, "
            "r = %zu rows, c = %zu columns in use);\n  corrected I(X;Y) = %.6g bits;"
            " with every cell in use (r-1)(c-1)/(2N ln 2) = %.6g bits\n",
            cb->bias_mm, cb->cells, cb->rows, cb->cols, I - cb->bias_mm,
            cb->bias_full);
}
/* <<report the measures of one joint distribution>> */
/* <<print the example of counts>> */
static void print_bias_example(const Bias_example *e)
{
    printf("Worked example 23.5B: %u pairs, X uniform on %zu values, Y uniform on %zu, "
           "independent (seed %lu)\n", e->N, e->rows, e->cols, e->seed);
    printf("  plug-in I(X;Y) = %.6g bits (the truth is 0)\n", e->I);
    print_count_bias(stdout, &e->cb, e->I);
    printf("  mean plug-in I over %d such tables: %.6g bits; with N = %u: %.6g bits "
           "(predicted %.6g)\n", e->tables, e->mean, e->bigN, e->big_mean,
           e->big_full);
}
/* <<write the macros and values of the two-bit example>> */
static int write_two_bit_files(const Mutinfo_options *opt, const Info *in,
                               const Bias_example *e, Error *err)
{
    Outfile out[2] = {outfile_none(), outfile_none()};
    size_t n = 0;
    if (opt->macros != NULL) {
        if (outfile_open(&out[n], opt->macros, err) != 0)
            return -1;
        FILE *fp = out[n++].fp;
        fputs("% Generated by `mutinfo --macros`; do not edit.\n", fp);
        const char *names[8] = {"MiHX", "MiHXgY", "MiHY", "MiHYgX",
                                "MiIsum", "MiIhy", "MiIhx", "MiIkl"};
        const double v[8] = {in->HX, in->HXgY, in->HY, in->HYgX,
                             in->I_sum, in->I_hy, in->I_hx, in->I_kl};
        for (int k = 0; k < 8; k++)
            tex_macro_trim(fp, names[k], v[k], 6);
        if (e != NULL) {
            /* <<write the macros of the example of counts>> */
            tex_macro_int(fp, "MiBiasN", e->N);
            tex_macro_int(fp, "MiBiasRows", (long)e->rows);
            tex_macro_int(fp, "MiBiasCols", (long)e->cols);
            tex_macro_int(fp, "MiBiasSeed", (long)e->seed);
            tex_macro(fp, "MiBiasI", e->I, 3);
            tex_macro(fp, "MiBiasFull", e->cb.bias_full, 3);
            tex_macro_int(fp, "MiBiasCells", (long)e->cb.cells);
            tex_macro(fp, "MiBiasMM", e->cb.bias_mm, 3);
            tex_macro(fp, "MiBiasCorrected", e->I - e->cb.bias_mm, 3);
            tex_macro_int(fp, "MiBiasTables", e->tables);
            tex_macro(fp, "MiBiasMean", e->mean, 3);
            tex_macro_int(fp, "MiBiasBigN", e->bigN);
            tex_macro(fp, "MiBiasBigMean", e->big_mean, 3);
            tex_macro(fp, "MiBiasBigFull", e->big_full, 3);
        }
    }
    if (opt->values != NULL) {
        if (outfile_open(&out[n], opt->values, err) != 0) {
            outfiles_abort(out, 2);
            return -1;
        }
        /* <<write the values of the two-bit example>> */
        FILE *fv = out[n].fp;
        fprintf(fv, "23.5A.HX\t%.17g\n23.5A.HXgY\t%.17g\n", in->HX, in->HXgY);
        fprintf(fv, "23.5A.HY\t%.17g\n23.5A.HYgX\t%.17g\n", in->HY, in->HYgX);
        fprintf(fv, "23.5A.I\t%.17g\n23.5A.Ihy\t%.17g\n", in->I_sum, in->I_hy);
        fprintf(fv, "23.5A.Ihx\t%.17g\n23.5A.Ikl\t%.17g\n", in->I_hx, in->I_kl);
        if (e != NULL)
            fprintf(fv, "23.5B.full\t%.17g\n", e->cb.bias_full);
        n++;
    }
    return outfiles_commit(out, n, err);
}

static int run_joint(const Mutinfo_options *opt, Error *err)
{
    gsl_matrix *p = opt->joint ? read_matrix(opt->joint, err) : two_bit_joint(err);
    Info in;
    Count_bias cb = {false, 0, 0, 0, 0, 0, 0};
    Bias_example e;
    int status = -1;
    if (p != NULL && opt->joint != NULL)
        cb = count_bias(p);                         /* before normalising */
    if (p != NULL && (opt->joint == NULL || normalise_joint(p, opt->joint, err) == 0)
        && information(p, &in, err) == 0
        && (opt->joint != NULL || bias_example(&e, err) == 0)) {
        if (opt->joint == NULL)
            puts("Worked example 23.5A: 24 keys in 4 groups of 6; "
                 "64 spectral classes, 16 per group");
        print_info(stdout, &in, p->size1, p->size2);
        if (opt->joint != NULL)
            print_count_bias(stdout, &cb, in.I_sum);
        else
            print_bias_example(&e);
        if (stdout_written(err) == 0)
            status = write_two_bit_files(opt, &in, opt->joint ? NULL : &e, err);
    }
    gsl_matrix_free(p);
    return status;
}
/* <<run the random chains>> */
static int run_chains(const Mutinfo_options *opt, Error *err)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng == NULL)
        return fail(err, "cannot allocate a random number generator");
    gsl_rng_set(rng, opt->seed);
    Outfile out[2] = {outfile_none(), outfile_none()};
    int status = outfile_open(&out[0], opt->output, err);
    double max_excess = -INFINITY, loss = 0.0, perm_diff = 0.0;
    long random_chains = 0;
    if (status == 0)
        fputs("# |X|\t|Y|\t|Z|\tpermutation\tI(X;Y)\tI(X;Z)\n", out[0].fp);
    for (long k = 0; status == 0 && k < opt->chains; k++) {
        Chain c;
        if ((status = random_chain(rng, k % 10 == 0, &c, err)) != 0)
            break;
        fprintf(out[0].fp, "%zu\t%zu\t%zu\t%d\t%.10g\t%.10g\n", c.nx, c.ny, c.nz,
                c.permutation, c.Ixy, c.Ixz);
        max_excess = fmax(max_excess, c.Ixz - c.Ixy);
        if (c.permutation)
            perm_diff = fmax(perm_diff, fabs(c.Ixz - c.Ixy));
        if (!c.permutation) {
            loss += c.Ixy - c.Ixz;
            random_chains++;
        }
    }
    if (status == 0 && opt->macros != NULL
        && (status = outfile_open(&out[1], opt->macros, err)) == 0) {
        /* <<write the macros of the random chains>> */
        FILE *fp = out[1].fp;
        fputs("% Generated by `mutinfo --chains --macros`; do not edit.\n", fp);
        tex_macro_int(fp, "DpiN", opt->chains);
        tex_macro(fp, "DpiMaxExcess", max_excess, 2);
        tex_macro(fp, "DpiMeanLoss", random_chains ? loss / random_chains : 0.0, 3);
        tex_macro(fp, "DpiPermDiff", perm_diff, 2);
        tex_macro_int(fp, "DpiSeed", (long)opt->seed);
    }
    gsl_rng_free(rng);
    if (status != 0) {
        outfiles_abort(out, 2);
        return -1;
    }
    return outfiles_commit(out, opt->macros ? 2 : 1, err);
}

int main(int argc, char *argv[])
{
    gsl_set_error_handler_off();
    Mutinfo_options opt;
    Error err = {""};
    int status = mutinfo_parse_options(argc, argv, &opt, &err);
    if (status == 0)
        status = opt.chains > 0 ? run_chains(&opt, &err) : run_joint(&opt, &err);
    return finish("mutinfo", status, &err, mutinfo_usage);
}

/* perplexity.c -- the Gaussian affinities of t-SNE, calibrated to a perplexity.
 *
 * Tangled from chapters/23-1a-affinities.nw, chapters/p1-perplexity.nw and
 * chapters/support.nw of the book "Can AI Understand Music?"; edit those
 * files, not this one, then `make tangle`.
 * Build alone:
 *   cc -std=c11 -O2 perplexity.c $(pkg-config --cflags --libs gsl) -o perplexity
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
/* <<interface of the affinities>> */
typedef struct {
    double perplexity;      /* target Perp(P_i); 1 < perplexity < N - 1 */
    double tol;             /* tolerance on H(P_i), in bits */
    int max_iter;           /* entropy evaluations allowed per row */
} Calibration;

typedef struct {
    double beta;            /* precision 1/(2 sigma_i^2) where the search stopped */
    double entropy;         /* H(P_i) there, in bits */
    int iterations;         /* entropy evaluations used */
    bool converged;         /* |H(P_i) - log2 perplexity| < tol */
    size_t ties;            /* r: neighbours tied at the minimum distance */
} Row_fit;

/* <<the trace of a search>> */
enum { TRACE_MAX = 256 };
typedef struct {
    double beta[TRACE_MAX], entropy[TRACE_MAX];
    int n;
} Trace;

/* <<declare the functions of the affinities>> */
static double row_entropy(const double *d2, size_t n, double beta, double *p);
static Row_fit row_calibrate(const double *d2, size_t n, const Calibration *cal,
                             double *p, Trace *trace);
static int check_calibration(const Calibration *cal, size_t N, Error *err);
static int squared_distances(const gsl_matrix *x, gsl_matrix *d2, Error *err);
static int conditional_affinities(gsl_matrix *m, const Calibration *cal,
                                  Row_fit *fits, Error *err);
static void symmetrise(gsl_matrix *m);
static int symmetric_affinities(const gsl_matrix *x, const Calibration *cal,
                                gsl_matrix *P, Row_fit *fits, Error *err);
/* <<implementation of the affinities>> */
/* <<compute the probabilities of one row and their entropy>> */
static double row_entropy(const double *d2, size_t n, double beta, double *p)
{
    double m = d2[0];
    for (size_t j = 1; j < n; j++)
        if (d2[j] < m)
            m = d2[j];
    double Z = 0.0;                                 /* >= 1: the nearest term is 1 */
    for (size_t j = 0; j < n; j++) {
        p[j] = exp(-beta * (d2[j] - m));
        Z += p[j];
    }
    /* <<normalise the row and return its entropy by the shifted formula>> */
    double mean_shift = 0.0;                        /* sum_j p_j|i (d_ij^2 - m_i) */
    for (size_t j = 0; j < n; j++) {
        p[j] /= Z;
        mean_shift += p[j] * (d2[j] - m);
    }
    return (log(Z) + beta * mean_shift) / M_LN2;
}
/* <<record the iterates of a search>> */
static void trace_record(Trace *trace, double beta, double entropy)
{
    if (trace != NULL && trace->n < TRACE_MAX) {
        trace->beta[trace->n] = beta;
        trace->entropy[trace->n] = entropy;
        trace->n++;
    }
}
/* <<count the nearest neighbours tied at the minimum distance>> */
static size_t nearest_ties(const double *d2, size_t n)
{
    double m = d2[0];
    for (size_t j = 1; j < n; j++)
        m = d2[j] < m ? d2[j] : m;
    size_t r = 0;
    for (size_t j = 0; j < n; j++)
        r += d2[j] - m <= 4.0 * DBL_EPSILON * m;
    return r;
}
/* <<choose the first trial precision from the row's scale>> */
static double first_trial(const double *d2, size_t n)
{
    double m = d2[0], mean = 0.0;
    for (size_t j = 1; j < n; j++)
        m = d2[j] < m ? d2[j] : m;
    for (size_t j = 0; j < n; j++)
        mean += (d2[j] - m) / (double)n;
    double beta = 1.0 / mean;
    return isfinite(beta) && beta > 0.0 ? beta : 1.0;
}
/* <<find the precision of one row by bisection>> */
static Row_fit row_calibrate(const double *d2, size_t n, const Calibration *cal,
                             double *p, Trace *trace)
{
    const double target = log2(cal->perplexity);
    Row_fit fit = {first_trial(d2, n), 0.0, 0, false, nearest_ties(d2, n)};
    double lo = 0.0, hi = INFINITY;                 /* H(lo) > target > H(hi) */
    while (fit.iterations < cal->max_iter) {
        fit.entropy = row_entropy(d2, n, fit.beta, p);
        fit.iterations++;
        trace_record(trace, fit.beta, fit.entropy);
        if (fabs(fit.entropy - target) < cal->tol) {
            fit.converged = true;
            break;
        }
        /* <<move one end of the bracket to [[beta]] and choose the next trial>> */
        if (fit.entropy > target)
            lo = fit.beta;
        else
            hi = fit.beta;
        double next = isinf(hi) ? 2.0 * fit.beta : 0.5 * (lo + hi);
        if (next == fit.beta || next == lo || next == hi || isinf(next))
            break;
        fit.beta = next;
    }
    return fit;
}
/* <<refuse a calibration that cannot succeed>> */
static int check_calibration(const Calibration *cal, size_t N, Error *err)
{
    if (N < 3)
        return fail(err, "at least 3 points are needed, got %zu "
                    "(the perplexity must lie strictly between 1 and N - 1)", N);
    if (!(cal->perplexity > 1.0))
        return fail(err, "perplexity %g is too small: it must be greater than 1",
                    cal->perplexity);
    if (!(cal->perplexity < (double)(N - 1)))
        return fail(err, "perplexity %g is too large for %zu points: "
                    "it must be below N - 1 = %zu", cal->perplexity, N, N - 1);
    if (!(cal->tol > 0.0 && cal->tol < 1.0))
        return fail(err, "the entropy tolerance must lie between 0 and 1 bit, "
                    "got %g", cal->tol);
    if (cal->max_iter < 1)
        return fail(err, "the bisection needs at least one step, got %d",
                    cal->max_iter);
    return 0;
}
/* <<compute the squared distances between all points>> */
static int squared_distances(const gsl_matrix *x, gsl_matrix *d2, Error *err)
{
    const size_t N = x->size1, D = x->size2;
    for (size_t i = 0; i < N; i++) {
        gsl_matrix_set(d2, i, i, 0.0);
        const double *xi = gsl_matrix_const_ptr(x, i, 0);
        for (size_t j = i + 1; j < N; j++) {
            /* <<set the squared distance of points [[i]] and [[j]], or refuse it>> */
            const double *xj = gsl_matrix_const_ptr(x, j, 0);
            double s = 0.0;
            for (size_t k = 0; k < D; k++)
                s += (xi[k] - xj[k]) * (xi[k] - xj[k]);
            if (!isfinite(s))
                return fail(err, "the squared distance between points %zu and %zu "
                            "overflows; rescale the data", i + 1, j + 1);
            gsl_matrix_set(d2, i, j, s);
            gsl_matrix_set(d2, j, i, s);
        }
    }
    return 0;
}
/* <<calibrate every row in place>> */
static int conditional_affinities(gsl_matrix *m, const Calibration *cal,
                                  Row_fit *fits, Error *err)
{
    const size_t N = m->size1, n = N - 1;
    if (check_calibration(cal, N, err) != 0)
        return -1;
    double *d2 = alloc_array(n, sizeof *d2, err);
    double *p = alloc_array(n, sizeof *p, err);
    if (d2 == NULL || p == NULL) {
        free(d2);
        free(p);
        return -1;
    }
    for (size_t i = 0; i < N; i++) {
        /* <<calibrate row [[i]] without its diagonal>> */
        double *row = gsl_matrix_ptr(m, i, 0);
        for (size_t j = 0, k = 0; j < N; j++)
            if (j != i)
                d2[k++] = row[j];
        fits[i] = row_calibrate(d2, n, cal, p, NULL);
        for (size_t j = 0, k = 0; j < N; j++)
            row[j] = j == i ? 0.0 : p[k++];
    }
    free(d2);
    free(p);
    return 0;
}
/* <<symmetrise the conditional affinities in place>> */
static void symmetrise(gsl_matrix *m)
{
    const size_t N = m->size1;
    for (size_t i = 0; i < N; i++) {
        for (size_t j = i + 1; j < N; j++) {
            double p_j_i = gsl_matrix_get(m, i, j), p_i_j = gsl_matrix_get(m, j, i);
            double p_ij = (p_j_i + p_i_j) / (2.0 * N);
            gsl_matrix_set(m, i, j, p_ij);
            gsl_matrix_set(m, j, i, p_ij);
        }
        gsl_matrix_set(m, i, i, 0.0);
    }
}
/* <<compute the symmetric affinities of a set of points>> */
static int symmetric_affinities(const gsl_matrix *x, const Calibration *cal,
                                gsl_matrix *P, Row_fit *fits, Error *err)
{
    if (squared_distances(x, P, err) != 0
        || conditional_affinities(P, cal, fits, err) != 0)
        return -1;
    symmetrise(P);
    return 0;
}
/* <<tell whether a row missed its target>> */
static bool row_missed(const Row_fit *fit, const Calibration *cal)
{
    return !fit->converged || cal->perplexity <= (double)fit->ties;
}
/* <<the rows of the worked examples>> */
enum { UNDERFLOW_N = 90 };
static const unsigned long UNDERFLOW_SEED = 42;
static const Calibration UNDERFLOW_CAL = {30.0, 1e-5, 200};  /* target, tol, steps */

static int underflow_row(double d2[UNDERFLOW_N], Error *err)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng == NULL)
        return fail(err, "cannot allocate a random number generator");
    gsl_rng_set(rng, UNDERFLOW_SEED);
    for (int j = 0; j < UNDERFLOW_N; j++)
        d2[j] = 100.0 + gsl_ran_gaussian(rng, 1.0);
    gsl_rng_free(rng);
    return 0;
}
/* <<the rows of the worked examples>> */
static const double LIMIT_D2[5] = {1.0, 1.0, 25.0, 26.0, 26.0};
static const Calibration LIMIT_CAL = {2.0, 1e-5, 200};
/* <<the search as single precision without the shift would do it>> */
static int naive_float_calibrate(const double *d2_in, size_t n, float perplexity,
                                 double *p, double *row_sum)
{
    const float target = logf(perplexity);          /* nats, as in scikit-learn */
    float beta = 1.0f, lo = -INFINITY, hi = INFINITY;
    int steps;
    for (steps = 1; steps <= 100; steps++) {
        float sum = 0.0f, mean = 0.0f;
        for (size_t j = 0; j < n; j++)
            sum += (float)(p[j] = exp(-(float)d2_in[j] * beta));
        if (sum == 0.0f)
            sum = 1e-8f;
        for (size_t j = 0; j < n; j++)
            mean += (float)d2_in[j] * (float)(p[j] /= sum);
        float H = logf(sum) + beta * mean;
        if (fabsf(H - target) <= 1e-5f)
            break;
        /* <<update the bracket as the single-precision search does>> */
        if (H > target) {
            lo = beta;
            beta = isinf(hi) ? 2.0f * beta : 0.5f * (beta + hi);
        } else {
            hi = beta;
            beta = isinf(lo) ? 0.5f * beta : 0.5f * (beta + lo);
        }
    }
    *row_sum = 0.0;
    for (size_t j = 0; j < n; j++)
        *row_sum += p[j];
    return steps > 100 ? 100 : steps;
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
/* <<parse numeric options>> */
/* <<parse a real-number option>> */
static int parse_double(const char *arg, const char *option, double *out, Error *err)
{
    char *end;
    errno = 0;
    double x = strtod(arg, &end);
    int kind = number_kind(x, errno);
    if (end == arg || *end != '\0')
        return fail(err, "%s: '%s' is not a number", option, arg);
    if (kind != NUMBER_OK)
        return fail(err, "%s: value '%s' %s", option, arg, number_problem[kind]);
    *out = x;
    return 0;
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
/* <<check that every output can be written>> */
static int check_output_name(const char *option, const char *name, Error *err)
{
    char who[64] = "";
    if (option != NULL)
        snprintf(who, sizeof who, "%s: ", option);
    struct stat st;
    if (name == NULL || strcmp(name, "-") == 0)
        return 0;
    if (name[0] == '\0')
        return fail(err, "%sthe output file name is empty", who);
    const bool exists = stat(name, &st) == 0;
    if (exists && S_ISDIR(st.st_mode))
        return fail(err, "%scannot write '%s': it is a directory", who, name);
    if (exists && !S_ISREG(st.st_mode))
        return access(name, W_OK) == 0 ? 0
               : fail(err, "%scannot write '%s': %s", who, name, strerror(errno));
    if (name[strlen(name) - 1] == '/')
        return fail(err, "%scannot write '%s': it names a directory", who, name);
    /* <<check the directory that will hold the output>> */
    char *path = exists ? realpath(name, NULL) : strdup(name);
    if (path == NULL)
        return fail(err, "%scannot resolve '%s': %s", who, name, strerror(errno));
    char *slash = strrchr(path, '/');
    const char *dir = slash == NULL ? "." : slash == path ? "/" : path;
    if (slash != NULL && slash != path)
        *slash = '\0';
    int status = 0;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        status = fail(err, "%scannot write '%s': the directory '%s' does not exist",
                      who, name, dir);
    else if (access(dir, W_OK | X_OK) != 0)
        status = fail(err, "%scannot write '%s' in '%s': %s", who, name, dir,
                      strerror(errno));
    free(path);
    return status;
}

/* The names of n outputs, with the options that gave them (or NULL). */
static int check_output_names(const char *const *options, const char *const *names,
                              int n, Error *err)
{
    for (int k = 0; k < n; k++)
        if (check_output_name(options ? options[k] : NULL, names[k], err) != 0)
            return -1;
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
/* <<the command line of perplexity>> */
typedef struct {
    const char *input, *output, *rows, *macros, *curve, *values;
    bool conditional, calibration_given;
    Calibration cal;
} Perplexity_options;

/* <<print the usage of perplexity>> */
static void perplexity_usage(FILE *fp)
{
    fputs(
"Usage: perplexity [OPTION]...\n"
"Compute the Gaussian affinities of t-SNE, each row calibrated to a target\n"
"perplexity by bisection on its precision beta_i = 1/(2 sigma_i^2).\n"
"With no --input, print the worked examples of section 23.1 of the book.\n"
"\n"
"  -i, --input FILE      points, one per row; numbers separated by spaces, tabs\n"
"                        or commas; '#' starts a comment; blank lines ignored\n"
"  -p, --perplexity P    target perplexity, 1 < P < N - 1 (default 30)\n"
"  -o, --output FILE     write the N x N symmetric affinities p_ij as TSV\n"
"                        (default, or FILE '-': standard output)\n"
"      --conditional     write the conditional p_{j|i} (row i) instead of p_ij\n"
"      --rows FILE       write one line per point: i, sigma_i, beta_i, entropy\n"
"                        (bits), perplexity, bisection steps, converged (1/0),\n"
"                        r (nearest neighbours tied at one distance), and\n"
"                        reached (1/0: converged and perplexity > r)\n"
"      --tol T           tolerance on each row's entropy, 0 < T < 1 bits\n"
"                        (default 1e-5)\n"
"      --max-iter K      entropy evaluations allowed per row (default 200)\n"
"\n"
"For the worked examples (the book's build uses these):\n"
"      --macros FILE     write the section's numbers as LaTeX macros\n"
"      --curve FILE      write the data of the perplexity-against-sigma figure\n"
"      --values FILE     write 'key<TAB>value' lines for `make verify`\n"
"\n"
"  -h, --help            show this help and exit\n"
"\n"
"Exit status: 0 on success, 1 on bad input or failure, 2 if some rows missed\n"
"the target perplexity, by the tolerance or because P <= r (a warning counts\n"
"them; --rows shows which).\n"
"Output files appear only when the run succeeds.\n", fp);
}
/* <<parse the options of perplexity>> */
static int perplexity_parse_options(int argc, char *argv[], Perplexity_options *opt, Error *err)
{
    static const struct option longopts[] = {
        /* <<the long options of perplexity>> */
        {"input", required_argument, NULL, 'i'},
        {"perplexity", required_argument, NULL, 'p'},
        {"output", required_argument, NULL, 'o'},
        {"conditional", no_argument, NULL, 'c'},
        {"rows", required_argument, NULL, 'r'},
        {"tol", required_argument, NULL, 't'},
        {"max-iter", required_argument, NULL, 'k'},
        {"macros", required_argument, NULL, 'm'},
        {"curve", required_argument, NULL, 'v'},
        {"values", required_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    *opt = (Perplexity_options){NULL, "-", NULL, NULL, NULL, NULL, false, false,
                                {30.0, 1e-5, 200}};
    long k = 0;
    int c;
    bool output_given = false;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":i:p:o:h", longopts, NULL)) != -1) {
        switch (c) {
        /* <<store the value of one option of perplexity>> */
        case 'i': opt->input = optarg; break;
        case 'o': opt->output = optarg; output_given = true; break;
        case 'r': opt->rows = optarg; break;
        case 'c': opt->conditional = true; break;
        case 'm': opt->macros = optarg; break;
        case 'v': opt->curve = optarg; break;
        case 'V': opt->values = optarg; break;
        case 'h': return -2;
        case 'p':
            opt->calibration_given = true;
            if (parse_double(optarg, "--perplexity", &opt->cal.perplexity, err) != 0)
                return -1;
            break;
        case 't':
            opt->calibration_given = true;
            if (parse_double(optarg, "--tol", &opt->cal.tol, err) != 0)
                return -1;
            break;
        case 'k':
            opt->calibration_given = true;
            if (parse_count(optarg, "--max-iter", 1, 100000, &k, err) != 0)
                return -1;
            opt->cal.max_iter = (int)k;
            break;
        default:  return bad_option(c, argv, optind, optopt, err);
        }
    }
    /* <<check the combination of options>> */
    if (optind < argc)
        return fail(err, "unexpected argument '%s' (see --help)", argv[optind]);
    if (opt->input == NULL && (output_given || opt->rows || opt->conditional
                               || opt->calibration_given))
        return fail(err, "--output, --rows, --conditional, --perplexity, --tol and "
                    "--max-iter need --input FILE");
    if (opt->input != NULL && (opt->macros || opt->curve || opt->values))
        return fail(err, "--macros, --curve and --values belong to the worked examples, "
                    "not to --input");
    if (!(opt->cal.tol > 0.0 && opt->cal.tol < 1.0))
        return fail(err, "--tol must lie between 0 and 1 bit, got %g", opt->cal.tol);
    /* <<check the output names of perplexity>> */
    const char *outs[5] = {opt->output, opt->rows, opt->macros, opt->curve, opt->values};
    if (distinct_outputs(&opt->input, 1, outs, 5, err) != 0
        || check_output_names(NULL, outs, 5, err) != 0)
        return -1;
    return 0;
}
/* <<run perplexity on the reader's points>> */
/* <<write a matrix as TSV>> */
static void write_matrix(FILE *fp, const gsl_matrix *m)
{
    for (size_t i = 0; i < m->size1; i++)
        for (size_t j = 0; j < m->size2; j++)
            fprintf(fp, "%.10g%c", gsl_matrix_get(m, i, j),
                    j + 1 < m->size2 ? '\t' : '\n');
}
/* <<write the per-row results>> */
static void write_row_fits(FILE *fp, const Row_fit *fits, size_t N,
                           const Calibration *cal)
{
    fputs("# i\tsigma\tbeta\tentropy_bits\tperplexity\tsteps\tconverged"
          "\tties\treached\n", fp);
    for (size_t i = 0; i < N; i++)
        fprintf(fp, "%zu\t%.10g\t%.10g\t%.10g\t%.10g\t%d\t%d\t%zu\t%d\n", i,
                1.0 / sqrt(2.0 * fits[i].beta), fits[i].beta, fits[i].entropy,
                pow(2.0, fits[i].entropy), fits[i].iterations, fits[i].converged,
                fits[i].ties, !row_missed(&fits[i], cal));
}

static int perplexity_run_on_input(const Perplexity_options *opt, Error *err)
{
    gsl_matrix *x = read_matrix(opt->input, err), *P = NULL;
    Row_fit *fits = NULL;
    Outfile out[2] = {outfile_none(), outfile_none()};
    int status = -1;
    if (x == NULL || check_calibration(&opt->cal, x->size1, err) != 0)
        goto done;
    const size_t N = x->size1;
    P = alloc_matrix(N, N, err);
    fits = P != NULL ? alloc_array(N, sizeof *fits, err) : NULL;
    if (fits == NULL)
        goto done;
    if (opt->conditional) {
        if (squared_distances(x, P, err) != 0
            || conditional_affinities(P, &opt->cal, fits, err) != 0)
            goto done;
    } else if (symmetric_affinities(x, &opt->cal, P, fits, err) != 0)
        goto done;
    /* <<write the outputs of perplexity, or remove them all>> */
    const size_t nout = opt->rows != NULL ? 2 : 1;
    if (outfile_open(&out[0], opt->output, err) != 0
        || (nout == 2 && outfile_open(&out[1], opt->rows, err) != 0)) {
        outfiles_abort(out, 2);
        goto done;
    }
    write_matrix(out[0].fp, P);
    if (nout == 2)
        write_row_fits(out[1].fp, fits, N, &opt->cal);
    if (outfiles_commit(out, nout, err) != 0)
        goto done;
    size_t missed = 0, tied = 0;
    for (size_t i = 0; i < N; i++) {
        missed += row_missed(&fits[i], &opt->cal);
        tied += opt->cal.perplexity <= (double)fits[i].ties;
    }
    if (missed > 0)
        fprintf(stderr, "perplexity: warning: %zu of %zu rows missed the target "
                "(tolerance %g bits, %d steps); in %zu of them at least %.0f nearest "
                "neighbours (as many as the perplexity) are tied at one distance, so "
                "no finite bandwidth reaches it (--rows shows which)\n", missed, N,
                opt->cal.tol, opt->cal.max_iter, tied, ceil(opt->cal.perplexity));
    status = missed > 0 ? 2 : 0;
done:
    gsl_matrix_free(x);
    gsl_matrix_free(P);
    free(fits);
    return status;
}
/* <<print and record the worked examples>> */
typedef struct {
    double p[3], H;                                 /* worked example 23.1A */
    double d2[UNDERFLOW_N], p_row[UNDERFLOW_N];     /* the underflow row */
    Row_fit fit;
    Trace trace;
    double float_p[UNDERFLOW_N], float_sum;         /* the single-precision search */
    int float_steps;
    Row_fit limit;                                  /* the toy row at perplexity 2 */
} Perplexity_examples;

/* <<compute the worked examples>> */
/* <<compute worked example 23.1A, the underflow row and the limit case>> */
static int perplexity_compute_examples(Perplexity_examples *ex, Error *err)
{
    const double d2_A[3] = {1.0, 4.0, 9.0};     /* 23.1A: distances 1, 2, 3 */
    const double sigma_A = 1.0;
    ex->H = row_entropy(d2_A, 3, 1.0 / (2.0 * sigma_A * sigma_A), ex->p);

    if (underflow_row(ex->d2, err) != 0)
        return -1;
    ex->trace.n = 0;
    ex->fit = row_calibrate(ex->d2, UNDERFLOW_N, &UNDERFLOW_CAL, ex->p_row,
                            &ex->trace);
    ex->float_steps = naive_float_calibrate(ex->d2, UNDERFLOW_N,
                                            (float)UNDERFLOW_CAL.perplexity,
                                            ex->float_p, &ex->float_sum);
    double p[5];
    ex->limit = row_calibrate(LIMIT_D2, 5, &LIMIT_CAL, p, NULL);
    return 0;
}
/* <<the smallest squared distance of a row>> */
static double row_minimum(const double *d2, size_t n)
{
    double m = d2[0];
    for (size_t j = 1; j < n; j++)
        m = d2[j] < m ? d2[j] : m;
    return m;
}
/* <<print the worked examples>> */
static void perplexity_print_examples(FILE *fp, const Perplexity_examples *ex)
{
    fputs("Worked example 23.1A (inputs chosen by the book): sigma_1 = 1,\n"
          "distances from x_1 of 1, 2 and 3\n", fp);
    for (int j = 0; j < 3; j++)
        fprintf(fp, "  p(%d|1)     = %.6f\n", j + 2, ex->p[j]);
    fprintf(fp, "  H(P_1)     = %.6f bits\n", ex->H);
    fprintf(fp, "  Perp(P_1)  = %.6f\n", pow(2.0, ex->H));
    fprintf(fp, "\nUnderflow row: %d squared distances 100 + N(0,1), seed %lu,\n"
            "target perplexity %g\n", UNDERFLOW_N, UNDERFLOW_SEED,
            UNDERFLOW_CAL.perplexity);
    fprintf(fp, "  double, shifted:       %3d steps, perplexity %.6f, beta %.6f\n",
            ex->fit.iterations, pow(2.0, ex->fit.entropy), ex->fit.beta);
    fprintf(fp, "  scikit-learn's types:  %3d steps, probabilities sum to %.3g\n",
            ex->float_steps, ex->float_sum);
    fprintf(fp, "\nLimit case: squared distances 1 1 25 26 26 (r = %zu), perplexity %g\n"
            "  stopped after %d steps at beta %.6f, %.2g bits above the target;\n"
            "  counted as %s\n", ex->limit.ties, LIMIT_CAL.perplexity,
            ex->limit.iterations, ex->limit.beta, ex->limit.entropy - 1.0,
            row_missed(&ex->limit, &LIMIT_CAL) ? "missed" : "reached");
}
/* <<write the worked examples as macros, values and curve>> */
/* <<write the macros of the worked examples>> */
static void perplexity_write_macros(FILE *fp, const Perplexity_examples *ex)
{
    fputs("% Generated by `perplexity --macros`; do not edit.\n", fp);
    tex_macro(fp, "ExApTwo", ex->p[0], 5);
    tex_macro(fp, "ExApThree", ex->p[1], 5);
    tex_macro(fp, "ExApFour", ex->p[2], 4);
    tex_macro(fp, "ExAH", ex->H, 5);
    tex_macro(fp, "ExAPerp", pow(2.0, ex->H), 5);
    tex_macro_int(fp, "UfSteps", ex->fit.iterations);
    tex_macro(fp, "UfBeta", ex->fit.beta, 4);
    tex_macro(fp, "UfSigma", 1.0 / sqrt(2.0 * ex->fit.beta), 4);
    tex_macro(fp, "UfPerp", pow(2.0, ex->fit.entropy), 6);
    double m = row_minimum(ex->d2, UNDERFLOW_N);
    tex_macro(fp, "UfRawMax", exp(-ex->fit.beta * m), 2);
    tex_macro_int(fp, "UfFloatSteps", ex->float_steps);
    tex_macro(fp, "UfFloatSum", ex->float_sum, 2);
    tex_macro(fp, "FltMin", FLT_MIN, 2);
    tex_macro_int(fp, "LimSteps", ex->limit.iterations);
    tex_macro(fp, "LimBeta", ex->limit.beta, 3);
    tex_macro(fp, "LimGap", ex->limit.entropy - log2(LIMIT_CAL.perplexity), 2);
}
/* <<write the values of the worked examples>> */
static void perplexity_write_values(FILE *fp, const Perplexity_examples *ex)
{
    fprintf(fp, "23.1A.p21\t%.17g\n23.1A.p31\t%.17g\n", ex->p[0], ex->p[1]);
    fprintf(fp, "23.1A.p41\t%.17g\n", ex->p[2]);
    fprintf(fp, "23.1A.H\t%.17g\n23.1A.perp\t%.17g\n", ex->H, pow(2.0, ex->H));
    fprintf(fp, "L.steps\t%d\nL.beta\t%.17g\n", ex->limit.iterations,
            ex->limit.beta);
    fprintf(fp, "L.gap\t%.17g\nL.ties\t%zu\n",
            ex->limit.entropy - log2(LIMIT_CAL.perplexity), ex->limit.ties);
}
/* <<write the data of the perplexity figure>> */
static void write_curve(FILE *fp, const Perplexity_examples *ex)
{
    double p[UNDERFLOW_N];
    const double s_star = 1.0 / sqrt(2.0 * ex->fit.beta);
    const double target = UNDERFLOW_CAL.perplexity, tol = UNDERFLOW_CAL.tol;
    const double s_lo = s_star / 10.0, s_hi = s_star * 10.0;
    fputs("# sigma\tperplexity\n", fp);
    for (int k = 0; k <= 400; k++) {
        double sigma = s_lo * pow(s_hi / s_lo, k / 400.0);
        double H = row_entropy(ex->d2, UNDERFLOW_N, 1.0 / (2.0 * sigma * sigma), p);
        fprintf(fp, "%.8g\t%.8g\n", sigma, pow(2.0, H));
    }
    fputs("\n\n# step\tsigma\tperplexity\tentropy error (bits)\n", fp);
    for (int k = 0; k < ex->trace.n; k++)
        fprintf(fp, "%d\t%.8g\t%.8g\t%.8g\n", k + 1,
                1.0 / sqrt(2.0 * ex->trace.beta[k]), pow(2.0, ex->trace.entropy[k]),
                fabs(ex->trace.entropy[k] - log2(target)));
    fprintf(fp, "\n\n# target\n%.8g\t%.8g\n%.8g\t%.8g\n",
            s_lo, target, s_hi, target);
    fprintf(fp, "\n\n# tolerance\n1\t%.8g\n%d\t%.8g\n", tol, ex->trace.n, tol);
}
/* <<write the files of the worked examples together>> */
static int perplexity_write_example_files(const Perplexity_options *opt,
                                          const Perplexity_examples *ex, Error *err)
{
    const char *paths[3] = {opt->macros, opt->values, opt->curve};
    void (*writers[3])(FILE *, const Perplexity_examples *) = {
        perplexity_write_macros, perplexity_write_values, write_curve};
    Outfile out[3] = {outfile_none(), outfile_none(), outfile_none()};
    size_t n = 0;
    for (int k = 0; k < 3; k++) {
        if (paths[k] == NULL)
            continue;
        if (outfile_open(&out[n], paths[k], err) != 0) {
            outfiles_abort(out, 3);
            return -1;
        }
        writers[k](out[n++].fp, ex);
    }
    return outfiles_commit(out, n, err);
}

static int perplexity_run_examples(const Perplexity_options *opt, Error *err)
{
    Perplexity_examples *ex = alloc_array(1, sizeof *ex, err);
    if (ex == NULL)
        return -1;
    int status = perplexity_compute_examples(ex, err);
    if (status == 0) {
        perplexity_print_examples(stdout, ex);
        status = stdout_written(err);
        if (status == 0)
            status = perplexity_write_example_files(opt, ex, err);
    }
    free(ex);
    return status;
}

int main(int argc, char *argv[])
{
    gsl_set_error_handler_off();
    Perplexity_options opt;
    Error err = {""};
    int status = perplexity_parse_options(argc, argv, &opt, &err);
    if (status == 0)
        status = opt.input ? perplexity_run_on_input(&opt, &err) : perplexity_run_examples(&opt, &err);
    return finish("perplexity", status, &err, perplexity_usage);
}

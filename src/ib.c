/* ib.c -- the Information Bottleneck: self-consistent equations solved by
 * iteration in the log domain, for one beta.
 *
 * Tangled from chapters/23-6-ib.nw and chapters/support.nw of the book
 * "Can AI Understand Music?"; edit those files, not this one, then `make tangle`.
 * Build alone:
 *   cc -std=c11 -O2 ib.c $(pkg-config --cflags --libs gsl) -o ib
 */
#define _XOPEN_SOURCE 700
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
#include <gsl/gsl_blas.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_roots.h>

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

static gsl_matrix *alloc_matrix(size_t rows, size_t cols, Error *err)
{
    if (rows == 0 || cols == 0) {
        fail(err, "cannot allocate an empty %zu x %zu matrix", rows, cols);
        return NULL;
    }
    gsl_matrix *m = gsl_matrix_alloc(rows, cols);
    if (m == NULL)
        fail(err, "out of memory (%zu x %zu matrix)", rows, cols);
    return m;
}
typedef struct {
    size_t nx, ny, nt;
    gsl_vector *px, *py;        /* p(x), p(y) */
    gsl_matrix *pyx;            /* p(y|x), nx x ny */
    gsl_vector *neg_hx;         /* sum_y p(y|x) ln p(y|x) */
    gsl_matrix *q;              /* the encoder p(t|x), nx x nt */
    gsl_vector *pt, *log_pt;    /* p(t) and its logarithm */
    gsl_matrix *pyt, *log_pyt;  /* p(y|t) and its logarithm, nt x ny */
    gsl_matrix *D;              /* D(p(y|x) || p(y|t)), nx x nt */
    gsl_matrix *q_next;         /* scratch for the next encoder */
    double Ixt, Ity, L;         /* nats */
    int iterations;
} Bottleneck;

static Bottleneck *ib_alloc(const gsl_matrix *pxy, size_t nt, Error *err);
static void ib_free(Bottleneck *b);
static void ib_random_encoder(Bottleneck *b, gsl_rng *rng);
static void ib_decoder(Bottleneck *b);
static void ib_encoder(Bottleneck *b, double beta, gsl_matrix *q_out);
static void ib_measure(Bottleneck *b, double beta);
static int ib_solve(Bottleneck *b, double beta, double tol, int max_iter);
static void ib_free(Bottleneck *b)
{
    if (b == NULL)
        return;
    gsl_vector_free(b->px);
    gsl_vector_free(b->py);
    gsl_matrix_free(b->pyx);
    gsl_vector_free(b->neg_hx);
    gsl_matrix_free(b->q);
    gsl_vector_free(b->pt);
    gsl_vector_free(b->log_pt);
    gsl_matrix_free(b->pyt);
    gsl_matrix_free(b->log_pyt);
    gsl_matrix_free(b->D);
    gsl_matrix_free(b->q_next);
    free(b);
}

enum { IB_MAX_CLUSTERS = 1024 };

static Bottleneck *ib_alloc(const gsl_matrix *pxy, size_t nt, Error *err)
{
    const size_t nx = pxy->size1, ny = pxy->size2;
    if (nt < 1 || nt > IB_MAX_CLUSTERS) {
        fail(err, "the number of clusters must lie between 1 and %d, got %zu",
             IB_MAX_CLUSTERS, nt);
        return NULL;
    }
    Bottleneck *b = alloc_array(1, sizeof *b, err);
    if (b == NULL)
        return NULL;
    *b = (Bottleneck){nx, ny, nt, gsl_vector_alloc(nx), gsl_vector_calloc(ny),
                      gsl_matrix_alloc(nx, ny), gsl_vector_alloc(nx),
                      gsl_matrix_alloc(nx, nt), gsl_vector_alloc(nt),
                      gsl_vector_alloc(nt), gsl_matrix_alloc(nt, ny), gsl_matrix_alloc(nt, ny),
                      gsl_matrix_alloc(nx, nt), gsl_matrix_alloc(nx, nt),
                      0, 0, 0, 0};
    if (!b->px || !b->py || !b->pyx || !b->neg_hx || !b->q || !b->pt
        || !b->log_pt || !b->pyt
        || !b->log_pyt || !b->D || !b->q_next) {
        ib_free(b);
        fail(err, "out of memory for |X| = %zu, |Y| = %zu, |T| = %zu", nx, ny, nt);
        return NULL;
    }
    for (size_t x = 0; x < nx; x++) {
        double px = 0.0, h = 0.0;
        for (size_t y = 0; y < ny; y++)
            px += gsl_matrix_get(pxy, x, y);
        gsl_vector_set(b->px, x, px);
        for (size_t y = 0; y < ny; y++) {
            double p = px > 0.0 ? gsl_matrix_get(pxy, x, y) / px : 1.0 / ny;
            gsl_matrix_set(b->pyx, x, y, p);
            *gsl_vector_ptr(b->py, y) += gsl_matrix_get(pxy, x, y);
            h += p > 0.0 ? p * log(p) : 0.0;
        }
        gsl_vector_set(b->neg_hx, x, h);
    }
    return b;
}
static void ib_decoder(Bottleneck *b)
{
    for (size_t x = 0; x < b->nx; x++)
        for (size_t t = 0; t < b->nt; t++)
            gsl_matrix_set(b->q_next, x, t,
                           gsl_vector_get(b->px, x) * gsl_matrix_get(b->q, x, t));
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, b->q_next, b->pyx, 0.0, b->pyt);
    for (size_t t = 0; t < b->nt; t++) {
        double pt = 0.0;
        for (size_t x = 0; x < b->nx; x++)
            pt += gsl_matrix_get(b->q_next, x, t);
        gsl_vector_set(b->pt, t, pt);
        for (size_t y = 0; y < b->ny; y++) {
            double p = pt > 1e-14 ? gsl_matrix_get(b->pyt, t, y) / pt
                                  : gsl_vector_get(b->py, y);
            gsl_matrix_set(b->pyt, t, y, p);
            gsl_matrix_set(b->log_pyt, t, y, p > 0.0 ? log(p) : -HUGE_VAL);
        }
    }
}
static void divergences(Bottleneck *b)
{
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, -1.0, b->pyx, b->log_pyt, 0.0, b->D);
    for (size_t t = 0; t < b->nt; t++) {
        bool holes = false;                 /* does ln p(y|t) contain -inf? */
        for (size_t y = 0; y < b->ny; y++)
            holes = holes || isinf(gsl_matrix_get(b->log_pyt, t, y));
        for (size_t x = 0; x < b->nx; x++) {
            bool finite = true;
            for (size_t y = 0; holes && finite && y < b->ny; y++)
                finite = !(gsl_matrix_get(b->pyx, x, y) > 0.0
                           && isinf(gsl_matrix_get(b->log_pyt, t, y)));
            double cross = finite ? gsl_matrix_get(b->D, x, t) : HUGE_VAL;
            gsl_matrix_set(b->D, x, t, gsl_vector_get(b->neg_hx, x) + cross);
        }
    }
}

static void ib_encoder(Bottleneck *b, double beta, gsl_matrix *q_out)
{
    divergences(b);
    for (size_t t = 0; t < b->nt; t++) {        /* ln p(t), or -inf if pruned */
        double pt = gsl_vector_get(b->pt, t);
        gsl_vector_set(b->log_pt, t, pt > 1e-14 ? log(pt) : -HUGE_VAL);
    }
    for (size_t x = 0; x < b->nx; x++) {
        double top = -HUGE_VAL, z = 0.0;
        for (size_t t = 0; t < b->nt; t++) {
            double D = gsl_matrix_get(b->D, x, t);
            double a = gsl_vector_get(b->log_pt, t) - (beta > 0.0 ? beta * D : 0.0);
            gsl_matrix_set(q_out, x, t, a);
            top = fmax(top, a);
        }
        for (size_t t = 0; t < b->nt; t++) {            /* log-sum-exp */
            double e = exp(gsl_matrix_get(q_out, x, t) - top);
            gsl_matrix_set(q_out, x, t, e);
            z += e;
        }
        for (size_t t = 0; t < b->nt; t++)
            gsl_matrix_set(q_out, x, t, gsl_matrix_get(q_out, x, t) / z);
    }
}
static void ib_measure(Bottleneck *b, double beta)
{
    double ixt = 0.0, ity = 0.0;
    for (size_t x = 0; x < b->nx; x++)
        for (size_t t = 0; t < b->nt; t++) {
            double q = gsl_matrix_get(b->q, x, t), pt = gsl_vector_get(b->pt, t);
            if (q > 0.0 && pt > 0.0)
                ixt += gsl_vector_get(b->px, x) * q * log(q / pt);
        }
    for (size_t t = 0; t < b->nt; t++)
        for (size_t y = 0; y < b->ny; y++) {
            double pyt = gsl_matrix_get(b->pyt, t, y), pt = gsl_vector_get(b->pt, t);
            if (pt > 1e-14 && pyt > 0.0)
                ity += pt * pyt * log(pyt / gsl_vector_get(b->py, y));
        }
    b->Ixt = ixt;
    b->Ity = ity;
    b->L = ixt - beta * ity;
}
static int ib_solve(Bottleneck *b, double beta, double tol, int max_iter)
{
    double L_prev = HUGE_VAL;
    ib_decoder(b);
    for (b->iterations = 1; b->iterations <= max_iter; b->iterations++) {
        ib_encoder(b, beta, b->q_next);
        double move = 0.0;
        for (size_t k = 0; k < b->nx * b->nt; k++)
            move = fmax(move, fabs(b->q_next->data[k] - b->q->data[k]));
        gsl_matrix *old = b->q;
        b->q = b->q_next;
        b->q_next = old;
        ib_decoder(b);
        ib_measure(b, beta);
        if (move < tol && fabs(b->L - L_prev) < tol)
            return 0;
        L_prev = b->L;
    }
    return 1;
}

static void ib_random_encoder(Bottleneck *b, gsl_rng *rng)
{
    double alpha[IB_MAX_CLUSTERS];
    for (size_t t = 0; t < b->nt; t++)
        alpha[t] = 1.0;
    for (size_t x = 0; x < b->nx; x++)
        gsl_ran_dirichlet(rng, b->nt, alpha, gsl_matrix_ptr(b->q, x, 0));
}
static double lagrangian_at(Bottleneck *b, double beta, const gsl_matrix *q)
{
    gsl_matrix_memcpy(b->q, q);
    ib_decoder(b);
    ib_measure(b, beta);
    return b->L;
}

static double self_consistency(Bottleneck *b, double beta)
{
    ib_decoder(b);
    ib_encoder(b, beta, b->q_next);
    double worst = 0.0;
    for (size_t k = 0; k < b->nx * b->nt; k++)
        worst = fmax(worst, fabs(b->q_next->data[k] - b->q->data[k]));
    return worst;
}

static double largest_variation(Bottleneck *b, double beta, gsl_rng *rng, int trials,
                                Error *err)
{
    gsl_matrix *q0 = gsl_matrix_alloc(b->nx, b->nt);
    gsl_matrix *qh = gsl_matrix_alloc(b->nx, b->nt);
    gsl_matrix *dq = gsl_matrix_alloc(b->nx, b->nt);    /* the perturbation */
    if (q0 == NULL || qh == NULL || dq == NULL) {
        gsl_matrix_free(q0);
        gsl_matrix_free(qh);
        gsl_matrix_free(dq);
        fail(err, "out of memory");
        return NAN;
    }
    gsl_matrix_memcpy(q0, b->q);
    double worst = 0.0;
    const double h = 1e-6;
    for (int trial = 0; trial < trials; trial++) {
        double big = 0.0;
        for (size_t x = 0; x < b->nx; x++) {
            double mean = 0.0;
            for (size_t t = 0; t < b->nt; t++) {
                gsl_matrix_set(dq, x, t, gsl_ran_gaussian(rng, 1.0));
                mean += gsl_matrix_get(q0, x, t) * gsl_matrix_get(dq, x, t);
            }
            for (size_t t = 0; t < b->nt; t++) {
                double g = gsl_matrix_get(dq, x, t) - mean;
                gsl_matrix_set(dq, x, t, gsl_matrix_get(q0, x, t) * g);
                big = fmax(big, fabs(g));
            }
        }
        gsl_matrix_scale(dq, 1.0 / big);
        double plus, minus;
        gsl_matrix_memcpy(qh, q0);
        gsl_matrix_scale(dq, h);
        gsl_matrix_add(qh, dq);
        plus = lagrangian_at(b, beta, qh);
        gsl_matrix_memcpy(qh, q0);
        gsl_matrix_sub(qh, dq);
        minus = lagrangian_at(b, beta, qh);
        worst = fmax(worst, fabs(plus - minus) / (2.0 * h));
    }
    lagrangian_at(b, beta, q0);                     /* restore the solution */
    gsl_matrix_free(q0);
    gsl_matrix_free(qh);
    gsl_matrix_free(dq);
    return worst;
}
static double h2(double a)
{
    return a <= 0.0 || a >= 1.0 ? 0.0 : -a * log2(a) - (1.0 - a) * log2(1.0 - a);
}

static double star(double e, double a)              /* BSC(e) after BSC(a) */
{
    return e * (1.0 - a) + (1.0 - e) * a;
}

static double h2_minus(double a, void *v)
{
    return h2(a) - *(const double *)v;
}

static double h2_inverse(double v)
{
    if (v <= 0.0)
        return 0.0;
    if (v >= 1.0)
        return 0.5;
    gsl_function f = {h2_minus, &v};
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    double a = NAN;
    if (s != NULL && gsl_root_fsolver_set(s, &f, 0.0, 0.5) == GSL_SUCCESS) {
        for (int it = 0; it < 200; it++) {
            if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS)
                break;
            a = gsl_root_fsolver_root(s);
            if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s),
                                       gsl_root_fsolver_x_upper(s), 0.0, 1e-15)
                == GSL_SUCCESS)
                break;
        }
    }
    gsl_root_fsolver_free(s);
    return a;
}

static double gerber(double R, double eps)          /* (eq:gerber1), bits */
{
    return 1.0 - h2(star(eps, h2_inverse(1.0 - R)));
}
typedef struct {
    double eps, beta, beta_c, Ixy, Ixt, Ity, F, cross, slope, residual;
    double variation, variation_start;
    int iterations, trials;
} One_bit;

static int one_bit_compute(One_bit *ob, Error *err)
{
    const double eps = 0.1, joint[4] = {0.5 * (1 - eps), 0.5 * eps, 0.5 * eps,
                                        0.5 * (1 - eps)};
    gsl_matrix_const_view pxy = gsl_matrix_const_view_array(joint, 2, 2);
    Bottleneck *b = ib_alloc(&pxy.matrix, 2, err);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int status = b && rng ? 0 : -1;
    if (status == 0) {
        *ob = (One_bit){eps, 3.0, 1.0 / ((1 - 2 * eps) * (1 - 2 * eps)),
                        1.0 - h2(eps), 0, 0, 0, 0, 0, 0, 0, 0, 0, 50};
        gsl_rng_set(rng, 1);
        ib_random_encoder(b, rng);
        ob->variation_start = largest_variation(b, ob->beta, rng, ob->trials, err);
        if (ib_solve(b, ob->beta, 1e-14, 100000) != 0)
            status = fail(err, "the one-bit example did not converge");
    }
    if (status == 0) {
        ob->iterations = b->iterations;
        ob->Ixt = b->Ixt / M_LN2;
        ob->Ity = b->Ity / M_LN2;
        ob->F = gerber(ob->Ixt, eps);
        ob->cross = fmin(gsl_matrix_get(b->q, 0, 0), gsl_matrix_get(b->q, 0, 1));
        const double dR = 1e-6;
        ob->slope = (gerber(ob->Ixt + dR, eps) - gerber(ob->Ixt - dR, eps)) / (2 * dR);
        ob->residual = self_consistency(b, ob->beta);
        ob->variation = largest_variation(b, ob->beta, rng, ob->trials, err);
    }
    gsl_rng_free(rng);
    ib_free(b);
    return status;
}
typedef struct {
    double *v;
    size_t n, cap;
} Numbers;

static int push_number(Numbers *nums, double x, Error *err)
{
    if (nums->n == nums->cap) {
        size_t cap = nums->cap ? 2 * nums->cap : 256;
        double *v = NULL;
        if (cap <= SIZE_MAX / sizeof *v)
            v = realloc(nums->v, cap * sizeof *v);
        if (v == NULL)
            return fail(err, "out of memory while reading (%zu numbers)", cap);
        nums->v = v;
        nums->cap = cap;
    }
    nums->v[nums->n++] = x;
    return 0;
}

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
    int status = 0;
    if (stop != end)
        status = fail(err, "%s:%zu: column %zu: '%s' is not a number%s",
                      path, lineno, col, p,
                      ascii ? "" : " (it contains a non-ASCII character)");
    else if (!isfinite(x))
        status = fail(err, "%s:%zu: column %zu: value '%s' is not finite",
                      path, lineno, col, p);
    else if (errno == ERANGE)
        status = fail(err, "%s:%zu: column %zu: value '%s' is out of the range of "
                      "a double", path, lineno, col, p);
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

static gsl_matrix *read_matrix(const char *path, Error *err)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        fail(err, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    Numbers nums = {NULL, 0, 0};
    size_t rows = 0, cols = 0, lineno = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int status = 0;
    while (status == 0 && (len = getline(&line, &cap, fp)) != -1) {
        size_t before = nums.n;
        lineno++;
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
    fclose(fp);
    gsl_matrix *m = NULL;
    if (status == 0 && rows == 0)
        fail(err, "'%s' contains no data rows", path);
    else if (status == 0 && (m = alloc_matrix(rows, cols, err)) != NULL)
        memcpy(m->data, nums.v, rows * cols * sizeof *nums.v);   /* tda == cols */
    free(nums.v);
    return m;
}
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
static int parse_double(const char *arg, const char *option, double *out, Error *err)
{
    char *end;
    errno = 0;
    double x = strtod(arg, &end);
    if (end == arg || *end != '\0')
        return fail(err, "%s: '%s' is not a number", option, arg);
    if (errno == ERANGE)
        return fail(err, "%s: '%s' is out of the range of a double", option, arg);
    if (!isfinite(x))
        return fail(err, "%s: value '%s' is not finite", option, arg);
    *out = x;
    return 0;
}
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

static int outfile_open(Outfile *o, const char *name, Error *err)
{
    *o = outfile_none();
    o->name = name;
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
    if (fabs(x) >= 1e-3 && fabs(x) < 1e6) {
        int e = (int)floor(log10(fabs(x)));
        int decimals = digits - 1 - e;
        snprintf(buf, size, "%.*f", decimals < 0 ? 0 : decimals, x);
        return;
    }
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*e", digits - 1, x);
    char *e = strchr(tmp, 'e');
    *e = '\0';
    snprintf(buf, size, "%s\\times10^{%d}", tmp, atoi(e + 1));
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
static int stdout_written(Error *err)
{
    if (fflush(stdout) != 0 || ferror(stdout))
        return fail(err, "error writing standard output");
    return 0;
}
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
typedef struct {
    const char *joint, *encoder, *macros, *values;
    double beta, tol;
    long clusters, max_iter, seed;
    bool beta_given;
} Options;

static void usage(FILE *fp)
{
    fputs(
"Usage: ib [OPTION]...\n"
"Solve the Information Bottleneck min I(X;T) - beta I(T;Y) for one beta by\n"
"iterating its self-consistent equations.  With no options, print the\n"
"one-bit example of section 23.6 of the book.\n"
"\n"
"  -j, --joint FILE      the joint distribution p(x,y): rows x, columns y,\n"
"                        non-negative weights or counts (normalised)\n"
"  -b, --beta B          the trade-off parameter, B >= 0 (required with --joint)\n"
"  -k, --clusters K      the number of clusters |T|, 1..1024 (default |X|)\n"
"  -s, --seed S          seed of the random starting encoder (default 1)\n"
"      --tol T           stop when no encoder entry moves by T (default 1e-12)\n"
"      --max-iter N      iteration limit (default 100000)\n"
"  -o, --encoder FILE    write the encoder p(t|x) as TSV, rows x\n"
"      --macros FILE     (example) write the numbers as LaTeX macros\n"
"      --values FILE     (example) write 'key<TAB>value' lines for `make verify`\n"
"  -h, --help            show this help and exit\n"
"\n"
"Reports I(X;T) and I(T;Y) in bits, the clusters in use, the iterations, the\n"
"self-consistency residual and the largest directional derivative of the\n"
"Lagrangian along row-preserving perturbations (both ~0 at a solution).\n"
"Exit status: 0 on success, 1 on bad input, 2 if the iteration limit came first.\n",
          fp);
}
static int parse_options(int argc, char *argv[], Options *opt, Error *err)
{
    static const struct option longopts[] = {
        {"joint", required_argument, NULL, 'j'},
        {"beta", required_argument, NULL, 'b'},
        {"clusters", required_argument, NULL, 'k'},
        {"seed", required_argument, NULL, 's'},
        {"tol", required_argument, NULL, 't'},
        {"max-iter", required_argument, NULL, 'n'},
        {"encoder", required_argument, NULL, 'o'},
        {"macros", required_argument, NULL, 'm'},
        {"values", required_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    *opt = (Options){NULL, NULL, NULL, NULL, 0.0, 1e-12, 0, 100000, 1, false};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":j:b:k:s:o:h", longopts, NULL)) != -1) {
        int s = 0;
        switch (c) {
        case 'j': opt->joint = optarg; break;
        case 'o': opt->encoder = optarg; break;
        case 'm': opt->macros = optarg; break;
        case 'V': opt->values = optarg; break;
        case 'h': return -2;
        case 'b': s = parse_double(optarg, "--beta", &opt->beta, err);
                  opt->beta_given = true; break;
        case 't': s = parse_double(optarg, "--tol", &opt->tol, err); break;
        case 'k':
            s = parse_count(optarg, "--clusters", 1, 1024, &opt->clusters, err);
            break;
        case 'n':
            s = parse_count(optarg, "--max-iter", 1, 100000000, &opt->max_iter, err);
            break;
        case 's':
            s = parse_count(optarg, "--seed", 1, 4294967295L, &opt->seed, err);
            break;
        default: return bad_option(c, argv, optind, optopt, err);
        }
        if (s != 0)
            return -1;
    }
    if (optind < argc)
        return fail(err, "unexpected argument '%s' (see --help)", argv[optind]);
    if (opt->joint && !opt->beta_given)
        return fail(err, "--joint needs --beta B");
    if (!opt->joint && (opt->beta_given || opt->encoder || opt->clusters))
        return fail(err, "--beta, --clusters and --encoder need --joint FILE");
    if (opt->joint && (opt->macros || opt->values))
        return fail(err, "--macros and --values belong to the worked example");
    if (opt->beta < 0.0)
        return fail(err, "--beta must be non-negative, got %g", opt->beta);
    if (!(opt->tol > 0.0 && opt->tol < 1.0))
        return fail(err, "--tol must lie between 0 and 1, got %g", opt->tol);
    const char *outs[3] = {opt->encoder, opt->macros, opt->values};
    if (distinct_outputs(&opt->joint, 1, outs, 3, err) != 0)
        return -1;
    return 0;
}
static int run_on_joint(const Options *opt, Error *err)
{
    gsl_matrix *pxy = read_matrix(opt->joint, err);
    Bottleneck *b = NULL;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int status = -1;
    if (pxy == NULL || rng == NULL || normalise_joint(pxy, opt->joint, err) != 0)
        goto done;
    size_t nt = opt->clusters ? (size_t)opt->clusters : pxy->size1;
    if ((b = ib_alloc(pxy, nt > 1024 ? 1024 : nt, err)) == NULL)
        goto done;
    gsl_rng_set(rng, (unsigned long)opt->seed);
    ib_random_encoder(b, rng);
    int limit = ib_solve(b, opt->beta, opt->tol, (int)opt->max_iter);
    size_t used = 0;
    for (size_t t = 0; t < b->nt; t++)
        used += gsl_vector_get(b->pt, t) > 1e-14;
    double Ixt = b->Ixt / M_LN2, Ity = b->Ity / M_LN2;
    double residual = self_consistency(b, opt->beta);
    double variation = largest_variation(b, opt->beta, rng, 20, err);
    printf("beta %g: I(X;T) = %.10g bits, I(T;Y) = %.10g bits, L = %.10g bits\n",
           opt->beta, Ixt, Ity, Ixt - opt->beta * Ity);
    printf("clusters in use %zu of %zu, iterations %d%s\n", used, b->nt, b->iterations,
           limit ? " (limit reached)" : "");
    printf("self-consistency residual %.3g, largest variation %.3g nats\n",
           residual, variation);
    if (stdout_written(err) != 0)
        goto done;
    if (opt->encoder != NULL) {
        Outfile out = outfile_none();
        if (outfile_open(&out, opt->encoder, err) != 0)
            goto done;
        for (size_t x = 0; x < b->nx; x++)
            for (size_t t = 0; t < b->nt; t++)
                fprintf(out.fp, "%.12g%c", gsl_matrix_get(b->q, x, t),
                        t + 1 < b->nt ? '\t' : '\n');
        if (outfiles_commit(&out, 1, err) != 0)
            goto done;
    }
    status = limit ? 2 : 0;
done:
    ib_free(b);
    gsl_rng_free(rng);
    gsl_matrix_free(pxy);
    return status;
}
static void write_one_bit_macros(FILE *fp, const One_bit *ob)
{
    fputs("% Generated by `ib --macros`; do not edit.\n", fp);
    tex_macro(fp, "IbIxy", ob->Ixy, 6);
    tex_macro(fp, "IbBetaC", ob->beta_c, 5);
    tex_macro_int(fp, "IbIters", ob->iterations);
    tex_macro(fp, "IbIxt", ob->Ixt, 6);
    tex_macro(fp, "IbIty", ob->Ity, 6);
    tex_macro(fp, "IbGerber", ob->F, 6);
    tex_macro(fp, "IbGerberDiff", fabs(ob->F - ob->Ity), 2);
    tex_macro(fp, "IbCross", ob->cross, 6);
    tex_macro(fp, "IbSlope", ob->slope, 6);
    tex_macro(fp, "IbResidual", ob->residual, 2);
    tex_macro(fp, "IbVariation", ob->variation, 2);
    tex_macro(fp, "IbVariationStart", ob->variation_start, 2);
    tex_macro_int(fp, "IbTrials", ob->trials);
}

static int run_one_bit(const Options *opt, Error *err)
{
    One_bit ob;
    if (one_bit_compute(&ob, err) != 0)
        return -1;
    printf("Example D: X a fair bit, Y = X flipped with probability %g; |T| = 2\n",
           ob.eps);
    printf("  I(X;Y) = %.10g bits, critical beta = %.10g\n", ob.Ixy, ob.beta_c);
    printf("  beta %g: I(X;T) = %.10g, I(T;Y) = %.10g bits (%d iterations)\n",
           ob.beta, ob.Ixt, ob.Ity, ob.iterations);
    printf("  closed form F(I(X;T)) = %.10g; crossover %.10g; slope %.8g\n",
           ob.F, ob.cross, ob.slope);
    printf("  residual %.3g; variation %.3g nats (at the start %.3g)\n",
           ob.residual, ob.variation, ob.variation_start);
    if (stdout_written(err) != 0)
        return -1;
    Outfile out[2] = {outfile_none(), outfile_none()};
    size_t n = 0;
    if (opt->macros != NULL) {
        if (outfile_open(&out[n], opt->macros, err) != 0)
            return -1;
        write_one_bit_macros(out[n++].fp, &ob);
    }
    if (opt->values != NULL) {
        if (outfile_open(&out[n], opt->values, err) != 0) {
            outfiles_abort(out, 2);
            return -1;
        }
        fprintf(out[n++].fp, "D.Ixy\t%.17g\nD.betac\t%.17g\nD.Fgap\t%.17g\n",
                ob.Ixy, ob.beta_c, ob.Ity - ob.F);
    }
    return outfiles_commit(out, n, err);
}

int main(int argc, char *argv[])
{
    gsl_set_error_handler_off();
    Options opt;
    Error err = {""};
    int status = parse_options(argc, argv, &opt, &err);
    if (status == 0)
        status = opt.joint ? run_on_joint(&opt, &err) : run_one_bit(&opt, &err);
    return finish("ib", status, &err, usage);
}

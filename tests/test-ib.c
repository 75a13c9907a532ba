/* test-ib.c -- CUnit tests of section 23.6 (the Information Bottleneck).
 * Tangled from chapters/23-6-ib.nw and chapters/p6-ib.nw.  Expected values: the self-consistent
 * equations themselves, finite differences of the Lagrangian, the
 * data-processing bounds, the inequalities every optimal curve obeys, the
 * closed forms of Mrs Gerber's lemma (one bit and k bits), the critical beta
 * 1/rho^2 and the rate-distortion function h(p) - h(D). */
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
#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_roots.h>
#include <CUnit/Basic.h>
#include <time.h>

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
/* <<report progress on a terminal>> */
typedef struct {
    bool on, shown;
    struct timespec start;
    double last;                /* seconds after start */
    char what[128];             /* the stage, set by the caller */
} Progress;

static Progress progress_start(bool on)
{
    Progress p = {on, false, {0, 0}, 0.0, ""};
    clock_gettime(CLOCK_MONOTONIC, &p.start);
    return p;
}
/* <<report progress on a terminal>> */
static void progress_tick(Progress *p, long iteration)
{
    struct timespec now;
    if (p == NULL || !p->on || clock_gettime(CLOCK_MONOTONIC, &now) != 0)
        return;
    double t = (double)(now.tv_sec - p->start.tv_sec)
               + 1e-9 * (double)(now.tv_nsec - p->start.tv_nsec);
    if (t < 2.0 || t - p->last < 0.5)
        return;
    p->last = t;
    p->shown = true;
    fprintf(stderr, "\rib: %s, iteration %ld (%.0f s)      ", p->what, iteration, t);
}
/* <<report progress on a terminal>> */
static void progress_stage(Progress *p, const char *fmt, ...)
{
    if (p == NULL || !p->on)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->what, sizeof p->what, fmt, ap);
    va_end(ap);
    progress_tick(p, 0);
}

static void progress_end(Progress *p)
{
    if (p != NULL && p->shown)
        fputc('\n', stderr);
    if (p != NULL)
        p->shown = false;
}
/* <<interface of the bottleneck>> */
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
    Progress *progress;         /* where long solves report, or NULL */
} Bottleneck;

static Bottleneck *ib_alloc(const gsl_matrix *pxy, size_t nt, Error *err);
static void ib_free(Bottleneck *b);
static void ib_random_encoder(Bottleneck *b, gsl_rng *rng);
static void ib_decoder(Bottleneck *b);
static void ib_encoder(Bottleneck *b, double beta, gsl_matrix *q_out);
static void ib_measure(Bottleneck *b, double beta);
static int ib_solve(Bottleneck *b, double beta, double tol, int max_iter);
/* <<implementation of the bottleneck>> */
/* <<allocate a bottleneck from a joint distribution>> */
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
/* <<allocate a bottleneck from a joint distribution>> */
enum { IB_MAX_CLUSTERS = 1024 };
static const double IB_MIX = 1e-9;      /* what a sweep mixes in before each beta */

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
    /* <<allocate every vector and matrix of the bottleneck, or none>> */
    *b = (Bottleneck){nx, ny, nt, gsl_vector_alloc(nx), gsl_vector_calloc(ny),
                      gsl_matrix_alloc(nx, ny), gsl_vector_alloc(nx),
                      gsl_matrix_alloc(nx, nt), gsl_vector_alloc(nt),
                      gsl_vector_alloc(nt), gsl_matrix_alloc(nt, ny),
                      gsl_matrix_alloc(nt, ny),
                      gsl_matrix_alloc(nx, nt), gsl_matrix_alloc(nx, nt),
                      0, 0, 0, 0, NULL};
    if (!b->px || !b->py || !b->pyx || !b->neg_hx || !b->q || !b->pt
        || !b->log_pt || !b->pyt
        || !b->log_pyt || !b->D || !b->q_next) {
        ib_free(b);
        fail(err, "out of memory for |X| = %zu, |Y| = %zu, |T| = %zu", nx, ny, nt);
        return NULL;
    }
    /* <<split the joint into [[p(x)]] and [[p(y|x)]]>> */
    for (size_t x = 0; x < nx; x++) {
        double px = 0.0, h = 0.0, top = 0.0, scaled = 0.0;
        for (size_t y = 0; y < ny; y++) {
            px += gsl_matrix_get(pxy, x, y);
            top = fmax(top, gsl_matrix_get(pxy, x, y));
        }
        for (size_t y = 0; y < ny; y++)
            scaled += top > 0.0 ? gsl_matrix_get(pxy, x, y) / top : 0.0;
        gsl_vector_set(b->px, x, px);
        for (size_t y = 0; y < ny; y++) {
            double p = top > 0.0 ? gsl_matrix_get(pxy, x, y) / top / scaled : 1.0 / ny;
            gsl_matrix_set(b->pyx, x, y, p);
            *gsl_vector_ptr(b->py, y) += gsl_matrix_get(pxy, x, y);
            h += p > 0.0 ? p * log(p) : 0.0;
        }
        gsl_vector_set(b->neg_hx, x, h);
    }
    return b;
}
/* <<compute the decoder from the encoder>> */
static void ib_decoder(Bottleneck *b)
{
    for (size_t x = 0; x < b->nx; x++)
        for (size_t t = 0; t < b->nt; t++)
            gsl_matrix_set(b->q_next, x, t,
                           gsl_vector_get(b->px, x) * gsl_matrix_get(b->q, x, t));
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, b->q_next, b->pyx, 0.0, b->pyt);
    /* <<divide each row of $p(t,y)$ by $p(t)$ and take logarithms>> */
    for (size_t t = 0; t < b->nt; t++) {
        double pt = 0.0;
        for (size_t x = 0; x < b->nx; x++)
            pt += gsl_matrix_get(b->q_next, x, t);
        gsl_vector_set(b->pt, t, pt);
        for (size_t y = 0; y < b->ny; y++) {
            double p = pt > 1e-14 ? gsl_matrix_get(b->pyt, t, y) / pt
                                  : gsl_vector_get(b->py, y);
            gsl_matrix_set(b->pyt, t, y, p);
            gsl_matrix_set(b->log_pyt, t, y, p > 0.0 ? log(p) : 0.0);
        }
    }
}
/* <<compute the encoder from the decoder>> */
static bool decoder_misses(const Bottleneck *b, size_t x, size_t t)
{                                       /* p(y|x) > 0 = p(y|t) for some y? */
    for (size_t y = 0; y < b->ny; y++)
        if (gsl_matrix_get(b->pyx, x, y) > 0.0 && gsl_matrix_get(b->pyt, t, y) == 0.0)
            return true;
    return false;
}

static void divergences(Bottleneck *b)
{
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, -1.0, b->pyx, b->log_pyt, 0.0, b->D);
    for (size_t t = 0; t < b->nt; t++) {
        bool holes = false;                 /* has p(y|t) a zero? */
        for (size_t y = 0; y < b->ny; y++)
            holes = holes || gsl_matrix_get(b->pyt, t, y) == 0.0;
        for (size_t x = 0; x < b->nx; x++) {
            double cross = gsl_matrix_get(b->D, x, t);
            gsl_matrix_set(b->D, x, t, holes && decoder_misses(b, x, t)
                           ? HUGE_VAL : gsl_vector_get(b->neg_hx, x) + cross);
        }
    }
}
/* <<compute the encoder from the decoder>> */
static void ib_encoder(Bottleneck *b, double beta, gsl_matrix *q_out)
{
    divergences(b);
    for (size_t t = 0; t < b->nt; t++) {        /* ln p(t), or -inf if pruned */
        double pt = gsl_vector_get(b->pt, t);
        gsl_vector_set(b->log_pt, t, pt > 1e-14 ? log(pt) : -HUGE_VAL);
    }
    for (size_t x = 0; x < b->nx; x++) {
        /* <<the row of logarithms $\ln p(t)-\beta D(x,t)$, and its largest entry>> */
        double top = -HUGE_VAL, z = 0.0;
        for (size_t t = 0; t < b->nt; t++) {
            double D = gsl_matrix_get(b->D, x, t);
            double a = gsl_vector_get(b->log_pt, t) - (beta > 0.0 ? beta * D : 0.0);
            gsl_matrix_set(q_out, x, t, a);
            top = fmax(top, a);
        }
        if (top == -HUGE_VAL)                   /* no live cluster can hold x */
            for (size_t t = 0; t < b->nt; t++) {
                double a = beta > 0.0 ? -beta * gsl_matrix_get(b->D, x, t) : 0.0;
                gsl_matrix_set(q_out, x, t, a);
                top = fmax(top, a);
            }
        /* <<exponentiate the row after subtracting its largest entry, and normalise it>> */
        for (size_t t = 0; t < b->nt; t++) {            /* log-sum-exp */
            double e = exp(gsl_matrix_get(q_out, x, t) - top);
            gsl_matrix_set(q_out, x, t, e);
            z += e;
        }
        for (size_t t = 0; t < b->nt; t++)
            gsl_matrix_set(q_out, x, t, gsl_matrix_get(q_out, x, t) / z);
    }
}
/* <<measure the two informations and the Lagrangian>> */
static void ib_measure(Bottleneck *b, double beta)
{
    double ixt = 0.0, ity = 0.0;
    for (size_t x = 0; x < b->nx; x++)
        for (size_t t = 0; t < b->nt; t++) {
            double q = gsl_matrix_get(b->q, x, t), pt = gsl_vector_get(b->pt, t);
            if (q > 0.0 && pt > 0.0)
                ixt += gsl_vector_get(b->px, x) * q * log(q / pt);
        }
    /* <<add up $I(T;Y)$ over the live clusters>> */
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
/* <<iterate until the encoder settles>> */
static int ib_solve(Bottleneck *b, double beta, double tol, int max_iter)
{
    double L_prev = HUGE_VAL;
    ib_decoder(b);
    for (b->iterations = 1; b->iterations <= max_iter; b->iterations++) {
        if (b->iterations % 64 == 0)
            progress_tick(b->progress, b->iterations);
        /* <<take one step of the three equations and measure how far the encoder moved>> */
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
    b->iterations = max_iter;
    return 1;
}
/* <<iterate until the encoder settles>> */
static bool ib_finite(const Bottleneck *b)
{
    bool ok = isfinite(b->Ixt) && isfinite(b->Ity) && isfinite(b->L);
    for (size_t k = 0; ok && k < b->nx * b->nt; k++)
        ok = isfinite(b->q->data[k]);               /* tda == nt */
    return ok;
}
/* <<iterate until the encoder settles>> */
static void ib_random_encoder(Bottleneck *b, gsl_rng *rng)
{
    double alpha[IB_MAX_CLUSTERS];
    for (size_t t = 0; t < b->nt; t++)
        alpha[t] = 1.0;
    for (size_t x = 0; x < b->nx; x++)
        gsl_ran_dirichlet(rng, b->nt, alpha, gsl_matrix_ptr(b->q, x, 0));
}
/* <<check a solution of the bottleneck>> */
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

/* <<estimate the largest directional derivative along row-preserving perturbations>> */
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
        /* <<draw a unit perturbation that keeps every row normalised>> */
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
        /* <<take the central difference of $\mathcal L$ along the perturbation>> */
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
/* <<find the critical beta from the maximal correlation>> */
static double critical_beta(const gsl_matrix *pxy, Error *err)
{
    const size_t nx = pxy->size1, ny = pxy->size2;
    const bool tall = nx >= ny;
    const size_t m = tall ? nx : ny, n = tall ? ny : nx;
    gsl_matrix *B = alloc_matrix(m, n, err), *V = alloc_matrix(n, n, err);
    gsl_vector *S = gsl_vector_alloc(n), *work = gsl_vector_alloc(n);
    double *px = alloc_array(nx, sizeof *px, err);
    double *py = alloc_array(ny, sizeof *py, err);
    double beta_c = NAN;
    if (B && V && S && work && px && py) {
        /* <<fill [[B]] with $p(x,y)/\sqrt{p(x)p(y)}$>> */
        for (size_t y = 0; y < ny; y++)
            py[y] = 0.0;
        for (size_t x = 0; x < nx; x++) {
            px[x] = 0.0;
            for (size_t y = 0; y < ny; y++) {
                px[x] += gsl_matrix_get(pxy, x, y);
                py[y] += gsl_matrix_get(pxy, x, y);
            }
        }
        for (size_t x = 0; x < nx; x++)
            for (size_t y = 0; y < ny; y++) {
                double d = sqrt(px[x] * py[y]);
                double v = d > 0.0 ? gsl_matrix_get(pxy, x, y) / d : 0.0;
                gsl_matrix_set(B, tall ? x : y, tall ? y : x, v);
            }
        if (gsl_linalg_SV_decomp(B, V, S, work) != GSL_SUCCESS)
            fail(err, "the singular value decomposition did not converge");
        else {
            double rho = n > 1 ? fmin(gsl_vector_get(S, 1), 1.0) : 0.0;
            beta_c = rho > 1e-8 ? 1.0 / (rho * rho) : HUGE_VAL;  /* 0: noise */
        }
    } else
        fail(err, "out of memory for a %zu x %zu singular value problem", m, n);
    gsl_matrix_free(B);
    gsl_matrix_free(V);
    gsl_vector_free(S);
    gsl_vector_free(work);
    free(px);
    free(py);
    return beta_c;
}
/* <<merge the inputs that predict the same distribution of [[y]]>> */
static bool ib_same_row(const gsl_matrix *m, size_t a, size_t b)
{
    for (size_t y = 0; y < m->size2; y++)
        if (gsl_matrix_get(m, a, y) != gsl_matrix_get(m, b, y))
            return false;
    return true;
}

static gsl_matrix *merge_equal_rows(const gsl_matrix *pxy, size_t *group, Error *err)
{
    const size_t nx = pxy->size1, ny = pxy->size2;
    gsl_matrix *cond = alloc_matrix(nx, ny, err), *merged = NULL;
    size_t *first = alloc_array(nx, sizeof *first, err), n = 0;
    if (cond != NULL && first != NULL) {
        /* <<compute the conditional rows $p(y\mid x)$>> */
        for (size_t x = 0; x < nx; x++) {
            double top = 0.0, sum = 0.0;
            for (size_t y = 0; y < ny; y++)
                top = fmax(top, gsl_matrix_get(pxy, x, y));
            for (size_t y = 0; y < ny; y++) {           /* a zero row stays zero */
                double v = top > 0.0 ? gsl_matrix_get(pxy, x, y) / top : 0.0;
                gsl_matrix_set(cond, x, y, v);
                sum += v;
            }
            for (size_t y = 0; sum > 0.0 && y < ny; y++)
                gsl_matrix_set(cond, x, y, gsl_matrix_get(cond, x, y) / sum);
        }
        /* <<give each input the group of the first input with the same row>> */
        for (size_t x = 0; x < nx; x++) {
            size_t g = 0;
            while (g < n && !ib_same_row(cond, x, first[g]))
                g++;
            if (g == n)
                first[n++] = x;
            group[x] = g;
        }
        /* <<add up the rows of each group>> */
        double big = gsl_matrix_max(pxy), total = 0.0;
        if ((merged = alloc_matrix(n, ny, err)) != NULL) {
            gsl_matrix_set_zero(merged);
            for (size_t x = 0; x < nx; x++)
                for (size_t y = 0; y < ny; y++) {
                    double v = big > 0.0 ? gsl_matrix_get(pxy, x, y) / big : 0.0;
                    *gsl_matrix_ptr(merged, group[x], y) += v;
                    total += v;
                }
            if (total > 0.0)
                gsl_matrix_scale(merged, 1.0 / total);
        }
    }
    gsl_matrix_free(cond);
    free(first);
    return merged;
}
/* <<sweep beta downwards from the identity encoder>> */
typedef struct {
    double beta, Ixt, Ity;      /* bits */
    size_t used;                /* clusters with p(t) > 1e-14 */
    int iterations;
    bool converged;
} Ib_point;
/* <<sweep beta downwards from the identity encoder>> */
static void ib_record(const Bottleneck *b, double beta, int limit, Ib_point *p)
{
    size_t used = 0;
    for (size_t t = 0; t < b->nt; t++)
        used += gsl_vector_get(b->pt, t) > 1e-14;
    double Ixt = b->Ixt / M_LN2, Ity = b->Ity / M_LN2;
    *p = (Ib_point){beta, Ixt < 1e-12 ? 0.0 : Ixt, Ity < 1e-12 ? 0.0 : Ity, used,
                    b->iterations, limit == 0};     /* below 1e-12: rounding */
}
/* <<sweep beta downwards from the identity encoder>> */
static void sweep_grid(double beta_min, double beta_max, size_t n, double *betas)
{
    const double s0 = 1.0 / beta_max, s1 = 1.0 / beta_min;
    for (size_t i = 0; i < n; i++)               /* uniform in the slope 1/beta */
        betas[i] = 1.0 / (s0 + (s1 - s0) * (double)i / (double)(n - 1));
}
/* <<sweep beta downwards from the identity encoder>> */
static void mix_in_marginal(Bottleneck *b, double delta)
{
    ib_decoder(b);                                  /* brings p(t) up to date */
    for (size_t x = 0; x < b->nx; x++)
        for (size_t t = 0; t < b->nt; t++) {
            double *q = gsl_matrix_ptr(b->q, x, t);
            *q = (1.0 - delta) * *q + delta * gsl_vector_get(b->pt, t);
        }
}
/* <<sweep beta downwards from the identity encoder>> */
static void ib_sweep_on(Bottleneck *b, const double *betas, size_t n, double tol,
                        int max_iter, Ib_point *curve)
{
    for (size_t i = 0; i < n; i++) {
        progress_stage(b->progress, "sweep, beta %.4g (%zu of %zu)", betas[i], i + 1,
                       n);
        mix_in_marginal(b, IB_MIX);
        int limit = ib_solve(b, betas[i], tol, max_iter);
        ib_record(b, betas[i], limit, &curve[i]);
    }
}

static void ib_sweep(Bottleneck *b, const double *betas, size_t n, double tol,
                     int max_iter, Ib_point *curve)
{
    gsl_matrix_set_identity(b->q);                  /* T = X; needs nt = nx */
    ib_sweep_on(b, betas, n, tol, max_iter, curve);
}
/* <<anneal beta upwards from a perturbed trivial encoder>> */
static void jitter_encoder(Bottleneck *b, gsl_rng *rng, double size)
{
    for (size_t x = 0; x < b->nx; x++) {
        double z = 0.0;
        for (size_t t = 0; t < b->nt; t++)
            z += *gsl_matrix_ptr(b->q, x, t) *= 1.0 + size * gsl_rng_uniform(rng);
        for (size_t t = 0; t < b->nt; t++)
            *gsl_matrix_ptr(b->q, x, t) /= z;
    }
}

static void ib_anneal(Bottleneck *b, gsl_rng *rng, const double *betas, size_t n,
                      double tol, int max_iter, Ib_point *curve)
{
    gsl_matrix_set_all(b->q, 1.0 / (double)b->nt);
    for (size_t i = 0; i < n; i++) {                 /* betas increasing */
        progress_stage(b->progress, "forward annealing, beta %.4g (%zu of %zu)",
                       betas[i], i + 1, n);
        jitter_encoder(b, rng, 1e-3);
        int limit = ib_solve(b, betas[i], tol, max_iter);
        ib_record(b, betas[i], limit, &curve[i]);
    }
}
/* <<compute a point of the rate-distortion curve by Blahut--Arimoto>> */
typedef struct {
    double s, R, D;             /* slope (nats), rate (bits), distortion */
    int iterations;
    bool converged;
} Rd_point;

static int blahut_arimoto(const double *px, size_t nx, const double *dist,
                          size_t nt, double s, double tol, int max_iter,
                          Rd_point *out, Error *err)
{
    double *pt = alloc_array(nt, sizeof *pt, err);
    double *next = alloc_array(nt, sizeof *next, err);
    double *w = alloc_array(nx * nt, sizeof *w, err);      /* p(t|x) */
    int status = pt && next && w ? 0 : -1;
    if (status == 0) {
        *out = (Rd_point){s, 0.0, 0.0, 0, false};
        for (size_t t = 0; t < nt; t++)
            pt[t] = 1.0 / (double)nt;
        /* <<alternate the two equations of Blahut--Arimoto>> */
        while (!out->converged && out->iterations++ < max_iter) {
            for (size_t t = 0; t < nt; t++)
                next[t] = 0.0;
            for (size_t x = 0; x < nx; x++) {
                const double *d = dist + x * nt;
                double dmin = d[0], z = 0.0;
                for (size_t t = 1; t < nt; t++)
                    dmin = fmin(dmin, d[t]);
                for (size_t t = 0; t < nt; t++)
                    z += w[x * nt + t] = pt[t] * exp(-s * (d[t] - dmin));
                for (size_t t = 0; t < nt; t++)
                    next[t] += px[x] * (w[x * nt + t] /= z);
            }
            double move = 0.0;
            for (size_t t = 0; t < nt; t++) {
                move = fmax(move, fabs(next[t] - pt[t]));
                pt[t] = next[t];
            }
            out->converged = move < tol;
        }
        /* <<measure the rate and the distortion of the test channel>> */
        for (size_t t = 0; t < nt; t++) {
            pt[t] = 0.0;
            for (size_t x = 0; x < nx; x++)
                pt[t] += px[x] * w[x * nt + t];
        }
        for (size_t x = 0; x < nx; x++)
            for (size_t t = 0; t < nt; t++) {
                double q = w[x * nt + t];
                out->D += px[x] * q * dist[x * nt + t];
                if (q > 0.0)
                    out->R += px[x] * q * log2(q / pt[t]);
            }
    }
    free(pt);
    free(next);
    free(w);
    return status;
}
/* <<the worked examples of the bottleneck>> */
/* <<the one-bit example>> */
static double h2(double a)
{
    return a <= 0.0 || a >= 1.0 ? 0.0 : -a * log2(a) - (1.0 - a) * log2(1.0 - a);
}

static double star(double e, double a)              /* BSC(e) after BSC(a) */
{
    return e * (1.0 - a) + (1.0 - e) * a;
}
/* <<the one-bit example>> */
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
    /* <<iterate Brent's method until the bracket is $10^{-15}$ wide>> */
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
/* <<the one-bit example>> */
static double gerber(double R, double eps)          /* Mrs Gerber's curve, bits */
{
    return 1.0 - h2(star(eps, h2_inverse(1.0 - R)));
}
/* <<compute the one-bit example>> */
typedef struct {
    double eps, beta, beta_c, Ixy, Ixt, Ity, F, cross, slope, residual;
    double variation, variation_start;
    int iterations, trials;
} One_bit;
/* <<compute the one-bit example>> */
static int one_bit_compute(One_bit *ob, Error *err)
{
    const double eps = 0.1, joint[4] = {0.5 * (1 - eps), 0.5 * eps, 0.5 * eps,
                                        0.5 * (1 - eps)};
    gsl_matrix_const_view pxy = gsl_matrix_const_view_array(joint, 2, 2);
    Bottleneck *b = ib_alloc(&pxy.matrix, 2, err);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int status = b && rng ? 0 : -1;
    if (status == 0) {
        /* <<solve the one-bit example from a random start at $\beta=3$>> */
        *ob = (One_bit){eps, 3.0, 1.0 / ((1 - 2 * eps) * (1 - 2 * eps)),
                        1.0 - h2(eps), 0, 0, 0, 0, 0, 0, 0, 0, 0, 50};
        gsl_rng_set(rng, 1);
        ib_random_encoder(b, rng);
        ob->variation_start = largest_variation(b, ob->beta, rng, ob->trials, err);
        if (ib_solve(b, ob->beta, 1e-14, 100000) != 0)
            status = fail(err, "the one-bit example did not converge");
    }
    if (status == 0) {
        /* <<read off the one-bit results>> */
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
enum { IB_SWEEP_POINTS = 99, IB_RANDOM_STARTS = 4, RD_POINTS = 24 };
/* <<compute Example 23.2>> */
typedef struct {
    int k, nuisance;
    double eps, HX, Ixy, beta_c, beta_max;
    size_t groups, npoints, converged;
    Ib_point curve[IB_SWEEP_POINTS];
    double worst_gap;
    long iterations;
    int most_iterations;
    double most_beta;
    /* <<the fields of the six-bit point and of the random starts>> */
    double target, beta_star, beta_star_closed, Ixt_star, Ity_star, F_star;
    Ib_point random[IB_RANDOM_STARTS];      /* one random start per beta */
    double random_gap[IB_RANDOM_STARTS];    /* F(I(X;T)) - I(T;Y), bits */
    int anneal_k;                           /* forward annealing, smaller address */
    Ib_point anneal_last;
    double anneal_Ixy, anneal_gap;
} Noisy_address;

/* <<build the joint distribution of the noisy address>> */
static gsl_matrix *address_joint(int k, int nuisance, double eps, Error *err)
{
    const size_t nx = (size_t)1 << (k + nuisance), ny = (size_t)1 << k;
    gsl_matrix *pxy = alloc_matrix(nx, ny, err);
    if (pxy == NULL)
        return NULL;
    for (size_t x = 0; x < nx; x++)
        for (size_t y = 0; y < ny; y++) {
            int d = 0;
            for (size_t diff = (x >> nuisance) ^ y; diff != 0; diff >>= 1)
                d += (int)(diff & 1);
            gsl_matrix_set(pxy, x, y,
                           pow(eps, d) * pow(1.0 - eps, k - d) / (double)nx);
        }
    return pxy;
}

static double address_F(double R, int k, double eps)     /* k copies of it */
{
    return R >= k ? k * (1.0 - h2(eps)) : k * gerber(R / k, eps);
}

static double address_beta(double R, int k, double eps)  /* 1 / its slope */
{
    double a = h2_inverse(1.0 - R / k), b = star(eps, a);
    return log2((1.0 - a) / a) / ((1.0 - 2.0 * eps) * log2((1.0 - b) / b));
}
/* <<find the beta at which $I(X;T)$ reaches a target>> */
typedef struct {
    Bottleneck *b;
    const gsl_matrix *start;        /* every solve starts from this encoder */
    double target;                  /* bits */
} Rate_target;

static double rate_minus_target(double beta, void *v)
{
    Rate_target *g = v;
    gsl_matrix_memcpy(g->b->q, g->start);
    ib_solve(g->b, beta, 1e-13, 100000);
    return g->b->Ixt / M_LN2 - g->target;
}
/* <<find the beta at which $I(X;T)$ reaches a target>> */
static int beta_for_rate(Rate_target *g, double lo, double hi, double *beta,
                         Error *err)
{
    gsl_function f = {rate_minus_target, g};
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    int status = s ? gsl_root_fsolver_set(s, &f, lo, hi) : GSL_ENOMEM;
    for (int it = 0; status == GSL_SUCCESS && it < 100; it++) {
        status = gsl_root_fsolver_iterate(s);
        *beta = gsl_root_fsolver_root(s);
        if (status == GSL_SUCCESS
            && gsl_root_test_interval(gsl_root_fsolver_x_lower(s),
                                      gsl_root_fsolver_x_upper(s), 0.0, 1e-12)
               == GSL_SUCCESS)
            break;
    }
    gsl_root_fsolver_free(s);
    if (status != GSL_SUCCESS)
        return fail(err, "no beta found for I(X;T) = %g bits (%s)", g->target,
                    gsl_strerror(status));
    rate_minus_target(*beta, g);                    /* leave the root's solution */
    return 0;
}
/* <<solve Example 23.2 from random starts>> */
static const double address_random_betas[IB_RANDOM_STARTS] = {2.0, 3.0, 5.0, 20.0};

static int address_random(Noisy_address *a, Bottleneck *b, Error *err)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng == NULL)
        return fail(err, "out of memory for a random number generator");
    gsl_rng_set(rng, 1);
    for (int j = 0; j < IB_RANDOM_STARTS; j++) {
        double beta = address_random_betas[j];
        progress_stage(b->progress, "Example 23.2, a random start at beta %g", beta);
        ib_random_encoder(b, rng);
        int limit = ib_solve(b, beta, 1e-12, 20000);
        ib_record(b, beta, limit, &a->random[j]);
        a->random_gap[j] = address_F(a->random[j].Ixt, a->k, a->eps)
                           - a->random[j].Ity;
    }
    gsl_rng_free(rng);
    return 0;
}
/* <<anneal the five-bit address upwards>> */
static int address_anneal(Noisy_address *a, Progress *progress, Error *err)
{
    const size_t n = IB_SWEEP_POINTS;
    double betas[IB_SWEEP_POINTS];
    Ib_point curve[IB_SWEEP_POINTS];
    a->anneal_k = 5;
    gsl_matrix *pxy = address_joint(a->anneal_k, 0, a->eps, err);
    Bottleneck *b = pxy ? ib_alloc(pxy, pxy->size1, err) : NULL;
    gsl_rng *rng = b ? gsl_rng_alloc(gsl_rng_mt19937) : NULL;
    if (b != NULL && rng == NULL)
        fail(err, "out of memory for a random number generator");
    if (rng != NULL) {
        sweep_grid(1.0, a->beta_max, n, betas);
        for (size_t i = 0; i < n / 2; i++) {         /* increasing beta */
            double t = betas[i];
            betas[i] = betas[n - 1 - i];
            betas[n - 1 - i] = t;
        }
        gsl_rng_set(rng, 1);
        b->progress = progress;
        ib_anneal(b, rng, betas, n, 1e-12, 20000, curve);
        a->anneal_last = curve[n - 1];
        a->anneal_Ixy = address_F(a->anneal_k, a->anneal_k, a->eps);
        for (size_t i = 0; i < n; i++)
            if (curve[i].converged)
                a->anneal_gap = fmax(a->anneal_gap,
                    address_F(curve[i].Ixt, a->anneal_k, a->eps) - curve[i].Ity);
    }
    gsl_rng_free(rng);
    ib_free(b);
    gsl_matrix_free(pxy);
    return rng != NULL ? 0 : -1;
}

static int address_compute(Noisy_address *a, size_t npoints, Progress *progress,
                           Error *err)
{
    /* <<set up the noisy address and its sweep>> */
    *a = (Noisy_address){.k = 7, .nuisance = 4, .eps = 0.1, .beta_max = 200.0,
                         .npoints = npoints < IB_SWEEP_POINTS ? npoints
                                                              : IB_SWEEP_POINTS};
    gsl_matrix *pxy = address_joint(a->k, a->nuisance, a->eps, err), *merged = NULL;
    gsl_matrix *start = NULL;
    size_t *group = NULL;
    Bottleneck *b = NULL;
    double betas[IB_SWEEP_POINTS];
    Info in;
    int status = -1;
    if (pxy == NULL || information(pxy, &in, err) != 0)
        goto done;
    a->HX = in.HX;
    a->Ixy = in.I_sum;
    if ((group = alloc_array(pxy->size1, sizeof *group, err)) == NULL
        || (merged = merge_equal_rows(pxy, group, err)) == NULL
        || (b = ib_alloc(merged, merged->size1, err)) == NULL)
        goto done;
    a->groups = merged->size1;
    if (isnan(a->beta_c = critical_beta(merged, err)))
        goto done;
    if (a->npoints == 0) {                          /* the quick facts only */
        status = 0;
        goto done;
    }
    b->progress = progress;
    /* <<sweep the noisy address and compare it with the closed form>> */
    a->target = 6.0;
    if ((start = alloc_matrix(b->nx, b->nt, err)) == NULL)
        goto done;
    sweep_grid(1.0, a->beta_max, a->npoints, betas);
    gsl_matrix_set_identity(b->q);
    for (size_t i = 0; i < a->npoints; i++) {
        ib_sweep_on(b, &betas[i], 1, 1e-12, 20000, &a->curve[i]);
        if (a->curve[i].Ixt >= a->target)
            gsl_matrix_memcpy(start, b->q);
    }
    for (size_t i = 0; i < a->npoints; i++) {
        const Ib_point *p = &a->curve[i];
        a->iterations += p->iterations;
        if (p->iterations > a->most_iterations) {
            a->most_iterations = p->iterations;
            a->most_beta = p->beta;
        }
        if (p->converged) {
            a->converged++;
            a->worst_gap = fmax(a->worst_gap,
                                fabs(p->Ity - address_F(p->Ixt, a->k, a->eps)));
        }
    }
    /* <<find the six-bit point of the noisy address>> */
    progress_stage(progress, "Example 23.2, the beta of I(X;T) = %g bits", a->target);
    size_t i = 0;
    while (i + 1 < a->npoints
           && !(a->curve[i].Ixt >= a->target && a->curve[i + 1].Ixt < a->target))
        i++;
    if (i + 1 == a->npoints) {
        fail(err, "the sweep never crossed I(X;T) = %g bits", a->target);
        goto done;
    }
    Rate_target g = {b, start, a->target};
    if (beta_for_rate(&g, betas[i + 1], betas[i], &a->beta_star, err) != 0)
        goto done;
    a->Ixt_star = b->Ixt / M_LN2;
    a->Ity_star = b->Ity / M_LN2;
    a->F_star = address_F(a->target, a->k, a->eps);
    a->beta_star_closed = address_beta(a->target, a->k, a->eps);
    if (address_random(a, b, err) == 0 && address_anneal(a, progress, err) == 0)
        status = 0;
    /* <<clean up after the noisy address>> */
    done:
    gsl_matrix_free(start);
    gsl_matrix_free(pxy);
    gsl_matrix_free(merged);
    free(group);
    ib_free(b);
    return status;
}
/* <<compute worked example 23.6B>> */
typedef struct {
    double p, Hp, s_c, worst, worst_D;
    Rd_point pts[RD_POINTS];
} Coin;

static int coin_compute(Coin *c, Error *err)
{
    const double px[2] = {0.8, 0.2}, dist[4] = {0.0, 1.0, 1.0, 0.0};
    *c = (Coin){.p = px[1], .Hp = h2(px[1]), .s_c = log(px[0] / px[1])};
    for (int i = 0; i < RD_POINTS; i++) {
        Rd_point *q = &c->pts[i];
        double d = 0.01 * (i + 1), slope = log((1.0 - d) / d);
        if (blahut_arimoto(px, 2, dist, 2, slope, 1e-15, 1000000, q, err))
            return -1;
        double R = q->D < c->p ? h2(c->p) - h2(q->D) : 0.0;
        double D = q->s > c->s_c ? 1.0 / (1.0 + exp(q->s)) : c->p;
        c->worst = fmax(c->worst, fabs(q->R - R));
        c->worst_D = fmax(c->worst_D, fabs(q->D - D));
    }
    return 0;
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
/* <<a plain solver of the bottleneck for the tests>> */
enum { PLAIN_MAX = 12 };

typedef struct {
    size_t nx, ny, nt;
    double px[PLAIN_MAX], py[PLAIN_MAX], pyx[PLAIN_MAX][PLAIN_MAX];
    double q[PLAIN_MAX][PLAIN_MAX], pt[PLAIN_MAX], pyt[PLAIN_MAX][PLAIN_MAX];
    double Ixt, Ity;                                /* bits */
} Plain;
/* <<a plain solver of the bottleneck for the tests>> */
static void plain_setup(Plain *P, const double *joint, size_t nx, size_t ny,
                        size_t nt)
{
    CU_ASSERT_FATAL(nx <= PLAIN_MAX && ny <= PLAIN_MAX && nt <= PLAIN_MAX);
    P->nx = nx, P->ny = ny, P->nt = nt;
    for (size_t y = 0; y < ny; y++)
        P->py[y] = 0.0;
    for (size_t x = 0; x < nx; x++) {
        P->px[x] = 0.0;
        for (size_t y = 0; y < ny; y++) {
            P->px[x] += joint[x * ny + y];
            P->py[y] += joint[x * ny + y];
        }
        for (size_t y = 0; y < ny; y++)
            P->pyx[x][y] = joint[x * ny + y] / P->px[x];
    }
}
/* <<the plain decoder and measures>> */
static void plain_decoder(Plain *P)
{
    for (size_t t = 0; t < P->nt; t++) {
        P->pt[t] = 0.0;
        for (size_t x = 0; x < P->nx; x++)
            P->pt[t] += P->px[x] * P->q[x][t];
        for (size_t y = 0; y < P->ny; y++) {
            double s = 0.0;
            for (size_t x = 0; x < P->nx; x++)
                s += P->px[x] * P->q[x][t] * P->pyx[x][y];
            P->pyt[t][y] = P->pt[t] > 1e-14 ? s / P->pt[t] : P->py[y];
        }
    }
}
/* <<the plain decoder and measures>> */
static void plain_measure(Plain *P)
{
    P->Ixt = P->Ity = 0.0;
    for (size_t x = 0; x < P->nx; x++)
        for (size_t t = 0; t < P->nt; t++)
            if (P->q[x][t] > 0.0)
                P->Ixt += P->px[x] * P->q[x][t] * log2(P->q[x][t] / P->pt[t]);
    for (size_t t = 0; t < P->nt; t++)
        for (size_t y = 0; P->pt[t] > 1e-14 && y < P->ny; y++)
            if (P->pyt[t][y] > 0.0)
                P->Ity += P->pt[t] * P->pyt[t][y] * log2(P->pyt[t][y] / P->py[y]);
}
/* <<the plain encoder>> */
static double plain_divergence(const Plain *P, size_t x, size_t t)
{
    double D = 0.0;
    for (size_t y = 0; y < P->ny; y++)
        if (P->pyx[x][y] > 0.0) {
            if (P->pyt[t][y] == 0.0)
                return INFINITY;
            D += P->pyx[x][y] * log(P->pyx[x][y] / P->pyt[t][y]);
        }
    return D;
}
/* <<the plain encoder>> */
static void plain_encoder(Plain *P, double beta, double next[][PLAIN_MAX])
{
    for (size_t x = 0; x < P->nx; x++) {
        double D[PLAIN_MAX], Dmin = INFINITY, z = 0.0;
        for (size_t t = 0; t < P->nt; t++) {
            D[t] = plain_divergence(P, x, t);
            if (P->pt[t] > 1e-14)
                Dmin = fmin(Dmin, D[t]);
        }
        CU_ASSERT_FATAL(isfinite(Dmin));       /* some live cluster covers x */
        for (size_t t = 0; t < P->nt; t++) {
            double w = 0.0;
            if (P->pt[t] > 1e-14 && isfinite(D[t]))
                w = P->pt[t] * (beta > 0.0 ? exp(-beta * (D[t] - Dmin)) : 1.0);
            next[x][t] = w;
            z += w;
        }
        for (size_t t = 0; t < P->nt; t++)
            next[x][t] /= z;
    }
}
/* <<the plain iteration and sweep>> */
static void plain_solve(Plain *P, double beta, double tol, int max_iter)
{
    double next[PLAIN_MAX][PLAIN_MAX], L_prev = INFINITY;
    plain_decoder(P);
    for (int it = 0; it < max_iter; it++) {
        plain_encoder(P, beta, next);
        double move = 0.0;
        for (size_t x = 0; x < P->nx; x++)
            for (size_t t = 0; t < P->nt; t++) {
                move = fmax(move, fabs(next[x][t] - P->q[x][t]));
                P->q[x][t] = next[x][t];
            }
        plain_decoder(P);
        plain_measure(P);
        double L = (P->Ixt - beta * P->Ity) * M_LN2;            /* nats */
        if (move < tol && fabs(L - L_prev) < tol)
            return;
        L_prev = L;
    }
}
/* <<the plain iteration and sweep>> */
static void plain_mix(Plain *P, double delta)
{
    plain_decoder(P);
    for (size_t x = 0; x < P->nx; x++)
        for (size_t t = 0; t < P->nt; t++)
            P->q[x][t] = (1.0 - delta) * P->q[x][t] + delta * P->pt[t];
}
/* <<tests of the bottleneck>> */
static void test_one_bit(void)
{
    One_bit ob;
    Error err = {""};
    CU_ASSERT_FATAL(one_bit_compute(&ob, &err) == 0);
    double a = h2_inverse(1.0 - ob.Ixt);             /* the encoder's crossover */
    CU_ASSERT_DOUBLE_EQUAL(ob.Ity, 1.0 - h2(0.1 * (1 - a) + 0.9 * a), 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(ob.cross, a, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(ob.slope, 1.0 / 3.0, 1e-4);
    CU_ASSERT(ob.residual < 1e-9);
    CU_ASSERT(ob.variation < 1e-6);
    CU_ASSERT(ob.variation_start > 1e-3);
    CU_ASSERT_DOUBLE_EQUAL(ob.beta_c, 1.0 / 0.64, 1e-12);
}
/* <<tests of the bottleneck>> */
static void test_random_joints(void)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    CU_ASSERT_FATAL(rng != NULL);
    gsl_rng_set(rng, 8);
    const double betas[5] = {0.3, 0.9, 2.0, 5.0, 20.0};
    for (int trial = 0; trial < 10; trial++)
        for (int k = 0; k < 5; k++)
            /* <<solve one random problem at [[betas[k]]] and check it>> */
            {
                const size_t nx = 6, ny = 5;
                double w[30], alpha[30];
                for (int i = 0; i < 30; i++)
                    alpha[i] = 0.5;
                gsl_ran_dirichlet(rng, 30, alpha, w);
                gsl_matrix_const_view pxy = gsl_matrix_const_view_array(w, nx, ny);
                Error err = {""};
                Bottleneck *b = ib_alloc(&pxy.matrix, 6, &err);
                Info in;
                CU_ASSERT_FATAL(b != NULL && information(&pxy.matrix, &in, &err) == 0);
                ib_random_encoder(b, rng);
                /* <<solve, then check convergence, both checks of the derivation and data processing>> */
                if (ib_solve(b, betas[k], 1e-13, 5000000) != 0) {
                    CU_FAIL("the iteration did not converge");
                    fprintf(stderr, "\n  beta %g, trial %d: I(X;T) = %g nats after %d "
                            "iterations\n", betas[k], trial, b->Ixt, b->iterations);
                }
                double Ixt = b->Ixt / M_LN2, Ity = b->Ity / M_LN2;
                CU_ASSERT(self_consistency(b, betas[k]) < 1e-9);
                CU_ASSERT(largest_variation(b, betas[k], rng, 10, &err) < 1e-5);
                CU_ASSERT(Ity <= fmin(Ixt, in.I_sum) + 1e-9);      /* data processing */
                if (betas[k] < 1.0)
                    CU_ASSERT(Ixt < 1e-6);                         /* the trivial solution */
                ib_free(b);
            }
    gsl_rng_free(rng);
}
/* <<tests of the bottleneck>> */
static void check_curve(const Ib_point *c, size_t n, double Ixy, double tol)
{
    for (size_t i = 0; i + 1 < n; i++) {            /* c[i].beta > c[i+1].beta */
        const Ib_point *hi = &c[i], *lo = &c[i + 1];
        double dF = hi->Ity - lo->Ity, dR = hi->Ixt - lo->Ixt;
        CU_ASSERT(hi->converged && lo->converged);
        CU_ASSERT(dF >= -tol && dR >= -tol);                 /* monotone */
        CU_ASSERT(lo->beta * dF <= dR + tol);                /* the sandwich */
        CU_ASSERT(dR <= hi->beta * dF + tol);
    }
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT(c[i].Ity <= fmin(c[i].Ixt, Ixy) + tol);    /* data processing */
        if (c[i].beta <= 1.0)
            CU_ASSERT(c[i].Ixt < tol);                       /* trivial */
    }
    CU_ASSERT_DOUBLE_EQUAL(c[0].Ity, Ixy, 1e-6);             /* beta large */
}
/* <<tests of the bottleneck>> */
static void test_small_address(void)
{
    Error err = {""};
    const int k = 3;
    gsl_matrix *pxy = address_joint(k, 1, 0.1, &err);
    size_t group[16];
    gsl_matrix *merged = pxy ? merge_equal_rows(pxy, group, &err) : NULL;
    CU_ASSERT_FATAL(merged != NULL && merged->size1 == 8);
    for (size_t x = 0; x < 16; x++)
        CU_ASSERT(group[x] == x / 2);               /* the nuisance bit drops */
    Bottleneck *b = ib_alloc(merged, 8, &err);
    CU_ASSERT_FATAL(b != NULL);
    double betas[60];
    Ib_point c[60];
    sweep_grid(1.0, 200.0, 60, betas);
    ib_sweep(b, betas, 60, 1e-13, 200000, c);
    double Ixy = k * (1.0 - h2(0.1));
    check_curve(c, 60, Ixy, 1e-8);
    for (size_t i = 0; i < 60; i++)
        CU_ASSERT_DOUBLE_EQUAL(c[i].Ity, address_F(c[i].Ixt, k, 0.1), 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(critical_beta(pxy, &err), 1.0 / 0.64, 1e-9);
    ib_free(b);
    gsl_matrix_free(merged);
    gsl_matrix_free(pxy);
}
/* <<tests of the bottleneck>> */
static void test_example_address(void)
{
    Noisy_address *a = malloc(sizeof *a);
    Error err = {""};
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT_FATAL(address_compute(a, 25, NULL, &err) == 0);  /* a coarser grid */
    CU_ASSERT_DOUBLE_EQUAL(a->HX, 11.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(a->Ixy, 7.0 * (1.0 - h2(0.1)), 1e-10);
    CU_ASSERT(a->groups == 128);
    CU_ASSERT_DOUBLE_EQUAL(a->beta_c, 1.0 / 0.64, 1e-9);  /* one-bit value */
    CU_ASSERT(a->worst_gap < 1e-6);
    CU_ASSERT(a->converged + 2 >= a->npoints);       /* at most the two by beta_c */
    CU_ASSERT_DOUBLE_EQUAL(a->Ixt_star, 6.0, 1e-8);
    CU_ASSERT_DOUBLE_EQUAL(a->Ity_star, a->F_star, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(a->beta_star, a->beta_star_closed, 1e-5);
    for (int j = 0; j < IB_RANDOM_STARTS; j++)
        CU_ASSERT(a->random_gap[j] > -1e-9);       /* never above the optimum */
    const Ib_point *r1 = &a->random[IB_RANDOM_STARTS - 2], *r2 = r1 + 1;
    CU_ASSERT(r2->Ity < r1->Ity);        /* the text: monotonicity broken there */
    free(a);
}
/* <<tests of the bottleneck>> */
static void test_rate_distortion(void)
{
    Coin c;
    Error err = {""};
    CU_ASSERT_FATAL(coin_compute(&c, &err) == 0);
    CU_ASSERT(c.worst < 1e-6 && c.worst_D < 1e-6);
    const double fair[2] = {0.5, 0.5}, dist[4] = {0.0, 1.0, 1.0, 0.0};
    for (double s = 0.25; s < 12.0; s += 0.5) {
        Rd_point q;
        CU_ASSERT_FATAL(blahut_arimoto(fair, 2, dist, 2, s, 1e-15, 1000000, &q,
                                       &err) == 0);
        double D = 1.0 / (1.0 + exp(s));          /* every slope: s_c = 0 */
        CU_ASSERT(q.converged);
        CU_ASSERT_DOUBLE_EQUAL(q.D, D, 1e-9);
        CU_ASSERT_DOUBLE_EQUAL(q.R, 1.0 - h2(D), 1e-6);
    }
}
/* <<tests of the bottleneck>> */
static void test_progress(void)
{
    Progress off = progress_start(false), on = progress_start(true);
    progress_stage(&off, "a stage");
    progress_tick(&off, 64);
    progress_tick(&on, 64);                 /* well within two seconds */
    CU_ASSERT(!off.shown && !on.shown);
    progress_end(&off);
    progress_end(&on);
}
/* <<tests of the bottleneck>> */
static void compare_one(const double *w, size_t nx, size_t ny, size_t nt,
                        double beta, gsl_rng *rng, const char *what)
{
    gsl_matrix_const_view pxy = gsl_matrix_const_view_array(w, nx, ny);
    Error err = {""};
    Bottleneck *b = ib_alloc(&pxy.matrix, nt, &err);
    Plain P;
    CU_ASSERT_FATAL(b != NULL);
    plain_setup(&P, w, nx, ny, nt);
    ib_random_encoder(b, rng);
    for (size_t x = 0; x < nx; x++)
        for (size_t t = 0; t < nt; t++)
            P.q[x][t] = gsl_matrix_get(b->q, x, t);
    ib_solve(b, beta, 1e-14, 400000);
    plain_solve(&P, beta, 1e-14, 400000);
    /* <<the two solutions agree to $10^{-9}$ bits, or the test says where they differ>> */
    CU_ASSERT(ib_finite(b));
    double dx = fabs(b->Ixt / M_LN2 - P.Ixt), dy = fabs(b->Ity / M_LN2 - P.Ity);
    CU_ASSERT(dx < 1e-9 && dy < 1e-9);
    if (!(dx < 1e-9 && dy < 1e-9))
        fprintf(stderr, "\n  %s, |T| = %zu, beta %g: I(X;T) %.12g vs %.12g, "
                "I(T;Y) %.12g vs %.12g\n", what, nt, beta, b->Ixt / M_LN2, P.Ixt,
                b->Ity / M_LN2, P.Ity);
    if (beta == 0.0)
        CU_ASSERT(b->Ixt / M_LN2 < 1e-12);                 /* closed form */
    ib_free(b);
}
/* <<tests of the bottleneck>> */
static void compare_sweep(const double *w, size_t nx, size_t ny, const char *what)
{
    gsl_matrix_const_view pxy = gsl_matrix_const_view_array(w, nx, ny);
    Error err = {""};
    Bottleneck *b = ib_alloc(&pxy.matrix, nx, &err);
    Plain P;
    double betas[12];
    Ib_point c[12];
    CU_ASSERT_FATAL(b != NULL);
    sweep_grid(0.8, 50.0, 12, betas);
    ib_sweep(b, betas, 12, 1e-14, 400000, c);
    plain_setup(&P, w, nx, ny, nx);
    for (size_t x = 0; x < nx; x++)                         /* T = X */
        for (size_t t = 0; t < nx; t++)
            P.q[x][t] = x == t;
    /* <<follow the sweep with the plain solver and compare every point>> */
    for (size_t i = 0; i < 12; i++) {
        plain_mix(&P, IB_MIX);
        plain_solve(&P, betas[i], 1e-14, 400000);
        double dx = fabs(c[i].Ixt - P.Ixt), dy = fabs(c[i].Ity - P.Ity);
        CU_ASSERT(isfinite(c[i].Ixt) && isfinite(c[i].Ity) && dx < 1e-9 && dy < 1e-9);
        if (!(dx < 1e-9 && dy < 1e-9))
            fprintf(stderr, "\n  %s, sweep at beta %g: I(X;T) %.12g vs %.12g, "
                    "I(T;Y) %.12g vs %.12g\n", what, betas[i], c[i].Ixt, P.Ixt,
                    c[i].Ity, P.Ity);
    }
    CU_ASSERT(c[11].Ixt < 1e-9);                 /* beta = 0.8: trivial */
    ib_free(b);
}
/* <<tests of the bottleneck>> */
static void compare_with_plain(const double *w, size_t nx, size_t ny, gsl_rng *rng,
                               const char *what)
{
    const double betas[5] = {0.0, 0.7, 2.5, 8.0, 40.0};
    for (size_t nt = nx; nt >= 2; nt--)
        for (int k = 0; k < 5; k++)
            compare_one(w, nx, ny, nt, betas[k], rng, what);
    compare_sweep(w, nx, ny, what);
}
/* <<tests of the bottleneck>> */
static void sparse_joint(gsl_rng *rng, size_t nx, size_t ny, double zeros, double *w)
{
    double alpha[PLAIN_MAX * PLAIN_MAX], total = 0.0;
    size_t cells = nx * ny, order[PLAIN_MAX * PLAIN_MAX], left[PLAIN_MAX];
    for (size_t k = 0; k < cells; k++)
        alpha[k] = 0.7, order[k] = k;
    gsl_ran_dirichlet(rng, cells, alpha, w);
    gsl_ran_shuffle(rng, order, cells, sizeof order[0]);
    for (size_t x = 0; x < nx; x++)
        left[x] = ny;
    for (size_t k = 0, cut = 0; k < cells && cut < (size_t)(zeros * cells); k++)
        if (left[order[k] / ny] > 1) {               /* keep every row alive */
            w[order[k]] = 0.0;
            left[order[k] / ny]--;
            cut++;
        }
    for (size_t k = 0; k < cells; k++)
        total += w[k];
    for (size_t k = 0; k < cells; k++)
        w[k] /= total;
}

static void test_sparse_random(void)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    CU_ASSERT_FATAL(rng != NULL);
    gsl_rng_set(rng, 31);
    for (int trial = 0; trial < 12; trial++) {
        size_t nx = 3 + gsl_rng_uniform_int(rng, 4), ny = 3 + gsl_rng_uniform_int(rng, 4);
        double w[PLAIN_MAX * PLAIN_MAX];
        sparse_joint(rng, nx, ny, 0.3 + 0.3 * gsl_rng_uniform(rng), w);
        compare_with_plain(w, nx, ny, rng, "random sparse joint");
    }
    gsl_rng_free(rng);
}
/* <<tests of the bottleneck>> */
static void normalised_copy(const double *v, size_t n, double *w)
{
    double total = 0.0;
    for (size_t k = 0; k < n; k++)
        total += v[k];
    for (size_t k = 0; k < n; k++)
        w[k] = v[k] / total;
}

static void test_sparse_families(void)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    CU_ASSERT_FATAL(rng != NULL);
    gsl_rng_set(rng, 37);
    const double once_failing[9] = {1, 0, 1, 0, 0, 1, 0, 1, 1};
    const double two[4] = {0.497, 0, 0, 53};
    const double four[16] = {3, 0, 1, 2, 1, 1, 0, 2, 2, 2, 2, 0, 1, 3, 1, 1};
    double w[PLAIN_MAX * PLAIN_MAX];
    normalised_copy(once_failing, 9, w);
    compare_with_plain(w, 3, 3, rng, "1 0 1 / 0 0 1 / 0 1 1");
    normalised_copy(two, 4, w);
    compare_with_plain(w, 2, 2, rng, "0.497 0 / 0 53");
    normalised_copy(four, 16, w);
    compare_with_plain(w, 4, 4, rng, "4 x 4, three zeros");
    /* <<compare nested supports and disjoint blocks>> */
    double nested[25] = {0}, blocks[36] = {0};
    for (size_t x = 0; x < 5; x++)
        for (size_t y = 0; y <= x; y++)
            nested[x * 5 + y] = 1.0 + gsl_rng_uniform(rng);
    normalised_copy(nested, 25, w);
    compare_with_plain(w, 5, 5, rng, "nested supports");
    for (size_t x = 0; x < 6; x++)                      /* rows 0-2 on y 0-2, 3-5 on 3-5 */
        for (size_t y = 3 * (x / 3); y < 3 * (x / 3) + 3; y++)
            blocks[x * 6 + y] = gsl_rng_uniform_pos(rng);
    normalised_copy(blocks, 36, w);
    compare_with_plain(w, 6, 6, rng, "disjoint blocks");
    gsl_rng_free(rng);
}
/* <<tests of the bottleneck>> */
static void test_deterministic_and_one_hot(void)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    CU_ASSERT_FATAL(rng != NULL);
    gsl_rng_set(rng, 41);
    double px[6], alpha[6] = {1, 1, 1, 1, 1, 1}, det[18] = {0}, hot[36] = {0};
    double py[3] = {0, 0, 0}, HY = 0.0, HX = 0.0;
    gsl_ran_dirichlet(rng, 6, alpha, px);
    for (size_t x = 0; x < 6; x++) {
        det[x * 3 + x % 3] = px[x];                 /* f(x) = x mod 3 */
        py[x % 3] += px[x];
        hot[x * 6 + x] = px[x];
        HX -= px[x] * log2(px[x]);
    }
    for (size_t y = 0; y < 3; y++)
        HY -= py[y] * log2(py[y]);
    const double *joints[2] = {det, hot}, top_ity[2] = {HY, HX}, top_ixt[2] = {HY, HX};
    const size_t ny[2] = {3, 6};
    for (int j = 0; j < 2; j++) {
        gsl_matrix_const_view pxy = gsl_matrix_const_view_array(joints[j], 6, ny[j]);
        Error err = {""};
        Bottleneck *b = ib_alloc(&pxy.matrix, 6, &err);
        double betas[12];
        Ib_point c[12];
        CU_ASSERT_FATAL(b != NULL);
        sweep_grid(0.8, 50.0, 12, betas);
        ib_sweep(b, betas, 12, 1e-14, 400000, c);
        CU_ASSERT_DOUBLE_EQUAL(c[0].Ity, top_ity[j], 1e-9);
        CU_ASSERT_DOUBLE_EQUAL(c[0].Ixt, top_ixt[j], 1e-9);
        ib_free(b);
        compare_with_plain(joints[j], 6, ny[j], rng, j ? "one-hot rows"
                                                       : "deterministic channel");
    }
    gsl_rng_free(rng);
}
/* <<tests of the bottleneck>> */
static void test_random_curves(void)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    CU_ASSERT_FATAL(rng != NULL);
    gsl_rng_set(rng, 23);
    for (int trial = 0; trial < 8; trial++) {
        double w[24], alpha[24];
        for (int i = 0; i < 24; i++)
            alpha[i] = 0.7;
        gsl_ran_dirichlet(rng, 24, alpha, w);
        gsl_matrix_const_view pxy = gsl_matrix_const_view_array(w, 6, 4);
        Error err = {""};
        Info in;
        Bottleneck *b = ib_alloc(&pxy.matrix, 6, &err);
        CU_ASSERT_FATAL(b != NULL && information(&pxy.matrix, &in, &err) == 0);
        /* <<sweep one random joint and check its curve>> */
        double betas[40];
        Ib_point c[40];
        sweep_grid(0.8, 1e4, 40, betas);
        ib_sweep(b, betas, 40, 1e-13, 2000000, c);
        check_curve(c, 40, in.I_sum, 1e-7);
        /* <<check that the trivial encoder turns unstable at the critical beta>> */
        double beta_c = critical_beta(&pxy.matrix, &err);
        CU_ASSERT_FATAL(isfinite(beta_c) && beta_c > 1.0);
        for (int side = 0; side < 2; side++) {
            gsl_matrix_set_all(b->q, 1.0 / 6.0);
            jitter_encoder(b, rng, 1e-3);
            ib_solve(b, (side ? 1.05 : 0.95) * beta_c, 1e-14, 2000000);
            if (side == 0) {
                CU_ASSERT(b->Ixt < 1e-9);
            } else {
                CU_ASSERT(b->Ixt > 1e-6);
            }
        }
        ib_free(b);
    }
    gsl_rng_free(rng);
}
/* <<tests of the bottleneck>> */
static void expect_ib_rejection(const char *args, const char *needle)
{
    expect_rejection_of(args, needle, "enc.tsv");
}

static void test_ib_cli(void)
{
    write_test_file("j.tsv", "45 5\n5 45\n");
    write_test_file("neg.tsv", "1 -1\n1 1\n");
    write_test_file("zero.tsv", "0 0\n0 0\n");
    write_test_file("nan.tsv", "1 nan\n1 1\n");
    expect_ib_rejection("--joint j.tsv --beta -1 -o enc.tsv", "non-negative");
    expect_ib_rejection("--joint j.tsv -o enc.tsv", "needs --beta");
    expect_ib_rejection("--joint neg.tsv --beta 2 -o enc.tsv", "negative");
    expect_ib_rejection("--joint zero.tsv --beta 2 -o enc.tsv", "positive");
    expect_ib_rejection("--joint nan.tsv --beta 2 -o enc.tsv", "not finite");
    expect_ib_rejection("--joint j.tsv --beta 2 --clusters 0 -o enc.tsv",
                        "out of range");
    expect_ib_rejection("--beta 2", "need --joint");
    expect_ib_rejection("--joint j.tsv --beta 2 -o j.tsv", "overwrite an input");
    /* <<more bad inputs of ib: zero rows, sweep options>> */
    write_test_file("zrow.tsv", "1 1\n0 0\n1 2\n");
    expect_ib_rejection("--joint zrow.tsv --beta 2 -o enc.tsv", "row 2 is all zeros");
    expect_ib_rejection("--joint j.tsv --beta 2 --points 5 -o enc.tsv", "need --sweep");
    expect_ib_rejection("--joint j.tsv --beta 2 --sweep", "exclude each other");
    expect_ib_rejection("--joint j.tsv --sweep -o enc.tsv", "go with --beta");
    expect_ib_rejection("--joint j.tsv --sweep --beta-min 0", "must be positive");
    expect_ib_rejection("--joint j.tsv --sweep --beta-min 5 --beta-max 2",
                        "must exceed");
    expect_ib_rejection("--joint j.tsv --sweep --points 1", "out of range");
    expect_ib_rejection("--curve enc.tsv --beta 2", "need --joint");
    Run r = run_program("--joint j.tsv --beta 3 --clusters 2 -o enc.tsv");
    CU_ASSERT(r.status == 0 && test_file_exists("enc.tsv"));
    CU_ASSERT(strstr(r.out, "clusters in use 2 of 2") != NULL);
    /* <<run a sweep from the command line and read its curve>> */
    write_test_file("rep.tsv", "9 1\n1 9\n27 3\n3 27\n");
    r = run_program("--joint rep.tsv --sweep --points 7 --beta-max 50");
    CU_ASSERT(r.status == 0);
    CU_ASSERT(strstr(r.out, "4 inputs (2 distinct)") != NULL);
    CU_ASSERT(strstr(r.out, "critical beta 1/rho^2 = 1.5625") != NULL);
    CU_ASSERT(strstr(r.out, "biased upward by about 0.0271 bits") != NULL);
    CU_ASSERT(count_lines(r.out) == 4 + 7);
    /* <<run a sweep from the command line and read its curve>> */
    write_test_file("sparse.tsv", "1 0 1\n0 0 1\n0 1 1\n");
    r = run_program("--joint sparse.tsv --sweep --points 3");
    double Ixy = 0.4 * log2(2.5) + 0.4 * log2(0.2 / 0.24) + 0.2 * log2(0.2 / 0.12);
    double HX = -0.8 * log2(0.4) - 0.2 * log2(0.2);
    char want[160];
    snprintf(want, sizeof want, "200\t%.10g\t%.10g\t", HX, Ixy);
    CU_ASSERT(r.status == 0 && strstr(r.out, want) != NULL);
    CU_ASSERT(strstr(r.out, "\n1\t0\t0\t0\t") != NULL);
    r = run_program("--joint sparse.tsv --beta 5 --clusters 3");
    CU_ASSERT(r.status == 0 && strstr(r.out, "clusters in use 0") == NULL);
    write_test_file("huge.tsv", "1e308 1e308\n1 2\n");
    r = run_program("--joint huge.tsv --beta 5");
    CU_ASSERT(r.status == 0 && strstr(r.out, "nan") == NULL);
    r = run_program("--joint huge.tsv --sweep --points 3");
    CU_ASSERT(r.status == 0 && strstr(r.out, "nan") == NULL);
    write_test_file("vanish.tsv", "1e300 1\n1e-320 0\n");
    expect_rejection_of("--joint vanish.tsv --beta 2 -o enc2.tsv", "vanishes", "enc2.tsv");
    expect_rejection_of("--joint j.tsv --sweep --full", "worked examples", "enc2.tsv");
    /* <<run a sweep from the command line and read its curve>> */
    r = run_program("--quiet");
    CU_ASSERT(r.status == 0 && strstr(r.out, "Worked example 23.6A") != NULL
              && strstr(r.out, "Worked example 23.6B") != NULL
              && strstr(r.out, "ib --full") != NULL);
}
/* <<run every suite of ib>> */
int main(void)
{
    static const char *const suites[] = {"23.6 information bottleneck"};
    static const Test_entry tests[] = {
        {0, "worked example 23.6A, one bit: closed form, tangent, residual, "
            "variation", test_one_bit},
        {0, "the progress line: silent when off and in the first seconds",
         test_progress},
        {0, "random joints: stationary, consistent, data processing",
         test_random_joints},
        {0, "sparse random joints: the program against a plain solver",
         test_sparse_random},
        {0, "nested, blocked and once-failing sparse joints against it",
         test_sparse_families},
        {0, "a deterministic channel and one-hot rows: H(Y), H(X) at the top",
         test_deterministic_and_one_hot},
        {0, "merging equal rows; the 4-bit address against Mrs Gerber",
         test_small_address},
        {0, "random curves: monotone, chords within 1/beta, critical beta",
         test_random_curves},
        {0, "Example 23.2: the closed form, the six-bit point, random starts",
         test_example_address},
        {0, "worked example 23.6B: Blahut-Arimoto against h(p) - h(D)",
         test_rate_distortion},
        {0, "command line: bad input, one solution, a sweep", test_ib_cli}};
    return run_test_table(suites, 1, tests, sizeof tests / sizeof tests[0]);
}

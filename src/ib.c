/* ib.c -- the Information Bottleneck: self-consistent equations solved by
 * iteration in the log domain, for one beta or a sweep; its critical beta;
 * rate-distortion by Blahut-Arimoto.
 *
 * Tangled from chapters/23-6-ib.nw, chapters/p6-ib.nw and chapters/support.nw
 * of the book
 * "Can AI Understand Music?"; edit those files, not this one, then `make tangle`.
 * Build alone:
 *   cc -std=c11 -O2 ib.c $(pkg-config --cflags --libs gsl) -o ib
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
#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_roots.h>
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
/* <<the command line of ib>> */
typedef struct {
    const char *joint, *encoder, *macros, *values, *curve, *rd_curve;
    double beta, tol, beta_min, beta_max;
    long clusters, max_iter, seed, points;
    bool beta_given, sweep, sweep_given, quiet, full;
} Ib_options;

/* <<print the usage of ib>> */
static void ib_usage(FILE *fp)
{
    fputs(
"Usage: ib [OPTION]...\n"
"Solve the Information Bottleneck min I(X;T) - beta I(T;Y) by iterating its\n"
"self-consistent equations, for one beta or for a sweep of betas.  With no\n"
"options, print the worked examples of section 23.6 of the book (in a\n"
"fraction of a second; Example 23.2's sweep needs --full).\n"
"\n"
"  -j, --joint FILE      the joint distribution p(x,y): rows x, columns y,\n"
"                        non-negative weights or counts (normalised); every\n"
"                        row needs a positive sum.  A table of whole numbers\n"
"                        with total 1 < N < 2^53 is read as counts, and the\n"
"                        plug-in I(X;Y) is printed with its Miller-Madow bias\n"
"  -b, --beta B          solve for one beta, B >= 0\n"
"  -k, --clusters K      with --beta: the number of clusters |T|, 1..1024\n"
"                        (default: the number of distinct rows p(y|x))\n"
"  -s, --seed S          with --beta: seed of the random start (default 1)\n"
"  -o, --encoder FILE    with --beta: write the encoder p(t|x) as TSV, rows x\n"
"      --sweep           trace the curve: start from T = X at --beta-max and\n"
"                        lower beta to --beta-min, each solve starting from\n"
"                        the last with a fraction 1e-9 of p(t) mixed into\n"
"                        every row; print one TSV line per beta\n"
"      --beta-min B      smallest beta of the sweep (default 1)\n"
"      --beta-max B      largest beta of the sweep (default 200)\n"
"      --points N        number of betas, uniform in 1/beta (default 100)\n"
"      --tol T           stop when no encoder entry moves by T or more and L\n"
"                        (in nats) changes by less than T (default 1e-12)\n"
"      --max-iter N      iteration limit for each beta (default 100000)\n"
"  -q, --quiet           no progress line on standard error (it appears only\n"
"                        on a terminal, after two seconds)\n"
"      --full            (examples) also compute Example 23.2's sweep, six-bit\n"
"                        point, random starts and annealing (a minute or more;\n"
"                        implied by --macros, --values and --curve)\n"
"      --macros FILE     (examples) write the numbers as LaTeX macros\n"
"      --values FILE     (examples) write 'key<TAB>value' lines for `make verify`\n"
"      --curve FILE      (examples) write the data of the Example 23.2 figures\n"
"      --rd-curve FILE   (examples) write the data of the 23.6B figure\n"
"  -h, --help            show this help and exit\n"
"\n"
"Inputs x with equal rows p(y|x) are merged first; the curve is unchanged.\n"
"A cluster with p(t) <= 1e-14 is pruned: no input is assigned to it again,\n"
"unless its own p(x) is too small for any live cluster.  A NaN or an\n"
"infinity in a solution is refused (exit 1), never printed.\n"
"Informations are reported in bits.  With --beta the program also prints the\n"
"self-consistency residual and the largest directional derivative of the\n"
"Lagrangian along row-preserving perturbations (both ~0 at a solution).\n"
"Exit status: 0 on success, 1 on bad input, 2 if the iteration limit came first.\n",
          fp);
}
/* <<parse the options of ib>> */
static int ib_parse_options(int argc, char *argv[], Ib_options *opt, Error *err)
{
    static const struct option longopts[] = {
        {"joint", required_argument, NULL, 'j'},
        {"beta", required_argument, NULL, 'b'},
        {"clusters", required_argument, NULL, 'k'},
        {"seed", required_argument, NULL, 's'},
        {"tol", required_argument, NULL, 't'},
        {"max-iter", required_argument, NULL, 'n'},
        {"encoder", required_argument, NULL, 'o'},
        {"sweep", no_argument, NULL, 'S'},
        {"beta-min", required_argument, NULL, '<'},
        {"beta-max", required_argument, NULL, '>'},
        {"points", required_argument, NULL, 'p'},
        {"macros", required_argument, NULL, 'm'},
        {"values", required_argument, NULL, 'V'},
        {"curve", required_argument, NULL, 'c'},
        {"rd-curve", required_argument, NULL, 'r'},
        {"full", no_argument, NULL, 'F'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    *opt = (Ib_options){.tol = 1e-12, .beta_min = 1.0, .beta_max = 200.0,
                     .max_iter = 100000, .seed = 1, .points = 100};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":j:b:k:s:o:qh", longopts, NULL)) != -1) {
        int s = 0;
        switch (c) {
        /* <<handle one option of ib>> */
        case 'j': opt->joint = optarg; break;
        case 'o': opt->encoder = optarg; break;
        case 'm': opt->macros = optarg; break;
        case 'V': opt->values = optarg; break;
        case 'c': opt->curve = optarg; break;
        case 'r': opt->rd_curve = optarg; break;
        case 'S': opt->sweep = true; break;
        case 'F': opt->full = true; break;
        case 'q': opt->quiet = true; break;
        case 'h': return -2;
        case 'b': s = parse_double(optarg, "--beta", &opt->beta, err);
                  opt->beta_given = true; break;
        case '<': s = parse_double(optarg, "--beta-min", &opt->beta_min, err);
                  opt->sweep_given = true; break;
        case '>': s = parse_double(optarg, "--beta-max", &opt->beta_max, err);
                  opt->sweep_given = true; break;
        case 'p': s = parse_count(optarg, "--points", 2, 100000, &opt->points, err);
                  opt->sweep_given = true; break;
        case 't': s = parse_double(optarg, "--tol", &opt->tol, err); break;
        case 'k': s = parse_count(optarg, "--clusters", 1, 1024, &opt->clusters, err); break;
        case 'n':
            s = parse_count(optarg, "--max-iter", 1, 100000000, &opt->max_iter, err);
            break;
        case 's': s = parse_count(optarg, "--seed", 1, 4294967295L, &opt->seed, err); break;
        default: return bad_option(c, argv, optind, optopt, err);
        }
        if (s != 0)
            return -1;
    }
    /* <<check the combination of ib's options>> */
    if (optind < argc)
        return fail(err, "unexpected argument '%s' (see --help)", argv[optind]);
    if (opt->joint && !opt->beta_given && !opt->sweep)
        return fail(err, "--joint needs --beta B or --sweep");
    if (opt->beta_given && opt->sweep)
        return fail(err, "--beta and --sweep exclude each other");
    if (!opt->joint && (opt->beta_given || opt->sweep || opt->encoder || opt->clusters))
        return fail(err, "--beta, --sweep, --clusters and --encoder need --joint FILE");
    if (opt->sweep_given && !opt->sweep)
        return fail(err, "--beta-min, --beta-max and --points need --sweep");
    if (opt->sweep && (opt->encoder || opt->clusters))
        return fail(err, "--encoder and --clusters go with --beta; a sweep uses one "
                    "cluster per distinct row");
    if (opt->joint && (opt->macros || opt->values || opt->curve || opt->rd_curve
                       || opt->full))
        return fail(err, "--full, --macros, --values, --curve and --rd-curve belong "
                    "to the worked examples");
    /* <<check the values of ib's numeric options>> */
    if (opt->beta < 0.0)
        return fail(err, "--beta must be non-negative, got %g", opt->beta);
    if (!(opt->beta_min > 0.0))
        return fail(err, "--beta-min must be positive, got %g", opt->beta_min);
    if (!(opt->beta_max > opt->beta_min))
        return fail(err, "--beta-max (%g) must exceed --beta-min (%g)", opt->beta_max,
                    opt->beta_min);
    if (!(opt->tol > 0.0 && opt->tol < 1.0))
        return fail(err, "--tol must lie between 0 and 1, got %g", opt->tol);
    const char *outs[5] = {opt->encoder, opt->macros, opt->values, opt->curve,
                           opt->rd_curve};
    if (distinct_outputs(&opt->joint, 1, outs, 5, err) != 0)
        return -1;
    return 0;
}
/* <<run ib on the reader's joint distribution>> */
static int rows_positive(const gsl_matrix *raw, const gsl_matrix *pxy,
                         const char *path, Error *err)
{
    for (size_t x = 0; x < pxy->size1; x++) {
        double px = 0.0, top = 0.0;
        for (size_t y = 0; y < pxy->size2; y++) {
            px += gsl_matrix_get(pxy, x, y);
            top = fmax(top, gsl_matrix_get(raw, x, y));
        }
        if (!(top > 0.0))
            return fail(err, "%s: row %zu is all zeros (every x needs p(x) > 0)",
                        path, x + 1);
        if (!(px > 0.0))
            return fail(err, "%s: row %zu (largest weight %g) vanishes beside the "
                        "largest weight of the table (%g) once normalised", path,
                        x + 1, top, gsl_matrix_max(raw));
    }
    return 0;
}
/* <<run ib on the reader's joint distribution>> */
/* <<solve the reader's problem for one beta>> */
/* <<write the encoder, one row per input>> */
static void write_encoder(FILE *fp, const Bottleneck *b, const size_t *group,
                          size_t nx)
{
    for (size_t x = 0; x < nx; x++)
        for (size_t t = 0; t < b->nt; t++)
            fprintf(fp, "%.12g%c", gsl_matrix_get(b->q, group[x], t),
                    t + 1 < b->nt ? '\t' : '\n');
}

static int run_one_beta(const Ib_options *opt, const gsl_matrix *merged,
                        const size_t *group, size_t nx, const Count_bias *cb,
                        Progress *progress, Error *err)
{
    Bottleneck *b = NULL;
    Outfile out = outfile_none();                   /* opened before the work */
    if (opt->encoder != NULL && outfile_open(&out, opt->encoder, err) != 0)
        return -1;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int status = -1;
    size_t nt = opt->clusters ? (size_t)opt->clusters : merged->size1;
    if (nt > IB_MAX_CLUSTERS)
        fail(err, "%s has %zu distinct rows, more than %d clusters; give "
             "--clusters K", opt->joint, nt, IB_MAX_CLUSTERS);
    else if (rng == NULL)
        fail(err, "out of memory for a random number generator");
    else if ((b = ib_alloc(merged, nt, err)) != NULL) {
        gsl_rng_set(rng, (unsigned long)opt->seed);
        ib_random_encoder(b, rng);
        b->progress = progress;
        progress_stage(progress, "beta %g", opt->beta);
        int limit = ib_solve(b, opt->beta, opt->tol, (int)opt->max_iter);
        progress_end(progress);
        if (!ib_finite(b))
            fail(err, "the iteration at beta %g produced a non-finite value "
                 "(NaN or infinity); no solution is reported", opt->beta);
        else {
            /* <<report the solution and write the encoder>> */
            Ib_point p;
            ib_record(b, opt->beta, limit, &p);
            double residual = self_consistency(b, opt->beta);
            double variation = largest_variation(b, opt->beta, rng, 20, err);
            printf("beta %g: I(X;T) = %.10g bits, I(T;Y) = %.10g bits, L = %.10g bits\n",
                   opt->beta, p.Ixt, p.Ity, p.Ixt - opt->beta * p.Ity);
            printf("inputs %zu (%zu distinct), clusters in use %zu of %zu, iterations %d%s\n",
                   nx, merged->size1, p.used, b->nt, p.iterations,
                   limit ? " (limit reached)" : "");
            printf("self-consistency residual %.3g, largest variation %.3g nats\n",
                   residual, variation);
            Info in;
            if (cb->counts && information(merged, &in, err) == 0)
                printf("read as counts (N = %.17g): the plug-in I(X;Y) = %.6g bits is biased "
                       "upward by about %.3g bits\n(Miller-Madow); I(X;T) and I(T;Y) are "
                       "plug-in values too\n", cb->N, in.I_sum, cb->bias_mm);
            if (out.fp != NULL)
                write_encoder(out.fp, b, group, nx);
            if (stdout_written(err) == 0 && outfiles_commit(&out, 1, err) == 0)
                status = limit ? 2 : 0;
        }
    }
    if (status < 0)
        outfiles_abort(&out, 1);
    ib_free(b);
    gsl_rng_free(rng);
    return status;
}
/* <<sweep the reader's problem>> */
static int run_sweep(const Ib_options *opt, const gsl_matrix *merged, size_t nx,
                     const Count_bias *cb, Progress *progress, Error *err)
{
    const size_t n = (size_t)opt->points, ng = merged->size1;
    if (ng > IB_MAX_CLUSTERS)
        return fail(err, "%s has %zu distinct rows; a sweep starts from one "
                    "cluster per row and allows at most %d", opt->joint, ng,
                    IB_MAX_CLUSTERS);
    Bottleneck *b = ib_alloc(merged, ng, err);
    double *betas = alloc_array(n, sizeof *betas, err);
    Ib_point *curve = alloc_array(n, sizeof *curve, err);
    Info in;
    int status = -1;
    double beta_c = NAN;
    if (b && betas && curve && information(merged, &in, err) == 0
        && !isnan(beta_c = critical_beta(merged, err))) {
        sweep_grid(opt->beta_min, opt->beta_max, n, betas);
        b->progress = progress;
        ib_sweep(b, betas, n, opt->tol, (int)opt->max_iter, curve);
        progress_end(progress);
        size_t bad = 0;
        while (bad < n && isfinite(curve[bad].Ixt) && isfinite(curve[bad].Ity))
            bad++;
        if (bad < n)
            fail(err, "the sweep produced a non-finite value (NaN or infinity) "
                 "at beta %g; no curve is reported", curve[bad].beta);
        else {
            /* <<print the curve as TSV>> */
            size_t limited = 0;
            printf("# Information Bottleneck sweep of %s: %zu inputs (%zu distinct), "
                   "%zu outputs\n", opt->joint, nx, ng, merged->size2);
            if (isinf(beta_c))                  /* rho = 0: X and Y independent */
                printf("# I(X;Y) = %.10g bits; critical beta: none (rho = 0, so no split "
                       "of T ever tells anything of Y)\n", in.I_sum);
            else
                printf("# I(X;Y) = %.10g bits; critical beta 1/rho^2 = %.10g\n", in.I_sum, beta_c);
            if (cb->counts)
                printf("# read as counts (N = %.17g): the plug-in I(X;Y) is biased upward by "
                       "about %.3g bits (Miller-Madow)\n", cb->N, cb->bias_mm);
            printf("# beta\tI(X;T)\tI(T;Y)\tL\tclusters\titerations\tconverged\n");
            for (size_t i = 0; i < n; i++) {
                const Ib_point *p = &curve[i];
                printf("%.10g\t%.10g\t%.10g\t%.10g\t%zu\t%d\t%d\n", p->beta, p->Ixt, p->Ity,
                       p->Ixt - p->beta * p->Ity, p->used, p->iterations, p->converged);
                limited += !p->converged;
            }
            if (limited > 0)
                printf("# %zu of %zu betas reached the iteration limit (converged = 0)\n",
                       limited, n);
            if (stdout_written(err) == 0)
                status = limited ? 2 : 0;
        }
    }
    ib_free(b);
    free(betas);
    free(curve);
    return status;
}

static int run_on_joint(const Ib_options *opt, Progress *progress, Error *err)
{
    gsl_matrix *pxy = read_matrix(opt->joint, err), *copy = NULL, *merged = NULL;
    size_t *group = NULL;
    int status = -1;
    Count_bias cb = {false, 0, 0, 0, 0, 0, 0};
    if (pxy != NULL)
        cb = count_bias(pxy);
    if (pxy != NULL && (copy = alloc_matrix(pxy->size1, pxy->size2, err)) != NULL
        && gsl_matrix_memcpy(copy, pxy) == GSL_SUCCESS
        && normalise_joint(copy, opt->joint, err) == 0
        && rows_positive(pxy, copy, opt->joint, err) == 0
        && (group = alloc_array(pxy->size1, sizeof *group, err)) != NULL
        && (merged = merge_equal_rows(pxy, group, err)) != NULL
        && normalise_joint(merged, opt->joint, err) == 0)
        status = opt->sweep ? run_sweep(opt, merged, pxy->size1, &cb, progress, err)
                            : run_one_beta(opt, merged, group, pxy->size1, &cb,
                                           progress, err);
    free(group);
    gsl_matrix_free(merged);
    gsl_matrix_free(copy);
    gsl_matrix_free(pxy);
    return status;
}
/* <<print and record the worked examples of ib>> */
/* <<print and record the one-bit example>> */
static void print_one_bit(const One_bit *ob)
{
    printf("Worked example 23.6A: X a fair bit, Y = X flipped with probability %g; |T| = 2\n",
           ob->eps);
    printf("  I(X;Y) = %.10g bits, critical beta = %.10g\n", ob->Ixy, ob->beta_c);
    printf("  beta %g: I(X;T) = %.10g, I(T;Y) = %.10g bits (%d iterations)\n",
           ob->beta, ob->Ixt, ob->Ity, ob->iterations);
    printf("  closed form F(I(X;T)) = %.10g; crossover %.10g; slope %.8g\n",
           ob->F, ob->cross, ob->slope);
    printf("  residual %.3g; variation %.3g nats (at the start %.3g)\n",
           ob->residual, ob->variation, ob->variation_start);
}

static void write_one_bit_macros(FILE *fp, const One_bit *ob)
{
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
/* <<print and record Example 23.2>> */
static void print_address(const Noisy_address *a)
{
    printf("Example 23.2: X uniform on %zu codewords, Y = top %d bits flipped "
           "with probability %g\n", (size_t)1 << (a->k + a->nuisance), a->k, a->eps);
    printf("  H(X) = %.10g bits, I(X;Y) = %.10g bits, %zu distinct rows, "
           "critical beta %.10g\n", a->HX, a->Ixy, a->groups, a->beta_c);
    if (a->npoints == 0) {
        puts("  (its sweep, six-bit point, random starts and forward annealing take"
             "\n  a minute or more: run ib --full to see them)");
        return;
    }
    printf("  sweep of %zu betas: %zu converged, %ld iterations (most %d at beta "
           "%.4g), largest gap to the closed form %.3g bits\n", a->npoints,
           a->converged, a->iterations, a->most_iterations, a->most_beta,
           a->worst_gap);
    printf("  I(X;T) = %.10g bits at beta %.10g (closed form %.10g): I(T;Y) = "
           "%.10g bits, F = %.10g\n", a->Ixt_star, a->beta_star, a->beta_star_closed,
           a->Ity_star, a->F_star);
    for (int j = 0; j < IB_RANDOM_STARTS; j++)
        printf("  random start, beta %g: I(X;T) = %.6f, I(T;Y) = %.6f bits, "
               "%.3g bits below the curve\n", a->random[j].beta, a->random[j].Ixt,
               a->random[j].Ity, a->random_gap[j]);
    printf("  forward annealing, %d-bit address: ends at I(X;T) = %.6f, I(T;Y) = "
           "%.6f bits; up to %.3g bits below the curve\n", a->anneal_k,
           a->anneal_last.Ixt, a->anneal_last.Ity, a->anneal_gap);
}
/* <<print and record Example 23.2>> */
static void write_address_macros(FILE *fp, const Noisy_address *a)
{
    const Ib_point *top = &a->curve[0];
    tex_macro_trim(fp, "IbAdrHX", a->HX, 10);
    tex_macro(fp, "IbAdrIxy", a->Ixy, 6);
    tex_macro_int(fp, "IbAdrGroups", (long)a->groups);
    tex_macro(fp, "IbAdrBetaC", a->beta_c, 6);
    tex_macro_int(fp, "IbAdrPoints", (long)a->npoints);
    tex_macro_trim(fp, "IbAdrBetaMax", a->beta_max, 6);
    tex_macro_int(fp, "IbAdrIters", a->iterations);
    tex_macro_int(fp, "IbAdrMostIters", a->most_iterations);
    tex_macro(fp, "IbAdrMostItersBeta", a->most_beta, 4);
    tex_macro_int(fp, "IbAdrConverged", (long)a->converged);
    tex_macro(fp, "IbAdrWorstGap", a->worst_gap, 2);
    tex_macro(fp, "IbAdrTopIty", top->Ity, 6);
    tex_macro(fp, "IbAdrTopIxt", top->Ixt, 6);
    tex_macro_trim(fp, "IbAdrTarget", a->target, 6);
    tex_macro(fp, "IbAdrBetaStar", a->beta_star, 6);
    tex_macro(fp, "IbAdrBetaStarClosed", a->beta_star_closed, 6);
    tex_macro(fp, "IbAdrItyStar", a->Ity_star, 6);
    tex_macro(fp, "IbAdrFStar", a->F_star, 6);
    tex_macro(fp, "IbAdrKeptPercent", 100.0 * a->Ity_star / a->Ixy, 2);
    /* <<write the macros of the random starts and of forward annealing>> */
    fputs("\\newcommand{\\IbRandomRows}{", fp);
    for (int j = 0; j < IB_RANDOM_STARTS; j++) {
        const Ib_point *p = &a->random[j];
        fprintf(fp, "%g & %d & %.4f & %.4f & %.4f\\\\", p->beta, p->iterations,
                p->Ixt, p->Ity, a->random_gap[j]);
    }
    fputs("}\n", fp);
    tex_macro_trim(fp, "IbRandBetaA", a->random[0].beta, 6);
    tex_macro(fp, "IbRandGapA", a->random_gap[0], 2);
    tex_macro_trim(fp, "IbRandBetaC", a->random[IB_RANDOM_STARTS - 2].beta, 6);
    tex_macro_trim(fp, "IbRandBetaD", a->random[IB_RANDOM_STARTS - 1].beta, 6);
    tex_macro(fp, "IbRandGapD", a->random_gap[IB_RANDOM_STARTS - 1], 2);
    tex_macro_int(fp, "IbAnnealK", a->anneal_k);
    tex_macro(fp, "IbAnnealIxt", a->anneal_last.Ixt, 4);
    tex_macro(fp, "IbAnnealIty", a->anneal_last.Ity, 4);
    tex_macro(fp, "IbAnnealIxy", a->anneal_Ixy, 4);
    tex_macro(fp, "IbAnnealGap", a->anneal_gap, 2);
}
/* <<print and record Example 23.2>> */
static void write_address_curve(FILE *fp, const Noisy_address *a)
{
    fputs("# beta\tI(X;T)\tI(T;Y)\tconverged\n", fp);
    for (size_t i = 0; i < a->npoints; i++)
        fprintf(fp, "%.10g\t%.10g\t%.10g\t%d\n", a->curve[i].beta, a->curve[i].Ixt,
                a->curve[i].Ity, a->curve[i].converged);
    fputs("\n\n# R\tF(R), the closed form\n", fp);
    for (int i = 0; i <= 400; i++) {
        double R = 11.0 * i / 400.0;
        fprintf(fp, "%.10g\t%.10g\n", R, address_F(R, a->k, a->eps));
    }
    fputs("\n\n# random starts: beta\tI(X;T)\tI(T;Y)\n", fp);
    for (int j = 0; j < IB_RANDOM_STARTS; j++)
        fprintf(fp, "%g\t%.10g\t%.10g\n", a->random[j].beta, a->random[j].Ixt,
                a->random[j].Ity);
    fputs("\n\n# tangents: R\tF\tdR\tdF\tbeta\n", fp);
    /* <<write three tangents of slope one over beta>> */
    const double want[3] = {1.75, 2.2, 3.0};
    for (int w = 0; w < 3; w++) {
        size_t best = 0;
        for (size_t i = 1; i < a->npoints; i++)
            if (fabs(a->curve[i].beta - want[w]) < fabs(a->curve[best].beta - want[w]))
                best = i;
        const Ib_point *p = &a->curve[best];
        fprintf(fp, "%.10g\t%.10g\t%.10g\t%.10g\t%.3g\n", p->Ixt - 1.0,
                p->Ity - 1.0 / p->beta, 2.0, 2.0 / p->beta, p->beta);
    }
    fprintf(fp, "\n\n# critical beta\n%.10g\t0\n%.10g\t%d\n", a->beta_c, a->beta_c,
            a->k + a->nuisance);
    fprintf(fp, "\n\n# the six-bit point: I(X;T)\tI(T;Y)\tbeta\n%.10g\t%.10g\t%.10g\n",
            a->Ixt_star, a->Ity_star, a->beta_star);
}
/* <<print and record worked example 23.6B>> */
static void print_coin(const Coin *c)
{
    printf("Worked example 23.6B: Bernoulli(%g) source, Hamming distortion, Blahut-Arimoto\n",
           c->p);
    printf("  h(p) = %.10g bits, critical slope %.10g; %d slopes, largest error "
           "%.3g bits in R, %.3g in D\n", c->Hp, c->s_c, RD_POINTS, c->worst,
           c->worst_D);
}

static void write_coin_macros(FILE *fp, const Coin *c)
{
    tex_macro(fp, "RdHp", c->Hp, 6);
    tex_macro_int(fp, "RdPoints", RD_POINTS);
    tex_macro_trim(fp, "RdDmax", 0.01 * RD_POINTS, 6);
    tex_macro(fp, "RdWorst", c->worst, 2);
    tex_macro(fp, "RdWorstD", c->worst_D, 2);
    tex_macro(fp, "RdSc", c->s_c, 6);
}

static void write_coin_curve(FILE *fp, const Coin *c)
{
    fputs("# D\tR, closed form\n", fp);
    for (int i = 0; i <= 200; i++) {
        double D = 0.25 * i / 200.0;
        fprintf(fp, "%.10g\t%.10g\n", D, D < c->p ? c->Hp - h2(D) : 0.0);
    }
    fputs("\n\n# s\tD\tR, Blahut-Arimoto\n", fp);
    for (int i = 0; i < RD_POINTS; i++)
        fprintf(fp, "%g\t%.10g\t%.10g\n", c->pts[i].s, c->pts[i].D, c->pts[i].R);
}
/* <<write the files of the worked examples>> */
static void ib_write_example_values(FILE *fp, const One_bit *ob,
                                 const Noisy_address *a, const Coin *c)
{
    fprintf(fp, "23.6A.Ixy\t%.17g\n23.6A.betac\t%.17g\n23.6A.Fgap\t%.17g\n",
            ob->Ixy, ob->beta_c, ob->Ity - ob->F);
    fprintf(fp, "23.2.HX\t%.17g\n23.2.Ixy\t%.17g\n23.2.betac\t%.17g\n", a->HX,
            a->Ixy, a->beta_c);
    fprintf(fp, "23.2.Ixt6\t%.17g\n23.2.beta6\t%.17g\n23.2.Ity6\t%.17g\n",
            a->Ixt_star, a->beta_star, a->Ity_star);
    fprintf(fp, "23.6B.Hp\t%.17g\n23.6B.sc\t%.17g\n", c->Hp, c->s_c);
    for (int i = 0; i < RD_POINTS; i += 7)
        fprintf(fp, "23.6B.R%d\t%.17g\n23.6B.D%d\t%.17g\n", i, c->pts[i].R, i,
                c->pts[i].D);
}

static void ib_write_example_files(Outfile *out, const One_bit *ob,
                                const Noisy_address *a, const Coin *c)
{
    if (out[0].fp != NULL) {
        fputs("% Generated by `ib --macros`; do not edit.\n", out[0].fp);
        write_one_bit_macros(out[0].fp, ob);
        write_address_macros(out[0].fp, a);
        write_coin_macros(out[0].fp, c);
    }
    if (out[1].fp != NULL)
        ib_write_example_values(out[1].fp, ob, a, c);
    if (out[2].fp != NULL)
        write_address_curve(out[2].fp, a);
    if (out[3].fp != NULL)
        write_coin_curve(out[3].fp, c);
}

static bool examples_finite(const One_bit *ob, const Noisy_address *a)
{
    bool ok = isfinite(ob->Ixt) && isfinite(ob->Ity) && isfinite(ob->variation);
    for (size_t i = 0; ok && i < a->npoints; i++)
        ok = isfinite(a->curve[i].Ixt) && isfinite(a->curve[i].Ity);
    return ok && (a->npoints == 0 || (isfinite(a->Ity_star)
                                      && isfinite(a->anneal_last.Ity)));
}
/* <<print and record the worked examples of ib>> */
static int ib_run_examples(const Ib_options *opt, Progress *progress, Error *err)
{
    One_bit ob;
    Coin coin;
    Outfile out[4] = {outfile_none(), outfile_none(), outfile_none(),
                      outfile_none()};
    const char *names[4] = {opt->macros, opt->values, opt->curve, opt->rd_curve};
    for (int i = 0; i < 4; i++)             /* open them before the long work */
        if (names[i] != NULL && outfile_open(&out[i], names[i], err) != 0) {
            outfiles_abort(out, 4);
            return -1;
        }
    const bool full = opt->full || opt->macros || opt->values || opt->curve;
    Noisy_address *a = alloc_array(1, sizeof *a, err);
    int status = -1;
    if (a != NULL && one_bit_compute(&ob, err) == 0 && coin_compute(&coin, err) == 0) {
        print_one_bit(&ob);
        fflush(stdout);                             /* the reader sees it now */
    } else
        goto done;
    if (address_compute(a, full ? IB_SWEEP_POINTS : 0, progress, err) != 0)
        goto done;
    progress_end(progress);
    if (!examples_finite(&ob, a))
        fail(err, "a worked example produced a non-finite value (NaN or infinity)");
    else {
        print_address(a);
        print_coin(&coin);
        ib_write_example_files(out, &ob, a, &coin);
        if (stdout_written(err) == 0 && outfiles_commit(out, 4, err) == 0)
            status = 0;
    }
done:
    if (status != 0)
        outfiles_abort(out, 4);
    free(a);
    return status;
}

int main(int argc, char *argv[])
{
    gsl_set_error_handler_off();
    Ib_options opt;
    Error err = {""};
    int status = ib_parse_options(argc, argv, &opt, &err);
    Progress progress = progress_start(!opt.quiet && isatty(STDERR_FILENO));
    if (status == 0)
        status = opt.joint ? run_on_joint(&opt, &progress, &err)
                           : ib_run_examples(&opt, &progress, &err);
    progress_end(&progress);
    return finish("ib", status, &err, ib_usage);
}

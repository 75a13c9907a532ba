/* tsne.c -- t-SNE: points in R^D embedded in the plane by exact gradient
 * descent on KL(P || Q), with the affinities of perplexity.c.
 *
 * Tangled from chapters/23-1a-affinities.nw, chapters/23-1b-tsne.nw,
 * chapters/p2-tsne.nw and chapters/support.nw of the book "Can AI Understand
 * Music?"; edit those files, not this one, then `make tangle`.  Build alone:
 *   cc -std=c11 -O2 tsne.c $(pkg-config --cflags --libs gsl) -o tsne
 * (add -fopenmp to use every core; the output is the same bit for bit).
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
#include <time.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>

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
/* <<interface of the embedding>> */
/* <<the pair sums of the gradient>> */
enum { PAIR_BLOCKS = 8, LANES = 8 };

typedef struct {
    size_t N;
    size_t first[PAIR_BLOCKS + 1];  /* block b holds rows first[b] .. first[b+1]-1 */
    double *sums;                   /* per block, 4N: A_x, A_y, R_x, R_y */
    double z[PAIR_BLOCKS];          /* per block, the sum of w_ij over i < j */
} Pair_sums;
/* <<the schedule of the optimiser>> */
typedef struct {
    int iterations;             /* gradient steps in all */
    double learning_rate;       /* eta; 0 chooses max(N / (4 alpha), 50) */
    double exaggeration;        /* alpha >= 1, multiplies p_ij early on */
    int exaggeration_iters;     /* steps with exaggeration */
    double momentum[2];         /* before and after the switch */
    int momentum_switch;        /* first step with the second momentum */
    double gain_step, gain_decay, min_gain;
} Schedule;

static const Schedule SCHEDULE_DEFAULT = {1000, 0.0, 12.0, 250, {0.5, 0.8}, 250,
                                          0.2, 0.8, 0.01};

typedef enum { START_RANDOM, START_PCA } Start_kind;

typedef struct {
    Start_kind kind;
    double sd;                  /* standard deviation of the first coordinate */
    unsigned long seed;         /* for START_RANDOM */
} Start;
/* <<the monitor of the optimiser>> */
typedef struct {
    int every;                  /* report every so many steps; 0: only at the end */
    void (*report)(void *ctx, int iteration, double kl, double grad_norm);
    void *ctx;
} Monitor;
/* <<implementation of the embedding>> */
/* <<the Student-t kernel>> */
static double student_kernel(double d2)
{
    return 1.0 / (1.0 + d2);
}
/* <<the norm of a vector>> */
static double vector_norm(const double *x, size_t n)
{
    double s = 0.0;
    for (size_t k = 0; k < n; k++)
        s += x[k] * x[k];
    return sqrt(s);
}
/* <<allocate the pair sums and partition the rows>> */
static int pair_sums_init(Pair_sums *ps, size_t N, Error *err)
{
    ps->N = N;
    ps->sums = alloc_array(4 * (size_t)PAIR_BLOCKS, N * sizeof *ps->sums, err);
    if (ps->sums == NULL)
        return -1;
    const double total = 0.5 * (double)N * ((double)N - 1.0);
    double before = 0.0;                    /* pairs in the rows above row i */
    size_t i = 0;
    for (int b = 0; b <= PAIR_BLOCKS; b++) {
        while (i < N && before < total * b / PAIR_BLOCKS)
            before += (double)(N - 1 - i++);
        ps->first[b] = b == PAIR_BLOCKS ? N : i;
    }
    return 0;
}

static void pair_sums_free(Pair_sums *ps)
{
    free(ps->sums);
    ps->sums = NULL;
}
/* <<one block of the pass over the pairs>> */
static void pair_block(const gsl_matrix *P, double alpha, size_t i0, size_t i1,
                       const double *restrict u, const double *restrict v,
                       double *restrict ax, double *restrict ay,
                       double *restrict rx, double *restrict ry, double *z_block)
{
    const size_t N = P->size1;
    double z = 0.0;
    for (size_t i = i0; i < i1; i++) {
        const double *restrict p = gsl_matrix_const_ptr(P, i, 0);
        const double ui = u[i], vi = v[i];
        double lz[LANES] = {0.0}, lax[LANES] = {0.0}, lay[LANES] = {0.0};
        double lrx[LANES] = {0.0}, lry[LANES] = {0.0};
        size_t j = i + 1;
        for (; j + LANES <= N; j += LANES)
            for (size_t l = 0; l < LANES; l++) {
                /* <<add pair [[i]], [[j + l]] to lane [[l]] and to both points>> */
                const size_t k = j + l;
                const double dx = ui - u[k], dy = vi - v[k];
                const double w = 1.0 / (1.0 + dx * dx + dy * dy);
                const double a = alpha * p[k] * w, r = w * w;
                const double adx = a * dx, ady = a * dy, rdx = r * dx, rdy = r * dy;
                lz[l] += w;
                lax[l] += adx;
                lay[l] += ady;
                lrx[l] += rdx;
                lry[l] += rdy;
                ax[k] -= adx;
                ay[k] -= ady;
                rx[k] -= rdx;
                ry[k] -= rdy;
            }
        for (size_t l = 0; j + l < N; l++) {
            /* <<add pair [[i]], [[j + l]] to lane [[l]] and to both points>> */
            const size_t k = j + l;
            const double dx = ui - u[k], dy = vi - v[k];
            const double w = 1.0 / (1.0 + dx * dx + dy * dy);
            const double a = alpha * p[k] * w, r = w * w;
            const double adx = a * dx, ady = a * dy, rdx = r * dx, rdy = r * dy;
            lz[l] += w;
            lax[l] += adx;
            lay[l] += ady;
            lrx[l] += rdx;
            lry[l] += rdy;
            ax[k] -= adx;
            ay[k] -= ady;
            rx[k] -= rdx;
            ry[k] -= rdy;
        }
        /* <<fold the lanes of row [[i]] in a fixed order>> */
        double sz = 0.0, sax = 0.0, say = 0.0, srx = 0.0, sry = 0.0;
        for (size_t l = 0; l < LANES; l++) {
            sz += lz[l];
            sax += lax[l];
            say += lay[l];
            srx += lrx[l];
            sry += lry[l];
        }
        z += sz;
        ax[i] += sax;
        ay[i] += say;
        rx[i] += srx;
        ry[i] += sry;
    }
    *z_block = z;
}
/* <<the gradient of the cost>> */
static double kl_gradient(const gsl_matrix *P, double alpha, const double *y,
                          double *grad, Pair_sums *ps)
{
    const size_t N = ps->N;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1)
#endif
    for (int b = 0; b < PAIR_BLOCKS; b++) {
        double *s = ps->sums + (size_t)b * 4 * N;
        memset(s, 0, 4 * N * sizeof *s);
        pair_block(P, alpha, ps->first[b], ps->first[b + 1], y, y + N,
                   s, s + N, s + 2 * N, s + 3 * N, &ps->z[b]);
    }
    /* <<add the blocks' sums in a fixed order and form the gradient>> */
    double Z = 0.0;
    for (int b = 0; b < PAIR_BLOCKS; b++)
        Z += ps->z[b];
    Z *= 2.0;                               /* each unordered pair, twice */
    for (size_t i = 0; i < N; i++) {
        double s[4] = {0.0, 0.0, 0.0, 0.0};
        for (int b = 0; b < PAIR_BLOCKS; b++)
            for (int c = 0; c < 4; c++)
                s[c] += ps->sums[((size_t)b * 4 + (size_t)c) * N + i];
        grad[i] = 4.0 * (s[0] - s[2] / Z);
        grad[N + i] = 4.0 * (s[1] - s[3] / Z);
    }
    return Z;
}
/* <<the cost>> */
static double kl_cost(const gsl_matrix *P, const double *y)
{
    const size_t N = P->size1;
    const double *u = y, *v = y + N;
    double z = 0.0, c = 0.0;
    for (size_t i = 0; i < N; i++)
        for (size_t j = i + 1; j < N; j++)
            z += student_kernel((u[i] - u[j]) * (u[i] - u[j])
                                + (v[i] - v[j]) * (v[i] - v[j]));
    const double Z = 2.0 * z;
    /* <<add the share of every pair to the divergence>> */
    for (size_t i = 0; i < N; i++)
        for (size_t j = i + 1; j < N; j++) {
            const double p = gsl_matrix_get(P, i, j);
            if (p <= 0.0)
                continue;
            const double q = student_kernel((u[i] - u[j]) * (u[i] - u[j])
                                            + (v[i] - v[j]) * (v[i] - v[j])) / Z;
            c += p * log(fmax(p, DBL_EPSILON) / fmax(q, DBL_EPSILON));
        }
    return 2.0 * c;
}
/* <<compare the gradient with central differences>> */
static double gradient_check(size_t N, unsigned long seed, Error *err)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_matrix *P = alloc_matrix(N, N, err);
    double *y = alloc_array(2 * N, sizeof *y, err);
    double *g = alloc_array(2 * N, sizeof *g, err);
    Pair_sums ps = {0};
    double worst = -1.0;
    if (rng == NULL || P == NULL || y == NULL || g == NULL
        || pair_sums_init(&ps, N, err) != 0) {
        if (rng == NULL)
            fail(err, "cannot allocate a random number generator");
        goto done;
    }
    gsl_rng_set(rng, seed);
    /* <<draw a random symmetric [[P]] and a random [[y]]>> */
    double total = 0.0;
    for (size_t i = 0; i < N; i++) {
        gsl_matrix_set(P, i, i, 0.0);
        for (size_t j = i + 1; j < N; j++) {
            const double r = gsl_rng_uniform_pos(rng);
            gsl_matrix_set(P, i, j, r);
            gsl_matrix_set(P, j, i, r);
            total += 2.0 * r;
        }
    }
    gsl_matrix_scale(P, 1.0 / total);
    for (size_t k = 0; k < 2 * N; k++)
        y[k] = gsl_ran_gaussian(rng, 1.0);
    kl_gradient(P, 1.0, y, g, &ps);
    /* <<take the worst central difference against the gradient, relative to it>> */
    double gmax = 0.0, dmax = 0.0;
    for (size_t k = 0; k < 2 * N; k++) {
        const double h = 1e-5, keep = y[k];
        y[k] = keep + h;
        const double up = kl_cost(P, y);
        y[k] = keep - h;
        const double down = kl_cost(P, y);
        y[k] = keep;
        dmax = fmax(dmax, fabs((up - down) / (2.0 * h) - g[k]));
        gmax = fmax(gmax, fabs(g[k]));
    }
    worst = dmax / gmax;
done:
    pair_sums_free(&ps);
    free(g);
    free(y);
    gsl_matrix_free(P);
    gsl_rng_free(rng);
    return worst;
}
/* <<refuse a schedule that makes no sense>> */
/* <<the learning rate of a schedule>> */
static double learning_rate(const Schedule *s, size_t N)
{
    return s->learning_rate > 0.0 ? s->learning_rate
                                  : fmax((double)N / (4.0 * s->exaggeration), 50.0);
}

static int check_schedule(const Schedule *s, Error *err)
{
    if (s->iterations < 0 || s->exaggeration_iters < 0 || s->momentum_switch < 0)
        return fail(err, "iteration counts must not be negative");
    if (!(s->learning_rate >= 0.0))
        return fail(err, "the learning rate must be positive, got %g",
                    s->learning_rate);
    if (!(s->exaggeration >= 1.0))
        return fail(err, "the early exaggeration must be at least 1, got %g",
                    s->exaggeration);
    for (int k = 0; k < 2; k++)
        if (!(s->momentum[k] >= 0.0 && s->momentum[k] < 1.0))
            return fail(err, "a momentum must lie in [0, 1), got %g",
                        s->momentum[k]);
    if (!(s->gain_step >= 0.0 && s->gain_decay > 0.0 && s->gain_decay <= 1.0
          && s->min_gain > 0.0))
        return fail(err, "the gains need a step >= 0, a decay in (0, 1] and a "
                    "floor > 0");
    return 0;
}
/* <<the optimiser>> */
static int optimise(const gsl_matrix *P, const Schedule *s, const Monitor *mon,
                    double *y, Error *err)
{
    const size_t N = P->size1, n = 2 * N;
    Pair_sums ps = {0};
    double *grad = alloc_array(n, sizeof *grad, err);
    double *step = grad ? alloc_array(n, sizeof *step, err) : NULL;
    double *gain = step ? alloc_array(n, sizeof *gain, err) : NULL;
    int status = gain != NULL ? pair_sums_init(&ps, N, err) : -1;
    const double eta = learning_rate(s, N);
    for (size_t k = 0; status == 0 && k < n; k++) {
        step[k] = 0.0;
        gain[k] = 1.0;
    }
    for (int t = 0; status == 0 && t < s->iterations; t++) {
        /* <<take step [[t]] of the optimiser>> */
        const double alpha = t < s->exaggeration_iters ? s->exaggeration : 1.0;
        const double mu = s->momentum[t < s->momentum_switch ? 0 : 1];
        kl_gradient(P, alpha, y, grad, &ps);
        if (mon != NULL && mon->every > 0 && t % mon->every == 0)
            mon->report(mon->ctx, t, kl_cost(P, y), vector_norm(grad, n));
        for (size_t k = 0; k < n; k++) {
            /* <<adapt the gain of coordinate [[k]] and take its step>> */
            gain[k] = step[k] * grad[k] < 0.0 ? gain[k] + s->gain_step : gain[k] * s->gain_decay;
            if (gain[k] < s->min_gain)
                gain[k] = s->min_gain;
            step[k] = mu * step[k] - eta * gain[k] * grad[k];
            y[k] += step[k];
        }
    }
    if (status == 0 && mon != NULL) {
        kl_gradient(P, 1.0, y, grad, &ps);
        mon->report(mon->ctx, s->iterations, kl_cost(P, y), vector_norm(grad, n));
    }
    pair_sums_free(&ps);
    free(gain);
    free(step);
    free(grad);
    return status;
}
/* <<the start of the embedding>> */
/* <<the random start>> */
static int random_start(size_t N, const Start *start, double *y, Error *err)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng == NULL)
        return fail(err, "cannot allocate a random number generator");
    gsl_rng_set(rng, start->seed);
    for (size_t k = 0; k < 2 * N; k++)
        y[k] = gsl_ran_gaussian(rng, start->sd);
    gsl_rng_free(rng);
    return 0;
}
/* <<the start on the principal components>> */
static int pca_start(const gsl_matrix *x, const Start *start, double *y, Error *err)
{
    const size_t N = x->size1, D = x->size2;
    if (D < 2)
        return fail(err, "the start on the principal components (--init pca, the "
                    "default) needs at least 2 input dimensions, got %zu; "
                    "use --init random", D);
    gsl_matrix *xc = alloc_matrix(N, D, err);
    gsl_matrix *S = xc ? alloc_matrix(D, D, err) : NULL;
    gsl_matrix *V = S ? alloc_matrix(D, D, err) : NULL;
    gsl_vector *ev = V ? gsl_vector_alloc(D) : NULL;
    gsl_eigen_symmv_workspace *ws = ev ? gsl_eigen_symmv_alloc(D) : NULL;
    int status = -1;
    if (ws == NULL) {
        if (V != NULL)
            fail(err, "out of memory (eigenproblem of size %zu)", D);
        goto done;
    }
    /* <<centre the data and find its two leading principal axes>> */
    gsl_matrix_memcpy(xc, x);
    for (size_t d = 0; d < D; d++) {
        gsl_vector_view col = gsl_matrix_column(xc, d);
        double mean = 0.0;
        for (size_t i = 0; i < N; i++)
            mean += (gsl_vector_get(&col.vector, i) - mean) / (double)(i + 1);
        gsl_vector_add_constant(&col.vector, -mean);
    }
    if (gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, xc, 0.0, S) != GSL_SUCCESS
        || gsl_eigen_symmv(S, ev, V, ws) != GSL_SUCCESS
        || gsl_eigen_symmv_sort(ev, V, GSL_EIGEN_SORT_VAL_DESC) != GSL_SUCCESS) {
        fail(err, "the principal components could not be computed");
        goto done;
    }
    /* <<project on the axes and scale the first coordinate to [[start->sd]]>> */
    for (size_t c = 0; c < 2; c++) {
        gsl_vector_view axis = gsl_matrix_column(V, c);
        size_t big = gsl_blas_idamax(&axis.vector);
        if (gsl_vector_get(&axis.vector, big) < 0.0)
            gsl_vector_scale(&axis.vector, -1.0);
        gsl_vector_view out = gsl_vector_view_array(y + c * N, N);
        if (gsl_blas_dgemv(CblasNoTrans, 1.0, xc, &axis.vector, 0.0, &out.vector)
            != GSL_SUCCESS) {
            fail(err, "the projection on the principal components failed");
            goto done;
        }
    }
    double mean = 0.0, var = 0.0;
    for (size_t i = 0; i < N; i++)
        mean += y[i] / (double)N;
    for (size_t i = 0; i < N; i++)
        var += (y[i] - mean) * (y[i] - mean) / (double)N;
    const double scale = var > 0.0 ? start->sd / sqrt(var) : 0.0;
    for (size_t k = 0; k < 2 * N; k++)
        y[k] *= scale;
    status = 0;
done:
    gsl_eigen_symmv_free(ws);
    gsl_vector_free(ev);
    gsl_matrix_free(V);
    gsl_matrix_free(S);
    gsl_matrix_free(xc);
    return status;
}

static int initial_embedding(const gsl_matrix *x, const Start *start, double *y,
                             Error *err)
{
    if (!(start->sd > 0.0))
        return fail(err, "the standard deviation of the start must be positive, "
                    "got %g", start->sd);
    return start->kind == START_PCA ? pca_start(x, start, y, err)
                                    : random_start(x->size1, start, y, err);
}
/* <<trustworthiness of an embedding>> */
static int trustworthiness(const gsl_matrix *x, const double *y, size_t k,
                           double *T, Error *err)
{
    const size_t N = x->size1, D = x->size2;
    if (k < 1 || 2 * k >= N)
        return fail(err, "trustworthiness needs 1 <= k < N/2 = %g, got k = %zu",
                    N / 2.0, k);
    double *dx = alloc_array(N, sizeof *dx, err);
    double *dy = alloc_array(N, sizeof *dy, err);
    size_t *order = alloc_array(N, sizeof *order, err);
    size_t *rank = alloc_array(N, sizeof *rank, err);
    size_t *near = alloc_array(k + 1, sizeof *near, err);
    int status = dx && dy && order && rank && near ? 0 : -1;
    double penalty = 0.0;
    for (size_t i = 0; status == 0 && i < N; i++) {
        /* <<the distances from point [[i]] in the data and in the map>> */
        for (size_t j = 0; j < N; j++) {
            double s = 0.0;
            for (size_t d = 0; d < D; d++) {
                double t = gsl_matrix_get(x, i, d) - gsl_matrix_get(x, j, d);
                s += t * t;
            }
            double a = y[i] - y[j], b = y[N + i] - y[N + j];
            dx[j] = j == i ? -1.0 : s;
            dy[j] = j == i ? -1.0 : a * a + b * b;
        }
        /* <<charge the intruders of point [[i]] by their rank in the data>> */
        gsl_sort_index(order, dx, 1, N);
        for (size_t r = 0; r < N; r++)
            rank[order[r]] = r;                 /* the point itself has rank 0 */
        gsl_sort_smallest_index(near, k + 1, dy, 1, N);
        for (size_t m = 1; m <= k; m++)
            if (rank[near[m]] > k)
                penalty += (double)(rank[near[m]] - k);
    }
    if (status == 0)
        *T = 1.0 - 2.0 * penalty / ((double)N * k * (2.0 * N - 3.0 * k - 1.0));
    free(dx); free(dy); free(order); free(rank); free(near);
    return status;
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
/* <<the examples of the embedding>> */
/* <<the toy codebook>> */
enum { TOY_N = 6 };
static const double TOY_X[TOY_N][3] = {
    {0.0, 0.0, 0.0}, {1.0, 0.0, 0.0}, {0.5, 0.8660254037844386, 0.0},
    {0.0, 0.0, 5.0}, {1.0, 0.0, 5.0}, {0.5, 0.8660254037844386, 5.0}};
static const int TOY_KEY[TOY_N] = {0, 0, 0, 1, 1, 1};  /* C major, F-sharp major */
/* <<the affinities of the toy codebook at unit bandwidth>> */
static int toy_unit_affinities(gsl_matrix *P, Error *err)
{
    gsl_matrix *x = alloc_matrix(TOY_N, 3, err);
    if (x == NULL)
        return -1;
    for (size_t i = 0; i < TOY_N; i++)
        for (size_t d = 0; d < 3; d++)
            gsl_matrix_set(x, i, d, TOY_X[i][d]);
    int status = squared_distances(x, P, err);
    for (size_t i = 0; status == 0 && i < TOY_N; i++) {
        double d2[TOY_N - 1], p[TOY_N - 1];
        for (size_t j = 0, k = 0; j < TOY_N; j++)
            if (j != i)
                d2[k++] = gsl_matrix_get(P, i, j);
        row_entropy(d2, TOY_N - 1, 1.0 / (2.0 * 1.0 * 1.0), p);   /* sigma = 1 */
        for (size_t j = 0, k = 0; j < TOY_N; j++)
            gsl_matrix_set(P, i, j, j == i ? 0.0 : p[k++]);
    }
    gsl_matrix_free(x);
    return status;
}
/* <<embed the toy codebook>> */
static const double TOY_PERPLEXITY = 3.0;

static void keep_last_cost(void *ctx, int iteration, double kl, double grad_norm)
{
    (void)iteration;
    (void)grad_norm;
    *(double *)ctx = kl;
}

static int toy_embedding(double y[2 * TOY_N], double *kl, Error *err)
{
    gsl_matrix *x = alloc_matrix(TOY_N, 3, err);
    gsl_matrix *P = x ? alloc_matrix(TOY_N, TOY_N, err) : NULL;
    Row_fit fits[TOY_N];
    const Calibration cal = {TOY_PERPLEXITY, 1e-5, 200};
    const Start start = {START_PCA, 1e-4, 1};
    const Monitor mon = {0, keep_last_cost, kl};
    int status = -1;
    if (P != NULL) {
        for (size_t i = 0; i < TOY_N; i++)
            for (size_t d = 0; d < 3; d++)
                gsl_matrix_set(x, i, d, TOY_X[i][d]);
        if (symmetric_affinities(x, &cal, P, fits, err) == 0
            && initial_embedding(x, &start, y, err) == 0)
            status = optimise(P, &SCHEDULE_DEFAULT, &mon, y, err);
    }
    gsl_matrix_free(P);
    gsl_matrix_free(x);
    return status;
}
/* <<the uniform grid of scikit-learn's test>> */
enum { GRID_SIDE = 10, GRID_N = GRID_SIDE * GRID_SIDE };
static const double GRID_PERPLEXITY = 50.0;

static void uniform_grid(gsl_matrix *x, bool integers)
{
    const double step = 1.0 / (GRID_SIDE - 1);      /* as numpy.linspace */
    for (size_t i = 0; i < GRID_N; i++)
        for (size_t c = 0; c < 2; c++) {
            const size_t k = c == 0 ? i % GRID_SIDE : i / GRID_SIDE;
            gsl_matrix_set(x, i, c, integers ? (double)k
                           : k == GRID_SIDE - 1 ? 1.0 : (double)k * step);
        }
}
/* <<embed the uniform grid and measure its spacing>> */
static int grid_ratios(bool integers, Start_kind kind, int iterations,
                       double *lo, double *hi, Error *err)
{
    gsl_matrix *x = alloc_matrix(GRID_N, 2, err);
    gsl_matrix *P = x ? alloc_matrix(GRID_N, GRID_N, err) : NULL;
    Row_fit fits[GRID_N];
    double y[2 * GRID_N];
    const Calibration cal = {GRID_PERPLEXITY, 1e-5, 200};
    const Start start = {kind, 1e-4, 0};
    Schedule sched = SCHEDULE_DEFAULT;
    sched.iterations = iterations;
    int status = -1;
    if (P != NULL) {
        uniform_grid(x, integers);
        if (symmetric_affinities(x, &cal, P, fits, err) == 0
            && initial_embedding(x, &start, y, err) == 0
            && optimise(P, &sched, NULL, y, err) == 0)
            status = 0;
    }
    /* <<the nearest-neighbour distances of the map, over their mean>> */
    double nn[GRID_N], mean = 0.0;
    for (size_t i = 0; status == 0 && i < GRID_N; i++) {
        nn[i] = INFINITY;
        for (size_t j = 0; j < GRID_N; j++)
            if (j != i)
                nn[i] = fmin(nn[i], hypot(y[i] - y[j], y[GRID_N + i] - y[GRID_N + j]));
        mean += nn[i] / GRID_N;
    }
    *lo = INFINITY;
    *hi = 0.0;
    for (size_t i = 0; status == 0 && i < GRID_N; i++) {
        *lo = fmin(*lo, nn[i] / mean);
        *hi = fmax(*hi, nn[i] / mean);
    }
    gsl_matrix_free(P);
    gsl_matrix_free(x);
    return status;
}
/* <<make the clusters of the realistic run>> */
enum { CLUSTERS_N = 2048, CLUSTERS_D = 128, CLUSTERS_K = 24 };

static int make_clusters(unsigned long seed, gsl_matrix *x, int *label, Error *err)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng == NULL)
        return fail(err, "cannot allocate a random number generator");
    gsl_rng_set(rng, seed);
    double centre[CLUSTERS_K][CLUSTERS_D], spread[CLUSTERS_K];
    for (int c = 0; c < CLUSTERS_K; c++) {
        for (int d = 0; d < CLUSTERS_D; d++)
            centre[c][d] = gsl_ran_gaussian(rng, 1.0);
        spread[c] = 0.4 + 0.5 * gsl_rng_uniform(rng);
    }
    for (size_t i = 0; i < CLUSTERS_N; i++) {
        label[i] = (int)(i % CLUSTERS_K);
        for (size_t d = 0; d < CLUSTERS_D; d++)
            gsl_matrix_set(x, i, d, centre[label[i]][d]
                                    + gsl_ran_gaussian(rng, spread[label[i]]));
    }
    gsl_rng_free(rng);
    return 0;
}
/* <<measure the crowding of uniform points>> */
enum { CROWD_N = 400, CROWD_BINS = 60 };
static const int CROWD_D[3] = {2, 10, 128};

static int crowding(int D, unsigned long seed, double hist[CROWD_BINS], double *cv,
                    Error *err)
{
    const size_t npairs = (size_t)CROWD_N * (CROWD_N - 1) / 2;
    double *x = alloc_array((size_t)CROWD_N * D, sizeof *x, err);
    double *d = x ? alloc_array(npairs, sizeof *d, err) : NULL;
    gsl_rng *rng = d ? gsl_rng_alloc(gsl_rng_mt19937) : NULL;
    if (rng == NULL) {
        free(x);
        free(d);
        return d ? fail(err, "cannot allocate a random number generator") : -1;
    }
    gsl_rng_set(rng, seed);
    for (size_t k = 0; k < (size_t)CROWD_N * D; k++)
        x[k] = gsl_rng_uniform(rng);
    /* <<all pairwise distances, their mean and coefficient of variation>> */
    double mean = 0.0, var = 0.0;
    size_t m = 0;
    for (size_t i = 0; i < CROWD_N; i++)
        for (size_t j = i + 1; j < CROWD_N; j++, m++) {
            double s = 0.0;
            for (int c = 0; c < D; c++)
                s += (x[i * D + c] - x[j * D + c]) * (x[i * D + c] - x[j * D + c]);
            d[m] = sqrt(s);
            mean += d[m] / (double)npairs;
        }
    for (size_t k = 0; k < npairs; k++)
        var += (d[k] - mean) * (d[k] - mean) / (double)npairs;
    *cv = sqrt(var) / mean;
    for (int b = 0; b < CROWD_BINS; b++)
        hist[b] = 0.0;
    const double width = 3.0 / CROWD_BINS;
    for (size_t k = 0; k < npairs; k++) {
        int b = (int)(d[k] / mean / width);
        if (b < CROWD_BINS)
            hist[b] += 1.0 / ((double)npairs * width);
    }
    gsl_rng_free(rng);
    free(d);
    free(x);
    return 0;
}

enum { FD_N = 50 };
static const unsigned long FD_SEED = 17;

typedef struct {
    double stud[2], gauss[2];           /* 23.1B at d = 1 and d = 3 */
    gsl_matrix *P;                      /* Example 23.1 at sigma = 1 */
    double cond[TOY_N - 1], p12, p14;
    double y[2 * TOY_N], kl, trust, within, between;
    double fd_rel;                      /* the gradient check */
    double grid_lo[4], grid_hi[4];      /* the uniform grid, four ways */
    double crowd_hist[3][CROWD_BINS], crowd_cv[3];
} Tsne_examples;

/* <<compute the examples of the embedding>> */
static int tsne_compute_examples(Tsne_examples *ex, Error *err)
{
    for (int k = 0; k < 2; k++) {
        const double d = k == 0 ? 1.0 : 3.0;
        ex->stud[k] = student_kernel(d * d);
        ex->gauss[k] = exp(-d * d / 2.0);
    }
    if ((ex->P = alloc_matrix(TOY_N, TOY_N, err)) == NULL
        || toy_unit_affinities(ex->P, err) != 0)
        return -1;
    for (size_t j = 1; j < TOY_N; j++)
        ex->cond[j - 1] = gsl_matrix_get(ex->P, 0, j);
    symmetrise(ex->P);
    ex->p12 = gsl_matrix_get(ex->P, 0, 1);
    ex->p14 = gsl_matrix_get(ex->P, 0, 3);
    if (toy_embedding(ex->y, &ex->kl, err) != 0)
        return -1;
    /* <<measure the toy map: distances within and between keys, and T(2)>> */
    ex->within = 0.0;
    ex->between = INFINITY;
    for (size_t i = 0; i < TOY_N; i++)
        for (size_t j = i + 1; j < TOY_N; j++) {
            double d = hypot(ex->y[i] - ex->y[j], ex->y[TOY_N + i] - ex->y[TOY_N + j]);
            if (TOY_KEY[i] == TOY_KEY[j])
                ex->within = fmax(ex->within, d);
            else
                ex->between = fmin(ex->between, d);
        }
    gsl_matrix *x = alloc_matrix(TOY_N, 3, err);
    if (x == NULL)
        return -1;
    for (size_t k = 0; k < 3 * TOY_N; k++)
        x->data[k] = TOY_X[k / 3][k % 3];
    int status = trustworthiness(x, ex->y, 2, &ex->trust, err);
    gsl_matrix_free(x);
    if (status != 0)
        return -1;
    if ((ex->fd_rel = gradient_check(FD_N, FD_SEED, err)) < 0.0)
        return -1;
    for (int k = 0; k < 4; k++)                 /* random, PCA; integers 500, 1000 */
        if (grid_ratios(k >= 2, k == 0 ? START_RANDOM : START_PCA,
                        k == 3 ? 1000 : 500, &ex->grid_lo[k], &ex->grid_hi[k],
                        err) != 0)
            return -1;
    for (int k = 0; k < 3; k++)
        if (crowding(CROWD_D[k], 1, ex->crowd_hist[k], &ex->crowd_cv[k], err) != 0)
            return -1;
    return 0;
}
/* <<print the examples of the embedding>> */
static void tsne_print_examples(FILE *fp, const Tsne_examples *ex)
{
    fputs("Worked example 23.1B (distances chosen by the book)\n", fp);
    for (int k = 0; k < 2; k++)
        fprintf(fp, "  d = %d: Student-t %.6f, Gaussian %.6f\n", k ? 3 : 1,
                ex->stud[k], ex->gauss[k]);
    fprintf(fp, "  ratio at d = 3: %.4f\n", ex->stud[1] / ex->gauss[1]);
    fputs("\nExample 23.1 (toy codebook), sigma = 1\n", fp);
    for (int j = 0; j < TOY_N - 1; j++)
        fprintf(fp, "  p(%d|1) = %.7g\n", j + 2, ex->cond[j]);
    fprintf(fp, "  p_12 = %.7g   p_14 = %.5g\n", ex->p12, ex->p14);
    fprintf(fp, "Embedded (perplexity %g, start on the principal components): "
            "KL %.4f, T(2) = %g\n", TOY_PERPLEXITY, ex->kl, ex->trust);
    fprintf(fp, "  largest distance within a key %.3f, smallest between keys %.3f\n",
            ex->within, ex->between);
    fprintf(fp, "\nGradient check, N = %d: max relative error %.2e\n", FD_N,
            ex->fd_rel);
    static const char *const grid_run[4] = {"random start, seed 0, 500 steps",
        "principal components, 500 steps", "integer grid, 500 steps",
        "integer grid, 1000 steps"};
    fputs("Uniform 10 x 10 grid, perplexity 50, nearest-neighbour distance / mean:\n",
          fp);
    for (int k = 0; k < 4; k++)
        fprintf(fp, "  %-33s min %.3f  max %.3f\n", grid_run[k], ex->grid_lo[k],
                ex->grid_hi[k]);
    for (int k = 0; k < 3; k++)
        fprintf(fp, "Crowding, D = %3d: coefficient of variation %.4f\n",
                CROWD_D[k], ex->crowd_cv[k]);
}
/* <<write the examples as macros, values and figure data>> */
/* <<write the macros of the examples>> */
static void tsne_write_macros(FILE *fp, const Tsne_examples *ex)
{
    fputs("% Generated by `tsne --macros`; do not edit.\n", fp);
    tex_macro(fp, "ExBStudOne", ex->stud[0], 2);
    tex_macro(fp, "ExBStudThree", ex->stud[1], 2);
    tex_macro(fp, "ExBGaussOne", ex->gauss[0], 5);
    tex_macro(fp, "ExBGaussThree", ex->gauss[1], 5);
    tex_macro(fp, "ExBRatio", ex->stud[1] / ex->gauss[1], 3);
    tex_macro(fp, "ToyPTwo", ex->cond[0], 7);
    tex_macro(fp, "ToyPFour", ex->cond[2], 5);
    tex_macro(fp, "ToyPFive", ex->cond[3], 5);
    tex_macro(fp, "ToyPOneTwo", ex->p12, 6);
    tex_macro(fp, "ToyPOneFour", ex->p14, 5);
    tex_macro(fp, "ToyAffRatio", ex->p12 / ex->p14, 2);
    tex_macro(fp, "ToyWithin", ex->within, 3);
    tex_macro(fp, "ToyBetween", ex->between, 3);
    tex_macro(fp, "ToyTrust", ex->trust, 3);
    tex_macro(fp, "ToyKL", ex->kl, 3);
    tex_macro_int(fp, "FdN", FD_N);
    tex_macro_int(fp, "FdCoords", 2 * FD_N);
    tex_macro(fp, "FdRelErr", ex->fd_rel, 2);
    tex_macro(fp, "GridRandomMax", ex->grid_hi[0], 3);
    tex_macro(fp, "GridPcaMax", ex->grid_hi[1], 3);
    tex_macro(fp, "GridPcaMin", ex->grid_lo[1], 3);
    tex_macro(fp, "GridIntMax", ex->grid_hi[2], 3);
    tex_macro(fp, "GridIntLong", ex->grid_hi[3], 3);
    tex_macro_int(fp, "CrowdN", CROWD_N);
    tex_macro(fp, "CrowdCvTwo", ex->crowd_cv[0], 3);
    tex_macro(fp, "CrowdCvTen", ex->crowd_cv[1], 3);
    tex_macro(fp, "CrowdCvBig", ex->crowd_cv[2], 3);
}
/* <<write the values of the examples>> */
static void tsne_write_values(FILE *fp, const Tsne_examples *ex)
{
    fprintf(fp, "23.1B.w1\t%.17g\n23.1B.w3\t%.17g\n", ex->stud[0], ex->stud[1]);
    fprintf(fp, "23.1B.g1\t%.17g\n23.1B.g3\t%.17g\n", ex->gauss[0], ex->gauss[1]);
    fprintf(fp, "23.1B.ratio\t%.17g\n", ex->stud[1] / ex->gauss[1]);
    fprintf(fp, "T.p21\t%.17g\nT.p41\t%.17g\n", ex->cond[0], ex->cond[2]);
    fprintf(fp, "T.p51\t%.17g\nT.p12\t%.17g\n", ex->cond[3], ex->p12);
    fprintf(fp, "T.p14\t%.17g\nT.trust\t%.17g\n", ex->p14, ex->trust);
}
/* <<write the data of the kernel, crowding and toy figures>> */
static void write_kernels(FILE *fp, const Tsne_examples *ex)
{
    fputs("# d\tGaussian exp(-d^2/2)\tStudent-t 1/(1+d^2)\n", fp);
    for (int k = 0; k <= 300; k++) {
        double d = k / 50.0;
        fprintf(fp, "%.4f\t%.10g\t%.10g\n", d, exp(-d * d / 2.0),
                student_kernel(d * d));
    }
    fputs("\n\n# worked example 23.1B\n", fp);
    for (int k = 0; k < 2; k++)
        fprintf(fp, "%d\t%.10g\t%.10g\n", k ? 3 : 1, ex->gauss[k], ex->stud[k]);
}

static void write_crowding(FILE *fp, const Tsne_examples *ex)
{
    for (int k = 0; k < 3; k++) {
        fprintf(fp, "%s# D = %d: distance / mean distance, density\n",
                k ? "\n\n" : "", CROWD_D[k]);
        for (int b = 0; b < CROWD_BINS; b++)
            fprintf(fp, "%.4f\t%.6g\n", (b + 0.5) * 3.0 / CROWD_BINS,
                    ex->crowd_hist[k][b]);
    }
}

static void write_toy(FILE *fp, const Tsne_examples *ex)
{
    fputs("# y1\ty2\tkey (0 C major, 1 F-sharp major)\tcodeword\n", fp);
    for (int i = 0; i < TOY_N; i++)
        fprintf(fp, "%.10g\t%.10g\t%d\t%d\n", ex->y[i], ex->y[TOY_N + i],
                TOY_KEY[i], i + 1);
}
/* <<write the files of the examples together>> */
static int tsne_write_example_files(const char *const paths[5], const Tsne_examples *ex,
                               Error *err)
{
    void (*writers[5])(FILE *, const Tsne_examples *) = {tsne_write_macros, tsne_write_values,
        write_kernels, write_crowding, write_toy};
    Outfile out[5];
    size_t n = 0;
    for (int k = 0; k < 5; k++) {
        out[k] = outfile_none();
        if (paths[k] == NULL)
            continue;
        if (outfile_open(&out[n], paths[k], err) != 0) {
            outfiles_abort(out, n + 1);
            return -1;
        }
        writers[k](out[n++].fp, ex);
    }
    return outfiles_commit(out, n, err);
}
/* <<the command line of tsne>> */
/* <<the options of tsne>> */
typedef struct {
    const char *input, *output, *trace, *gradient, *affinities, *values, *macros;
    const char *clusters, *labels, *kernel, *crowding, *toy;
    Calibration cal;
    Schedule sched;
    Start start;
    long trust_k, trace_every;
    bool quiet, verbose, run_option_given;
} Tsne_options;

enum { OPT_ITER = 256, OPT_ETA, OPT_EXAG, OPT_EXAG_ITER, OPT_MOM, OPT_FMOM,
       OPT_MOM_SWITCH, OPT_GSTEP, OPT_GDECAY, OPT_GMIN, OPT_INIT, OPT_SD, OPT_SEED,
       OPT_TRUST, OPT_TRACE, OPT_TRACE_EVERY, OPT_GRAD, OPT_AFF, OPT_VALUES,
       OPT_MACROS, OPT_CLUSTERS, OPT_LABELS, OPT_KERNEL, OPT_CROWD, OPT_TOY };
/* <<print the usage of tsne>> */
static void tsne_usage(FILE *fp)
{
    fputs(
"Usage: tsne [OPTION]...\n"
"Embed points in the plane with exact t-SNE (KL(P||Q), Student-t kernel).\n"
"With no --input and no --make-clusters, print the examples of the book.\n"
"\n"
"  -i, --input FILE        points, one per row: text (numbers separated by\n"
"                          spaces, tabs or commas; '#' comments) or a NumPy\n"
"                          .npy file (2-D, little-endian float32 or float64)\n"
"  -o, --output FILE       the embedding as TSV, two columns (default: stdout)\n"
"  -p, --perplexity P      target perplexity, 1 < P < N - 1 (default 30)\n"
"      --iterations K      gradient steps (default 1000)\n"
"      --learning-rate E   step size, > 0 (default max(N / (4 alpha), 50))\n"
"      --exaggeration A    early exaggeration alpha >= 1 (default 12)\n"
"      --exaggeration-iters K  steps with exaggeration (default 250)\n"
"      --momentum M        momentum before the switch (default 0.5)\n"
"      --final-momentum M  momentum after the switch (default 0.8)\n"
"      --momentum-switch K step at which the momentum changes (default 250)\n"
"      --gain-step G       gain increase (default 0.2)\n"
"      --gain-decay G      gain factor on a sign change (default 0.8)\n"
"      --min-gain G        floor of the gains (default 0.01)\n"
"      --init KIND         'pca' (default: the first two principal components)\n"
"                          or 'random'\n"
"      --init-sd S         standard deviation of the start (default 1e-4)\n"
"      --seed S            seed of the random start (default 1; with --init\n"
"                          random only)\n"
"      --trustworthiness K report T(K), 1 <= K < N/2\n"
"      --trace FILE        write iteration, KL and gradient norm as TSV\n"
"      --trace-every K     steps between trace lines (default 50)\n"
"      --gradient FILE     write KL(P||Q) and its gradient at the final map\n"
"      --affinities FILE   write the N x N affinities p_ij as TSV\n"
"      --values FILE       write 'key<TAB>value' lines (the examples, or the run)\n"
"      --macros FILE       write the numbers as LaTeX macros\n"
"  -q, --quiet             print nothing on standard error but errors and\n"
"                          the warning of exit status 2\n"
"  -v, --verbose           progress every 50 steps on standard error (also the\n"
"                          default when standard error is a terminal)\n"
"\n"
"      --make-clusters FILE  write 2048 points in 128-D from 24 Gaussian\n"
"                          clusters (seed --seed); --labels FILE their clusters\n"
"      --kernel FILE, --crowding FILE, --toy FILE  figure data of the examples\n"
"  -h, --help              show this help and exit\n"
"\n"
"Exit status: 0 on success, 1 on bad input or failure, 2 if some rows of P\n"
"missed the target perplexity, by the tolerance or because at least P nearest\n"
"neighbours are tied (a warning says how many; the map is written).\n"
"Output files appear only when the run succeeds.  The same input, options and\n"
"seed give the same output, bit for bit, from a build that does not contract\n"
"multiply-adds (the book's build passes -ffp-contract=off); another system's\n"
"exp and log may round differently and change the last bits.\n", fp);
}
/* <<parse the options of tsne>> */
static int tsne_parse_options(int argc, char *argv[], Tsne_options *opt, Error *err)
{
    static const struct option longopts[] = {
        /* <<the long options of tsne>> */
        {"input", required_argument, NULL, 'i'},
        {"output", required_argument, NULL, 'o'},
        {"perplexity", required_argument, NULL, 'p'},
        {"iterations", required_argument, NULL, OPT_ITER},
        {"learning-rate", required_argument, NULL, OPT_ETA},
        {"exaggeration", required_argument, NULL, OPT_EXAG},
        {"exaggeration-iters", required_argument, NULL, OPT_EXAG_ITER},
        {"momentum", required_argument, NULL, OPT_MOM},
        {"final-momentum", required_argument, NULL, OPT_FMOM},
        {"momentum-switch", required_argument, NULL, OPT_MOM_SWITCH},
        {"gain-step", required_argument, NULL, OPT_GSTEP},
        {"gain-decay", required_argument, NULL, OPT_GDECAY},
        {"min-gain", required_argument, NULL, OPT_GMIN},
        {"init", required_argument, NULL, OPT_INIT},
        {"init-sd", required_argument, NULL, OPT_SD},
        {"seed", required_argument, NULL, OPT_SEED},
        {"trustworthiness", required_argument, NULL, OPT_TRUST},
        {"trace", required_argument, NULL, OPT_TRACE},
        {"trace-every", required_argument, NULL, OPT_TRACE_EVERY},
        {"gradient", required_argument, NULL, OPT_GRAD},
        {"affinities", required_argument, NULL, OPT_AFF},
        {"values", required_argument, NULL, OPT_VALUES},
        {"macros", required_argument, NULL, OPT_MACROS},
        {"make-clusters", required_argument, NULL, OPT_CLUSTERS},
        {"labels", required_argument, NULL, OPT_LABELS},
        {"kernel", required_argument, NULL, OPT_KERNEL},
        {"crowding", required_argument, NULL, OPT_CROWD},
        {"toy", required_argument, NULL, OPT_TOY},
        {"quiet", no_argument, NULL, 'q'}, {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    *opt = (Tsne_options){.output = "-", .cal = {30.0, 1e-5, 200},
                          .sched = SCHEDULE_DEFAULT, .start = {START_PCA, 1e-4, 1},
                          .trace_every = 50};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":i:o:p:qvh", longopts, NULL)) != -1) {
        /* <<handle one option of tsne>> */
        long k = 0;
        double x = 0.0;
        const char *name = c > 255 ? longopts[c - OPT_ITER + 3].name : "";
        bool is_count = c == OPT_ITER || c == OPT_EXAG_ITER || c == OPT_MOM_SWITCH
                        || c == OPT_TRUST || c == OPT_TRACE_EVERY || c == OPT_SEED;
        bool is_real = c == 'p' || c == OPT_ETA || c == OPT_EXAG || c == OPT_MOM
                       || c == OPT_FMOM || c == OPT_GSTEP || c == OPT_GDECAY
                       || c == OPT_GMIN || c == OPT_SD;
        char option[40];
        snprintf(option, sizeof option, "--%s", c == 'p' ? "perplexity" : name);
        if (is_count && parse_count(optarg, option, c == OPT_TRACE_EVERY ? 1 : 0,
                                    c == OPT_SEED ? 4294967295L : 10000000L, &k, err) != 0)
            return -1;
        if (is_real && parse_double(optarg, option, &x, err) != 0)
            return -1;
        opt->run_option_given |= (is_count && c != OPT_SEED) || is_real || c == 'o'
                                 || c == OPT_INIT
                                 || c == OPT_TRACE || c == OPT_GRAD || c == OPT_AFF;
        switch (c) {
        /* <<store the value of one option of tsne>> */
        case 'i': opt->input = optarg; break;
        case 'o': opt->output = optarg; break;
        case 'p': opt->cal.perplexity = x; break;
        case 'q': opt->quiet = true; break;
        case 'v': opt->verbose = true; break;
        case OPT_ITER: opt->sched.iterations = (int)k; break;
        case OPT_ETA:
            if (!(x > 0.0))
                return fail(err, "--learning-rate must be positive, got %g", x);
            opt->sched.learning_rate = x;
            break;
        case OPT_EXAG: opt->sched.exaggeration = x; break;
        case OPT_EXAG_ITER: opt->sched.exaggeration_iters = (int)k; break;
        case OPT_MOM: opt->sched.momentum[0] = x; break;
        case OPT_FMOM: opt->sched.momentum[1] = x; break;
        case OPT_MOM_SWITCH: opt->sched.momentum_switch = (int)k; break;
        case OPT_GSTEP: opt->sched.gain_step = x; break;
        case OPT_GDECAY: opt->sched.gain_decay = x; break;
        case OPT_GMIN: opt->sched.min_gain = x; break;
        case OPT_SD: opt->start.sd = x; break;
        case OPT_SEED: opt->start.seed = (unsigned long)k; break;
        case OPT_TRUST: opt->trust_k = k; break;
        case OPT_TRACE_EVERY: opt->trace_every = k; break;
        case OPT_INIT:
            if (strcmp(optarg, "random") != 0 && strcmp(optarg, "pca") != 0)
                return fail(err, "--init must be 'random' or 'pca', got '%s'", optarg);
            opt->start.kind = strcmp(optarg, "pca") == 0 ? START_PCA : START_RANDOM;
            break;
        case OPT_TRACE: opt->trace = optarg; break;
        case OPT_GRAD: opt->gradient = optarg; break;
        case OPT_AFF: opt->affinities = optarg; break;
        case OPT_VALUES: opt->values = optarg; break;
        case OPT_MACROS: opt->macros = optarg; break;
        case OPT_CLUSTERS: opt->clusters = optarg; break;
        case OPT_LABELS: opt->labels = optarg; break;
        case OPT_KERNEL: opt->kernel = optarg; break;
        case OPT_CROWD: opt->crowding = optarg; break;
        case OPT_TOY: opt->toy = optarg; break;
        case 'h': return -2;
        default:  return bad_option(c, argv, optind, optopt, err);
        }
    }
    /* <<check the combination of tsne's options>> */
    if (optind < argc)
        return fail(err, "unexpected argument '%s' (see --help)", argv[optind]);
    if (opt->input && opt->clusters)
        return fail(err, "--input and --make-clusters are different modes");
    if (!opt->input && opt->run_option_given)
        return fail(err, "the options of a run need --input FILE (see --help)");
    if (opt->input && (opt->kernel || opt->crowding || opt->toy || opt->labels))
        return fail(err, "--kernel, --crowding, --toy and --labels do not go with "
                    "--input");
    if (opt->labels && !opt->clusters)
        return fail(err, "--labels needs --make-clusters");
    if (opt->clusters && (opt->kernel || opt->crowding || opt->toy || opt->values
                          || opt->macros))
        return fail(err, "--make-clusters takes only --labels and --seed");
    if (check_schedule(&opt->sched, err) != 0)
        return -1;
    const char *outs[11] = {opt->output, opt->trace, opt->gradient, opt->affinities,
                            opt->values, opt->macros, opt->clusters, opt->labels,
                            opt->kernel, opt->crowding, opt->toy};
    if (distinct_outputs(&opt->input, 1, outs, 11, err) != 0
        || check_output_names(NULL, outs, 11, err) != 0)
        return -1;
    return 0;
}
/* <<run tsne on the reader's points>> */
typedef struct {
    bool progress;              /* print a line every 50 steps */
    int trace_every, last, n, cap;  /* last: the final iteration, always kept */
    int *iteration;
    double *kl, *grad_norm;
} Run_log;

static void log_report(void *ctx, int iteration, double kl, double grad_norm)
{
    Run_log *log = ctx;
    const bool last = iteration == log->last;
    if (log->progress && (iteration % 50 == 0 || last))
        fprintf(stderr, "tsne: iteration %5d  KL %.6f  |gradient| %.4e\n",
                iteration, kl, grad_norm);
    if ((iteration % log->trace_every == 0 || last) && log->n < log->cap) {
        log->iteration[log->n] = iteration;
        log->kl[log->n] = kl;
        log->grad_norm[log->n++] = grad_norm;
    }
}

/* <<write the outputs of a run>> */
static void write_columns(FILE *fp, const double *y, size_t N)
{
    for (size_t i = 0; i < N; i++)
        fprintf(fp, "%.17g\t%.17g\n", y[i], y[N + i]);
}

/* <<write the trace, the gradient and the numbers of a run>> */
/* <<write the trace of a run>> */
static void tsne_write_trace(FILE *fp, const Run_log *log, const Schedule *s)
{
    fprintf(fp, "# iteration\tKL(P||Q)\tgradient norm\t(exaggeration until %d)\n",
            s->exaggeration_iters);
    for (int k = 0; k < log->n; k++)
        fprintf(fp, "%d\t%.10g\t%.10g\n", log->iteration[k], log->kl[k],
                log->grad_norm[k]);
}
/* <<write the gradient of the final map>> */
static int write_gradient(FILE *fp, const gsl_matrix *P, const double *y, double kl,
                          Error *err)
{
    const size_t N = P->size1;
    Pair_sums ps;
    double *g = alloc_array(2 * N, sizeof *g, err);
    if (g == NULL || pair_sums_init(&ps, N, err) != 0) {
        free(g);
        return -1;
    }
    kl_gradient(P, 1.0, y, g, &ps);
    fprintf(fp, "# KL(P||Q) = %.17g; gradient of KL at the final map:\n", kl);
    write_columns(fp, g, N);
    pair_sums_free(&ps);
    free(g);
    return 0;
}
/* <<look up the cost at an iteration of the trace>> */
static double log_at(const Run_log *log, int iteration)
{
    for (int k = 0; k < log->n; k++)
        if (log->iteration[k] == iteration)
            return log->kl[k];
    return NAN;
}
/* <<write the values of a run>> */
static void write_run_values(FILE *fp, const Tsne_options *opt, const gsl_matrix *x,
                             const Run_log *log, double T)
{
    fprintf(fp, "n\t%zu\ndims\t%zu\nperplexity\t%.17g\n", x->size1, x->size2,
            opt->cal.perplexity);
    fprintf(fp, "learning_rate\t%.17g\niterations\t%d\n",
            learning_rate(&opt->sched, x->size1), opt->sched.iterations);
    fprintf(fp, "kl\t%.17g\n", log->kl[log->n - 1]);
    if (T >= 0.0)
        fprintf(fp, "trustworthiness\t%.17g\nk\t%ld\n", T, opt->trust_k);
}
/* <<write the macros of a run>> */
static void write_run_macros(FILE *fp, const Tsne_options *opt, const gsl_matrix *x,
                             const Run_log *log, double T)
{
    fputs("% Generated by `tsne --input ... --macros`; do not edit.\n", fp);
    tex_macro_int(fp, "RunN", (long)x->size1);
    tex_macro_int(fp, "RunD", (long)x->size2);
    tex_macro_int(fp, "RunIter", opt->sched.iterations);
    tex_macro(fp, "RunEta", learning_rate(&opt->sched, x->size1), 3);
    tex_macro(fp, "RunKL", log->kl[log->n - 1], 3);
    tex_macro(fp, "RunKLStart", log_at(log, 0), 3);
    tex_macro(fp, "RunKLExag", log_at(log, opt->sched.exaggeration_iters), 3);
    tex_macro(fp, "RunTrust", T, 4);
}

static int write_run(const Tsne_options *opt, const gsl_matrix *x, const gsl_matrix *P,
                     const double *y, const Run_log *log, double T, Error *err)
{
    const char *paths[6] = {opt->output, opt->trace, opt->gradient, opt->affinities,
                            opt->values, opt->macros};
    Outfile out[6];
    size_t n = 0;
    int status = 0;
    for (int k = 0; k < 6 && status == 0; k++) {
        out[k] = outfile_none();
        if (paths[k] == NULL)
            continue;
        if ((status = outfile_open(&out[n], paths[k], err)) != 0)
            break;
        FILE *fp = out[n++].fp;
        /* <<write output number [[k]] of a run to [[fp]]>> */
        switch (k) {
        case 0: write_columns(fp, y, P->size1); break;
        case 1: tsne_write_trace(fp, log, &opt->sched); break;
        case 2: status = write_gradient(fp, P, y, log->kl[log->n - 1], err); break;
        case 3:
            for (size_t i = 0; i < P->size1; i++)
                for (size_t j = 0; j < P->size2; j++)
                    fprintf(fp, "%.17g%c", gsl_matrix_get(P, i, j),
                            j + 1 < P->size2 ? '\t' : '\n');
            break;
        case 4: write_run_values(fp, opt, x, log, T); break;
        default: write_run_macros(fp, opt, x, log, T); break;
        }
    }
    if (status != 0) {
        outfiles_abort(out, n + 1 > 6 ? 6 : n + 1);
        return -1;
    }
    return outfiles_commit(out, n, err);
}

static long gcd(long a, long b)
{
    return b == 0 ? a : gcd(b, a % b);
}

static int tsne_run_on_input(const Tsne_options *opt, Error *err)
{
    /* <<read the points and compute the affinities>> */
    gsl_matrix *x = read_points(opt->input, err), *P = NULL;
    Row_fit *fits = NULL;
    double *y = NULL, T = -1.0;
    Run_log log = {opt->verbose || (!opt->quiet && isatty(STDERR_FILENO)),
                   (int)opt->trace_every, opt->sched.iterations, 0, 0, NULL, NULL, NULL};
    int status = -1;
    if (x == NULL || check_calibration(&opt->cal, x->size1, err) != 0)
        goto done;
    const size_t N = x->size1;
    if (opt->trust_k != 0 && (opt->trust_k < 1 || 2 * (size_t)opt->trust_k >= N)) {
        fail(err, "--trustworthiness needs 1 <= K < N/2 = %g, got %ld", N / 2.0,
             opt->trust_k);
        goto done;
    }
    if ((P = alloc_matrix(N, N, err)) == NULL
        || (fits = alloc_array(N, sizeof *fits, err)) == NULL
        || (y = alloc_array(2 * N, sizeof *y, err)) == NULL
        || symmetric_affinities(x, &opt->cal, P, fits, err) != 0)
        goto done;
    /* <<start and optimise the map, timing the optimiser>> */
    const bool want_log = log.progress || opt->trace != NULL;
    log.cap = opt->sched.iterations / (int)opt->trace_every + 2;
    log.iteration = alloc_array((size_t)log.cap, sizeof *log.iteration, err);
    log.kl = alloc_array((size_t)log.cap, sizeof *log.kl, err);
    log.grad_norm = alloc_array((size_t)log.cap, sizeof *log.grad_norm, err);
    if (log.iteration == NULL || log.kl == NULL || log.grad_norm == NULL
        || initial_embedding(x, &opt->start, y, err) != 0)
        goto done;
    const Monitor mon = {want_log ? (int)gcd(50, opt->trace_every) : 0, log_report,
                         &log};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (optimise(P, &opt->sched, &mon, y, err) != 0)
        goto done;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    for (size_t k = 0; k < 2 * N; k++)         /* a step too large diverges */
        if (!isfinite(y[k])) {
            fail(err, "the optimisation diverged (the map is not finite); "
                 "try a smaller --learning-rate");
            goto done;
        }
    const double seconds = (double)(t1.tv_sec - t0.tv_sec)
                           + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    /* <<measure and write the run>> */
    if (opt->trust_k > 0 && trustworthiness(x, y, (size_t)opt->trust_k, &T, err) != 0)
        goto done;
    size_t missed = 0, tied = 0;
    for (size_t i = 0; i < N; i++) {
        missed += row_missed(&fits[i], &opt->cal);
        tied += opt->cal.perplexity <= (double)fits[i].ties;
    }
    if (write_run(opt, x, P, y, &log, T, err) != 0)
        goto done;
    const double kl = log.kl[log.n - 1];
    if (!opt->quiet) {
        fprintf(stderr, "tsne: %zu points, perplexity %g, %d iterations: "
                "KL(P||Q) = %.6f",
                N, opt->cal.perplexity, opt->sched.iterations, kl);
        if (T >= 0.0)
            fprintf(stderr, ", T(%ld) = %.6f", opt->trust_k, T);
        fputc('\n', stderr);
        if (opt->verbose)
            fprintf(stderr, "tsne: optimiser %.3f s, %.4f ms per iteration\n", seconds,
                    1e3 * seconds / (opt->sched.iterations ? opt->sched.iterations : 1));
    }
    if (missed > 0)                             /* a warning even with --quiet */
        fprintf(stderr, "tsne: warning: %zu of %zu rows of P missed the target "
                "perplexity; in %zu of them at least %.0f nearest neighbours (as many "
                "as the perplexity) are tied at one distance (duplicate points, say), "
                "so no bandwidth reaches it\n", missed, N, tied, ceil(opt->cal.perplexity));
    status = missed > 0 ? 2 : 0;
done:
    free(log.iteration);
    free(log.kl);
    free(log.grad_norm);
    free(y);
    free(fits);
    gsl_matrix_free(P);
    gsl_matrix_free(x);
    return status;
}
/* <<write the points of the realistic run>> */
static int run_make_clusters(const Tsne_options *opt, Error *err)
{
    gsl_matrix *x = alloc_matrix(CLUSTERS_N, CLUSTERS_D, err);
    int *label = x ? alloc_array(CLUSTERS_N, sizeof *label, err) : NULL;
    Outfile out[2] = {outfile_none(), outfile_none()};
    int status = -1;
    if (label == NULL || make_clusters(opt->start.seed, x, label, err) != 0)
        goto done;
    if (outfile_open(&out[0], opt->clusters, err) != 0
        || (opt->labels && outfile_open(&out[1], opt->labels, err) != 0)) {
        outfiles_abort(out, 2);
        goto done;
    }
    for (size_t i = 0; i < CLUSTERS_N; i++)
        for (size_t d = 0; d < CLUSTERS_D; d++)
            fprintf(out[0].fp, "%.10g%c", gsl_matrix_get(x, i, d),
                    d + 1 < CLUSTERS_D ? '\t' : '\n');
    for (size_t i = 0; opt->labels && i < CLUSTERS_N; i++)
        fprintf(out[1].fp, "%d\n", label[i]);
    status = outfiles_commit(out, opt->labels ? 2 : 1, err);
done:
    free(label);
    gsl_matrix_free(x);
    return status;
}
/* <<run the examples>> */
static int tsne_run_examples(const Tsne_options *opt, Error *err)
{
    Tsne_examples *ex = alloc_array(1, sizeof *ex, err);
    if (ex == NULL)
        return -1;
    ex->P = NULL;
    int status = tsne_compute_examples(ex, err);
    if (status == 0) {
        tsne_print_examples(stdout, ex);
        status = stdout_written(err);
    }
    const char *paths[5] = {opt->macros, opt->values, opt->kernel, opt->crowding,
                            opt->toy};
    if (status == 0)
        status = tsne_write_example_files(paths, ex, err);
    gsl_matrix_free(ex->P);
    free(ex);
    return status;
}

int main(int argc, char *argv[])
{
    gsl_set_error_handler_off();
    Tsne_options opt;
    Error err = {""};
    int status = tsne_parse_options(argc, argv, &opt, &err);
    if (status == 0)
        status = opt.input ? tsne_run_on_input(&opt, &err)
                 : opt.clusters ? run_make_clusters(&opt, &err)
                 : tsne_run_examples(&opt, &err);
    return finish("tsne", status, &err, tsne_usage);
}

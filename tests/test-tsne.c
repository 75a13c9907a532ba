/* test-tsne.c -- CUnit tests of section 23.1: the map (the embedding).
 * Tangled from chapters/23-1b-tsne.nw and chapters/p2-tsne.nw; expected
 * values come from closed
 * forms, hand derivations, finite differences and scikit-learn, never from
 * the program's own output.  PROGRAM names the built program, TESTDIR a
 * scratch directory. */
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
/* <<expect every output option to refuse a bad name>> */
static void expect_outputs_refused(const char *base, const char *const *opts,
                                   size_t n)
{
    static const char *const bad[3][2] = {{"''", "is empty"},
        {"a-directory", "is a directory"}, {"no-such-dir/x", "does not exist"}};
    char path[1024], args[1024];
    snprintf(path, sizeof path, "%s/a-directory", getenv("TESTDIR"));
    mkdir(path, 0777);
    for (size_t k = 0; k < n; k++)
        for (int b = 0; b < 3; b++) {
            snprintf(args, sizeof args, "%s %s good.out %s %s", base,
                     opts[(k + 1) % n], opts[k], bad[b][0]);
            expect_rejection_of(args, bad[b][1], "good.out");
        }
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
/* <<helpers for the tests>> */
static gsl_rng *test_rng(unsigned long seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng == NULL) {
        fprintf(stderr, "test: cannot allocate a random number generator\n");
        exit(EXIT_FAILURE);
    }
    gsl_rng_set(rng, seed);
    return rng;
}
/* <<helpers for the tests of the embedding>> */
static void random_affinities(gsl_matrix *P, gsl_rng *rng)
{
    const size_t N = P->size1;
    double total = 0.0;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) {
            double r = i < j ? gsl_rng_uniform(rng) : i == j ? 0.0
                       : gsl_matrix_get(P, j, i);
            gsl_matrix_set(P, i, j, r);
            total += r;
        }
    gsl_matrix_scale(P, 1.0 / total);
}

/* q_ij of the Student-t definition, straight, over ordered pairs */
static void student_affinities(const double *y, size_t N, gsl_matrix *Q)
{
    double Z = 0.0;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) {
            double dx = y[i] - y[j], dy = y[N + i] - y[N + j];
            double w = i == j ? 0.0 : 1.0 / (1.0 + dx * dx + dy * dy);
            gsl_matrix_set(Q, i, j, w);
            Z += w;
        }
    gsl_matrix_scale(Q, 1.0 / Z);
}
/* <<helpers for the tests of the embedding>> */
static void tsne_write_npy(const char *name, const char *descr, const char *shape,
                      bool fortran, const void *data, size_t bytes)
{
    char dict[256], path[1024];
    int len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': %s, "
                       "'shape': %s, }", descr, fortran ? "True" : "False", shape);
    size_t total = 10 + (size_t)len + 1, pad = (64 - total % 64) % 64;
    snprintf(path, sizeof path, "%s/%s", getenv("TESTDIR"), name);
    FILE *fp = fopen(path, "wb");
    if (fp == NULL)
        return;
    unsigned short hlen = (unsigned short)(len + pad + 1);
    fwrite("\x93NUMPY\x01\x00", 1, 8, fp);
    fputc(hlen & 0xff, fp);
    fputc(hlen >> 8, fp);
    fputs(dict, fp);
    for (size_t k = 0; k < pad; k++)
        fputc(' ', fp);
    fputc('\n', fp);
    fwrite(data, 1, bytes, fp);
    fclose(fp);
}
/* <<helpers for the tests of the embedding>> */
static void slurp_test_file(const char *name, char *buf, size_t size)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", getenv("TESTDIR"), name);
    slurp(path, buf, size);
}
/* <<tests of the embedding>> */
static void test_example_B(void)
{
    CU_ASSERT_DOUBLE_EQUAL(student_kernel(1.0 * 1.0), 1.0 / 2.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(student_kernel(3.0 * 3.0), 1.0 / 10.0, 1e-15);
    /* the Gaussian numerators, to five digits as the specification gives them */
    CU_ASSERT_DOUBLE_EQUAL(exp(-0.5), 0.60653, 5e-6);
    CU_ASSERT_DOUBLE_EQUAL(exp(-4.5), 0.011109, 5e-7);
    CU_ASSERT(student_kernel(9.0) / exp(-4.5) > 9.0);     /* 0.1 e^{9/2} = 9.0017 */
}
/* <<tests of the embedding>> */
static void test_gradient_by_differences(void)
{
    Error err = {""};
    double rel = gradient_check(50, 17, &err);
    CU_ASSERT(rel >= 0.0 && rel < 1e-6);
}

static void test_cost_zero_when_Q_is_P(void)
{
    enum { N = 40 };
    gsl_rng *rng = test_rng(3);
    gsl_matrix *P = gsl_matrix_alloc(N, N);
    double y[2 * N];
    CU_ASSERT_FATAL(P != NULL);
    for (int trial = 0; trial < 5; trial++) {
        for (size_t k = 0; k < 2 * N; k++)
            y[k] = gsl_ran_gaussian(rng, 2.0);
        random_affinities(P, rng);
        CU_ASSERT(kl_cost(P, y) >= 0.0);
        student_affinities(y, N, P);                     /* now P = Q(Y) */
        CU_ASSERT(fabs(kl_cost(P, y)) < 1e-12);
    }
    gsl_matrix_free(P);
    gsl_rng_free(rng);
}
/* <<tests of the embedding>> */
static void test_gradient_against_formula(void)
{
    enum { N = 37 };                /* not a multiple of LANES: the tail runs */
    gsl_rng *rng = test_rng(8);
    gsl_matrix *P = gsl_matrix_alloc(N, N), *Q = gsl_matrix_alloc(N, N);
    double y[2 * N], g[2 * N];
    Pair_sums ps;
    Error err = {""};
    CU_ASSERT_FATAL(P != NULL && Q != NULL && pair_sums_init(&ps, N, &err) == 0);
    random_affinities(P, rng);
    for (size_t k = 0; k < 2 * N; k++)
        y[k] = gsl_ran_gaussian(rng, 3.0);
    student_affinities(y, N, Q);
    kl_gradient(P, 1.0, y, g, &ps);
    for (size_t i = 0; i < N; i++)
        for (int c = 0; c < 2; c++) {
            double want = 0.0;      /* 4 sum_j (p_ij - q_ij) w_ij (y_i - y_j) */
            for (size_t j = 0; j < N; j++) {
                double dx = y[i] - y[j], dy = y[N + i] - y[N + j];
                double w = 1.0 / (1.0 + dx * dx + dy * dy);
                want += 4.0 * (gsl_matrix_get(P, i, j) - gsl_matrix_get(Q, i, j))
                        * w * (c == 0 ? dx : dy);
            }
            CU_ASSERT_DOUBLE_EQUAL(g[c * N + i], want, 1e-12 * (1.0 + fabs(want)));
        }
    pair_sums_free(&ps);
    gsl_matrix_free(P);
    gsl_matrix_free(Q);
    gsl_rng_free(rng);
}
/* <<tests of the embedding>> */
static void test_pca_start(void)
{
    enum { N = 32 };
    gsl_matrix *x = gsl_matrix_alloc(N, 3);
    double y[2 * N];
    CU_ASSERT_FATAL(x != NULL);
    for (size_t i = 0; i < N; i++) {    /* t along (1,2,2)/3, s along (0,1,-1) */
        double t = (double)i - 15.5, s = (i < N / 4 || i >= 3 * N / 4) ? 0.5 : -0.5;
        gsl_matrix_set(x, i, 0, 7.0 + t / 3.0);
        gsl_matrix_set(x, i, 1, -1.0 + 2.0 * t / 3.0 + s / sqrt(2.0));
        gsl_matrix_set(x, i, 2, 2.0 * t / 3.0 - s / sqrt(2.0));
    }
    Start start = {START_PCA, 1e-4, 0};
    Error err = {""};
    CU_ASSERT_FATAL(initial_embedding(x, &start, y, &err) == 0);
    double m0 = 0.0, v0 = 0.0, v1 = 0.0, c = y[0] / -15.5;
    for (size_t i = 0; i < N; i++)
        m0 += y[i] / N;
    for (size_t i = 0; i < N; i++) {
        v0 += (y[i] - m0) * (y[i] - m0) / N;
        v1 += y[N + i] * y[N + i] / N;
        CU_ASSERT_DOUBLE_EQUAL(y[i], c * ((double)i - 15.5), 1e-9 * fabs(c));
    }
    CU_ASSERT_DOUBLE_EQUAL(sqrt(v0), 1e-4, 1e-15);
    CU_ASSERT(v1 < v0);
    x->size2 = 1;                               /* one dimension is refused */
    CU_ASSERT(initial_embedding(x, &start, y, &err) == -1);
    x->size2 = 3;
    gsl_matrix_free(x);
}
/* <<tests of the embedding>> */
static void test_trustworthiness_by_hand(void)
{
    gsl_matrix *x = gsl_matrix_alloc(6, 1);
    CU_ASSERT_FATAL(x != NULL);
    for (size_t i = 0; i < 6; i++)
        gsl_matrix_set(x, i, 0, (double)(i * i));       /* 0 1 4 9 16 25 */
    double same[12] = {0, 1, 4, 9, 16, 25};            /* the identity map */
    /* map order 1 0 2 3 4 5 at well-separated positions: x1 = 0, x0 = 1.5 */
    double swap[12] = {1.5, 0, 4, 9, 16, 25};
    double T;
    Error err = {""};
    for (size_t k = 1; k <= 2; k++) {
        CU_ASSERT(trustworthiness(x, same, k, &T, &err) == 0);
        CU_ASSERT_EQUAL(T, 1.0);
    }
    /* k = 1.  Map nearest neighbours: 0 -> 1 (d 1.5; data rank 1), 1 -> 0 (1.5;
       rank 1), 2 -> 0 (2.5; data rank of 0 from 2 is 2: cost 1), 3 -> 2,
       4 -> 3, 5 -> 4 (all rank 1).  T = 1 - 2 * 1 / (6 * 1 * (12 - 3 - 1)). */
    CU_ASSERT(trustworthiness(x, swap, 1, &T, &err) == 0);
    CU_ASSERT_DOUBLE_EQUAL(T, 1.0 - 2.0 / 48.0, 1e-15);
    CU_ASSERT(trustworthiness(x, swap, 3, &T, &err) == -1);      /* k < N/2 */
    gsl_matrix_free(x);
}
/* <<tests of the embedding>> */
static void test_toy_affinities(void)
{
    gsl_matrix *P = gsl_matrix_alloc(TOY_N, TOY_N);
    Error err = {""};
    CU_ASSERT_FATAL(P != NULL && toy_unit_affinities(P, &err) == 0);
    const double S = 2.0 * exp(-0.5) + exp(-12.5) + 2.0 * exp(-13.0);
    CU_ASSERT_DOUBLE_EQUAL(gsl_matrix_get(P, 0, 1), exp(-0.5) / S, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(gsl_matrix_get(P, 0, 1), 0.4999966, 5e-8);
    CU_ASSERT_DOUBLE_EQUAL(gsl_matrix_get(P, 0, 2), 0.4999966, 5e-8);
    CU_ASSERT_DOUBLE_EQUAL(gsl_matrix_get(P, 0, 3), 3.0721e-6, 5e-11);
    CU_ASSERT_DOUBLE_EQUAL(gsl_matrix_get(P, 0, 4), 1.8633e-6, 5e-11);
    CU_ASSERT_DOUBLE_EQUAL(gsl_matrix_get(P, 0, 5), 1.8633e-6, 5e-11);
    symmetrise(P);
    CU_ASSERT_DOUBLE_EQUAL(gsl_matrix_get(P, 0, 1), 0.0833328, 5e-8);
    CU_ASSERT_DOUBLE_EQUAL(gsl_matrix_get(P, 0, 3), 5.1201e-7, 5e-12);
    gsl_matrix_free(P);
}
/* <<tests of the embedding>> */
static void test_toy_embedding(void)
{
    double y[2 * TOY_N], again[2 * TOY_N], kl = -1.0, kl2;
    Error err = {""};
    CU_ASSERT_FATAL(toy_embedding(y, &kl, &err) == 0);
    double within = 0.0, between = INFINITY;
    for (size_t i = 0; i < TOY_N; i++)
        for (size_t j = i + 1; j < TOY_N; j++) {
            double d = hypot(y[i] - y[j], y[TOY_N + i] - y[TOY_N + j]);
            if (TOY_KEY[i] == TOY_KEY[j])
                within = fmax(within, d);
            else
                between = fmin(between, d);
        }
    CU_ASSERT(within < between);
    CU_ASSERT(kl >= 0.0 && kl < 0.5);
    gsl_matrix *x = gsl_matrix_alloc(TOY_N, 3);
    CU_ASSERT_FATAL(x != NULL);
    for (size_t k = 0; k < 3 * TOY_N; k++)
        x->data[k] = TOY_X[k / 3][k % 3];
    double T = 0.0;
    CU_ASSERT(trustworthiness(x, y, 2, &T, &err) == 0);
    CU_ASSERT_EQUAL(T, 1.0);
    CU_ASSERT_FATAL(toy_embedding(again, &kl2, &err) == 0);
    CU_ASSERT_EQUAL(memcmp(y, again, sizeof y), 0);              /* bit for bit */
    gsl_matrix_free(x);
}
/* <<tests of the embedding>> */
static void test_identical_points(void)
{
    enum { N = 10 };
    gsl_matrix *x = gsl_matrix_alloc(N, 4), *P = gsl_matrix_alloc(N, N);
    CU_ASSERT_FATAL(x != NULL && P != NULL);
    gsl_matrix_set_all(x, 3.25);
    Calibration cal = {3.0, 1e-5, 200};
    Row_fit fits[N];
    double y[2 * N];
    Error err = {""};
    CU_ASSERT_FATAL(symmetric_affinities(x, &cal, P, fits, &err) == 0);
    for (size_t i = 0; i < N; i++)              /* r = 9 tied neighbours >= 3 */
        CU_ASSERT(fits[i].ties == N - 1 && row_missed(&fits[i], &cal));
    for (int kind = 0; kind < 2; kind++) {
        Start start = {kind ? START_PCA : START_RANDOM, 1e-4, 5};
        CU_ASSERT_FATAL(initial_embedding(x, &start, y, &err) == 0);
        CU_ASSERT_FATAL(optimise(P, &SCHEDULE_DEFAULT, NULL, y, &err) == 0);
        for (size_t k = 0; k < 2 * N; k++)
            CU_ASSERT(isfinite(y[k]) && (kind == 0 || y[k] == 0.0));
    }
    gsl_matrix_free(x);
    gsl_matrix_free(P);
}
/* <<tests of the embedding>> */
static void test_rejected_schedules(void)
{
    Error err = {""};
    CU_ASSERT(check_schedule(&SCHEDULE_DEFAULT, &err) == 0);
    Schedule bad[6];
    for (int k = 0; k < 6; k++)
        bad[k] = SCHEDULE_DEFAULT;
    bad[0].exaggeration = 0.99;
    bad[1].learning_rate = -1.0;
    bad[2].momentum[1] = 1.0;
    bad[3].min_gain = 0.0;
    bad[4].iterations = -1;
    bad[5].gain_decay = 1.5;
    for (int k = 0; k < 6; k++)
        CU_ASSERT(check_schedule(&bad[k], &err) == -1);
}
/* <<tests of the command line of tsne>> */
static void test_uniform_grid_default_start(void)
{
    char text[GRID_N * 64] = "", num[64], path[1024];
    gsl_matrix *x = gsl_matrix_alloc(GRID_N, 2);
    CU_ASSERT_FATAL(x != NULL);
    uniform_grid(x, false);
    for (size_t i = 0; i < GRID_N; i++) {
        snprintf(num, sizeof num, "%.17g\t%.17g\n", gsl_matrix_get(x, i, 0),
                 gsl_matrix_get(x, i, 1));
        strcat(text, num);
    }
    gsl_matrix_free(x);
    write_test_file("grid.tsv", text);
    Run r = run_program("--input grid.tsv -p 50 --iterations 500 -q -o grid-map.tsv");
    CU_ASSERT_FATAL(r.status == 0);
    double y[GRID_N][2], nn[GRID_N], mean = 0.0, lo = INFINITY, hi = 0.0;
    snprintf(path, sizeof path, "%s/grid-map.tsv", getenv("TESTDIR"));
    FILE *fp = fopen(path, "r");
    CU_ASSERT_FATAL(fp != NULL);
    for (size_t i = 0; i < GRID_N; i++)
        CU_ASSERT(fscanf(fp, "%lf %lf", &y[i][0], &y[i][1]) == 2);
    fclose(fp);
    /* <<check the map against scikit-learn's bounds for a uniform grid>> */
    for (size_t i = 0; i < GRID_N; i++) {
        nn[i] = INFINITY;
        for (size_t j = 0; j < GRID_N; j++)
            if (j != i) {
                const double dx = y[i][0] - y[j][0], dy = y[i][1] - y[j][1];
                nn[i] = fmin(nn[i], sqrt(dx * dx + dy * dy));
            }
        mean += nn[i] / GRID_N;
        lo = fmin(lo, nn[i]);
        hi = fmax(hi, nn[i]);
    }
    CU_ASSERT(lo > 0.1);
    CU_ASSERT(lo / mean > 0.5);
    CU_ASSERT(hi / mean < 2.0);
}
/* <<tests of the command line of tsne>> */
static void test_tsne_bad_input(void)
{
    write_test_file("ragged.tsv", "1 2 3\n4 5\n");
    write_test_file("nan.tsv", "1 2\n3 nan\n4 5\n5 6\n");
    write_test_file("inf.tsv", "1 2\n3 -inf\n4 5\n5 6\n");
    write_test_file("two.tsv", "0 0\n1 1\n");
    write_test_file("five.tsv", "0 0\n1 0\n0 1\n1 1\n2 2\n");
    const char *o = " -o out.tsv";
    char args[256];
    const char *cases[][2] = {
        {"--input ragged.tsv", "ragged"}, {"--input nan.tsv", "not finite"},
        {"--input inf.tsv", "not finite"}, {"--input two.tsv", "at least 3"},
        {"--input five.tsv -p 4", "too large"},         /* perplexity >= N - 1 */
        {"--input five.tsv -p 2 --exaggeration 0.5", "at least 1"},
        {"--input five.tsv -p 2 --learning-rate 0", "must be positive"},
        {"--input five.tsv -p 2 --learning-rate -3", "must be positive"},
        {"--input five.tsv -p 2 --init spectral", "--init"},
        {"--input five.tsv -p 2 --momentum 1", "momentum"},
        {"--input five.tsv -p 2 --min-gain 0", "gains"},
        {"--input five.tsv -p 2 --trustworthiness 3", "N/2"},
        {"--input five.tsv -p 2 --iterations -1", "out of range"},
        {"--input five.tsv -p 2 --trace-every 0", "out of range"},
        {"--input five.tsv -p 2 --init-sd 0", "standard deviation"},
        {"--input five.tsv -p 2 --learning-rate 1e300", "diverged"},
        {"--input missing.tsv", "cannot open"}, {"--bogus", "unknown option"},
        {"--perplexity 5", "need --input"},
        {"--input five.tsv --toy t.dat", "--toy"},
        {"--input five.tsv -p 2 -o five.tsv", "overwrite an input"}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        snprintf(args, sizeof args, "%s%s", cases[k][0],
                 strstr(cases[k][0], " -o ") ? "" : o);
        expect_rejection_of(args, cases[k][1], "out.tsv");
    }
    /* <<bad NumPy files are refused by name>> */
    const double v[10] = {0, 0, 1, 0, 0, 1, 1, 1, 2, 2};
    const int32_t iv[10] = {0};
    tsne_write_npy("int.npy", "<i4", "(5, 2)", false, iv, sizeof iv);
    tsne_write_npy("big.npy", ">f8", "(5, 2)", false, v, sizeof v);
    tsne_write_npy("flat.npy", "<f8", "(10,)", false, v, sizeof v);
    tsne_write_npy("cube.npy", "<f8", "(5, 1, 2)", false, v, sizeof v);
    tsne_write_npy("short.npy", "<f8", "(5, 2)", false, v, sizeof v - 8);
    expect_rejection_of("--input int.npy -o out.tsv", "'<i4' is not supported",
                        "out.tsv");
    expect_rejection_of("--input big.npy -o out.tsv", "'>f8' is not supported",
                        "out.tsv");
    expect_rejection_of("--input flat.npy -o out.tsv", "1 dimension;", "out.tsv");
    expect_rejection_of("--input cube.npy -o out.tsv", "3 dimensions", "out.tsv");
    expect_rejection_of("--input short.npy -o out.tsv", "truncated", "out.tsv");
    tsne_write_npy("long.npy", "<f8", "(4, 2)", false, v, sizeof v);
    expect_rejection_of("--input long.npy -o out.tsv", "bytes after", "out.tsv");
}
/* <<tests of the command line of tsne>> */
static void test_tsne_good_input(void)
{
    Run r = run_program("--help");
    CU_ASSERT(r.status == 0 && strncmp(r.out, "Usage: tsne", 11) == 0);
    /* <<write twelve points as text and as NumPy arrays>> */
    double pts[12][3], ptsF[3][12];
    float pts32[12][3];
    char text[1024] = "";
    for (int i = 0; i < 12; i++)
        for (int d = 0; d < 3; d++) {
            pts[i][d] = ptsF[d][i] = pts32[i][d] = (float)((i * 7 + d * 3) % 11) / 4.0f;
            char num[32];
            snprintf(num, sizeof num, "%.17g%c", pts[i][d], d < 2 ? '\t' : '\n');
            strcat(text, num);
        }
    write_test_file("pts.tsv", text);
    tsne_write_npy("pts.npy", "<f8", "(12, 3)", false, pts, sizeof pts);
    tsne_write_npy("pts32.npy", "<f4", "(12, 3)", false, pts32, sizeof pts32);
    tsne_write_npy("ptsF.npy", "<f8", "(12, 3)", true, ptsF, sizeof ptsF);
    const char *runs[] = {"--input pts.tsv -o a.tsv", "--input pts.npy -o b.tsv",
        "--input pts32.npy -o c.tsv", "--input ptsF.npy -o d.tsv",
        "--input pts.tsv -o e.tsv --seed 2",              /* no effect on PCA */
        "--input pts.tsv -o f.tsv --init random",
        "--input pts.tsv -o g.tsv --init random --seed 2"};
    char base[] = " -p 3.5 --iterations 300 -q";
    for (size_t k = 0; k < 7; k++) {
        char args[256];
        snprintf(args, sizeof args, "%s%s", runs[k], base);
        r = run_program(args);
        CU_ASSERT(r.status == 0 && r.err[0] == '\0');
    }
    char a[4096], other[4096];
    slurp_test_file("a.tsv", a, sizeof a);
    CU_ASSERT(count_lines(a) == 12);
    const char *same[] = {"b.tsv", "c.tsv", "d.tsv", "e.tsv"};
    for (size_t k = 0; k < 4; k++) {
        slurp_test_file(same[k], other, sizeof other);
        CU_ASSERT(strcmp(a, other) == 0);
    }
    char f[4096];
    slurp_test_file("f.tsv", f, sizeof f);
    slurp_test_file("g.tsv", other, sizeof other);
    CU_ASSERT(strcmp(a, f) != 0 && strcmp(f, other) != 0);
    CU_ASSERT(test_file_exists("a.tsv") && !test_file_exists("out.tsv"));
}
/* <<tests of the command line of tsne>> */
static void test_tsne_identical_points(void)
{
    write_test_file("same.tsv", "1 2 3\n1 2 3\n1 2 3\n1 2 3\n1 2 3\n1 2 3\n");
    Run r = run_program("--input same.tsv -p 2 -o same-map.tsv --iterations 400");
    CU_ASSERT(r.status == 2 && strstr(r.err, "missed the target") != NULL);
    char map[2048];
    slurp_test_file("same-map.tsv", map, sizeof map);
    CU_ASSERT(count_lines(map) == 6);
    CU_ASSERT(strstr(map, "nan") == NULL && strstr(map, "inf") == NULL);
}
/* <<tests of the command line of tsne>> */
static void test_tsne_bad_outputs(void)
{
    write_test_file("five.tsv", "0 0\n1 0\n0 1\n1 1\n2 2\n");
    const char *run[] = {"--output", "--trace", "--gradient", "--affinities",
                         "--values", "--macros"};
    const char *clusters[] = {"--make-clusters", "--labels"};
    const char *examples[] = {"--macros", "--values", "--kernel", "--crowding",
                              "--toy"};
    expect_outputs_refused("--input five.tsv -p 2 --iterations 10 -q", run, 6);
    expect_outputs_refused("", clusters, 2);
    expect_outputs_refused("", examples, 5);
}
/* <<tests of the command line of tsne>> */
static int run_piped(const char *file, const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd '%s' && cat %s | '%s' --input /dev/stdin %s "
             "2>stderr.txt", getenv("TESTDIR"), file, getenv("PROGRAM"), args);
    int s = system(cmd);
    return s != -1 && WIFEXITED(s) ? WEXITSTATUS(s) : -1;
}

static void test_tsne_pipe(void)
{
    /* <<write twelve points as text and as NumPy arrays>> */
    double pts[12][3], ptsF[3][12];
    float pts32[12][3];
    char text[1024] = "";
    for (int i = 0; i < 12; i++)
        for (int d = 0; d < 3; d++) {
            pts[i][d] = ptsF[d][i] = pts32[i][d] = (float)((i * 7 + d * 3) % 11) / 4.0f;
            char num[32];
            snprintf(num, sizeof num, "%.17g%c", pts[i][d], d < 2 ? '\t' : '\n');
            strcat(text, num);
        }
    write_test_file("pts.tsv", text);
    tsne_write_npy("pts.npy", "<f8", "(12, 3)", false, pts, sizeof pts);
    tsne_write_npy("pts32.npy", "<f4", "(12, 3)", false, pts32, sizeof pts32);
    tsne_write_npy("ptsF.npy", "<f8", "(12, 3)", true, ptsF, sizeof ptsF);
    const char *base = " -p 3.5 --iterations 300 -q";
    char args[256], a[4096], b[4096];
    snprintf(args, sizeof args, "-o file.tsv --input pts.tsv%s", base);
    CU_ASSERT(run_program(args).status == 0);
    slurp_test_file("file.tsv", a, sizeof a);
    CU_ASSERT(count_lines(a) == 12);
    const char *inputs[3] = {"pts.tsv", "pts.npy", "ptsF.npy"};
    for (int k = 0; k < 3; k++) {
        snprintf(args, sizeof args, "-o pipe.tsv%s", base);
        CU_ASSERT(run_piped(inputs[k], args) == 0);
        slurp_test_file("pipe.tsv", b, sizeof b);
        CU_ASSERT(strcmp(a, b) == 0);
    }
}
/* <<tests of the command line of tsne>> */
static void test_against_sklearn(void)
{
    if (system("/usr/bin/python3 -c 'import sklearn' 2>/dev/null") != 0) {
        printf("\n  skipped: python3-sklearn is not installed "
               "(apt-get install python3-sklearn) ... ");
        return;
    }
    gsl_rng *rng = test_rng(60);
    char text[60 * 5 * 24] = "", num[32];
    for (int k = 0; k < 60 * 5; k++) {
        snprintf(num, sizeof num, "%.17g%c", gsl_ran_gaussian(rng, 1.0),
                 k % 5 == 4 ? '\n' : '\t');
        strcat(text, num);
    }
    gsl_rng_free(rng);
    write_test_file("sk.tsv", text);
    Run r = run_program("--input sk.tsv -p 10 --iterations 100 -q -o sk-y.tsv "
                        "--affinities sk-p.tsv --gradient sk-g.tsv "
                        "--trustworthiness 5 --values sk-v.tsv");
    CU_ASSERT_FATAL(r.status == 0);
    char values[1024], cmd[2048], script[1024];
    slurp_test_file("sk-v.tsv", values, sizeof values);
    const char *t = strstr(values, "trustworthiness\t");
    CU_ASSERT_FATAL(t != NULL);
    snprintf(script, sizeof script, "%s", getenv("PROGRAM"));
    *strrchr(script, '/') = '\0';           /* .../build/san -> .../build */
    *strrchr(script, '/') = '\0';
    snprintf(cmd, sizeof cmd, "cd '%s' && /usr/bin/python3 "
             "'%s/tangle/tests/tsne-sklearn.py' compare sk.tsv sk-p.tsv sk-y.tsv "
             "sk-g.tsv 10 5 %.17g", getenv("TESTDIR"), script,
             strtod(t + strlen("trustworthiness\t"), NULL));
    fflush(stdout);
    CU_ASSERT(system(cmd) == 0);
}
/* <<run every suite of tsne>> */
int main(void)
{
    static const char *const suites[] = {"23.1 embedding", "23.1 tsne command line"};
    static const Test_entry tests[] = {
        {0, "worked example 23.1B: Student-t and Gaussian numerators", test_example_B},
        {0, "gradient = central differences (N = 50, rel. < 1e-6)",
         test_gradient_by_differences},
        {0, "one-pass gradient = equation (grad) over ordered pairs",
         test_gradient_against_formula},
        {0, "KL >= 0, and KL = 0 when Q = P", test_cost_zero_when_Q_is_P},
        {0, "Example 23.1 affinities at sigma = 1", test_toy_affinities},
        {0, "Example 23.1 embedded: keys apart, T(2) = 1, reproducible",
         test_toy_embedding},
        {0, "trustworthiness by hand", test_trustworthiness_by_hand},
        {0, "impossible schedules are refused", test_rejected_schedules},
        {0, "PCA start: sd 1e-4 along the leading axis", test_pca_start},
        {0, "identical points: no NaN; from PCA the map stays put",
         test_identical_points},
        {1, "bad input: one message, exit 1, no output", test_tsne_bad_input},
        {1, "bad output names: refused before any work, nothing left",
         test_tsne_bad_outputs},
        {1, "a pipe is read once: text and .npy from /dev/stdin", test_tsne_pipe},
        {1, "good input: help, text = npy (f8, f4, Fortran), seeds",
         test_tsne_good_input},
        {1, "identical points: warning, exit 2, finite map",
         test_tsne_identical_points},
        {1, "uniform grid, default start: scikit-learn's bounds",
         test_uniform_grid_default_start},
        {1, "P, KL, gradient and T against scikit-learn (1e-6)",
         test_against_sklearn}};
    return run_test_table(suites, 2, tests, sizeof tests / sizeof tests[0]);
}

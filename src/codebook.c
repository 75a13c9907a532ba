/* codebook.c -- section 23.2: a small codec trained on synthetic key-labelled
 * music (spectra, PCA to R^128, k-means codebook of 2048 codewords), the
 * dominant key of every codeword, its t-SNE map, and the claim "codewords
 * cluster by key" measured against three nulls and the controls.
 *
 * Tangled from chapters/23-2a-music.nw, 23-2b-codec.nw, 23-2c-claim.nw and
 * p3-codebook.nw (with the t-SNE chunks of
 * chapters/23-1a-affinities.nw, 23-1b-tsne.nw and p2-tsne.nw, whose NumPy
 * reader it shares, and chapters/support.nw)
 * of the book "Can AI Understand Music?"; edit those, then `make tangle`.
 * Build alone:
 *   cc -std=c11 -O2 codebook.c $(pkg-config --cflags --libs gsl sndfile) -o codebook
 * (link -lgsl -lopenblas -lm instead of GSL's own CBLAS for faster training).
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
#include <sndfile.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_fft_real.h>
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
/* <<the parts of the embedding that the map of the codebook uses>> */
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
/* <<the statistics of the claim>> */
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
/* <<the statistics of the claim>> */
typedef struct {
    size_t n, dim, k;           /* codewords, their dimension, neighbours */
    const double *space, *map;  /* n x dim and n x 2, row-major */
    const size_t *nn_space, *nn_map;
} Geometry;

typedef struct {
    double contig_map, contig_space, rho_space, rho_map, share;
} Claim;

enum { CLAIM_STATS = 5 };

static double claim_stat(const Claim *c, int s)
{
    const double v[CLAIM_STATS] = {c->contig_map, c->contig_space, c->rho_space,
                                   c->rho_map, c->share};
    return v[s];
}

static int measure_claim(const Geometry *g, const int *label, double share,
                         Claim *c, Key_distances *kd_space, Error *err)
{
    Key_distances kd_map;
    c->contig_map = contiguity(g->nn_map, g->n, g->k, label);
    c->contig_space = contiguity(g->nn_space, g->n, g->k, label);
    c->share = share;
    if (key_distances(g->space, g->n, g->dim, label, kd_space, err) != 0
        || key_distances(g->map, g->n, 2, label, &kd_map, err) != 0)
        return -1;
    c->rho_space = fifths_rho(kd_space, NULL);
    c->rho_map = fifths_rho(&kd_map, NULL);
    return 0;
}
/* <<the statistics of the claim>> */
typedef struct {
    double mean[CLAIM_STATS], p[CLAIM_STATS];
} Null_summary;
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

static void null_add(Null_summary *s, const Claim *obs, const Claim *c, long M)
{
    for (int k = 0; k < CLAIM_STATS; k++) {
        s->mean[k] += claim_stat(c, k) / (double)M;
        s->p[k] += claim_stat(c, k) >= claim_stat(obs, k) - 1e-12;
    }
}

static void null_finish(Null_summary *s, long M)
{
    for (int k = 0; k < CLAIM_STATS; k++)
        s->p[k] = (1.0 + s->p[k]) / (1.0 + (double)M);
}
/* <<give every frame its clip's key, recount and measure>> */
static void frame_keys(const Clips *cl, const int *clip_key, int *out)
{
    for (size_t c = 0; c < cl->clips; c++)
        for (size_t f = cl->first[c]; f < cl->first[c + 1]; f++)
            out[f] = clip_key[c];
}

static int recount_and_measure(const Geometry *g, const Clips *cl, Label_table *t,
                               const int *ck, int *fk, const Claim *obs, long M,
                               Null_summary *s, Error *err)
{
    frame_keys(cl, ck, fk);
    label_table_fill(t, cl->code, fk, cl->frames);
    Claim c;
    Key_distances kd;
    const int status = measure_claim(g, t->dominant, t->mean_share, &c, &kd, err);
    null_add(s, obs, &c, M);
    return status;
}
/* <<null A: shuffle the dominant keys among the used codewords>> */
static int null_codewords(const Geometry *g, const Label_table *keys,
                          const Claim *obs, long M, gsl_rng *rng, Null_summary *s,
                          Error *err)
{
    /* <<allocate the labels of null A, or return>> */
    int *lab = alloc_array(g->n, sizeof *lab, err), *used = NULL;
    size_t nu = 0;
    if (lab == NULL || (used = alloc_array(g->n, sizeof *used, err)) == NULL) {
        free(lab);
        return -1;
    }
    for (size_t j = 0; j < g->n; j++)
        if (keys->dominant[j] >= 0)
            used[nu++] = keys->dominant[j];
    *s = (Null_summary){{0}, {0}};
    int status = 0;
    for (long m = 0; m < M && status == 0; m++) {
        if (nu > 1)
            gsl_ran_shuffle(rng, used, nu, sizeof *used);
        for (size_t j = 0, u = 0; j < g->n; j++)
            lab[j] = keys->dominant[j] >= 0 ? used[u++] : -1;
        Claim c;
        Key_distances kd;
        status = measure_claim(g, lab, keys->mean_share, &c, &kd, err);
        null_add(s, obs, &c, M);
    }
    null_finish(s, M);
    free(lab);
    free(used);
    return status;
}
/* <<null B: shuffle the keys among the clips, then recount>> */
static int null_clips(const Geometry *g, const Clips *cl, Label_table *t,
                      const Claim *obs, long M, gsl_rng *rng, Null_summary *s,
                      Error *err)
{
    int *gk = alloc_array(cl->groups, sizeof *gk, err);
    int *ck = gk ? alloc_array(cl->clips, sizeof *ck, err) : NULL;
    int *fk = ck ? alloc_array(cl->frames, sizeof *fk, err) : NULL;
    int status = fk ? 0 : -1;
    *s = (Null_summary){{0}, {0}};
    for (size_t g = 0; status == 0 && g < cl->groups; g++)
        gk[g] = cl->key[cl->gclip[cl->gfirst[g]]];
    for (long m = 0; m < M && status == 0; m++) {
        if (cl->groups > 1)
            gsl_ran_shuffle(rng, gk, cl->groups, sizeof *gk);
        for (size_t g = 0; g < cl->groups; g++)
            for (size_t i = cl->gfirst[g]; i < cl->gfirst[g + 1]; i++)
                ck[cl->gclip[i]] = gk[g];
        status = recount_and_measure(g, cl, t, ck, fk, obs, M, s, err);
    }
    null_finish(s, M);
    free(gk);
    free(ck);
    free(fk);
    return status;
}
/* <<null B: shuffle the keys among the clips, then recount>> */
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
/* <<null T: hand the keys of whole tunes to other tunes, then recount>> */
static int null_tunes(const Geometry *g, const Clips *cl, Label_table *t,
                      const Claim *obs, long M, gsl_rng *rng, Null_summary *s,
                      Error *err)
{
    size_t *src = alloc_array(cl->tunes, sizeof *src, err);
    size_t *pool = src ? alloc_array(2 * cl->tunes, sizeof *pool, err) : NULL;
    int *ck = pool ? alloc_array(cl->clips, sizeof *ck, err) : NULL;
    int *fk = ck ? alloc_array(cl->frames, sizeof *fk, err) : NULL;
    int status = fk ? 0 : -1;
    *s = (Null_summary){{0}, {0}};
    for (long m = 0; m < M && status == 0; m++) {
        permute_tunes(cl, src, pool, rng, ck);
        status = recount_and_measure(g, cl, t, ck, fk, obs, M, s, err);
    }
    null_finish(s, M);
    free(src); free(pool); free(ck); free(fk);
    return status;
}
/* <<the chord control: draw each group's key from the keys its chords allow>> */
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
/* <<the chord control, drawn $M$ times>> */
static int null_chords(const Geometry *g, const Clips *cl, Label_table *t,
                       const Claim *obs, long M, gsl_rng *rng, Null_summary *s,
                       double allowed_stats[2], Error *err)
{
    int *allowed = alloc_array(cl->groups * CB_KEYS, sizeof *allowed, err);
    int *nallowed = allowed ? alloc_array(cl->groups, sizeof *nallowed, err) : NULL;
    int *ck = nallowed ? alloc_array(cl->clips, sizeof *ck, err) : NULL;
    int *fk = ck ? alloc_array(cl->frames, sizeof *fk, err) : NULL;
    int status = fk ? 0 : -1;
    *s = (Null_summary){{0}, {0}};
    if (status == 0) {
        allowed_keys(cl, allowed, nallowed);
        /* <<count the groups whose chords allow one key, and the mean allowed>> */
        allowed_stats[0] = allowed_stats[1] = 0.0;
        for (size_t j = 0; j < cl->groups; j++) {
            allowed_stats[0] += nallowed[j] == 1;
            allowed_stats[1] += nallowed[j];
        }
        allowed_stats[0] /= (double)cl->groups;
        allowed_stats[1] /= (double)cl->groups;
    }
    for (long m = 0; m < M && status == 0; m++) {
        /* <<give every group one of its allowed keys>> */
        for (size_t j = 0; j < cl->groups; j++) {
            const unsigned long pick = gsl_rng_uniform_int(rng, (unsigned long)nallowed[j]);
            const int key = allowed[j * CB_KEYS + pick];
            for (size_t i = cl->gfirst[j]; i < cl->gfirst[j + 1]; i++)
                ck[cl->gclip[i]] = key;
        }
        status = recount_and_measure(g, cl, t, ck, fk, obs, M, s, err);
    }
    null_finish(s, M);
    free(allowed); free(nallowed); free(ck); free(fk);
    return status;
}
/* <<the clip-preserving null for the chords>> */
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
/* <<the chord-group null, drawn $M$ times>> */
static int null_chord_groups(const Geometry *g, const Clips *cl, Label_table *t,
                             const Claim *obs, long M, gsl_rng *rng,
                             Null_summary *s, Error *err)
{
    /* <<allocate the arrays of the chord-group null and find the shapes>> */
    size_t *order = alloc_array(cl->groups, sizeof *order, err);
    size_t *start = order ? alloc_array(cl->groups + 1, sizeof *start, err) : NULL;
    size_t *perm = start ? alloc_array(cl->groups, sizeof *perm, err) : NULL;
    size_t *rep = perm ? alloc_array(cl->groups, sizeof *rep, err) : NULL;
    size_t *cls = rep ? alloc_array(cl->groups, sizeof *cls, err) : NULL;
    int *fc = cls ? alloc_array(cl->frames, sizeof *fc, err) : NULL;
    int status = fc ? 0 : -1;
    const size_t classes = status == 0 ? shape_classes(cl, rep, cls, order, start)
                                       : 0;
    *s = (Null_summary){{0}, {0}};
    for (long m = 0; m < M && status == 0; m++) {
        permute_chords(cl, order, start, classes, perm, rng, fc);
        label_table_fill(t, cl->code, fc, cl->frames);
        const Claim c = {contiguity(g->nn_map, g->n, g->k, t->dominant),
                         contiguity(g->nn_space, g->n, g->k, t->dominant), 0.0, 0.0,
                         t->mean_share};
        null_add(s, obs, &c, M);
    }
    null_finish(s, M);
    free(order); free(start); free(perm); free(rep); free(cls); free(fc);
    return status;
}
/* <<the uncertainty: a bootstrap over the held-out clips>> */
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
/* <<the bootstrap, drawn $M$ times>> */
static int bootstrap_clips(const Geometry *g, const Clips *cl, Label_table *t,
                           long M, gsl_rng *rng, double sd[CLAIM_STATS], Error *err)
{
    Resample r = {0, {cl->frames, cl->frames},
                  alloc_array(cl->frames, sizeof *r.code, err),
                  alloc_array(cl->frames, sizeof *r.key, err)};
    double sum[CLAIM_STATS] = {0}, sq[CLAIM_STATS] = {0};
    int status = r.code && r.key ? 0 : -1;
    for (long m = 0; m < M && status == 0; m++) {
        status = bootstrap_draw(cl, rng, &r, err);
        /* <<measure the claim on the resample and add it to the sums>> */
        if (status == 0) {
            label_table_fill(t, r.code, r.key, r.n);
            Claim c;
            Key_distances kd;
            status = measure_claim(g, t->dominant, t->mean_share, &c, &kd, err);
            for (int k = 0; k < CLAIM_STATS; k++) {
                sum[k] += claim_stat(&c, k);
                sq[k] += gsl_pow_2(claim_stat(&c, k));
            }
        }
    }
    for (int k = 0; k < CLAIM_STATS; k++)
        sd[k] = sqrt(fmax(0.0, sq[k] / (double)M - gsl_pow_2(sum[k] / (double)M)));
    free(r.code);
    free(r.key);
    return status;
}
/* <<the statistics of the claim>> */
static void pair_means(const Key_distances *kd, double out[3])
{
    double sum[4] = {0}, n[4] = {0};
    for (int a = 0; a < CB_KEYS; a++)
        for (int b = a + 1; b < CB_KEYS; b++) {
            if (!kd->present[a] || !kd->present[b])
                continue;
            const bool same = key_minor(a) == key_minor(b);
            const int d = fifths_distance(a, b);
            const int kind = same && d == 1 ? 0 : same && d == 6 ? 1
                           : !same && d == 0 ? 2 : 3;
            sum[kind] += kd->dist[a][b];
            n[kind] += 1.0;
            if (kind != 3) {
                sum[3] += kd->dist[a][b];
                n[3] += 1.0;
            }
        }
    for (int c = 0; c < 3; c++)
        out[c] = n[c] > 0 && n[3] > 0 ? (sum[c] / n[c]) / (sum[3] / n[3]) : NAN;
}
/* <<the files between the steps>> */
/* <<write macros under the prefix of a data set>> */
typedef struct {
    FILE *fp;
    const char *prefix;
} Macros;

static void prefixed(const Macros *m, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", m->prefix, name);
}

static void mac(const Macros *m, const char *name, double x, int digits)
{
    char buf[96];
    prefixed(m, name, buf, sizeof buf);
    if (isfinite(x))
        tex_macro(m->fp, buf, x, digits);
    else
        fprintf(m->fp, "\\newcommand{\\%s}{\\mbox{none}}\n", buf);
}

static void mac_int(const Macros *m, const char *name, long n)
{
    char buf[96];
    prefixed(m, name, buf, sizeof buf);
    tex_macro_int(m->fp, buf, n);
}

static void mac_trim(const Macros *m, const char *name, double x, int digits)
{
    char buf[96];
    prefixed(m, name, buf, sizeof buf);
    tex_macro_trim(m->fp, buf, x, digits);
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
/* <<write the codes or the chords of the held-out clips>> */
static void write_clip_table(FILE *fp, const Corpus *cp, const size_t *code)
{
    const size_t F = cp->frames_per_clip;
    for (size_t c = 0; c < cp->clips; c++) {
        char name[8];
        key_name(cp->key[c], name, sizeof name);
        if (cp->group_name != NULL) {
            size_t first = c;
            while (first > 0 && cp->group[first - 1] == cp->group[c])
                first--;
            fprintf(fp, "%s/%zu\t%s", cp->group_name[cp->group[c]], c - first + 1,
                    name);
        } else {
            fprintf(fp, "clip%zu\t%s", c + 1, name);
        }
        for (size_t f = 0; f < F; f++)
            fprintf(fp, "\t%ld", code ? (long)code[c * F + f]
                                      : (long)cp->chord[c * F + f]);
        fputc('\n', fp);
    }
}
/* <<the training run>> */
/* <<one codebook size of the sensitivity study>> */
enum { SIZE_PERMUTATIONS = 2000 };  /* for null B and the Mantel test */

typedef struct {
    long K;
    size_t used;
    double share, contig, null_contig, p_contig, rho, mantel;
} Size_result;

/* <<the recording of every held-out clip>> */
static size_t corpus_groups(const Corpus *cp)
{
    return cp->group != NULL ? cp->groups : cp->clips;
}

static size_t clip_group(const Corpus *cp, size_t c)
{
    return cp->group != NULL ? cp->group[c] : c;
}

/* <<train, assign and measure a first stage of one size>> */
static int size_study(const gsl_matrix *z, const gsl_matrix *zt, const Corpus *test,
                      const Cb_plan *pl, long K, Size_result *out, Error *err)
{
    const size_t N = z->size1, Nt = zt->size1, D = z->size2, k = 10;
    const size_t F = test->frames_per_clip;
    const long M = SIZE_PERMUTATIONS;
    /* <<allocate the codebook, the codes and the label table of one size>> */
    gsl_matrix *c = alloc_matrix((size_t)K, D, err);
    double *trace = c ? alloc_array((size_t)pl->iterations + 1, sizeof *trace, err)
                      : NULL;
    size_t *code = trace ? alloc_array(N, sizeof *code, err) : NULL;
    double *d2 = code ? alloc_array(N, sizeof *d2, err) : NULL;
    size_t *tcode = d2 ? alloc_array(Nt, sizeof *tcode, err) : NULL;
    double *td2 = tcode ? alloc_array(Nt, sizeof *td2, err) : NULL;
    int *fk = td2 ? alloc_array(Nt, sizeof *fk, err) : NULL;
    int *ck = fk ? alloc_array(test->clips, sizeof *ck, err) : NULL;
    size_t *nn = ck ? alloc_array((size_t)K * k, sizeof *nn, err) : NULL;
    gsl_rng *rng = nn ? gsl_rng_alloc(gsl_rng_mt19937) : NULL;
    Label_table t = {0};
    long reseeded;
    const Kmeans_plan plan = {(size_t)K, (int)pl->iterations, pl->seed + 3};
    int status = rng ? label_table_alloc(&t, (size_t)K, CB_KEYS, err) : -1;
    if (status == 0)
        status = kmeans(z, c, &plan, trace, code, d2, &reseeded, err);
    if (status == 0)
        status = nearest_codewords(zt, c, tcode, td2, err);
    /* <<measure one codebook size against null B>> */
    if (status == 0) {
        for (size_t i = 0; i < Nt; i++)
            fk[i] = test->key[i / F];
        label_table_fill(&t, tcode, fk, Nt);
        if (t.used <= k)
            status = fail(err, "--sizes: only %zu codewords of %ld are used", t.used, K);
    }
    Key_distances kd;
    if (status == 0
        && (status = neighbour_lists(c->data, (size_t)K, D, t.dominant, NULL, k, nn,
                                     err)) == 0
        && (status = key_distances(c->data, (size_t)K, D, t.dominant, &kd, err)) == 0) {
        *out = (Size_result){K, t.used, t.mean_share, contiguity(nn, (size_t)K, k,
                             t.dominant), 0.0, 0.0, fifths_rho(&kd, NULL), 0.0};
        gsl_rng_set(rng, pl->seed + 4);
        out->mantel = mantel_p(&kd, out->rho, M, rng);
        /* <<shuffle the keys among the recordings and measure the contiguity again>> */
        const size_t G = corpus_groups(test);
        for (size_t c0 = 0; c0 < test->clips; c0++)
            ck[clip_group(test, c0)] = test->key[c0];
        for (long m = 0; m < M; m++) {
            if (G > 1)
                gsl_ran_shuffle(rng, ck, G, sizeof *ck);
            for (size_t i = 0; i < Nt; i++)
                fk[i] = ck[clip_group(test, i / F)];
            label_table_fill(&t, tcode, fk, Nt);
            const double v = contiguity(nn, (size_t)K, k, t.dominant);
            out->null_contig += v / (double)M;
            out->p_contig += v >= out->contig - 1e-12;
        }
        out->p_contig = (1.0 + out->p_contig) / (1.0 + (double)M);
    }
    label_table_free(&t);
    gsl_rng_free(rng);
    gsl_matrix_free(c);
    free(trace); free(code); free(d2); free(tcode); free(td2); free(fk); free(ck);
    free(nn);
    return status;
}
/* <<what a training run holds>> */
typedef struct {
    Corpus train, test;
    gsl_matrix *z, *zt;         /* projected training and held-out frames */
    gsl_matrix *c1, *c2;        /* the two codebooks */
    double *trace1, *trace2;    /* distortion per iteration */
    size_t *code, *tcode;       /* training and held-out codes */
    double *d2, *td2;
    long reseeded1, reseeded2;
    double explained, variance, test_d1, test_d2;
    size_t *sample;             /* held-out frames kept raw */
    Size_result sens[4];        /* the sensitivity study, one per size */
    Size_result floor_sens[4];  /* and one per log floor */
    Size_result window_sens[4]; /* and one per analysis window */
} Trained;

/* <<free what a training run holds>> */
static void trained_free(Trained *tr)
{
    corpus_free(&tr->train);
    corpus_free(&tr->test);
    gsl_matrix_free(tr->z); gsl_matrix_free(tr->zt);
    gsl_matrix_free(tr->c1); gsl_matrix_free(tr->c2);
    free(tr->trace1); free(tr->trace2); free(tr->code); free(tr->tcode);
    free(tr->d2); free(tr->td2); free(tr->sample);
}
/* <<the sensitivity study>> */
/* <<the spectra with another log floor>> */
/* <<put spectra on another log floor>> */
static float *refloor(const float *spec, size_t n, double from, double to,
                      Error *err)
{
    float *out = alloc_array(n, sizeof *out, err);
    for (size_t i = 0; out != NULL && i < n; i++)
        out[i] = (float)log(fmax(exp((double)spec[i]) - from, 0.0) + to);
    return out;
}
/* <<fit the principal axes to other spectra and study a small codebook>> */
static int study_spectra(const float *s, size_t N, const float *st, size_t Nt,
                         size_t B, const Corpus *test, const Cb_plan *pl,
                         Size_result *out, Error *err)
{
    const size_t D = (size_t)pl->dims;
    gsl_matrix *axes = alloc_matrix(B, D, err);
    double *mean = axes ? alloc_array(B, sizeof *mean, err) : NULL, explained;
    gsl_matrix *z = mean ? alloc_matrix(N, D, err) : NULL;
    gsl_matrix *zt = z ? alloc_matrix(Nt, D, err) : NULL;
    const int status = zt == NULL
                       || pca_fit(s, N, B, axes, mean, &explained, err) != 0
                       || pca_project(s, N, B, mean, axes, z, err) != 0
                       || pca_project(st, Nt, B, mean, axes, zt, err) != 0
                       || size_study(z, zt, test, pl, 256, out, err) != 0 ? -1 : 0;
    free(mean);
    gsl_matrix_free(axes); gsl_matrix_free(z); gsl_matrix_free(zt);
    return status;
}

/* <<refloor the stored spectra and study them>> */
static int floor_study(const Trained *tr, const Cb_plan *pl, double eps,
                       Size_result *out, Error *err)
{
    const size_t B = pl->enc.bins;
    const size_t N = tr->train.clips * tr->train.frames_per_clip;
    const size_t Nt = tr->test.clips * tr->test.frames_per_clip;
    float *s = refloor(tr->train.spec, N * B, pl->enc.floor, eps, err);
    float *st = s ? refloor(tr->test.spec, Nt * B, pl->enc.floor, eps, err) : NULL;
    const int status = st ? study_spectra(s, N, st, Nt, B, &tr->test, pl, out, err)
                          : -1;
    free(s);
    free(st);
    return status;
}
/* <<the spectra with another window>> */
static int window_study(const Cb_plan *pl, long window, Size_result *out, Error *err)
{
    const Encoder e = {(size_t)window, (size_t)window * 5000 / RATE, pl->enc.floor};
    const size_t nk = (size_t)pl->keys, D = (size_t)pl->dims;
    const size_t ntrain = nk * (size_t)pl->train_clips;
    const size_t ntest = nk * (size_t)pl->test_clips;
    Corpus tr = {0}, te = {0};
    if (D > e.bins)
        return fail(err, "--windows %ld has only %zu bins for %zu dimensions",
                    window, e.bins, D);
    int status = render_corpus(0, ntrain, nk, pl->seed, &pl->synth, &e, &tr, err);
    if (status == 0)
        status = render_corpus(ntrain, ntest, nk, pl->seed, &pl->synth, &e, &te,
                               err);
    if (status == 0)
        status = study_spectra(tr.spec, tr.clips * tr.frames_per_clip, te.spec,
                               te.clips * te.frames_per_clip, e.bins, &te, pl, out,
                               err);
    corpus_free(&tr);
    corpus_free(&te);
    return status;
}

static int sensitivity_study(const Cb_plan *pl, Trained *tr, Error *err)
{
    for (int s = 0; s < pl->nsizes; s++) {
        fprintf(stderr, "codebook: sensitivity study, %ld codewords\n", pl->sizes[s]);
        if (size_study(tr->z, tr->zt, &tr->test, pl, pl->sizes[s], &tr->sens[s], err))
            return -1;
    }
    for (int s = 0; s < pl->nwindows; s++) {
        fprintf(stderr, "codebook: sensitivity study, window %ld\n", pl->windows[s]);
        if (window_study(pl, pl->windows[s], &tr->window_sens[s], err) != 0)
            return -1;
    }
    for (int s = 0; s < pl->nfloors; s++) {
        fprintf(stderr, "codebook: sensitivity study, log floor %g\n", pl->floors[s]);
        if (floor_study(tr, pl, pl->floors[s], &tr->floor_sens[s], err) != 0)
            return -1;
    }
    return 0;
}
/* <<train the codec and encode the held-out clips>> */
/* <<the seconds since a moment>> */
static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec)
           + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

static int train_codec(const Cb_plan *pl, Trained *tr, Error *err)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const size_t nk = (size_t)pl->keys, D = (size_t)pl->dims;
    int status = 0;
    /* <<render and encode the training and held-out clips>> */
    if (pl->wavs != NULL) {
        if (read_wav_corpus(pl->wavs, pl->synth.seconds, pl->clips_per_wav, &pl->enc,
                            &tr->train, &tr->test, err) != 0)
            return -1;
    } else {
        /* <<render the training and held-out clips of the generator>> */
        const size_t ntrain = nk * (size_t)pl->train_clips;
        const size_t ntest = nk * (size_t)pl->test_clips;
        fprintf(stderr, "codebook: rendering and encoding %zu + %zu clips\n", ntrain,
                ntest);
        if (render_corpus(0, ntrain, nk, pl->seed, &pl->synth, &pl->enc, &tr->train,
                          err)
            || render_corpus(ntrain, ntest, nk, pl->seed, &pl->synth, &pl->enc,
                             &tr->test, err))
            return -1;
    }
    const size_t N = tr->train.clips * tr->train.frames_per_clip;
    const size_t Nt = tr->test.clips * tr->test.frames_per_clip, B = pl->enc.bins;
    fprintf(stderr, "codebook: %zu training and %zu held-out frames (%.1f s)\n",
            N, Nt, seconds_since(&t0));
    /* <<fit the principal axes and project every frame>> */
    gsl_matrix *axes = alloc_matrix(B, D, err);
    double *mean = axes ? alloc_array(B, sizeof *mean, err) : NULL;
    tr->z = mean ? alloc_matrix(N, D, err) : NULL;
    tr->zt = tr->z ? alloc_matrix(Nt, D, err) : NULL;
    if (tr->zt == NULL
        || pca_fit(tr->train.spec, N, B, axes, mean, &tr->explained, err) != 0
        || pca_project(tr->train.spec, N, B, mean, axes, tr->z, err) != 0
        || pca_project(tr->test.spec, Nt, B, mean, axes, tr->zt, err) != 0)
        status = -1;
    gsl_matrix_free(axes);
    free(mean);
    if (status != 0)
        return -1;
    tr->variance = 0.0;
    for (size_t k = 0; k < N * D; k++)
        tr->variance += tr->z->data[k] * tr->z->data[k] / (double)N;
    if (sensitivity_study(pl, tr, err) != 0)
        return -1;
    /* <<train both stages of the quantiser>> */
    const size_t K = (size_t)pl->codewords, K2 = (size_t)pl->codewords2;
    const int it = (int)pl->iterations;
    /* <<allocate the two codebooks, their traces and the training codes>> */
    tr->c1 = alloc_matrix(K, D, err);
    tr->c2 = tr->c1 ? alloc_matrix(K2, D, err) : NULL;
    tr->trace1 = tr->c2 ? alloc_array((size_t)it + 1, sizeof *tr->trace1, err) : NULL;
    tr->trace2 = tr->trace1 ? alloc_array((size_t)it + 1, sizeof *tr->trace2, err)
                            : NULL;
    tr->code = tr->trace2 ? alloc_array(N, sizeof *tr->code, err) : NULL;
    tr->d2 = tr->code ? alloc_array(N, sizeof *tr->d2, err) : NULL;
    const Kmeans_plan p1 = {K, it, pl->seed}, p2 = {K2, it, pl->seed + 1};
    fprintf(stderr, "codebook: k-means, %zu codewords in R^%zu, %d iterations\n",
            K, D, it);
    if (tr->d2 == NULL
        || kmeans(tr->z, tr->c1, &p1, tr->trace1, tr->code, tr->d2, &tr->reseeded1,
                  err) != 0)
        return -1;
    /* <<replace the training frames by their residuals>> */
    for (size_t i = 0; i < N; i++) {
        gsl_vector_view zi = gsl_matrix_row(tr->z, i);
        gsl_vector_const_view ci = gsl_matrix_const_row(tr->c1, tr->code[i]);
        gsl_vector_sub(&zi.vector, &ci.vector);
    }
    fprintf(stderr, "codebook: first stage done (%.1f s); second stage, %zu codewords\n",
            seconds_since(&t0), K2);
    if (kmeans(tr->z, tr->c2, &p2, tr->trace2, tr->code, tr->d2, &tr->reseeded2,
               err) != 0)
        return -1;
    /* <<assign the held-out frames and keep a sample of them>> */
    tr->tcode = alloc_array(Nt, sizeof *tr->tcode, err);
    tr->td2 = tr->tcode ? alloc_array(Nt, sizeof *tr->td2, err) : NULL;
    size_t *code2 = tr->td2 ? alloc_array(Nt, sizeof *code2, err) : NULL;
    const size_t S = (size_t)pl->raw_sample < Nt ? (size_t)pl->raw_sample : Nt;
    tr->sample = code2 ? alloc_array(Nt, sizeof *tr->sample, err) : NULL;
    gsl_matrix *raw = tr->sample ? alloc_matrix(S, D, err) : NULL;
    gsl_rng *rng = raw ? gsl_rng_alloc(gsl_rng_mt19937) : NULL;
    if (rng == NULL || nearest_codewords(tr->zt, tr->c1, tr->tcode, tr->td2, err) != 0)
        status = -1;
    if (status == 0) {
        /* <<draw the raw sample and move it to the front of the held-out frames>> */
        gsl_rng_set(rng, pl->seed + 2);
        for (size_t i = 0; i < Nt; i++)
            tr->sample[i] = i;
        gsl_ran_shuffle(rng, tr->sample, Nt, sizeof *tr->sample);
        for (size_t i = 0; i < S; i++) {
            gsl_vector_const_view zi = gsl_matrix_const_row(tr->zt, tr->sample[i]);
            gsl_matrix_set_row(raw, i, &zi.vector);
        }
        /* <<measure the held-out distortion of one stage and of two>> */
        double s1 = 0.0, s2 = 0.0;
        for (size_t i = 0; i < Nt; i++) {
            s1 += tr->td2[i] / (double)Nt;
            gsl_vector_view zi = gsl_matrix_row(tr->zt, i);
            gsl_vector_const_view ci = gsl_matrix_const_row(tr->c1, tr->tcode[i]);
            gsl_vector_sub(&zi.vector, &ci.vector);
        }
        if (nearest_codewords(tr->zt, tr->c2, code2, tr->td2, err) != 0)
            status = -1;
        for (size_t i = 0; status == 0 && i < Nt; i++)
            s2 += tr->td2[i] / (double)Nt;
        tr->test_d1 = s1;
        tr->test_d2 = s2;
        /* <<put the raw sample back in place of the first residuals>> */
        for (size_t i = 0; i < S; i++) {
            gsl_vector_const_view ri = gsl_matrix_const_row(raw, i);
            gsl_matrix_set_row(tr->zt, i, &ri.vector);
        }
    }
    fprintf(stderr, "codebook: training done (%.1f s)\n", seconds_since(&t0));
    gsl_rng_free(rng);
    gsl_matrix_free(raw);
    free(code2);
    return status;
}
/* <<the measurement>> */
typedef struct {
    long neighbours;            /* k of the contiguity */
    long permutations;          /* M of every null, Mantel test and bootstrap */
    long seed;                  /* of the permutations and the bootstrap */
    double perplexity;          /* of the t-SNE map */
} Measure_plan;

typedef struct {                /* the statistics of a sample of frames */
    double contig, chance, rho, mantel, pairs[3];
    Key_distances kd;
} Frame_stats;

/* <<the results of the measurement>> */
typedef struct {
    Label_table keys, chords;
    double *xy, trust;
    size_t *nn_space, *nn_map;
    Claim obs, chord_obs;
    Key_distances kd;
    Null_summary null_a, null_b, null_c, null_t, null_h;
    double sd[CLAIM_STATS];     /* bootstrap standard errors over clips */
    double chance, chord_chance;
    double chord_allowed[2];    /* groups with one allowed key; mean allowed */
    bool has_chords, has_raw, has_tunes;
    /* <<the raw-frame control's fields>> */
    double mantel_space, mantel_map, pairs[3], pairs_map[3];
    size_t raw_n;
    Frame_stats raw, quant;
} Cb_analysis;

/* <<draw the map of the codebook>> */
static Calibration map_calibration(double perplexity)
{
    return (Calibration){perplexity, 1e-5, 200};
}

static int map_codebook(const gsl_matrix *cb, double perplexity, double *xy,
                        double *T, Error *err)
{
    const size_t K = cb->size1;
    const Calibration cal = map_calibration(perplexity);
    const Start start = {START_PCA, 1e-4, 1};
    gsl_matrix *P = NULL;
    Row_fit *fits = NULL;
    double *y = NULL;
    int status = -1;
    /* <<calibrate, start, optimise and measure the map>> */
    if (check_calibration(&cal, K, err) == 0
        && check_schedule(&SCHEDULE_DEFAULT, err) == 0
        && (P = alloc_matrix(K, K, err)) != NULL
        && (fits = alloc_array(K, sizeof *fits, err)) != NULL
        && (y = alloc_array(2 * K, sizeof *y, err)) != NULL
        && symmetric_affinities(cb, &cal, P, fits, err) == 0
        && initial_embedding(cb, &start, y, err) == 0
        && optimise(P, &SCHEDULE_DEFAULT, NULL, y, err) == 0
        && trustworthiness(cb, y, 2 * 10 < K ? 10 : 1, T, err) == 0) {
        for (size_t i = 0; i < K; i++) {
            xy[2 * i] = y[i];
            xy[2 * i + 1] = y[K + i];
        }
        status = 0;
    }
    gsl_matrix_free(P);
    free(fits);
    free(y);
    return status;
}
/* <<the colour of a key>> */
static long key_colour(int key)
{
    if (key < 0)
        return 0xbbbbbb;
    const double h = fifths_position(key) / 2.0;          /* 0..6 on the wheel */
    const double s = key_minor(key) ? 0.45 : 0.95, v = key_minor(key) ? 1.0 : 0.85;
    const int sector = (int)h;
    const double f = h - sector, p = v * (1 - s), q = v * (1 - s * f),
                 t = v * (1 - s * (1 - f));
    const double rgb[6][3] = {{v, t, p}, {q, v, p}, {p, v, t}, {p, q, v}, {t, p, v},
                              {v, p, q}};
    long out = 0;
    for (int c = 0; c < 3; c++)
        out = out << 8 | lround(255.0 * rgb[sector][c]);
    return out;
}

static void key_label(int key, char *buf, size_t size)
{
    static const char *const tex[12] = {"C", "C$\\sharp$", "D", "E$\\flat$",
        "E", "F", "F$\\sharp$", "G", "A$\\flat$", "A", "B$\\flat$", "B"};
    snprintf(buf, size, "%s%s", tex[key % 12], key_minor(key) ? "m" : "");
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
/* <<the raw-frame control>> */
/* <<the statistics of a sample of frames>> */
static int frame_stats(const double *pts, size_t n, size_t D, const int *lab,
                       const int *clip, size_t k, long M, gsl_rng *rng,
                       Frame_stats *fs, Error *err)
{
    size_t *nn = alloc_array(n * k, sizeof *nn, err);
    int status = nn ? 0 : -1;
    if (status == 0
        && (status = neighbour_lists(pts, n, D, lab, clip, k, nn, err)) == 0
        && (status = key_distances(pts, n, D, lab, &fs->kd, err)) == 0) {
        fs->contig = contiguity(nn, n, k, lab);
        fs->chance = chance_contiguity(lab, n);
        fs->rho = fifths_rho(&fs->kd, NULL);
        fs->mantel = mantel_p(&fs->kd, fs->rho, M, rng);
        pair_means(&fs->kd, fs->pairs);
    }
    free(nn);
    return status;
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

/* <<read the raw sample and measure it before and after quantisation>> */
static int raw_control(const gsl_matrix *raw, const gsl_matrix *cb, size_t k,
                       long M, gsl_rng *rng, Cb_analysis *an, Error *err)
{
    const size_t n = raw->size1, D = raw->size2 - 2;
    int *lab = alloc_array(n, sizeof *lab, err);
    int *clip = lab ? alloc_array(n, sizeof *clip, err) : NULL;
    double *pts = clip ? alloc_array(n * D, sizeof *pts, err) : NULL;
    double *q = pts ? alloc_array(n * D, sizeof *q, err) : NULL;
    int status = q ? 0 : -1;
    /* <<read the key, the recording and the coordinates of every sampled frame>> */
    for (size_t i = 0; status == 0 && i < n; i++) {
        const double key = gsl_matrix_get(raw, i, 0);
        if (key != floor(key) || key < 0 || key >= CB_KEYS)
            status = fail(err, "raw sample, row %zu: %g is not a key number 0..23",
                          i + 1, key);
        lab[i] = (int)key;
        clip[i] = (int)fmin(gsl_matrix_get(raw, i, 1), INT_MAX);
        for (size_t c = 0; c < D; c++)
            pts[i * D + c] = gsl_matrix_get(raw, i, c + 2);
    }
    if (status == 0 && n <= k)
        status = fail(err, "the raw sample needs more than %zu frames", k);
    an->raw_n = n;
    if (status == 0)
        status = frame_stats(pts, n, D, lab, clip, k, M, rng, &an->raw, err);
    if (status == 0) {
        quantise_frames(pts, n, cb, q);
        status = frame_stats(q, n, D, lab, clip, k, M, rng, &an->quant, err);
    }
    free(lab); free(clip); free(pts); free(q);
    return status;
}
/* <<measure the claim on a codebook and its clips>> */
static int analyse(const gsl_matrix *cb, Clips *cl, const gsl_matrix *raw,
                   const Measure_plan *mp, Cb_analysis *an, Error *err)
{
    const size_t K = cb->size1, k = (size_t)mp->neighbours;
    int *fk = alloc_array(cl->frames, sizeof *fk, err);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int status = fk && rng ? 0 : -1;
    if (status == 0)
        gsl_rng_set(rng, (unsigned long)mp->seed);
    /* <<count the keys and the chords of every codeword>> */
    if (status == 0 && (status = label_table_alloc(&an->keys, K, CB_KEYS, err)) == 0) {
        frame_keys(cl, cl->key, fk);
        label_table_fill(&an->keys, cl->code, fk, cl->frames);
        an->chance = chance_contiguity(an->keys.dominant, K);
    }
    if (status == 0 && an->has_chords
        && (status = label_table_alloc(&an->chords, K, CHORDS, err)) == 0) {
        label_table_fill(&an->chords, cl->code, cl->chord, cl->frames);
        an->chord_chance = chance_contiguity(an->chords.dominant, K);
    }
    if (status == 0 && an->keys.used <= k)
        status = fail(err, "only %zu codewords are used; the contiguity needs more than "
                      "--neighbours %zu", an->keys.used, k);
    /* <<map the codebook and list the neighbours of every used codeword>> */
    an->xy = status == 0 ? alloc_array(2 * K, sizeof *an->xy, err) : NULL;
    an->nn_space = an->xy ? alloc_array(K * k, sizeof *an->nn_space, err) : NULL;
    an->nn_map = an->nn_space ? alloc_array(K * k, sizeof *an->nn_map, err) : NULL;
    if (an->nn_map == NULL)
        status = -1;
    if (status == 0) {
        fprintf(stderr, "codebook: t-SNE map of %zu codewords\n", K);
        status = map_codebook(cb, mp->perplexity, an->xy, &an->trust, err);
    }
    if (status == 0)
        status = neighbour_lists(cb->data, K, cb->size2, an->keys.dominant, NULL, k,
                                 an->nn_space, err);
    if (status == 0)
        status = neighbour_lists(an->xy, K, 2, an->keys.dominant, NULL, k, an->nn_map,
                                 err);
    const Geometry g = {K, cb->size2, k, cb->data, an->xy, an->nn_space, an->nn_map};
    /* <<measure the observed claim and its nulls>> */
    const long M = mp->permutations;
    if (status == 0)
        status = measure_claim(&g, an->keys.dominant, an->keys.mean_share, &an->obs,
                               &an->kd, err);
    /* <<the contiguity of the chords, observed>> */
    if (status == 0 && an->has_chords) {
        an->chord_obs.contig_space = contiguity(an->nn_space, K, k, an->chords.dominant);
        an->chord_obs.contig_map = contiguity(an->nn_map, K, k, an->chords.dominant);
        an->chord_obs.share = an->chords.mean_share;
    }
    /* <<test the two correlations with the Mantel test>> */
    Key_distances kd_map;
    if (status == 0)
        status = key_distances(an->xy, K, 2, an->keys.dominant, &kd_map, err);
    if (status == 0) {
        an->mantel_space = mantel_p(&an->kd, an->obs.rho_space, M, rng);
        an->mantel_map = mantel_p(&kd_map, an->obs.rho_map, M, rng);
        pair_means(&an->kd, an->pairs);
        pair_means(&kd_map, an->pairs_map);
    }
    fprintf(stderr, "codebook: %ld permutations for each null\n", M);
    if (status == 0)
        status = null_codewords(&g, &an->keys, &an->obs, M, rng, &an->null_a, err);
    /* <<run the nulls of the clips, the chord controls and the bootstrap>> */
    Label_table tmp;
    if (status == 0 && (status = label_table_alloc(&tmp, K, CB_KEYS, err)) == 0) {
        status = null_clips(&g, cl, &tmp, &an->obs, M, rng, &an->null_b, err);
        if (status == 0 && an->has_chords)
            status = null_chords(&g, cl, &tmp, &an->obs, M, rng, &an->null_c,
                                 an->chord_allowed, err);
        /* <<trade chords between groups of one shape>> */
        Label_table tmp_chords;
        if (status == 0 && an->has_chords
            && (status = label_table_alloc(&tmp_chords, K, CHORDS, err)) == 0) {
            status = null_chord_groups(&g, cl, &tmp_chords, &an->chord_obs, M, rng,
                                       &an->null_h, err);
            label_table_free(&tmp_chords);
        }
        if (status == 0)
            status = bootstrap_clips(&g, cl, &tmp, M, rng, an->sd, err);
        an->has_tunes = cl->tunes > 1;
        if (status == 0 && an->has_tunes)
            status = null_tunes(&g, cl, &tmp, &an->obs, M, rng, &an->null_t, err);
        label_table_free(&tmp);
    }
    if (status == 0 && raw != NULL)
        status = raw_control(raw, cb, k, M, rng, an, err);
    free(fk);
    gsl_rng_free(rng);
    return status;
}
/* <<write the outputs of the measurement>> */
static void write_map(FILE *fp, const Cb_analysis *an, size_t K)
{
    fprintf(fp, "# x\ty\tcolour\tdominant key\tshare\n");
    for (int pass = 0; pass < 2; pass++) {
        for (size_t j = 0; j < K; j++)
            if ((an->keys.dominant[j] >= 0) == (pass == 0))
                fprintf(fp, "%.6f\t%.6f\t%ld\t%d\t%.4f\n", an->xy[2 * j],
                        an->xy[2 * j + 1], key_colour(an->keys.dominant[j]),
                        an->keys.dominant[j], an->keys.share[j]);
        fprintf(fp, "\n\n%s\n", pass == 0 ? "# unused codewords" : "# legend");
    }
    for (int key = 0; key < CB_KEYS; key++) {
        const double a = M_PI / 2 - 2 * M_PI * fifths_position(key) / 12.0;
        const double r = key_minor(key) ? 0.62 : 1.0;
        char label[32];
        key_label(key, label, sizeof label);
        fprintf(fp, "%.4f\t%.4f\t%ld\t%d\t%s\n", r * cos(a), r * sin(a),
                key_colour(key), key, label);
    }
}

static void write_heatmap(FILE *fp, const Key_distances *kd)
{
    double mean = 0.0, n = 0.0;
    for (int a = 0; a < CB_KEYS; a++)
        for (int b = a + 1; b < CB_KEYS; b++)
            if (kd->present[a] && kd->present[b]) {
                mean += kd->dist[a][b];
                n += 1.0;
            }
    mean = n > 0 ? mean / n : 1.0;
    for (int i = 0; i < CB_KEYS; i++) {
        for (int j = 0; j < CB_KEYS; j++) {
            const int ka = key_in_fifths_order(i), kb = key_in_fifths_order(j);
            const double d = kd->dist[ka][kb];
            fprintf(fp, "%d\t%d\t%.5f\n", i, j, isnan(d) ? -1.0 : d / mean);
        }
        fputc('\n', fp);
    }
}
/* <<write the macros of the measurement>> */
/* <<write the macros of one labelling and of a null>> */
static void macro_claim(const Macros *m, const char *group, const Claim *c)
{
    const char *names[CLAIM_STATS] = {"ContigMap", "ContigSpace", "RhoSpace",
                                      "RhoMap", "Share"};
    char name[64];
    for (int s = 0; s < CLAIM_STATS; s++) {
        snprintf(name, sizeof name, "%s%s", group, names[s]);
        mac(m, name, claim_stat(c, s), 2);
    }
}

static void macro_null(const Macros *m, const char *group, const Null_summary *s)
{
    const char *names[CLAIM_STATS] = {"ContigMap", "ContigSpace", "RhoSpace",
                                      "RhoMap", "Share"};
    char name[64];
    for (int k = 0; k < CLAIM_STATS; k++) {
        snprintf(name, sizeof name, "%s%s", group, names[k]);
        mac(m, name, s->mean[k], 2);
        snprintf(name, sizeof name, "%sp%s", group, names[k]);
        mac(m, name, s->p[k], 2);
    }
}

/* <<the parts of the claim and their p-values>> */
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
static double contiguity_p(const Cb_analysis *an)
{
    return an->has_tunes ? fmax(an->null_b.p[0], an->null_t.p[0]) : an->null_b.p[0];
}

static double mc_error(double p, long M)
{
    return sqrt(p * (1.0 - p) / (double)M);
}

static void claim_parts(const Cb_analysis *an, int part[3])
{
    const double stat[3] = {an->obs.contig_map, an->obs.rho_space, an->obs.rho_map};
    const double p[3] = {contiguity_p(an), an->mantel_space, an->mantel_map};
    holm_parts(stat, p, part);
}

/* <<write the macros of a sample of frames, and the verdict>> */
static void macro_frames(const Macros *m, const char *group, const Frame_stats *fs)
{
    const char *what[5] = {"Contig", "Chance", "Rho", "Mantel", "FifthRatio"};
    const double v[5] = {fs->contig, fs->chance, fs->rho, fs->mantel, fs->pairs[0]};
    const char *pn[2] = {"TritoneRatio", "RelativeRatio"};
    char name[64];
    for (int w = 0; w < 5; w++) {
        snprintf(name, sizeof name, "%s%s", group, what[w]);
        mac(m, name, v[w], w < 4 ? 2 : 3);
    }
    for (int c = 0; c < 2; c++) {
        snprintf(name, sizeof name, "%s%s", group, pn[c]);
        mac(m, name, fs->pairs[c + 1], 3);
    }
}

static const char *codebook_verdict(const Cb_analysis *an)
{
    int part[3];
    claim_parts(an, part);
    return verdict_word(part);
}
/* <<write the remaining macros of the measurement>> */
static void write_measure_macros(const Macros *m, const Cb_analysis *an,
                                 const Clips *cl, const Measure_plan *mp, size_t K)
{
    fputs("% Generated by `codebook --codebook ...`; do not edit.\n", m->fp);
    mac_int(m, "K", (long)K);
    mac_int(m, "Used", (long)an->keys.used);
    mac_int(m, "Unused", (long)(K - an->keys.used));
    mac_int(m, "HeldClips", (long)cl->clips);
    mac_int(m, "HeldFrames", (long)cl->frames);
    mac_int(m, "Perms", mp->permutations);
    /* <<write the Monte Carlo errors of the verdict's p-values>> */
    {
        const double pv[3] = {contiguity_p(an), an->mantel_space, an->mantel_map};
        const char *en[3] = {"McErrContig", "McErrMantelSpace", "McErrMantelMap"};
        double worst = 0.0;
        for (int j = 0; j < 3; j++) {
            const double e = mc_error(pv[j], mp->permutations);
            mac(m, en[j], e, 2);
            worst = isfinite(e) && e > worst ? e : worst;
        }
        mac(m, "McErrMax", worst, 2);
        mac(m, "PContig", pv[0], 2);
        mac(m, "HolmFirst", VERDICT_ALPHA / 3, 2);
        mac(m, "HolmSecond", VERDICT_ALPHA / 2, 2);
    }
    mac(m, "KeyEntropy", an->keys.mean_entropy, 3);
    mac(m, "Trust", an->trust, 3);
    mac(m, "Chance", an->chance, 2);
    mac(m, "MantelSpace", an->mantel_space, 2);
    mac(m, "MantelMap", an->mantel_map, 2);
    const char *pn[3] = {"Fifth", "Tritone", "Relative"};
    char name[64];
    for (int c = 0; c < 3; c++) {
        snprintf(name, sizeof name, "%sRatio", pn[c]);
        mac(m, name, an->pairs[c], 3);
        snprintf(name, sizeof name, "%sRatioMap", pn[c]);
        mac(m, name, an->pairs_map[c], 3);
    }
    macro_claim(m, "Obs", &an->obs);
    const Claim sd = {an->sd[0], an->sd[1], an->sd[2], an->sd[3], an->sd[4]};
    macro_claim(m, "Se", &sd);
    macro_null(m, "NullA", &an->null_a);
    macro_null(m, "NullB", &an->null_b);
    if (an->has_tunes) {
        macro_null(m, "NullT", &an->null_t);
        mac_int(m, "HeldTunes", (long)cl->tunes);
    }
    fprintf(m->fp, "\\newcommand{\\%sVerdict}{%s}\n", m->prefix, codebook_verdict(an));
    /* <<write what became of each part of the claim>> */
    int part[3];
    claim_parts(an, part);
    const char *pname[3] = {"PartContig", "PartRhoSpace", "PartRhoMap"};
    const char *said[3] = {"does not hold", "holds", "cannot be measured"};
    for (int j = 0; j < 3; j++)
        fprintf(m->fp, "\\newcommand{\\%s%s}{%s}\n", m->prefix, pname[j],
                said[part[j] == -1 ? 2 : part[j]]);
    /* <<write the macros of the chord and raw-frame controls>> */
    if (an->has_chords) {
        mac(m, "ChordShare", an->chords.mean_share, 2);
        mac(m, "ChordEntropy", an->chords.mean_entropy, 3);
        mac(m, "ChordChance", an->chord_chance, 2);
        mac(m, "ChordContigMap", an->chord_obs.contig_map, 2);
        mac(m, "ChordContigSpace", an->chord_obs.contig_space, 2);
        macro_null(m, "NullC", &an->null_c);
        const char *hn[3] = {"ContigMap", "ContigSpace", "Share"};
        const int hs[3] = {0, 1, 4};
        for (int k = 0; k < 3; k++) {
            snprintf(name, sizeof name, "ChordNull%s", hn[k]);
            mac(m, name, an->null_h.mean[hs[k]], 2);
            snprintf(name, sizeof name, "ChordNullp%s", hn[k]);
            mac(m, name, an->null_h.p[hs[k]], 2);
        }
        mac(m, "ChordUnique", 100.0 * an->chord_allowed[0], 2);
        mac(m, "ChordAllowed", an->chord_allowed[1], 2);
        const char *sn[3] = {"ChordExplainsMap", "ChordExplainsSpace",
                             "ChordExplainsRho"};
        for (int k = 0; k < 3; k++) {
            const double b = an->null_b.mean[k], o = claim_stat(&an->obs, k);
            mac(m, sn[k], 100.0 * (an->null_c.mean[k] - b) / (o - b), 2);
        }
    }
    if (an->has_raw) {
        mac_int(m, "RawN", (long)an->raw_n);
        macro_frames(m, "Raw", &an->raw);
        macro_frames(m, "Quant", &an->quant);
    }
}
/* <<the command line of codebook>> */
/* <<the options of each command of codebook>> */
typedef enum { CB_EXAMPLE, CB_SYNTHESISE, CB_TRAIN, CB_MEASURE, CB_TRANSPOSE } Cb_command;

typedef struct {
    const char *key, *output;   /* the key of the clip and its WAV file */
    long clip;                  /* part of the clip's seed */
} Cb_synth_options;

typedef struct {
    Cb_plan plan;
    const char *codebook, *codes, *chords, *raw;    /* the files it writes */
    const char *distortion, *wav, *key_table;
} Cb_train_options;

typedef struct {
    Measure_plan plan;
    const char *codebook, *codes, *chords, *raw;    /* the files it reads */
    const char *map, *heatmap;                      /* and those it writes */
} Cb_measure_options;

typedef struct {
    Cb_command command;
    long seed;
    const char *macros, *prefix, *values, *transpose;
    Cb_synth_options synth;
    Cb_train_options train;
    Cb_measure_options measure;
} Cb_options;

/* <<the smallest number of permutations that can reach a verdict>> */
enum { MIN_PERMUTATIONS = 59 };     /* 1/(M + 1) <= 0.05/3 */
/* <<print the usage of codebook>> */
static void codebook_usage(FILE *fp)
{
    fputs(
/* <<the usage of codebook: its commands>> */
"Usage: codebook [COMMAND] [OPTION]...\n"
"Section 23.2: train a small codec on synthetic key-labelled music and measure\n"
"whether its codewords cluster by key.  With no command, print the worked\n"
"example.\n"
"\n"
"Commands:\n"
"  synthesise KEY        render one clip in KEY (C, F#, Bb, Am, C#m, ...) as a\n"
"                        32 kHz WAV file: needs --output FILE\n"
"  train                 render, encode, train both quantiser stages, encode the\n"
"                        held-out clips; write the files named below\n"
"  measure               measure the claim on a codebook: needs -c, --codebook\n"
"                        FILE (.npy or text, one codeword per row) and --codes\n"
"  transpose KEY,N       print the name of KEY moved by N semitones (-24..24)\n"
"The first edition's flags choose the same commands: -S, --synthesise KEY;\n"
"-T, --train; -c, --codebook FILE without a command; --transpose KEY,N.\n"
"\n"
/* <<the usage of codebook: synthesis and training>> */
"Synthesis and training:\n"
"  -o, --output FILE     (synthesise) the WAV file\n"
"      --clip N          (synthesise) clip number, part of its seed (default 0)\n"
"  -s, --seed S          seed of the experiment, and of the measurement's\n"
"                        permutations and bootstrap (default 2024)\n"
"      --seconds T       length of a clip, 0.1..60 (default 3.2)\n"
"      --keys N          keys used, first N in circle-of-fifths order (default 24)\n"
"      --train-clips N   training clips per key (default 14)\n"
"      --test-clips N    held-out clips per key (default 8)\n"
"      --window W        analysis window in samples, 256..16384, a power of 2\n"
"                        (default 2048)\n"
"      --dims D          dimensions of the projection (default 128)\n"
"      --codewords K     first-stage codewords (default 2048)\n"
"      --codewords2 K    second-stage codewords (default 2048)\n"
"      --iterations N    Lloyd iterations per stage (default 12)\n"
"      --raw-sample N    held-out frames kept for the raw control (default 2048)\n"
/* <<the usage of codebook: the sensitivity study, the recordings and the files>> */
"      --sizes K,K...    also train first stages of these sizes (at most 4) and\n"
"                        measure key contiguity and fifths correlation in R^D\n"
"      --floors E,E...   the same for 256 codewords on spectra with these log\n"
"                        floors (at most 4; the book's floor is 1e-4)\n"
"      --windows W,W...  the same for 256 codewords on spectra with these\n"
"                        windows (at most 4, powers of 2, 256..16384)\n"
"      --wavs FILE       train on recordings instead of the generator: one line\n"
"                        per 32 kHz WAV file, 'path<TAB>key<TAB>group<TAB>split',\n"
"                        split 'train' or 'test' (no chord labels)\n"
"      --clips-per-wav N (--wavs) at most N clips from a training file\n"
"                        (default 0: all)\n"
"      --key-table FILE  (--wavs) LaTeX rows: recordings, clips, minutes per key\n"
"      --write-codebook FILE  the first-stage codebook as .npy (float64)\n"
"      --write-codes FILE     codes of the held-out clips (TSV: id, key, codes)\n"
"      --write-chords FILE    chords of the held-out frames (same layout)\n"
"      --write-raw FILE       the raw sample: key, recording (the clip, for\n"
"                             synthetic clips), coordinates\n"
"      --distortion FILE      distortion per Lloyd iteration, both stages\n"
"      --wav FILE             the first held-out clip as a WAV file\n"
"\n",
          fp);
    fputs(
/* <<the usage of codebook: the measurement and the outputs>> */
"Measurement:\n"
"      --codes FILE      codes of key-labelled clips: clip id, key, code...\n"
"      --chords FILE     chord labels (0..47) of the same frames, optional\n"
"      --raw FILE        raw frames for the control, optional\n"
"  -p, --perplexity P    perplexity of the t-SNE map, above 1 and below the\n"
"                        number of codewords less 1 (default 30)\n"
"      --neighbours K    neighbours for the contiguity (default 10)\n"
"      --permutations M  permutations of each null and Mantel test, and\n"
"                        bootstrap resamples (default 2000; at least 59, since\n"
"                        below that no p-value can pass Holm's threshold)\n"
"      --map FILE        the map: x, y, colour, dominant key, share\n"
"      --heatmap FILE    key-centroid distances of codebook and raw frames\n"
"\n"
"      --macros FILE     write the numbers as LaTeX macros\n"
"      --macro-prefix P  (train, measure) begin every macro name with P,\n"
"                        letters only (default Cb), to keep two data sets apart\n"
"      --values FILE     (worked example) 'key<TAB>value' lines for `make verify`\n"
"  -h, --help            show this help and exit\n",
          fp);
}
/* <<parse the options of codebook>> */
/* <<parse a list of at most four values>> */
typedef enum { LIST_SIZES, LIST_FLOORS, LIST_WINDOWS } Cb_list;

static int parse_list_item(const char *tok, Cb_list kind, double *v, Error *err)
{
    static const char *const name[3] = {"--sizes", "--floors", "--windows"};
    long n;
    if (kind == LIST_FLOORS) {
        if (parse_double(tok, name[kind], v, err) != 0)
            return -1;
        if (!(*v > 0.0 && *v < 1.0))
            return fail(err, "--floors: a floor must lie in (0, 1), got %g", *v);
        return 0;
    }
    if (parse_count(tok, name[kind], kind == LIST_SIZES ? 16 : 256,
                    kind == LIST_SIZES ? 65536 : 16384, &n, err) != 0)
        return -1;
    if (kind == LIST_WINDOWS && (n & (n - 1)) != 0)
        return fail(err, "--windows: %ld is not a power of 2", n);
    *v = (double)n;
    return 0;
}

static int parse_list(const char *arg, Cb_list kind, double v[4], int *n, Error *err)
{
    static const char *const what[3] = {"sizes", "floors", "windows"};
    char buf[128];
    snprintf(buf, sizeof buf, "%s", arg);
    *n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        if (*n == 4)
            return fail(err, "--%s: at most 4 %s", what[kind], what[kind]);
        if (parse_list_item(tok, kind, &v[(*n)++], err) != 0)
            return -1;
    }
    return 0;
}
/* <<choose the command of an old mode flag>> */
static int old_mode(Cb_options *opt, Cb_command command, Error *err)
{
    if (opt->command != CB_EXAMPLE && opt->command != command)
        return fail(err, "--synthesise, --train, --codebook and --transpose exclude "
                    "each other, and a command excludes them");
    opt->command = command;
    return 0;
}

static int codebook_parse_options(int argc, char *argv[], Cb_options *opt, Error *err)
{
    /* <<the long options of codebook>> */
    enum {
        OPT_CLIP = 256, OPT_SECONDS, OPT_KEYS, OPT_TRAIN_CLIPS, OPT_TEST_CLIPS,
        OPT_WINDOW, OPT_DIMS, OPT_CODEWORDS, OPT_CODEWORDS2, OPT_ITERATIONS,
        OPT_RAW_SAMPLE, OPT_SIZES, OPT_FLOORS, OPT_WINDOWS, OPT_WRITE_CODEBOOK,
        OPT_WRITE_CODES, OPT_WRITE_CHORDS, OPT_WRITE_RAW, OPT_DISTORTION, OPT_WAV,
        OPT_CODES, OPT_CHORDS, OPT_RAW, OPT_NEIGHBOURS, OPT_PERMUTATIONS, OPT_MAP,
        OPT_HEATMAP, OPT_MACROS, OPT_VALUES, OPT_MACRO_PREFIX, OPT_WAVS,
        OPT_CLIPS_PER_WAV, OPT_KEY_TABLE, OPT_TRANSPOSE, OPT_END
    };
    static const struct option longopts[] = {
        {"synthesise", required_argument, NULL, 'S'}, {"train", no_argument, NULL, 'T'},
        {"codebook", required_argument, NULL, 'c'}, {"output", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 's'}, {"perplexity", required_argument, NULL, 'p'},
        {"clip", required_argument, NULL, OPT_CLIP},
        {"seconds", required_argument, NULL, OPT_SECONDS},
        {"keys", required_argument, NULL, OPT_KEYS},
        {"train-clips", required_argument, NULL, OPT_TRAIN_CLIPS},
        {"test-clips", required_argument, NULL, OPT_TEST_CLIPS},
        {"window", required_argument, NULL, OPT_WINDOW},
        {"dims", required_argument, NULL, OPT_DIMS},
        {"codewords", required_argument, NULL, OPT_CODEWORDS},
        {"codewords2", required_argument, NULL, OPT_CODEWORDS2},
        {"iterations", required_argument, NULL, OPT_ITERATIONS},
        {"raw-sample", required_argument, NULL, OPT_RAW_SAMPLE},
        /* <<the long options of codebook's files and lists>> */
        {"sizes", required_argument, NULL, OPT_SIZES},
        {"floors", required_argument, NULL, OPT_FLOORS},
        {"windows", required_argument, NULL, OPT_WINDOWS},
        {"write-codebook", required_argument, NULL, OPT_WRITE_CODEBOOK},
        {"write-codes", required_argument, NULL, OPT_WRITE_CODES},
        {"write-chords", required_argument, NULL, OPT_WRITE_CHORDS},
        {"write-raw", required_argument, NULL, OPT_WRITE_RAW},
        {"distortion", required_argument, NULL, OPT_DISTORTION},
        {"wav", required_argument, NULL, OPT_WAV},
        {"codes", required_argument, NULL, OPT_CODES},
        {"chords", required_argument, NULL, OPT_CHORDS},
        {"raw", required_argument, NULL, OPT_RAW},
        {"neighbours", required_argument, NULL, OPT_NEIGHBOURS},
        {"permutations", required_argument, NULL, OPT_PERMUTATIONS},
        {"map", required_argument, NULL, OPT_MAP},
        {"heatmap", required_argument, NULL, OPT_HEATMAP},
        {"macros", required_argument, NULL, OPT_MACROS},
        {"values", required_argument, NULL, OPT_VALUES},
        {"macro-prefix", required_argument, NULL, OPT_MACRO_PREFIX},
        {"wavs", required_argument, NULL, OPT_WAVS},
        {"clips-per-wav", required_argument, NULL, OPT_CLIPS_PER_WAV},
        {"key-table", required_argument, NULL, OPT_KEY_TABLE},
        {"transpose", required_argument, NULL, OPT_TRANSPOSE},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    /* <<choose the command of codebook and set the defaults>> */
    *opt = (Cb_options){
        .command = CB_EXAMPLE, .seed = 2024, .prefix = "Cb",
        .measure.plan = {.neighbours = 10, .permutations = 2000, .perplexity = 30.0},
        .train.plan = {.keys = 24, .train_clips = 14, .test_clips = 8, .dims = 128,
                       .codewords = 2048, .codewords2 = 2048, .iterations = 12,
                       .raw_sample = 2048, .seed = 2024, .synth = SYNTH_DEFAULT,
                       .enc = ENCODER_DEFAULT}};
    if (argc > 1 && argv[1][0] != '-') {
        static const char *const names[] = {"synthesise", "train", "measure", "transpose"};
        for (int k = 0; k < 4; k++)
            if (strcmp(argv[1], names[k]) == 0)
                opt->command = (Cb_command)(k + 1);
        if (opt->command == CB_EXAMPLE)
            return fail(err, "unknown command '%s' (synthesise, train, measure or "
                        "transpose)", argv[1]);
        /* <<take the argument of synthesise or transpose>> */
        bool help = argc >= 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0);
        if ((opt->command == CB_SYNTHESISE || opt->command == CB_TRANSPOSE) && !help) {
            if (argc < 3 || argv[2][0] == '-')
                return fail(err, "%s needs %s", argv[1],
                            opt->command == CB_SYNTHESISE ? "a KEY" : "KEY,N");
            *(opt->command == CB_SYNTHESISE ? &opt->synth.key : &opt->transpose) = argv[2];
            argv++;
            argc--;
        }
        argv++;
        argc--;
    }
    int c;
    bool seen[OPT_END] = {false};       /* which options were given */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":S:Tc:o:s:p:h", longopts, NULL)) != -1) {
        int s = 0;
        long w = 0;
        if (c >= 0 && c < OPT_END)
            seen[c] = true;
        switch (c) {
        /* <<handle one option of codebook>> */
        case 'S': s = old_mode(opt, CB_SYNTHESISE, err); opt->synth.key = optarg; break;
        case 'T': s = old_mode(opt, CB_TRAIN, err); break;
        case OPT_TRANSPOSE: s = old_mode(opt, CB_TRANSPOSE, err); opt->transpose = optarg;
                            break;
        case 'c': opt->measure.codebook = optarg;
                  s = opt->command == CB_MEASURE ? 0 : old_mode(opt, CB_MEASURE, err); break;
        case 'o': opt->synth.output = optarg; break;
        case OPT_WRITE_CODEBOOK: opt->train.codebook = optarg; break;
        case OPT_WRITE_CODES: opt->train.codes = optarg; break;
        case OPT_WRITE_CHORDS: opt->train.chords = optarg; break;
        case OPT_WRITE_RAW: opt->train.raw = optarg; break;
        case OPT_DISTORTION: opt->train.distortion = optarg; break;
        case OPT_WAV: opt->train.wav = optarg; break;
        case OPT_KEY_TABLE: opt->train.key_table = optarg; break;
        case OPT_WAVS: opt->train.plan.wavs = optarg; break;
        case OPT_CODES: opt->measure.codes = optarg; break;
        case OPT_CHORDS: opt->measure.chords = optarg; break;
        case OPT_RAW: opt->measure.raw = optarg; break;
        case OPT_MAP: opt->measure.map = optarg; break;
        case OPT_HEATMAP: opt->measure.heatmap = optarg; break;
        case OPT_MACROS: opt->macros = optarg; break;
        case OPT_VALUES: opt->values = optarg; break;
        case OPT_MACRO_PREFIX: opt->prefix = optarg; break;
        case 'h': return -2;
        /* <<handle the numeric options of codebook>> */
        case OPT_CLIP: s = parse_count(optarg, "--clip", 0, 999999, &opt->synth.clip, err);
                       break;
        case 's': s = parse_count(optarg, "--seed", 1, 4000000000L, &opt->seed, err); break;
        case OPT_SECONDS:
            s = parse_double(optarg, "--seconds", &opt->train.plan.synth.seconds, err);
            if (s == 0 && !(opt->train.plan.synth.seconds >= 0.1
                            && opt->train.plan.synth.seconds <= 60))
                s = fail(err, "--seconds must lie in [0.1, 60], got %s", optarg);
            break;
        case OPT_WINDOW:
            s = parse_count(optarg, "--window", 256, 16384, &w, err);
            if (s == 0 && (w & (w - 1)) != 0)
                s = fail(err, "--window must be a power of 2, got %ld", w);
            opt->train.plan.enc.window = (size_t)w;
            opt->train.plan.enc.bins = (size_t)w * 5000 / RATE;
            break;
        case 'p':
            s = parse_double(optarg, "--perplexity", &opt->measure.plan.perplexity, err);
            if (s == 0 && !(opt->measure.plan.perplexity > 1.0))
                s = fail(err, "--perplexity must be greater than 1, got %s", optarg);
            break;
        /* <<handle the counts of the training plan and of the measurement>> */
        case OPT_KEYS: case OPT_TRAIN_CLIPS: case OPT_TEST_CLIPS: case OPT_DIMS:
        case OPT_CODEWORDS: case OPT_CODEWORDS2: case OPT_ITERATIONS: case OPT_RAW_SAMPLE:
        case OPT_NEIGHBOURS: case OPT_PERMUTATIONS: case OPT_CLIPS_PER_WAV: {
            Cb_plan *pl = &opt->train.plan;
            Measure_plan *mp = &opt->measure.plan;
            const struct { int code; const char *name; long lo, hi; long *dest; } count[] = {
                {OPT_KEYS, "--keys", 2, CB_KEYS, &pl->keys},
                {OPT_TRAIN_CLIPS, "--train-clips", 1, 10000, &pl->train_clips},
                {OPT_TEST_CLIPS, "--test-clips", 1, 10000, &pl->test_clips},
                {OPT_DIMS, "--dims", 2, 1024, &pl->dims},
                {OPT_CODEWORDS, "--codewords", 2, 65536, &pl->codewords},
                {OPT_CODEWORDS2, "--codewords2", 2, 65536, &pl->codewords2},
                {OPT_ITERATIONS, "--iterations", 0, 1000, &pl->iterations},
                {OPT_RAW_SAMPLE, "--raw-sample", 11, 100000, &pl->raw_sample},
                {OPT_NEIGHBOURS, "--neighbours", 1, 100, &mp->neighbours},
                {OPT_PERMUTATIONS, "--permutations", MIN_PERMUTATIONS, 1000000,
                 &mp->permutations},
                {OPT_CLIPS_PER_WAV, "--clips-per-wav", 0, 100000, &pl->clips_per_wav}};
            size_t k = 0;
            while (count[k].code != c)
                k++;
            s = parse_count(optarg, count[k].name, count[k].lo, count[k].hi, count[k].dest,
                            err);
            break;
        }
        /* <<handle the lists of the sensitivity study>> */
        case OPT_SIZES: case OPT_FLOORS: case OPT_WINDOWS: {
            Cb_plan *pl = &opt->train.plan;
            const Cb_list kind = c == OPT_SIZES ? LIST_SIZES
                                 : c == OPT_FLOORS ? LIST_FLOORS : LIST_WINDOWS;
            int *n = kind == LIST_SIZES ? &pl->nsizes
                     : kind == LIST_FLOORS ? &pl->nfloors : &pl->nwindows;
            double v[4];
            s = parse_list(optarg, kind, v, n, err);
            for (int k = 0; s == 0 && k < *n; k++) {
                if (kind == LIST_SIZES)
                    pl->sizes[k] = (long)v[k];
                else if (kind == LIST_FLOORS)
                    pl->floors[k] = v[k];
                else
                    pl->windows[k] = (long)v[k];
            }
            break;
        }
        default: return bad_option(c, argv, optind, optopt, err);
        }
        if (s != 0)
            return -1;
    }
    opt->train.plan.seed = (unsigned long)opt->seed;
    opt->measure.plan.seed = opt->seed;
    /* <<check the combination of codebook's options>> */
    if (optind < argc)
        return fail(err, "unexpected argument '%s' (see --help)", argv[optind]);
    const Cb_command cmd = opt->command;
    if (cmd == CB_MEASURE && opt->measure.codebook == NULL)
        return fail(err, "measure needs --codebook FILE");
    /* <<check the options of the recordings>> */
    if (opt->train.plan.wavs && cmd != CB_TRAIN)
        return fail(err, "--wavs goes with train");
    if (opt->train.plan.wavs && (opt->train.chords || opt->train.wav || opt->train.plan.nwindows))
        return fail(err, "--wavs: recordings have no chord labels and no seed; "
                    "--write-chords, --wav and --windows need the generator");
    if (opt->train.plan.wavs && (opt->train.plan.keys != 24 || opt->train.plan.train_clips != 14
                           || opt->train.plan.test_clips != 8))
        return fail(err, "--wavs: the list decides the keys and clips; --keys, "
                    "--train-clips and --test-clips belong to the generator");
    if (!opt->train.plan.wavs && (opt->train.key_table || opt->train.plan.clips_per_wav))
        return fail(err, "--key-table and --clips-per-wav need --wavs");
    /* <<refuse the options that belong to another mode>> */
    {
        const bool T = cmd == CB_TRAIN, M = cmd == CB_MEASURE, S = cmd == CB_SYNTHESISE;
        const struct { int code; const char *name; bool ok; } owned[] = {
            {OPT_KEYS, "--keys", T}, {OPT_TRAIN_CLIPS, "--train-clips", T},
            {OPT_TEST_CLIPS, "--test-clips", T}, {OPT_WINDOW, "--window", T},
            {OPT_DIMS, "--dims", T}, {OPT_CODEWORDS, "--codewords", T},
            {OPT_CODEWORDS2, "--codewords2", T}, {OPT_ITERATIONS, "--iterations", T},
            {OPT_RAW_SAMPLE, "--raw-sample", T}, {'p', "--perplexity", M},
            {OPT_NEIGHBOURS, "--neighbours", M}, {OPT_PERMUTATIONS, "--permutations", M},
            {OPT_CLIP, "--clip", S}, {OPT_SECONDS, "--seconds", S || T},
            {'s', "--seed", S || T || M}};
        for (size_t k = 0; k < sizeof owned / sizeof owned[0]; k++)
            if (seen[owned[k].code] && !owned[k].ok)
                return fail(err, "%s does not belong to this mode (see --help)",
                            owned[k].name);
    }
    /* <<check the options of synthesise, measure and train>> */
    if (cmd == CB_SYNTHESISE && parse_key(opt->synth.key) < 0)
        return fail(err, "synthesise: '%s' is not one of the 24 key names",
                    opt->synth.key);
    if (cmd == CB_SYNTHESISE && opt->synth.output == NULL)
        return fail(err, "synthesise needs --output FILE");
    if (cmd != CB_SYNTHESISE && opt->synth.output)
        return fail(err, "--output goes with synthesise");
    if (cmd == CB_MEASURE && opt->measure.codes == NULL)
        return fail(err, "measure needs --codes FILE");
    if (cmd != CB_MEASURE && (opt->measure.codes || opt->measure.chords
                              || opt->measure.raw || opt->measure.map
                              || opt->measure.heatmap))
        return fail(err, "--codes, --chords, --raw, --map and --heatmap need measure");
    if (cmd != CB_TRAIN
        && (opt->train.codebook || opt->train.codes || opt->train.chords
            || opt->train.raw || opt->train.distortion || opt->train.wav
            || opt->train.plan.nsizes || opt->train.plan.nfloors
            || opt->train.plan.nwindows))
        return fail(err, "the --write-... options, --distortion, --wav, --sizes, "
                    "--floors and --windows need train");
    if (opt->values && cmd != CB_EXAMPLE)
        return fail(err, "--values belongs to the worked example");
    if (strcmp(opt->prefix, "Cb") != 0 && cmd != CB_TRAIN && cmd != CB_MEASURE)
        return fail(err, "--macro-prefix goes with train or measure");
    if (opt->prefix[0] == '\0' || strlen(opt->prefix) > 16
        || strspn(opt->prefix, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
           != strlen(opt->prefix))
        return fail(err, "--macro-prefix '%s' must be 1 to 16 letters (a LaTeX name)",
                    opt->prefix);
    if (opt->train.plan.dims > (long)opt->train.plan.enc.bins)
        return fail(err, "--dims %ld exceeds the %zu spectrum bins of the window",
                    opt->train.plan.dims, opt->train.plan.enc.bins);
    const Cb_measure_options *me = &opt->measure;
    const Cb_train_options *tr = &opt->train;
    const char *ins[5] = {me->codebook, me->codes, me->chords, me->raw, tr->plan.wavs};
    const char *outs[12] = {opt->synth.output, me->map, me->heatmap, tr->codebook,
                            tr->codes, tr->chords, tr->raw, tr->distortion, tr->wav,
                            opt->macros, opt->values, tr->key_table};
    if (distinct_outputs(ins, 5, outs, 12, err) != 0)
        return -1;
    const char *oname[12] = {"--output", "--map", "--heatmap", "--write-codebook",
                             "--write-codes", "--write-chords", "--write-raw",
                             "--distortion", "--wav", "--macros", "--values",
                             "--key-table"};
    for (int k = 0; k < 12; k++)
        if (outs[k] != NULL && outs[k][0] == '\0')
            return fail(err, "%s: the file name is empty", oname[k]);
    for (int k = 0; k < 5; k++)
        if (ins[k] != NULL && ins[k][0] == '\0')
            return fail(err, "an input file name is empty");
    return 0;
}
/* <<open every output of a run>> */
static int open_outputs(const char *const *names, Outfile *out, int n, Error *err)
{
    for (int k = 0; k < n; k++)
        out[k] = outfile_none();
    for (int k = 0; k < n; k++)
        if (names[k] != NULL && outfile_open(&out[k], names[k], err) != 0) {
            outfiles_abort(out, (size_t)n);
            return -1;
        }
    return 0;
}

static bool all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return false;
    return true;
}
/* <<synthesise one clip>> */
static int synthesise_into(Outfile *o, const char *key, long seed, long clip,
                           const Synth *sy, Error *err)
{
    const size_t n = (size_t)(sy->seconds * RATE);
    double *x = alloc_array(n, sizeof *x, err);
    int *chord = x ? alloc_array(n, sizeof *chord, err) : NULL;
    gsl_rng *rng = chord ? gsl_rng_alloc(gsl_rng_mt19937) : NULL;
    int status = rng ? 0 : (chord ? fail(err, "cannot allocate a generator") : -1);
    if (status == 0) {
        render_clip(parse_key(key),
                    (unsigned long)seed * 1000000UL + (unsigned long)clip, sy, rng,
                    x, chord, n);
        status = write_wav_stream(o->fp, o->name, x, n, err);
    }
    free(x);
    free(chord);
    gsl_rng_free(rng);
    return status;
}

static int codebook_run_synthesise(const Cb_options *opt, Error *err)
{
    Outfile o;
    if (outfile_open(&o, opt->synth.output, err) != 0)
        return -1;
    if (synthesise_into(&o, opt->synth.key, opt->seed, opt->synth.clip, &opt->train.plan.synth,
                        err) != 0) {
        outfiles_abort(&o, 1);
        return -1;
    }
    return outfiles_commit(&o, 1, err);
}
/* <<write the table of keys of the recordings>> */
static void write_key_table(FILE *fp, const Trained *tr, double seconds)
{
    size_t clips[2][CB_KEYS] = {{0}}, recs[2][CB_KEYS] = {{0}};
    const Corpus *cp[2] = {&tr->train, &tr->test};
    for (int s = 0; s < 2; s++)
        for (size_t c = 0; c < cp[s]->clips; c++) {
            clips[s][cp[s]->key[c]]++;
            if (c == 0 || cp[s]->group[c] != cp[s]->group[c - 1])
                recs[s][cp[s]->key[c]]++;
        }
    fputs("% Generated by `codebook --train --key-table`; do not edit.\n", fp);
    for (int i = 0; i < 12; i++) {
        for (int h = 0; h < 2; h++) {
            const int k = key_in_fifths_order(i + 12 * h);
            char name[8];
            key_name(k, name, sizeof name);
            fprintf(fp, "%s%c%s%s & %zu & %zu & %zu & %zu & %.1f", h ? " & " : "",
                    name[0], name[1] == '#' ? "$\\sharp$"
                             : name[1] == 'b' ? "$\\flat$" : "",
                    k >= 12 ? "m" : "", recs[0][k], recs[1][k], clips[0][k],
                    clips[1][k],
                    (double)(clips[0][k] + clips[1][k]) * seconds / 60.0);
        }
        fputs(" \\\\\n", fp);
    }
}
/* <<run the training and write its files>> */
/* <<write the macros of one part of the sensitivity study>> */
static void macro_sensitivity(const Macros *m, const char *study, char letter,
                              const Size_result *r)
{
    const char *what[6] = {"Share", "Contig", "Null", "P", "Rho", "Mantel"};
    const double v[6] = {r->share, r->contig, r->null_contig, r->p_contig, r->rho,
                         r->mantel};
    char name[64];
    snprintf(name, sizeof name, "%sUsed%c", study, letter);
    mac_int(m, name, (long)r->used);
    for (int w = 0; w < 6; w++) {
        snprintf(name, sizeof name, "%s%s%c", study, what[w], letter);
        mac(m, name, v[w], 2);
    }
}

static void write_train_macros(const Macros *m, const Cb_plan *pl, const Trained *tr)
{
    const size_t N = tr->train.clips * tr->train.frames_per_clip;
    const size_t Nt = tr->test.clips * tr->test.frames_per_clip;
    const int it = (int)pl->iterations;
    fputs("% Generated by `codebook --train`; do not edit.\n", m->fp);
    if (pl->wavs == NULL) {
        mac_int(m, "Keys", pl->keys);
        mac_int(m, "TrainPerKey", pl->train_clips);
        mac_int(m, "TestPerKey", pl->test_clips);
    } else {
        /* <<write the macros of the recordings>> */
        size_t per_key[CB_KEYS] = {0}, least = SIZE_MAX;
        for (size_t c = 0; c < tr->test.clips; c++)
            per_key[tr->test.key[c]]++;
        for (int k = 0; k < CB_KEYS; k++)
            least = per_key[k] < least ? per_key[k] : least;
        mac_int(m, "TrainClips", (long)tr->train.clips);
        mac_int(m, "TestClips", (long)tr->test.clips);
        mac_int(m, "TrainGroups", (long)tr->train.groups);
        mac_int(m, "TestGroups", (long)tr->test.groups);
        mac_int(m, "LeastTestClips", (long)least);
        mac_int(m, "ClipsPerWav", pl->clips_per_wav);
    }
    /* <<write the macros of the data, the principal axes and the distortion>> */
    mac_int(m, "Clips", (long)(tr->train.clips + tr->test.clips));
    mac_int(m, "TrainFrames", (long)N);
    mac_int(m, "TestFrames", (long)Nt);
    mac_int(m, "FramesPerClip", (long)tr->train.frames_per_clip);
    mac_trim(m, "Minutes", (double)(tr->train.clips + tr->test.clips)
                                    * pl->synth.seconds / 60.0, 3);
    mac_trim(m, "BinHz", (double)RATE / (double)pl->enc.window, 3);
    const double c2 = 440.0 * pow(2.0, (36 - 69) / 12.0);   /* C2, in Hz */
    const double up = pow(2.0, 1 / 12.0) - 1;
    mac(m, "SemitoneLowHz", c2 * up, 2);            /* C2 to C#2 */
    mac(m, "SemitoneHighHz", c2 * pow(2.0, 11 / 12.0) * up, 2);     /* B2 to C3 */
    mac_trim(m, "Seconds", pl->synth.seconds, 3);
    mac(m, "Explained", 100.0 * tr->explained, 3);
    mac_int(m, "Iterations", it);
    mac(m, "FramesPerCodeword", (double)N / (double)pl->codewords, 3);
    mac(m, "DistStart", tr->trace1[0] / tr->variance, 3);
    mac(m, "DistEnd", tr->trace1[it] / tr->variance, 3);
    mac(m, "DistTwo", tr->trace2[it] / tr->variance, 3);
    mac(m, "TestDistOne", tr->test_d1 / tr->variance, 3);
    mac(m, "TestDistTwo", tr->test_d2 / tr->variance, 3);
    mac_int(m, "Reseeded", tr->reseeded1);
    mac_int(m, "ReseededTwo", tr->reseeded2);
    /* <<write the macros of the sensitivity study>> */
    mac_int(m, "SizePerms", SIZE_PERMUTATIONS);
    for (int k = 0; k < pl->nsizes; k++) {
        char name[64];
        snprintf(name, sizeof name, "SizeK%c", 'A' + k);
        mac_int(m, name, tr->sens[k].K);
        macro_sensitivity(m, "Size", 'A' + k, &tr->sens[k]);
    }
    for (int k = 0; k < pl->nwindows; k++) {
        char name[64];
        snprintf(name, sizeof name, "WindowW%c", 'A' + k);
        mac_int(m, name, pl->windows[k]);
        snprintf(name, sizeof name, "WindowHz%c", 'A' + k);
        mac_trim(m, name, (double)RATE / (double)pl->windows[k], 3);
        macro_sensitivity(m, "Window", 'A' + k, &tr->window_sens[k]);
    }
    for (int k = 0; k < pl->nfloors; k++) {
        char name[64];
        snprintf(name, sizeof name, "FloorEps%c", 'A' + k);
        mac(m, name, pl->floors[k], 1);
        macro_sensitivity(m, "Floor", 'A' + k, &tr->floor_sens[k]);
    }
}

/* <<write the raw sample and the distortion curves>> */
static void write_raw(FILE *fp, const Trained *tr, size_t S)
{
    for (size_t i = 0; i < S; i++) {
        const size_t c = tr->sample[i] / tr->test.frames_per_clip;
        const size_t rec = tr->test.group ? tr->test.group[c] : c;
        fprintf(fp, "%d\t%zu", tr->test.key[c], rec);
        for (size_t d = 0; d < tr->zt->size2; d++)
            fprintf(fp, "\t%.9g", gsl_matrix_get(tr->zt, i, d));
        fputc('\n', fp);
    }
}

static void write_distortion(FILE *fp, const Trained *tr, int it)
{
    fprintf(fp, "# iteration\tfirst stage\tsecond stage (distortion / variance)\n");
    for (int t = 0; t <= it; t++)
        fprintf(fp, "%d\t%.6g\t%.6g\n", t, tr->trace1[t] / tr->variance,
                tr->trace2[t] / tr->variance);
}

static int codebook_run_train(const Cb_options *opt, Error *err)
{
    const Cb_plan *pl = &opt->train.plan;
    Trained tr = {0};
    const char *names[8] = {opt->train.codebook, opt->train.codes, opt->train.chords,
                            opt->train.raw, opt->train.distortion, opt->macros,
                            opt->train.key_table, opt->train.wav};
    Outfile out[8];
    int status = open_outputs(names, out, 8, err);
    if (status == 0)
        status = train_codec(pl, &tr, err);
    if (status == 0 && !all_finite(tr.c1->data, tr.c1->size1 * tr.c1->size2))
        status = fail(err, "the training produced a codebook with a value that is "
                      "not finite; nothing is written");
    const size_t Nt = tr.test.clips * tr.test.frames_per_clip;
    const size_t S = (size_t)pl->raw_sample < Nt ? (size_t)pl->raw_sample : Nt;
    /* <<write the files of the training run>> */
    for (int k = 0; k < 8 && status == 0; k++) {
        FILE *fp = out[k].fp;
        if (fp == NULL)
            continue;
        switch (k) {
        case 0: codebook_write_npy(fp, tr.c1); break;
        case 1: write_clip_table(fp, &tr.test, tr.tcode); break;
        case 2: write_clip_table(fp, &tr.test, NULL); break;
        case 3: write_raw(fp, &tr, S); break;
        case 4: write_distortion(fp, &tr, (int)pl->iterations); break;
        case 5: write_train_macros(&(Macros){fp, opt->prefix}, pl, &tr); break;
        case 6: write_key_table(fp, &tr, pl->synth.seconds); break;
        default: {
            char name[8];
            key_name(tr.test.key[0], name, sizeof name);
            status = synthesise_into(&out[k], name, opt->seed, (long)tr.train.clips,
                                     &pl->synth, err);
        }
        }
    }
    if (status != 0)
        outfiles_abort(out, 8);
    else
        status = outfiles_commit(out, 8, err);
    trained_free(&tr);
    return status;
}
/* <<run the measurement>> */
static int codebook_run_measure(const Cb_options *opt, Error *err)
{
    Clips cl = {0}, ch = {0};
    Cb_analysis an = {0};
    const char *names[3] = {opt->measure.map, opt->measure.heatmap, opt->macros};
    Outfile out[3];
    gsl_matrix *raw = NULL, *cb = NULL;
    int status = open_outputs(names, out, 3, err);
    if (status == 0 && (cb = read_points(opt->measure.codebook, err)) == NULL)
        status = -1;
    if (status == 0)
        status = read_clip_table(opt->measure.codes, cb->size1, &cl, err);
    /* <<read the chords and the raw sample, and check that they fit>> */
    if (status == 0 && opt->measure.chords != NULL
        && (status = read_clip_table(opt->measure.chords, CHORDS, &ch, err)) == 0) {
        bool same = ch.clips == cl.clips;
        for (size_t c = 0; same && c <= cl.clips; c++)
            same = ch.first[c] == cl.first[c]
                   && (c == cl.clips || ch.key[c] == cl.key[c]);
        if (!same)
            status = fail(err, "'%s' and '%s' do not describe the same clips and frames",
                          opt->measure.chords, opt->measure.codes);
        cl.chord = alloc_array(cl.frames, sizeof *cl.chord, err);
        if (status == 0 && cl.chord == NULL)
            status = -1;
        for (size_t f = 0; status == 0 && f < cl.frames; f++)
            cl.chord[f] = (int)ch.code[f];
        an.has_chords = status == 0;
    }
    if (status == 0 && opt->measure.raw != NULL) {
        raw = read_matrix(opt->measure.raw, err);
        if (raw == NULL)
            status = -1;
        else if (raw->size2 != cb->size2 + 2)
            status = fail(err, "'%s' has %zu columns; a key, a recording and %zu "
                          "coordinates expected", opt->measure.raw, raw->size2, cb->size2);
        an.has_raw = status == 0;
    }
    /* <<check the map's perplexity against the codebook>> */
    if (status == 0) {
        const Calibration cal = map_calibration(opt->measure.plan.perplexity);
        status = check_calibration(&cal, cb->size1, err);
    }
    if (status == 0)
        status = analyse(cb, &cl, raw, &opt->measure.plan, &an, err);
    /* <<write the outputs of the measurement, or none>> */
    for (int k = 0; k < 3 && status == 0; k++) {
        if (out[k].fp == NULL)
            continue;
        if (k == 0)
            write_map(out[k].fp, &an, cb->size1);
        else if (k == 1) {
            write_heatmap(out[k].fp, &an.kd);
            fputc('\n', out[k].fp);
            if (an.has_raw)
                write_heatmap(out[k].fp, &an.raw.kd);
        } else
            write_measure_macros(&(Macros){out[k].fp, opt->prefix}, &an, &cl, &opt->measure.plan,
                                 cb->size1);
    }
    if (status != 0)
        outfiles_abort(out, 3);
    else
        status = outfiles_commit(out, 3, err);
    if (status == 0)
        fprintf(stderr, "codebook: %zu of %zu codewords used; key contiguity %.3f in "
                "the map (null B %.3f, p = %.3g +- %.2g); rho = %.3f (Mantel p = %.3g "
                "+- %.2g): %s\n", an.keys.used, cb->size1, an.obs.contig_map,
                an.null_b.mean[0], contiguity_p(&an),
                mc_error(contiguity_p(&an), opt->measure.plan.permutations), an.obs.rho_space,
                an.mantel_space, mc_error(an.mantel_space, opt->measure.plan.permutations),
                codebook_verdict(&an));
    label_table_free(&an.keys);
    if (an.has_chords)
        label_table_free(&an.chords);
    free(an.xy); free(an.nn_space); free(an.nn_map);
    clips_free(&cl);
    clips_free(&ch);
    gsl_matrix_free(raw);
    gsl_matrix_free(cb);
    return status;
}
/* <<print a transposed key name>> */
static int codebook_run_transpose(const Cb_options *opt, Error *err)
{
    char buf[32], name[8];
    long n;
    snprintf(buf, sizeof buf, "%s", opt->transpose);
    char *comma = strrchr(buf, ',');
    if (comma == NULL)
        return fail(err, "--transpose: expected KEY,N, got '%s'", opt->transpose);
    *comma = '\0';
    const int key = parse_key(buf);
    if (key < 0)
        return fail(err, "--transpose: '%s' is not one of the 24 key names", buf);
    if (parse_count(comma + 1, "--transpose", -24, 24, &n, err) != 0)
        return -1;
    key_name(transpose_key(key, (int)n), name, sizeof name);
    printf("%s\n", name);
    return 0;
}
/* <<print and record the worked example of codebook>> */
static int codebook_run_examples(const Cb_options *opt, Error *err)
{
    const int C = parse_key("C"), G = parse_key("G"), Fs = parse_key("F#");
    const int Am = parse_key("Am"), Eb = parse_key("Eb");
    const int d[4] = {fifths_distance(C, G), fifths_distance(C, Fs),
                      fifths_distance(C, Am), fifths_distance(Eb, Am)};
    const char *names[2] = {opt->macros, opt->values};
    Outfile out[2];
    Label_table t;
    if (open_outputs(names, out, 2, err) != 0)
        return -1;
    if (label_table_alloc(&t, 1, CB_KEYS, err) != 0) {
        outfiles_abort(out, 2);
        return -1;
    }
    size_t code[10] = {0};
    int label[10];
    for (int i = 0; i < 10; i++)
        label[i] = i < 6 ? C : i < 9 ? G : Am;
    label_table_fill(&t, code, label, 10);
    printf("Worked example 23.2A: fifths distances C-G %d, C-F# %d, C-Am %d, "
           "Eb-Am %d\n", d[0], d[1], d[2], d[3]);
    printf("  counts C 6, G 3, Am 1: dominant key %s, share %.4f, "
           "entropy %.6f bits\n",
           t.dominant[0] == C ? "C" : "?", t.share[0], t.entropy[0]);
    int status = 0;
    /* <<write the worked example's macros and values>> */
    if (status == 0 && out[0].fp != NULL) {
        FILE *fp = out[0].fp;
        fputs("% Generated by `codebook --macros`; do not edit.\n", fp);
        const char *mn[4] = {"ExGdCG", "ExGdCFs", "ExGdCAm", "ExGdEbAm"};
        for (int k = 0; k < 4; k++)
            tex_macro_int(fp, mn[k], d[k]);
        tex_macro_trim(fp, "ExGShare", t.share[0], 4);
        tex_macro(fp, "ExGEntropy", t.entropy[0], 4);
    }
    if (status == 0 && out[1].fp != NULL)
        fprintf(out[1].fp, "23.2A.dCG\t%d\n23.2A.dCFs\t%d\n23.2A.dCAm\t%d\n"
                "23.2A.dEbAm\t%d\n23.2A.share\t%.17g\n23.2A.entropy\t%.17g\n",
                d[0], d[1], d[2], d[3], t.share[0], t.entropy[0]);
    label_table_free(&t);
    if (status != 0) {
        outfiles_abort(out, 2);
        return -1;
    }
    return outfiles_commit(out, 2, err);
}

int main(int argc, char *argv[])
{
    gsl_set_error_handler_off();
    Cb_options opt;
    Error err = {""};
    int status = codebook_parse_options(argc, argv, &opt, &err);
    if (status == 0)
        switch (opt.command) {
        case CB_SYNTHESISE: status = codebook_run_synthesise(&opt, &err); break;
        case CB_TRAIN: status = codebook_run_train(&opt, &err); break;
        case CB_MEASURE: status = codebook_run_measure(&opt, &err); break;
        case CB_TRANSPOSE: status = codebook_run_transpose(&opt, &err); break;
        case CB_EXAMPLE: status = codebook_run_examples(&opt, &err); break;
        }
    return finish("codebook", status, &err, codebook_usage);
}

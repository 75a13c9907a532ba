/* fuzz-progressions.c -- libFuzzer target for the chord-progression reader
 * of section 23.7.  Tangled from chapters/23-7-hull.nw and chapters/p7-hull.nw. */
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
#include <strings.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>

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
/* <<interface of the hull>> */
typedef struct {
    size_t n, d;
    bool inside;            /* distance <= the inside tolerance */
    bool boundary;          /* too close to the boundary to certify either way */
    double distance;        /* |tau - z*| */
    double *lambda;         /* n convex weights: z* = sum_i lambda_i phi_i */
    double *nearest;        /* z*, d numbers */
    double *w;              /* outside: unit normal (tau - z*)/|tau - z*| */
    double c;               /* outside: offset max_i w . phi_i */
    double margin;          /* outside: w . tau - c, a lower bound on the distance */
    size_t iterations;      /* major steps of Wolfe's algorithm */
} Certificate;

/* <<the functions of the hull>> */
static Certificate *certificate_alloc(size_t n, size_t d, Error *err);
static void certificate_free(Certificate *cert);
static int hull_certificate(const gsl_matrix *phi, const double *tau,
                            Certificate *cert, Error *err);
static int check_certificate(const gsl_matrix *phi, const double *tau,
                             const Certificate *cert, Error *err);
/* <<implementation of the hull>> */
/* <<allocate and free a certificate>> */
static Certificate *certificate_alloc(size_t n, size_t d, Error *err)
{
    Certificate *cert = alloc_array(1, sizeof *cert, err);
    if (cert == NULL)
        return NULL;
    *cert = (Certificate){n, d, false, false, 0.0, NULL, NULL, NULL, 0.0, 0.0, 0};
    cert->lambda = alloc_array(n, sizeof(double), err);
    cert->nearest = alloc_array(d, sizeof(double), err);
    cert->w = alloc_array(d, sizeof(double), err);
    if (cert->lambda == NULL || cert->nearest == NULL || cert->w == NULL) {
        certificate_free(cert);
        return NULL;
    }
    return cert;
}

static void certificate_free(Certificate *cert)
{
    if (cert != NULL) {
        free(cert->lambda);
        free(cert->nearest);
        free(cert->w);
        free(cert);
    }
}
/* <<the workspace of Wolfe's algorithm>> */
typedef struct {
    void (*seen)(void *ctx, char kind, const size_t *S, const double *weights,
                 size_t m);         /* kind: 'c' corral, 'a' affine, 'm' moved */
    void *ctx;
} Wolfe_watch;

typedef struct {
    gsl_matrix *P;          /* n x d: the points divided by s */
    double *t;              /* the target divided by s */
    int e;                  /* s = 2^e */
    double diam2;           /* a squared diameter of the scaled points */
    gsl_vector *z, *x, *u;  /* z = sum_S lambda_j P_j;  x = z - t;  u_i = x . P_i */
    size_t *S, s_now, cap;  /* the corral: s_now indices; cap = min(n, d + 1) + 1 */
    double *lambda, *alpha; /* weights on the corral; affine minimiser */
    size_t *S_saved, s_saved;
    double *lambda_saved;   /* the corral before a major step, to fall back on */
    gsl_matrix *E;          /* d x cap, for the affine minimiser's least squares */
    gsl_vector *tau, *beta, *rhs, *resid;
    const Wolfe_watch *watch; /* NULL, or shown every step */
} Wolfe;

static void wolfe_watch(const Wolfe *wf, char kind, const double *weights)
{
    if (wf->watch != NULL)
        wf->watch->seen(wf->watch->ctx, kind, wf->S, weights, wf->s_now);
}
/* <<free the workspace>> */
static void wolfe_free(Wolfe *wf)
{
    gsl_matrix_free(wf->P);
    free(wf->t);
    gsl_vector_free(wf->z);
    gsl_vector_free(wf->x);
    gsl_vector_free(wf->u);
    free(wf->S);
    free(wf->S_saved);
    free(wf->lambda);
    free(wf->lambda_saved);
    free(wf->alpha);
    gsl_matrix_free(wf->E);
    gsl_vector_free(wf->tau);
    gsl_vector_free(wf->beta);
    gsl_vector_free(wf->rhs);
    gsl_vector_free(wf->resid);
}
/* <<allocate the arrays of the workspace>> */
static int wolfe_arrays(Wolfe *wf, size_t n, size_t d, Error *err)
{
    memset(wf, 0, sizeof *wf);
    wf->cap = (n < d + 1 ? n : d + 1) + 1;
    wf->P = gsl_matrix_alloc(n, d);
    wf->t = alloc_array(d, sizeof *wf->t, err);
    wf->z = gsl_vector_alloc(d);
    wf->x = gsl_vector_alloc(d);
    wf->u = gsl_vector_alloc(n);
    wf->E = gsl_matrix_alloc(d, wf->cap);
    wf->tau = gsl_vector_alloc(wf->cap);
    wf->beta = gsl_vector_alloc(wf->cap);
    wf->rhs = gsl_vector_alloc(d);
    wf->resid = gsl_vector_alloc(d);
    wf->S = alloc_array(wf->cap, sizeof *wf->S, err);
    wf->S_saved = alloc_array(wf->cap, sizeof *wf->S_saved, err);
    wf->lambda = alloc_array(wf->cap, sizeof *wf->lambda, err);
    wf->lambda_saved = alloc_array(wf->cap, sizeof *wf->lambda_saved, err);
    wf->alpha = alloc_array(wf->cap, sizeof *wf->alpha, err);
    if (!wf->P || !wf->t || !wf->z || !wf->x || !wf->u || !wf->E || !wf->tau
        || !wf->beta || !wf->rhs || !wf->resid || !wf->S || !wf->S_saved
        || !wf->lambda || !wf->lambda_saved || !wf->alpha) {
        wolfe_free(wf);
        return fail(err, "out of memory for %zu points in %zu dimensions", n, d);
    }
    return 0;
}
/* <<allocate the workspace and scale the problem>> */
/* <<find the power of two that scales the problem>> */
static int problem_scale(const gsl_matrix *phi, const double *tau)
{
    double big = 0.0;
    for (size_t k = 0; k < phi->size1 * phi->size2; k++)
        big = fmax(big, fabs(phi->data[k]));
    for (size_t k = 0; k < phi->size2; k++)
        big = fmax(big, fabs(tau[k]));
    int e;
    frexp(big, &e);
    return big > 0.0 ? e : 0;                       /* s = 2^e */
}

static int wolfe_alloc(Wolfe *wf, const gsl_matrix *phi, const double *tau,
                       Error *err)
{
    const size_t n = phi->size1, d = phi->size2;
    if (wolfe_arrays(wf, n, d, err) != 0)
        return -1;
    /* <<divide the points and the target by the scale, and estimate the diameter>> */
    wf->e = problem_scale(phi, tau);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < d; k++)
            gsl_matrix_set(wf->P, i, k, ldexp(gsl_matrix_get(phi, i, k), -wf->e));
    for (size_t k = 0; k < d; k++)
        wf->t[k] = ldexp(tau[k], -wf->e);
    for (size_t i = 0; i < n; i++) {
        double r2 = 0.0;
        for (size_t k = 0; k < d; k++)
            r2 += pow(gsl_matrix_get(wf->P, i, k) - gsl_matrix_get(wf->P, 0, k), 2);
        wf->diam2 = fmax(wf->diam2, r2);
    }
    return 0;
}
/* <<solve for the affine minimiser of the corral>> */
/* <<form the corral's point from its weights>> */
static void corral_point(Wolfe *wf, const double *weights)
{
    gsl_vector_set_zero(wf->z);
    for (size_t a = 0; a < wf->s_now; a++) {
        gsl_vector_const_view p = gsl_matrix_const_row(wf->P, wf->S[a]);
        gsl_blas_daxpy(weights[a], &p.vector, wf->z);
    }
    for (size_t k = 0; k < wf->x->size; k++)
        gsl_vector_set(wf->x, k, gsl_vector_get(wf->z, k) - wf->t[k]);
}
/* <<factorise the differences of the corral's points>> */
static int corral_qr(Wolfe *wf, size_t m)
{
    const size_t d = wf->P->size2;
    gsl_matrix_view E = gsl_matrix_submatrix(wf->E, 0, 0, d, m);
    gsl_vector_view tau = gsl_vector_subvector(wf->tau, 0, m);
    double biggest = 0.0;
    /* <<build the differences of the corral's points>> */
    for (size_t k = 0; k < m; k++) {
        double norm2 = 0.0;
        for (size_t i = 0; i < d; i++) {
            double e = gsl_matrix_get(wf->P, wf->S[k + 1], i)
                     - gsl_matrix_get(wf->P, wf->S[0], i);
            gsl_matrix_set(&E.matrix, i, k, e);
            norm2 += e * e;
        }
        biggest = fmax(biggest, sqrt(norm2));
    }
    if (gsl_linalg_QR_decomp(&E.matrix, &tau.vector) != GSL_SUCCESS)
        return -1;
    for (size_t k = 0; k < m; k++)
        if (fabs(gsl_matrix_get(&E.matrix, k, k)) <= 1e-13 * biggest)
            return -1;                              /* dependent in floating point */
    return 0;
}
/* <<find the affine weights of the corral's minimiser>> */
static int affine_minimiser(Wolfe *wf)
{
    const size_t d = wf->P->size2, m = wf->s_now - 1;
    if (m == 0) {
        wf->alpha[0] = 1.0;
        return 0;
    }
    if (corral_qr(wf, m) != 0)
        return -1;
    gsl_matrix_view E = gsl_matrix_submatrix(wf->E, 0, 0, d, m);
    gsl_vector_view tau = gsl_vector_subvector(wf->tau, 0, m);
    gsl_vector_view beta = gsl_vector_subvector(wf->beta, 0, m);
    for (size_t i = 0; i < d; i++)
        gsl_vector_set(wf->rhs, i, wf->t[i] - gsl_matrix_get(wf->P, wf->S[0], i));
    if (gsl_linalg_QR_lssolve(&E.matrix, &tau.vector, wf->rhs, &beta.vector,
                              wf->resid) != GSL_SUCCESS)
        return -1;
    /* <<turn the least-squares solution into affine weights>> */
    double sum = 0.0;
    for (size_t k = 0; k < m; k++) {
        wf->alpha[k + 1] = gsl_vector_get(&beta.vector, k);
        sum += wf->alpha[k + 1];
    }
    wf->alpha[0] = 1.0 - sum;
    return 0;
}
/* <<take minor steps until the corral's minimiser has positive weights>> */
static int minor_steps(Wolfe *wf)
{
    for (;;) {
        if (affine_minimiser(wf) != 0)
            return -1;
        wolfe_watch(wf, 'a', wf->alpha);
        /* <<find the largest step that keeps every weight non-negative>> */
        double theta = INFINITY;
        size_t limit = wf->s_now;
        for (size_t a = 0; a < wf->s_now; a++)
            if (wf->alpha[a] <= 0.0) {
                double t = wf->lambda[a] > 0.0
                         ? wf->lambda[a] / (wf->lambda[a] - wf->alpha[a]) : 0.0;
                if (t < theta) {
                    theta = t;
                    limit = a;
                }
            }
        if (limit == wf->s_now) {                   /* all alpha > 0: a corral */
            memcpy(wf->lambda, wf->alpha, wf->s_now * sizeof *wf->lambda);
            return 0;
        }
        if (theta <= 0.0 && limit == wf->s_now - 1)
            return -1;                              /* the new point left at once */
        /* <<move towards the affine minimiser and drop the points that reach zero>> */
        size_t kept = 0;
        for (size_t a = 0; a < wf->s_now; a++) {
            double l = wf->lambda[a] + theta * (wf->alpha[a] - wf->lambda[a]);
            if (a != limit && l > 0.0) {
                wf->S[kept] = wf->S[a];
                wf->lambda[kept++] = l;
            }
        }
        wf->s_now = kept;
        double total = 0.0;                                 /* renormalise against drift */
        for (size_t a = 0; a < kept; a++)
            total += wf->lambda[a];
        for (size_t a = 0; a < kept; a++)
            wf->lambda[a] /= total;
        wolfe_watch(wf, 'm', wf->lambda);
    }
}
/* <<run Wolfe's algorithm from the nearest single point>> */
static size_t major_step_cap(size_t n, size_t d)
{
    size_t nd = n + d;
    if (nd < n || nd > SIZE_MAX / 100)
        return SIZE_MAX;
    return 100 * nd;
}

static void wolfe(Wolfe *wf, size_t *iterations)
{
    const size_t n = wf->P->size1;
    /* <<start the corral at the point nearest to the target>> */
    double best = INFINITY;
    for (size_t i = 0; i < n; i++) {
        double r2 = 0.0;
        for (size_t k = 0; k < wf->P->size2; k++)
            r2 += pow(gsl_matrix_get(wf->P, i, k) - wf->t[k], 2);
        if (r2 < best) {
            best = r2;
            wf->S[0] = i;
        }
    }
    wf->lambda[0] = 1.0;
    wf->s_now = 1;
    const size_t max_steps = major_step_cap(n, wf->P->size2);
    for (*iterations = 0; *iterations < max_steps; ++*iterations) {
        /* <<stop if no point lies beyond the plane through [[z]]>> */
        corral_point(wf, wf->lambda);
        wolfe_watch(wf, 'c', wf->lambda);
        gsl_blas_dgemv(CblasNoTrans, 1.0, wf->P, wf->x, 0.0, wf->u);
        double xz;
        gsl_blas_ddot(wf->x, wf->z, &xz);
        size_t j = gsl_vector_min_index(wf->u);
        if (xz - gsl_vector_get(wf->u, j) <= 1e-26 * wf->diam2 || wf->s_now == wf->cap - 1)
            break;
        bool in_corral = false;
        for (size_t a = 0; a < wf->s_now; a++)
            in_corral |= wf->S[a] == j;
        if (in_corral)
            break;
        /* <<add the point to the corral and take minor steps, or restore the corral>> */
        memcpy(wf->S_saved, wf->S, wf->s_now * sizeof *wf->S);
        memcpy(wf->lambda_saved, wf->lambda, wf->s_now * sizeof *wf->lambda);
        wf->s_saved = wf->s_now;
        wf->S[wf->s_now] = j;
        wf->lambda[wf->s_now++] = 0.0;
        if (minor_steps(wf) != 0) {                 /* stalled: restore the corral */
            memcpy(wf->S, wf->S_saved, wf->s_saved * sizeof *wf->S);
            memcpy(wf->lambda, wf->lambda_saved, wf->s_saved * sizeof *wf->lambda);
            wf->s_now = wf->s_saved;
            break;
        }
    }
    corral_point(wf, wf->lambda);
}
/* <<turn the nearest point into a certificate>> */
static int hull_certificate_watched(const gsl_matrix *phi, const double *tau,
                                    Certificate *cert, const Wolfe_watch *watch,
                                    Error *err)
{
    const size_t n = phi->size1, d = phi->size2;
    Wolfe wf;
    if (wolfe_alloc(&wf, phi, tau, err) != 0)
        return -1;
    wf.watch = watch;
    wolfe(&wf, &cert->iterations);
    /* <<copy the weights, the nearest point and the distance into the certificate>> */
    memset(cert->lambda, 0, n * sizeof *cert->lambda);
    for (size_t a = 0; a < wf.s_now; a++)
        cert->lambda[wf.S[a]] = wf.lambda[a];
    double dist = gsl_blas_dnrm2(wf.x);             /* in scaled units */
    for (size_t k = 0; k < d; k++)
        cert->nearest[k] = ldexp(gsl_vector_get(wf.z, k), wf.e);
    cert->distance = ldexp(dist, wf.e);
    const bool close = dist <= 1e-12 * sqrt(wf.diam2) + 16 * DBL_EPSILON;
    cert->inside = cert->boundary = false;
    cert->c = cert->margin = 0.0;
    memset(cert->w, 0, d * sizeof *cert->w);
    if (dist > 0.0)
        /* <<fill in the hyperplane of an outside target>> */
        {
            gsl_vector_scale(wf.x, -1.0);                   /* tau - z */
            size_t m = wf.s_now - 1;
            /* <<project the corral's directions out of the normal>> */
            if (m > 0 && corral_qr(&wf, m) == 0) {
                gsl_matrix_view E = gsl_matrix_submatrix(wf.E, 0, 0, d, m);
                gsl_vector_view tau_qr = gsl_vector_subvector(wf.tau, 0, m);
                gsl_linalg_QR_QTvec(&E.matrix, &tau_qr.vector, wf.x);
                for (size_t k = 0; k < m; k++)
                    gsl_vector_set(wf.x, k, 0.0);
                gsl_linalg_QR_Qvec(&E.matrix, &tau_qr.vector, wf.x);
            }
            double len = gsl_blas_dnrm2(wf.x), c = -INFINITY, wt = 0.0;
            for (size_t k = 0; k < d; k++) {
                cert->w[k] = gsl_vector_get(wf.x, k) / len;
                wt += cert->w[k] * wf.t[k];
            }
            for (size_t i = 0; i < n; i++) {
                double wp = 0.0;
                for (size_t k = 0; k < d; k++)
                    wp += cert->w[k] * gsl_matrix_get(wf.P, i, k);
                c = fmax(c, wp);
            }
            cert->c = ldexp(c, wf.e);
            cert->margin = ldexp(wt - c, wf.e);
            cert->boundary = !(wt - c > 0.0) || !isfinite(len);
        }
    /* <<call a close target inside unless its hyperplane proves the distance>> */
    double own = 0.0;                           /* the size of the target and of z */
    for (size_t k = 0; k < d; k++)
        own = fmax(own, fmax(fabs(wf.t[k]), fabs(gsl_vector_get(wf.z, k))));
    if (close && (!(dist > 16 * DBL_EPSILON * own) || cert->boundary
                  || !(fabs(ldexp(cert->margin, -wf.e) - dist) <= 1e-6 * dist))) {
        cert->inside = true;
        cert->boundary = false;
        cert->c = cert->margin = 0.0;
        memset(cert->w, 0, d * sizeof *cert->w);
    }
    const int e = wf.e;
    wolfe_free(&wf);
    /* <<refuse a certificate that the reader's units cannot hold>> */
    bool finite = isfinite(cert->distance) && isfinite(cert->c)
                  && isfinite(cert->margin);
    for (size_t k = 0; k < d; k++)
        finite = finite && isfinite(cert->nearest[k]);
    if (!finite)
        return fail(err, "the distance to the hull, %.6g x 2^%d, is beyond the "
                    "largest double; divide the data by a power of two",
                    dist, e);
    return 0;
}

static int hull_certificate(const gsl_matrix *phi, const double *tau,
                            Certificate *cert, Error *err)
{
    return hull_certificate_watched(phi, tau, cert, NULL, err);
}
/* <<check a certificate without trusting the solver>> */
static int check_certificate(const gsl_matrix *phi, const double *tau,
                             const Certificate *cert, Error *err)
{
    const size_t n = phi->size1, d = phi->size2;
    const int e = problem_scale(phi, tau);                 /* s = 2^e */
    /* <<measure the diameter and set the tolerance of the check>> */
    double diam2 = 0.0, sum = 0.0, r2 = 0.0;
    for (size_t i = 0; i < n; i++) {
        double q = 0.0;
        for (size_t k = 0; k < d; k++)
            q += pow(ldexp(gsl_matrix_get(phi, i, k), -e)
                     - ldexp(gsl_matrix_get(phi, 0, k), -e), 2);
        diam2 = fmax(diam2, q);
    }
    const double tol = 1e-9 * sqrt(diam2) + 64 * DBL_EPSILON;    /* scaled units */
    /* <<check the weights and the nearest point>> */
    for (size_t i = 0; i < n; i++) {
        if (!(cert->lambda[i] >= 0.0))
            return fail(err, "weight %zu is negative", i + 1);
        sum += cert->lambda[i];
    }
    if (fabs(sum - 1.0) > 1e-12)
        return fail(err, "the weights sum to %.17g, not 1", sum);
    for (size_t k = 0; k < d; k++) {
        double z = 0.0;
        for (size_t i = 0; i < n; i++)
            z += cert->lambda[i] * ldexp(gsl_matrix_get(phi, i, k), -e);
        if (fabs(z - ldexp(cert->nearest[k], -e)) > tol)
            return fail(err, "the stated nearest point differs from the weights' "
                        "combination in coordinate %zu", k + 1);
        r2 += (ldexp(tau[k], -e) - z) * (ldexp(tau[k], -e) - z);
    }
    if (cert->inside)
        return sqrt(r2) <= tol ? 0
             : fail(err, "the weights miss the target by %.3g", ldexp(sqrt(r2), e));
    if (fabs(sqrt(r2) - ldexp(cert->distance, -e)) > tol)
        return fail(err, "the stated distance %.17g is not |target - nearest|",
                    cert->distance);
    if (cert->boundary)
        return 0;
    /* <<check the hyperplane of an outside verdict>> */
    double ww = 0.0, wt = 0.0, worst = -INFINITY;
    for (size_t k = 0; k < d; k++) {
        ww += cert->w[k] * cert->w[k];
        wt += cert->w[k] * ldexp(tau[k], -e);
    }
    for (size_t i = 0; i < n; i++) {
        double wp = 0.0;
        for (size_t k = 0; k < d; k++)
            wp += cert->w[k] * ldexp(gsl_matrix_get(phi, i, k), -e);
        worst = fmax(worst, wp);
    }
    /* <<test the normal, the separation, the margin and the distance>> */
    if (fabs(ww - 1.0) > 1e-12)
        return fail(err, "the normal has length %.17g, not 1", sqrt(ww));
    if (worst > ldexp(cert->c, -e) + tol)
        return fail(err, "a point lies beyond the hyperplane by %.3g",
                    ldexp(worst - ldexp(cert->c, -e), e));
    if (!(wt - worst > 0.0))
        return fail(err, "the target is not beyond the points (margin %.3g)",
                    ldexp(wt - worst, e));
    if (fabs(ldexp(cert->margin, -e) - (wt - ldexp(cert->c, -e))) > tol)
        return fail(err, "the stated margin %.17g is not w.tau - c", cert->margin);
    if (sqrt(r2) - (wt - worst) > tol)
        return fail(err, "distance %.17g and margin %.17g disagree",
                    ldexp(sqrt(r2), e), ldexp(wt - worst, e));
    return 0;
}
/* <<chord progressions as feature vectors>> */
enum { NMOVES = 8 };
static const char *const MOVE_NAMES[NMOVES] = {
    "V-I", "ii-V", "I-IV", "IV-I", "V-IV", "circle", "subV", "other"};

typedef struct {
    int root;               /* pitch class above the tonic, 0..11 */
    bool upper;             /* upper-case numeral: a major or dominant chord */
    char suffix[8];         /* "", "7", "maj7", "o7", ... */
} Roman_chord;

/* <<parse a Roman-numeral chord>> */
static int parse_chord(const char *tok, Roman_chord *ch)
{
    static const char *const numerals[7] = {"VII", "III", "IV", "VI", "II", "V",
                                            "I"};
    static const int pitch[7] = {11, 4, 5, 9, 2, 7, 0};
    int shift = 0;
    if (*tok == 'b' || *tok == '#')
        shift = *tok++ == 'b' ? -1 : 1;
    for (int k = 0; k < 7; k++) {
        size_t len = strlen(numerals[k]);
        if (strncasecmp(tok, numerals[k], len) != 0)
            continue;
        bool upper = isupper((unsigned char)tok[0]) != 0;
        for (size_t q = 1; q < len; q++)
            if ((isupper((unsigned char)tok[q]) != 0) != upper)
                return -1;                          /* mixed case, as in "Iv" */
        const char *suffix = tok + len;
        static const char *const known[] = {"", "6", "7", "9", "13", "maj7",
                                            "o", "o7", "dim", "dim7"};
        bool ok = false;
        for (size_t q = 0; q < sizeof known / sizeof known[0]; q++)
            ok |= strcmp(suffix, known[q]) == 0;
        if (!ok)
            return -1;
        ch->root = ((pitch[k] + shift) % 12 + 12) % 12;
        ch->upper = upper;
        strcpy(ch->suffix, suffix);
        return 0;
    }
    return -1;
}
/* <<classify the move from one chord to the next>> */
static int classify_move(const Roman_chord *a, const Roman_chord *b)
{
    int step = ((b->root - a->root) % 12 + 12) % 12;
    bool dominant = a->upper && strcmp(a->suffix, "7") == 0;
    if (step == 11 && dominant)
        return 6;                                   /* subV */
    if (a->root == 7 && b->root == 0)
        return 0;                                   /* V-I */
    if (a->root == 2 && b->root == 7)
        return 1;                                   /* ii-V */
    if (a->root == 0 && b->root == 5)
        return 2;                                   /* I-IV */
    if (a->root == 5 && b->root == 0)
        return 3;                                   /* IV-I */
    if (a->root == 7 && b->root == 5)
        return 4;                                   /* V-IV */
    return step == 5 ? 5 : 7;                       /* circle, or other */
}
/* <<read a file of progressions into feature vectors>> */
enum { NAME_BYTES = 40 };
typedef struct {
    size_t n, cap;
    char (*names)[NAME_BYTES];
    double (*f)[NMOVES];
} Progressions;
/* <<read a file of progressions into feature vectors>> */
static void progressions_free(Progressions *pr)
{
    free(pr->names);
    free(pr->f);
    *pr = (Progressions){0, 0, NULL, NULL};
}

/* <<make room for one more progression>> */
static int grow_progressions(Progressions *pr, Error *err)
{
    if (pr->n < pr->cap)
        return 0;
    size_t cap = pr->cap ? 2 * pr->cap : 16;
    if (cap > SIZE_MAX / sizeof *pr->f)
        return fail(err, "too many progressions");
    char (*names)[NAME_BYTES] = realloc(pr->names, cap * sizeof *names);
    if (names != NULL)
        pr->names = names;
    double (*f)[NMOVES] = names ? realloc(pr->f, cap * sizeof *f) : NULL;
    if (f == NULL)
        return fail(err, "out of memory reading progressions");
    pr->f = f;
    pr->cap = cap;
    return 0;
}
/* <<copy a name whole characters at a time>> */
static size_t utf8_length(const unsigned char *s, size_t avail)
{
    size_t len = s[0] < 0x80 ? 1
               : s[0] >= 0xC2 && s[0] <= 0xDF ? 2
               : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
               : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    if (len == 0 || len > avail || (len == 1 && (s[0] < 0x20 || s[0] == 0x7F)
                                    && s[0] != '\t'))
        return 0;                                   /* invalid, or a control */
    for (size_t k = 1; k < len; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xF0 && s[1] < 0x90)
        || (s[0] == 0xED && s[1] > 0x9F) || (s[0] == 0xF4 && s[1] > 0x8F))
        return 0;                       /* too long a form, a surrogate, > U+10FFFF */
    return len;
}

static int copy_name(char name[NAME_BYTES], const char *src, size_t n)
{
    size_t out = 0;
    bool full = false;
    for (size_t k = 0; k < n; ) {
        size_t len = utf8_length((const unsigned char *)src + k, n - k);
        if (len == 0)
            return -1;
        full = full || out + len >= NAME_BYTES;
        if (!full) {
            memcpy(name + out, src + k, len);
            out += len;
        }
        k += len;
    }
    name[out] = '\0';
    return 0;
}
/* <<turn one line of chords into a feature vector>> */
static int progression_features(char *line, const char *path, size_t lineno,
                                 Progressions *pr, Error *err)
{
    char *colon = strchr(line, ':'), *chords = colon ? colon + 1 : line;
    size_t i = pr->n, lead = strspn(line, " \t");
    if (copy_name(pr->names[i], line + lead,
                  colon ? (size_t)(colon - line) - lead : 0) != 0)
        return fail(err, "%s:%zu: the name is not valid UTF-8 text", path, lineno);
    double *f = pr->f[i];
    memset(f, 0, NMOVES * sizeof *f);
    Roman_chord prev, cur;
    int count = 0, changes = 0;
    for (char *tok = strtok(chords, " \t"); tok; tok = strtok(NULL, " \t")) {
        if (parse_chord(tok, &cur) != 0)
            return fail(err, "%s:%zu: '%s' is not a chord (write Roman numerals "
                        "such as ii7, V7, bII7, Imaj7)", path, lineno, tok);
        if (count > 0 && (cur.root != prev.root || cur.upper != prev.upper
                          || strcmp(cur.suffix, prev.suffix) != 0)) {
            f[classify_move(&prev, &cur)] += 1.0;
            changes++;
        }
        prev = cur;
        count++;
    }
    if (changes == 0)
        return fail(err, "%s:%zu: the progression has no chord changes",
                    path, lineno);
    for (int k = 0; k < NMOVES; k++)
        f[k] /= changes;
    if (pr->names[i][0] == '\0')
        snprintf(pr->names[i], sizeof pr->names[i], "line %zu", lineno);
    pr->n++;
    return 0;
}

static int read_progressions_stream(FILE *fp, const char *path, Progressions *pr,
                                    Error *err)
{
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    int status = 0;
    while (status == 0 && (len = getline(&line, &cap, fp)) != -1) {
        lineno++;
        if (strlen(line) != (size_t)len) {
            status = fail(err, "%s:%zu: contains a NUL byte (is it a text file?)",
                          path, lineno);
            break;
        }
        /* <<cut the line ending and a byte-order mark>> */
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        if (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        char *text = line;
        if (lineno == 1 && strncmp(text, "\xEF\xBB\xBF", 3) == 0)
            text += 3;
        char first = text[strspn(text, " \t")];
        if (first == '\0' || (first == '#' && text[strspn(text, " \t") + 1] == ' '))
            continue;                               /* blank, or "# a comment" */
        status = grow_progressions(pr, err);
        if (status == 0)
            status = progression_features(text, path, lineno, pr, err);
    }
    if (status == 0 && ferror(fp))
        status = fail(err, "error reading '%s': %s", path, strerror(errno));
    free(line);
    if (status == 0 && pr->n == 0)
        status = fail(err, "'%s' contains no progressions", path);
    return status;
}
/* <<read a file of progressions into feature vectors>> */
static int read_progressions(const char *path, Progressions *pr, Error *err)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return fail(err, "cannot open '%s': %s", path, strerror(errno));
    int status = read_progressions_stream(fp, path, pr, err);
    fclose(fp);
    return status;
}
/* <<test each training progression against the hull of the others>> */
typedef struct {
    const double *row;
    size_t d, index;
} Sorted_row;
/* <<test each training progression against the hull of the others>> */
static int by_row(const void *a, const void *b)
{
    const Sorted_row *p = a, *q = b;
    for (size_t k = 0; k < p->d; k++)
        if (p->row[k] != q->row[k])
            return p->row[k] < q->row[k] ? -1 : 1;
    return (p->index > q->index) - (p->index < q->index);
}
/* <<test each training progression against the hull of the others>> */
static bool hull_same_row(const Sorted_row *p, const Sorted_row *q)
{
    for (size_t k = 0; k < p->d; k++)
        if (p->row[k] != q->row[k])
            return false;
    return true;
}

/* <<mark the rows that have a duplicate>> */
static int mark_duplicates(const gsl_matrix *pts, bool *dup, size_t *V,
                           size_t *nv, Error *err)
{
    const size_t n = pts->size1, d = pts->size2;
    Sorted_row *r = alloc_array(n, sizeof *r, err);
    if (r == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        r[i] = (Sorted_row){gsl_matrix_const_ptr(pts, i, 0), d, i};
    qsort(r, n, sizeof *r, by_row);
    for (size_t a = 0; a < n; a++)
        dup[r[a].index] = (a > 0 && hull_same_row(&r[a - 1], &r[a]))
                          || (a + 1 < n && hull_same_row(&r[a], &r[a + 1]));
    *nv = 0;
    for (size_t a = 0; a < n && *nv == 0; a++)
        if (!dup[r[a].index])
            V[(*nv)++] = r[a].index;
    for (size_t a = n; a-- > 0 && *nv == 1; )
        if (!dup[r[a].index] && r[a].index != V[0])
            V[(*nv)++] = r[a].index;
    free(r);
    return 0;
}
/* <<decide one point against the hull of all the others>> */
static int against_subset(const gsl_matrix *pts, size_t i, const size_t *use,
                          size_t m, Certificate **cert, Error *err)
{
    gsl_matrix *sub = alloc_matrix(m, pts->size2, err);
    *cert = sub ? certificate_alloc(m, pts->size2, err) : NULL;
    int status = *cert ? 0 : -1;
    for (size_t a = 0; status == 0 && a < m; a++)
        memcpy(gsl_matrix_ptr(sub, a, 0), gsl_matrix_const_ptr(pts, use[a], 0),
               pts->size2 * sizeof(double));
    const double *x = gsl_matrix_const_ptr(pts, i, 0);
    if (status == 0)
        status = hull_certificate(sub, x, *cert, err);
    if (status == 0)
        status = check_certificate(sub, x, *cert, err);
    gsl_matrix_free(sub);
    return status;
}
/* <<decide one point against the hull of all the others>> */
static int against_all_others(const gsl_matrix *pts, size_t i, bool *out,
                              size_t *work, Error *err)
{
    const size_t n = pts->size1;
    size_t *use = alloc_array(n - 1, sizeof *use, err);
    Certificate *cert = NULL;
    int status = use ? 0 : -1;
    for (size_t r = 0, k = 0; status == 0 && r < n; r++)
        if (r != i)
            use[k++] = r;
    if (status == 0)
        status = against_subset(pts, i, use, n - 1, &cert, err);
    *out = status == 0 && !cert->inside && !cert->boundary;
    *work += n - 1;
    certificate_free(cert);
    free(use);
    return status;
}
/* <<decide one point against the vertices found so far>> */
static int against_vertices(const gsl_matrix *pts, size_t i, size_t *V,
                            size_t *nv, bool *out, size_t *work, Error *err)
{
    const size_t n = pts->size1, d = pts->size2;
    size_t *use = alloc_array(*nv, sizeof *use, err);
    if (use == NULL)
        return -1;
    for (;;) {
        size_t m = 0;
        for (size_t a = 0; a < *nv; a++)
            if (V[a] != i)
                use[m++] = V[a];
        Certificate *cert = NULL;
        int status = m == 0 ? 1 : against_subset(pts, i, use, m, &cert, err);
        if (status != 0 || cert->boundary) {        /* failed, or undecided */
            certificate_free(cert);
            free(use);
            return status < 0 ? -1 : against_all_others(pts, i, out, work, err);
        }
        *work += m;
        /* <<stop if the vertices hold the point, or find the next vertex>> */
        if (cert->inside) {
            certificate_free(cert);
            free(use);
            *out = false;
            return 0;
        }
        const double *x = gsl_matrix_const_ptr(pts, i, 0);
        double wx = 0.0, best = -INFINITY;
        size_t j = n;
        for (size_t k = 0; k < d; k++)
            wx += cert->w[k] * x[k];
        for (size_t r = 0; r < n; r++) {
            double wr = 0.0;
            for (size_t k = 0; k < d; k++)
                wr += cert->w[k] * gsl_matrix_get(pts, r, k);
            if (r != i && wr > best) {
                best = wr;
                j = r;
            }
        }
        *work += n;
        certificate_free(cert);
        bool known = false;
        for (size_t a = 0; a < *nv; a++)
            known = known || V[a] == j;
        if (best < wx || known) {                           /* likely a vertex */
            free(use);
            return against_all_others(pts, i, out, work, err);
        }
        V[(*nv)++] = j;
        size_t *more = realloc(use, *nv * sizeof *use);
        if (more == NULL) {
            free(use);
            return fail(err, "out of memory testing the training progressions");
        }
        use = more;
    }
}

static int leave_one_out(const gsl_matrix *pts, int *outside, size_t *work,
                         Error *err)
{
    const size_t n = pts->size1;
    *outside = 0;
    *work = 0;
    if (n < 2)
        return 0;
    bool *dup = alloc_array(n, sizeof *dup, err);
    size_t *V = alloc_array(n, sizeof *V, err), nv = 0;
    int status = dup && V ? mark_duplicates(pts, dup, V, &nv, err) : -1;
    for (size_t i = 0; status == 0 && i < n; i++)
        if (!dup[i]) {
            bool out = false;
            status = against_vertices(pts, i, V, &nv, &out, work, err);
            *outside += out;
        }
    free(dup);
    free(V);
    return status;
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
/* <<judge a file of progressions by its format>> */
static bool is_chord(const char *w, size_t n)
{
    static const char *const acc[3] = {"", "b", "#"};
    static const char *const num[14] = {"I", "II", "III", "IV", "V", "VI", "VII",
                                        "i", "ii", "iii", "iv", "v", "vi", "vii"};
    static const char *const suf[10] = {"", "6", "7", "9", "13", "maj7", "o", "o7",
                                        "dim", "dim7"};
    char spelled[16];
    for (int a = 0; a < 3; a++)
        for (int k = 0; k < 14; k++)
            for (int q = 0; q < 10; q++) {
                snprintf(spelled, sizeof spelled, "%s%s%s", acc[a], num[k], suf[q]);
                if (strlen(spelled) == n && memcmp(spelled, w, n) == 0)
                    return true;
            }
    return false;
}

/* <<decide whether bytes are text in UTF-8, the long way>> */
static bool is_utf8_text(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; ) {
        unsigned long cp = s[i];
        int more = 0;
        if (cp >= 0x80) {
            more = (cp & 0xE0) == 0xC0 ? 1 : (cp & 0xF0) == 0xE0 ? 2
                 : (cp & 0xF8) == 0xF0 ? 3 : -1;
            if (more < 0 || i + (size_t)more >= n)
                return false;
            cp &= 0x3Fu >> more;
            for (int k = 1; k <= more; k++) {
                if ((s[i + k] & 0xC0) != 0x80)
                    return false;
                cp = cp << 6 | (s[i + k] & 0x3F);
            }
            static const unsigned long least[4] = {0, 0x80, 0x800, 0x10000};
            if (cp < least[more] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
                return false;
        } else if ((cp < 0x20 && cp != '\t') || cp == 0x7F)
            return false;
        i += 1 + (size_t)more;
    }
    return true;
}
/* <<judge one line of progressions>> */
static int judge_line(const char *s, size_t n, size_t lineno,
                      const Progressions *pr, size_t index)
{
    size_t lead = 0;
    while (lead < n && (s[lead] == ' ' || s[lead] == '\t'))
        lead++;
    if (lead == n || (s[lead] == '#' && lead + 1 < n && s[lead + 1] == ' '))
        return 0;
    if (index >= pr->n)
        return -1;
    const char *colon = memchr(s, ':', n);
    size_t from = colon ? (size_t)(colon - s) + 1 : 0, words = 0;
    for (size_t i = from; i < n; ) {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        size_t j = i;
        while (j < n && s[j] != ' ' && s[j] != '\t')
            j++;
        if (j > i && !is_chord(s + i, j - i))
            return -1;
        words += j > i;
        i = j;
    }
    /* <<judge the name and the features of one progression>> */
    size_t name_len = colon ? (size_t)(colon - s) - lead : 0;
    const char *name = pr->names[index];
    size_t stored = strlen(name);
    char fallback[32];
    snprintf(fallback, sizeof fallback, "line %zu", lineno);
    if (!is_utf8_text((const unsigned char *)s + lead, name_len))
        return -1;
    if (name_len == 0 ? strcmp(name, fallback) != 0
        : stored > 39 || stored > name_len || memcmp(name, s + lead, stored) != 0
          || !is_utf8_text((const unsigned char *)name, stored)
          || (name_len <= 39 && stored != name_len))
        return -1;
    if (name_len > 0 && stored < name_len) {        /* cut: the next character */
        unsigned char b = (unsigned char)s[lead + stored];   /* did not fit */
        size_t next = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
        if (stored + next <= 39)
            return -1;
    }
    double sum = 0.0;
    for (int k = 0; k < NMOVES; k++) {
        if (!(pr->f[index][k] >= 0.0))
            return -1;
        sum += pr->f[index][k];
    }
    if (fabs(sum - 1.0) > 1e-12)
        return -1;
    return words >= 2 ? 1 : -1;
}

static bool progressions_are_valid(const uint8_t *data, size_t size,
                                   const Progressions *pr)
{
    if (memchr(data, '\0', size) != NULL)
        return false;
    size_t count = 0, lineno = 0;
    for (size_t i = 0; i < size; ) {
        size_t j = i;
        while (j < size && data[j] != '\n')
            j++;
        size_t end = j > i && data[j - 1] == '\r' ? j - 1 : j;
        lineno++;
        size_t start = i;
        if (lineno == 1 && end - i >= 3 && memcmp(data + i, "\xEF\xBB\xBF", 3) == 0)
            start += 3;
        int counted = judge_line((const char *)data + start, end - start, lineno,
                                 pr, count);
        if (counted < 0)
            return false;
        count += (size_t)counted;
        i = j + 1;
    }
    return count == pr->n && count > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *fp = fuzz_stream(data, size);
    if (fp == NULL)
        return 0;
    Progressions pr = {0, 0, NULL, NULL};
    Error err = {""};
    (void)MOVE_NAMES;                       /* for the report, unused here */
    int status = read_progressions_stream(fp, "fuzz", &pr, &err);
    fclose(fp);
    if (status == 0 && !progressions_are_valid(data, size, &pr))
        abort();
    if (status != 0 && (err.msg[0] == '\0' || strchr(err.msg, '\n') != NULL))
        abort();                                    /* one line, always */
    progressions_free(&pr);
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

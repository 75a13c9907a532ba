/* test-hull.c -- CUnit tests of section 23.7 (convex hull certificates).
 * Tangled from chapters/23-7-hull.nw and chapters/p7-hull.nw.  Expected values come from the
 * geometry of each case (hand derivations, constructions that are inside or
 * outside by design, qhull's facets), never from the program's output. */
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
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
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
/* <<Example 23.3>> */
/* <<compute Example 23.3>> */
static const double EX_POINTS[6][3] = {
    {1.0, 0.0, 0.0}, {0.9, 0.1, 0.0}, {0.8, 0.0, 0.0},     /* blues */
    {0.0, 1.0, 0.0}, {0.1, 0.9, 0.0}, {0.0, 0.8, 0.0}};    /* ragtime */
static const double EX_JAZZ[3] = {0.5, 0.5, 0.4}, EX_FUSION[3] = {0.45, 0.45, 0.0};

typedef struct {
    gsl_matrix *phi;
    Certificate *jazz, *fusion;
} Worked_example;

static int example_compute(Worked_example *ex, Error *err)
{
    ex->phi = alloc_matrix(6, 3, err);
    ex->jazz = certificate_alloc(6, 3, err);
    ex->fusion = certificate_alloc(6, 3, err);
    if (!ex->phi || !ex->jazz || !ex->fusion)
        return -1;
    memcpy(ex->phi->data, EX_POINTS, sizeof EX_POINTS);
    if (hull_certificate(ex->phi, EX_JAZZ, ex->jazz, err) != 0
        || hull_certificate(ex->phi, EX_FUSION, ex->fusion, err) != 0
        || check_certificate(ex->phi, EX_JAZZ, ex->jazz, err) != 0
        || check_certificate(ex->phi, EX_FUSION, ex->fusion, err) != 0)
        return -1;
    return 0;
}
/* <<free Example 23.3>> */
static void example_free(Worked_example *ex)
{
    gsl_matrix_free(ex->phi);
    certificate_free(ex->jazz);
    certificate_free(ex->fusion);
}
/* <<worked example 23.7A>> */
static const double CORRAL_POINTS[3][2] = {{0.6, 1.6}, {-2.0, 1.0}, {2.0, 1.0}};
static const double CORRAL_TARGET[2] = {0.0, 0.0};
enum { CORRAL_EVENTS = 12 };

typedef struct {
    size_t count;
    bool overflow;
    char kind[CORRAL_EVENTS];               /* 'c', 'a' or 'm', as the solver says */
    size_t m[CORRAL_EVENTS], S[CORRAL_EVENTS][3];
    double weights[CORRAL_EVENTS][3];
} Corral_steps;

typedef struct {
    gsl_matrix *phi;
    Certificate *cert;
    Corral_steps steps;
} Corral_example;

/* <<record one step of Wolfe's algorithm>> */
static void corral_seen(void *ctx, char kind, const size_t *S, const double *weights,
                        size_t m)
{
    Corral_steps *st = ctx;
    if (st->count == CORRAL_EVENTS || m > 3) {
        st->overflow = true;
        return;
    }
    st->kind[st->count] = kind;
    st->m[st->count] = m;
    memcpy(st->S[st->count], S, m * sizeof *S);
    memcpy(st->weights[st->count], weights, m * sizeof *weights);
    st->count++;
}

static void corral_event_point(const Corral_steps *st, size_t k, double z[2])
{
    z[0] = z[1] = 0.0;
    for (size_t a = 0; a < st->m[k]; a++)
        for (int q = 0; q < 2; q++)
            z[q] += st->weights[k][a] * CORRAL_POINTS[st->S[k][a]][q];
}

static size_t corral_event(const Corral_steps *st, char kind, int nth)
{
    for (size_t k = 0; k < st->count; k++)
        if (st->kind[k] == kind && nth-- == 0)
            return k;
    return st->count;                       /* no such event */
}
/* <<compute worked example 23.7A>> */
static int corral_compute(Corral_example *ex, Error *err)
{
    ex->phi = alloc_matrix(3, 2, err);
    ex->cert = ex->phi ? certificate_alloc(3, 2, err) : NULL;
    if (ex->cert == NULL)
        return -1;
    memcpy(ex->phi->data, CORRAL_POINTS, sizeof CORRAL_POINTS);
    const Wolfe_watch watch = {corral_seen, &ex->steps};
    if (hull_certificate_watched(ex->phi, CORRAL_TARGET, ex->cert, &watch, err) != 0
        || check_certificate(ex->phi, CORRAL_TARGET, ex->cert, err) != 0)
        return -1;
    if (ex->steps.overflow || corral_event(&ex->steps, 'm', 0) == ex->steps.count)
        return fail(err, "worked example 23.7A did not take the steps it should");
    return 0;
}

static void corral_free(Corral_example *ex)
{
    gsl_matrix_free(ex->phi);
    certificate_free(ex->cert);
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
/* <<run qconvex and read its facets>> */
static int qconvex_facets(const gsl_matrix *phi, double facets[][4], int max)
{
    char in[1024], cmd[2200];
    snprintf(in, sizeof in, "%s/qhull-in.txt", getenv("TESTDIR"));
    FILE *fp = fopen(in, "w");
    if (fp == NULL)
        return -1;
    fprintf(fp, "%zu\n%zu\n", phi->size2, phi->size1);
    for (size_t i = 0; i < phi->size1; i++)
        for (size_t k = 0; k < phi->size2; k++)
            fprintf(fp, "%.17g%c", gsl_matrix_get(phi, i, k),
                    k + 1 < phi->size2 ? ' ' : '\n');
    fclose(fp);
    snprintf(cmd, sizeof cmd, "qconvex n < '%s'", in);
    FILE *out = popen(cmd, "r");
    int dim1 = 0, nf = 0;
    if (out == NULL || fscanf(out, "%d %d", &dim1, &nf) != 2
        || dim1 != (int)phi->size2 + 1 || nf > max)
        nf = -1;
    for (int f = 0; f < nf; f++)
        for (int k = 0; k < dim1; k++)
            if (fscanf(out, "%lf", &facets[f][k]) != 1)
                nf = -1;
    if (out != NULL)
        pclose(out);
    return nf;
}
/* <<tests of the hull>> */
static void random_unit(gsl_rng *rng, size_t d, double *u)
{
    double norm = 0.0;
    for (size_t k = 0; k < d; k++) {
        u[k] = gsl_ran_gaussian(rng, 1.0);
        norm += u[k] * u[k];
    }
    for (size_t k = 0; k < d; k++)
        u[k] /= sqrt(norm);
}
/* <<tests of the hull>> */
static void test_random_point_sets(void)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    CU_ASSERT_FATAL(rng != NULL);
    gsl_rng_set(rng, 2027);
    const size_t sizes[4] = {3, 10, 50, 200};
    for (size_t d = 2; d <= 10; d++)
        for (int s = 0; s < 4; s++)
            for (int trial = 0; trial < 3; trial++)
                /* <<test one random point set>> */
                {
                    const size_t n = sizes[s];
                    gsl_matrix *phi = gsl_matrix_alloc(n, d);
                    double *lam = malloc(n * sizeof *lam), *alpha = malloc(n * sizeof *alpha);
                    double tau[10], u[10];
                    Certificate *cert = certificate_alloc(n, d, &(Error){""});
                    CU_ASSERT_FATAL(phi && lam && alpha && cert);
                    Error err = {""};
                    for (size_t k = 0; k < n * d; k++)
                        phi->data[k] = gsl_ran_gaussian(rng, 1.0);
                    /* <<a random convex combination is inside>> */
                    for (size_t i = 0; i < n; i++)
                        alpha[i] = 1.0;
                    gsl_ran_dirichlet(rng, n, alpha, lam);
                    for (size_t k = 0; k < d; k++) {
                        tau[k] = 0.0;
                        for (size_t i = 0; i < n; i++)
                            tau[k] += lam[i] * gsl_matrix_get(phi, i, k);
                    }
                    CU_ASSERT(hull_certificate(phi, tau, cert, &err) == 0);
                    CU_ASSERT(cert->inside);
                    CU_ASSERT(check_certificate(phi, tau, cert, &err) == 0);
                    /* <<a point beyond a supporting hyperplane is outside>> */
                    random_unit(rng, d, u);
                    size_t m = 0;
                    double h = -INFINITY;
                    for (size_t i = 0; i < n; i++) {
                        double ui = 0.0;
                        for (size_t k = 0; k < d; k++)
                            ui += u[k] * gsl_matrix_get(phi, i, k);
                        if (ui > h) {
                            h = ui;
                            m = i;
                        }
                    }
                    for (size_t k = 0; k < d; k++)
                        tau[k] = gsl_matrix_get(phi, m, k) + 0.1 * u[k];
                    CU_ASSERT(hull_certificate(phi, tau, cert, &err) == 0);
                    CU_ASSERT(!cert->inside);
                    CU_ASSERT(check_certificate(phi, tau, cert, &err) == 0);
                    CU_ASSERT(cert->margin >= 0.1 - 1e-9);
                    /* <<any target gets a certificate that verifies>> */
                    for (size_t k = 0; k < d; k++)
                        tau[k] = 1.5 * gsl_ran_gaussian(rng, 1.0);
                    CU_ASSERT(hull_certificate(phi, tau, cert, &err) == 0);
                    if (check_certificate(phi, tau, cert, &err) != 0) {
                        CU_FAIL("certificate of a random target did not verify");
                        fprintf(stderr, "\n  n=%zu d=%zu: %s\n", n, d, err.msg);
                    }
                    certificate_free(cert);
                    free(lam);
                    free(alpha);
                    gsl_matrix_free(phi);
                }
    gsl_rng_free(rng);
}
/* <<tests of the hull>> */
static void test_chord_features(void)
{
    char blues[] = "basic: I7 I7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 V7";
    char sub[] = "ii7 bII7 Imaj7";
    const double want_blues[NMOVES] = {0, 0, 1.0 / 6, 2.0 / 6, 1.0 / 6, 0, 0,
                                       2.0 / 6};
    const double want_sub[NMOVES] = {0, 0, 0, 0, 0, 0, 0.5, 0.5};
    Progressions pr = {0, 0, NULL, NULL};
    Error err = {""};
    CU_ASSERT_FATAL(grow_progressions(&pr, &err) == 0);
    CU_ASSERT_FATAL(progression_features(blues, "t", 1, &pr, &err) == 0);
    CU_ASSERT_FATAL(progression_features(sub, "t", 2, &pr, &err) == 0);
    CU_ASSERT_STRING_EQUAL(pr.names[0], "basic");
    for (int k = 0; k < NMOVES; k++) {
        CU_ASSERT_DOUBLE_EQUAL(pr.f[0][k], want_blues[k], 1e-15);
        CU_ASSERT_DOUBLE_EQUAL(pr.f[1][k], want_sub[k], 1e-15);
    }
    progressions_free(&pr);
}
/* <<tests of the hull>> */
static void test_progression_names(void)
{
    char line[128], want[64];
    const char *tails[3] = {"\xC3\xA9", "\xE2\x82\xAC", "\xE2\x82\xAC"};
    const int letters[3] = {38, 37, 36};
    for (int k = 0; k < 3; k++) {
        Progressions pr = {0, 0, NULL, NULL};
        Error err = {""};
        memset(want, 'a', (size_t)letters[k]);
        want[letters[k]] = '\0';
        snprintf(line, sizeof line, "%s%s: I V7 I", want, tails[k]);
        if (k == 2)
            strcat(want, tails[k]);
        CU_ASSERT_FATAL(grow_progressions(&pr, &err) == 0);
        CU_ASSERT(progression_features(line, "t", 1, &pr, &err) == 0);
        CU_ASSERT_STRING_EQUAL(pr.names[0], want);
        progressions_free(&pr);
    }
    const char *bad[3] = {"a\x82" "b: I V7 I", "ab\xE2\x82: I V7 I", "a\x01: I V7 I"};
    for (int k = 0; k < 3; k++) {
        Progressions pr = {0, 0, NULL, NULL};
        Error err = {""};
        snprintf(line, sizeof line, "%s", bad[k]);
        CU_ASSERT_FATAL(grow_progressions(&pr, &err) == 0);
        CU_ASSERT(progression_features(line, "t", 1, &pr, &err) == -1);
        CU_ASSERT(strstr(err.msg, "not valid UTF-8") != NULL);
        progressions_free(&pr);
    }
}
/* <<tests of the hull>> */
static void test_chord_parsing(void)
{
    Progressions pr = {0, 0, NULL, NULL};
    Error err = {""};
    Roman_chord ch;
    CU_ASSERT(parse_chord("bII7", &ch) == 0 && ch.root == 1 && ch.upper);
    CU_ASSERT(parse_chord("#iv", &ch) == 0 && ch.root == 6 && !ch.upper);
    CU_ASSERT(parse_chord("vii", &ch) == 0 && ch.root == 11);
    CU_ASSERT(parse_chord("Iv7", &ch) == -1 && parse_chord("H7", &ch) == -1);
    CU_ASSERT(parse_chord("Vjam7", &ch) == -1 && parse_chord("#IVo7", &ch) == 0);
    progressions_free(&pr);
    char path[1024];                    /* a file: a bad chord names its line */
    write_test_file("chords.txt", "# two lines\nok: I #IVo7 V7 I\nbad: I Xyz I\n");
    snprintf(path, sizeof path, "%s/chords.txt", getenv("TESTDIR"));
    CU_ASSERT(read_progressions(path, &pr, &err) == -1);
    CU_ASSERT(strstr(err.msg, "chords.txt:3: 'Xyz' is not a chord") != NULL);
    progressions_free(&pr);
}
/* <<tests of the hull>> */
static int plain_leave_one_out(const gsl_matrix *pts)
{
    const size_t n = pts->size1, d = pts->size2;
    gsl_matrix *rest = gsl_matrix_alloc(n - 1, d);
    Certificate *cert = certificate_alloc(n - 1, d, &(Error){""});
    int outside = 0;
    for (size_t i = 0; rest && cert && i < n; i++) {
        for (size_t r = 0, k = 0; r < n; r++)
            if (r != i)
                for (size_t q = 0; q < d; q++)
                    gsl_matrix_set(rest, k++ / d, q, gsl_matrix_get(pts, r, q));
        Error err = {""};
        const double *x = gsl_matrix_const_ptr(pts, i, 0);
        if (hull_certificate(rest, x, cert, &err) != 0
            || check_certificate(rest, x, cert, &err) != 0)
            outside = -1000000;
        outside += !cert->inside && !cert->boundary;
    }
    certificate_free(cert);
    gsl_matrix_free(rest);
    return outside;
}
/* <<tests of the hull>> */
static gsl_matrix *simplex_with_inside(gsl_rng *rng, size_t m)
{
    gsl_matrix *pts = gsl_matrix_calloc(m + 5, 3);
    double alpha[4] = {1, 1, 1, 1}, lam[4];
    for (int v = 0; v < 3; v++) {
        gsl_matrix_set(pts, v + 1, v, 1.0);         /* rows 0..3: the vertices */
        if (v == 2)
            gsl_matrix_set(pts, m + 4, v, 1.0);     /* row m + 4: (0,0,1) again */
    }
    for (size_t i = 0; i < m; i++) {
        gsl_ran_dirichlet(rng, 4, alpha, lam);
        for (int v = 0; v < 3; v++)
            gsl_matrix_set(pts, 4 + i, v, lam[v + 1]);
    }
    return pts;
}
/* <<tests of the hull>> */
static void test_leave_one_out(void)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    CU_ASSERT_FATAL(rng != NULL);
    gsl_rng_set(rng, 11);
    size_t work[2];
    for (int k = 0; k < 2; k++) {
        gsl_matrix *pts = simplex_with_inside(rng, k == 0 ? 400 : 800);
        int outside = -1;
        Error err = {""};
        CU_ASSERT(leave_one_out(pts, &outside, &work[k], &err) == 0);
        CU_ASSERT(outside == 3);
        gsl_matrix_free(pts);
    }
    CU_ASSERT(work[1] < 2.5 * work[0]);
    for (size_t d = 2; d <= 5; d++) {
        gsl_matrix *pts = gsl_matrix_alloc(60, d);
        for (size_t k = 0; k < 60 * d; k++)
            pts->data[k] = gsl_ran_gaussian(rng, 1.0);
        int outside = -1;
        size_t w = 0;
        Error err = {""};
        CU_ASSERT(leave_one_out(pts, &outside, &w, &err) == 0);
        CU_ASSERT(outside == plain_leave_one_out(pts));
        gsl_matrix_free(pts);
    }
    gsl_rng_free(rng);
}
/* <<tests of the hull>> */
static void test_against_qhull(void)
{
    if (system("command -v qconvex >/dev/null 2>&1") != 0) {
        fprintf(stderr, "\n  skipped: qconvex is not installed "
                "(Debian package qhull-bin)\n");
        return;
    }
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    CU_ASSERT_FATAL(rng != NULL);
    gsl_rng_set(rng, 31);
    for (size_t d = 2; d <= 3; d++)
        for (int set = 0; set < 5; set++)
            /* <<compare verdicts with qconvex on one random point set>> */
            {
                enum { N = 30 };
                gsl_matrix *phi = gsl_matrix_alloc(N, d);
                Certificate *cert = certificate_alloc(N, d, &(Error){""});
                CU_ASSERT_FATAL(phi && cert);
                for (size_t k = 0; k < N * d; k++)
                    phi->data[k] = gsl_ran_gaussian(rng, 1.0);
                double facets[200][4];
                int nf = qconvex_facets(phi, facets, 200);
                CU_ASSERT_FATAL(nf > 0);
                for (int q = 0; q < 100; q++) {
                    double tau[3], worst = -INFINITY;
                    for (size_t k = 0; k < d; k++)
                        tau[k] = 1.2 * gsl_ran_gaussian(rng, 1.0);
                    for (int f = 0; f < nf; f++) {
                        double a = facets[f][d];
                        for (size_t k = 0; k < d; k++)
                            a += facets[f][k] * tau[k];
                        worst = fmax(worst, a);
                    }
                    if (fabs(worst) < 1e-9)
                        continue;  /* on a facet: too close to call */
                    Error err = {""};
                    CU_ASSERT(hull_certificate(phi, tau, cert, &err) == 0);
                    CU_ASSERT(cert->inside == (worst < 0.0));
                }
                certificate_free(cert);
                gsl_matrix_free(phi);
            }
    gsl_rng_free(rng);
}
/* <<tests of the hull>> */
static Certificate *solve_small(size_t n, size_t d, const double *pts,
                                const double *tau)
{
    gsl_matrix_const_view phi = gsl_matrix_const_view_array(pts, n, d);
    Error err = {""};
    Certificate *cert = certificate_alloc(n, d, &err);
    if (cert == NULL || hull_certificate(&phi.matrix, tau, cert, &err) != 0
        || check_certificate(&phi.matrix, tau, cert, &err) != 0) {
        fprintf(stderr, "\n  small case failed: %s\n", err.msg);
        certificate_free(cert);
        return NULL;
    }
    return cert;
}
/* <<tests of the hull>> */
static void test_degenerate_inputs(void)
{
    const double one[2] = {1, 2}, at_one[2] = {1, 2}, off_one[2] = {4, 6};
    Certificate *c = solve_small(1, 2, one, at_one);  /* single point */
    CU_ASSERT(c && c->inside);
    certificate_free(c);
    c = solve_small(1, 2, one, off_one);                             /* distance 5 */
    CU_ASSERT(c && !c->inside && fabs(c->distance - 5.0) < 1e-12);
    certificate_free(c);
    const double dup[8] = {0, 0, 0, 0, 1, 0, 1, 0};                /* duplicates */
    const double mid[2] = {0.5, 0}, up[2] = {0.5, 2};
    c = solve_small(4, 2, dup, mid);
    CU_ASSERT(c && c->inside);
    certificate_free(c);
    c = solve_small(4, 2, dup, up);
    CU_ASSERT(c && !c->inside && fabs(c->distance - 2.0) < 1e-12);
    certificate_free(c);
    /* <<points on a line, a vertex as target, and one dimension>> */
    const double line[9] = {0, 0, 0, 1, 1, 1, 3, 3, 3};  /* on a line in 3-D */
    const double on_line[3] = {2, 2, 2}, beyond[3] = {4, 4, 4}, aside[3] = {1, 1, 4};
    c = solve_small(3, 3, line, on_line);
    CU_ASSERT(c && c->inside);
    certificate_free(c);
    c = solve_small(3, 3, line, beyond);                                /* |(1,1,1)| */
    CU_ASSERT(c && !c->inside && fabs(c->distance - sqrt(3.0)) < 1e-12);
    certificate_free(c);
    c = solve_small(3, 3, line, aside);           /* nearest (2,2,2): |(-1,-1,2)| */
    CU_ASSERT(c && !c->inside && fabs(c->distance - sqrt(6.0)) < 1e-12);
    certificate_free(c);
    const double tri[6] = {0, 0, 2, 0, 0, 2}, vertex[2] = {2, 0};
    c = solve_small(3, 2, tri, vertex);                                 /* a vertex */
    CU_ASSERT(c && c->inside && fabs(c->lambda[1] - 1.0) < 1e-12);
    certificate_free(c);
    /* <<the verdict does not depend on units or origin>> */
    const double tri2[6] = {0, 0, 1, 0, 0, 1}, just_out[2] = {0.5, -1e-7};
    for (int k = 0; k < 3; k++) {
        const double scale[3] = {1e150, 1e-150, 1.0}, shift[3] = {0.0, 0.0, 1e6};
        double pts[6], tgt[2];
        for (int q = 0; q < 6; q++)
            pts[q] = tri2[q] * scale[k] + shift[k];
        for (int q = 0; q < 2; q++)
            tgt[q] = just_out[q] * scale[k] + shift[k];
        c = solve_small(3, 2, pts, tgt);
        CU_ASSERT(c && !c->inside && !c->boundary
                  && fabs(c->distance / (1e-7 * scale[k]) - 1.0)
                     < (k < 2 ? 1e-6 : 1e-2));
        certificate_free(c);
    }
    const double simplex[12] = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
    const double far[3] = {1e10, 1e10, 1e10};
    c = solve_small(4, 3, simplex, far);
    CU_ASSERT(c && !c->inside);
    for (int k = 0; c && k < 3; k++)
        CU_ASSERT_DOUBLE_EQUAL(c->nearest[k], 1.0 / 3.0, 1e-5);
    certificate_free(c);
    /* <<the verdict holds at the ends of the range of doubles>> */
    const double big2[2] = {0x1p1023, 0x1.8p1023}, zero[1] = {0.0};
    c = solve_small(2, 1, big2, zero);
    CU_ASSERT(c && !c->inside && !c->boundary && c->distance == 0x1p1023
              && c->w[0] == -1.0 && c->nearest[0] == 0x1p1023);
    certificate_free(c);
    const double zero_far[2] = {1e308, 0.0}, minus5[1] = {-5.0};
    c = solve_small(2, 1, zero_far, minus5);          /* 5 below the point 0 */
    CU_ASSERT(c && !c->inside && !c->boundary && c->distance == 5.0
              && c->margin == 5.0 && c->w[0] == -1.0);
    certificate_free(c);
    const double pm[2] = {1e308, -1e308}, top[1] = {1e308};
    c = solve_small(2, 1, pm, top);
    CU_ASSERT(c && c->inside && c->distance == 0.0);
    certificate_free(c);
    for (int k = 0; k < 2; k++) {
        const double side = k == 0 ? 1e308 : 1e-310;
        const double tri3[6] = {0, 0, side, 0, 0, side};
        const double below[2] = {0.5 * side, -0.1 * side};
        c = solve_small(3, 2, tri3, below);
        CU_ASSERT(c && !c->inside && !c->boundary
                  && fabs(c->distance / (0.1 * side) - 1.0) < (k == 0 ? 1e-12 : 1e-3));
        certificate_free(c);
    }
    /* <<near-duplicates on an edge, and one dimension>> */
    const double near[6] = {0, 0, 1e-9, 0, 1, 1}, edge[2] = {0.3, 0.3};
    c = solve_small(3, 2, near, edge);              /* on an edge, near-duplicates */
    CU_ASSERT(c && (c->inside || c->boundary) && c->distance < 1e-8);
    certificate_free(c);
    const double d1[3] = {-1.0, 2.0, 0.5}, in1[1] = {1.5}, out1[1] = {-3.0};
    c = solve_small(3, 1, d1, in1);                                     /* d = 1 */
    CU_ASSERT(c && c->inside);
    certificate_free(c);
    c = solve_small(3, 1, d1, out1);
    CU_ASSERT(c && !c->inside && fabs(c->distance - 2.0) < 1e-12);
    certificate_free(c);
}
/* <<tests of the hull>> */
static void test_major_step_cap(void)
{
    CU_ASSERT(major_step_cap(3, 2) == 500);
    CU_ASSERT(major_step_cap(21474837, 1) == (size_t)2147483800u);
    CU_ASSERT(major_step_cap(SIZE_MAX / 100 + 1, 0) == SIZE_MAX);
    CU_ASSERT(major_step_cap(SIZE_MAX - 1, 5) == SIZE_MAX);
}
/* <<tests of the hull>> */
static void expect_hull_rejection(const char *args, const char *needle)
{
    expect_rejection_of(args, needle, "out.txt");
}
/* <<tests of the hull>> */
static void test_hull_cli(void)
{
    write_test_file("pts.tsv", "# a triangle\n0 0\n2 0\n0 2\n");
    write_test_file("ragged.tsv", "0 0\n2\n0 2\n");
    write_test_file("nan.tsv", "0 0\nnan 0\n0 2\n");
    write_test_file("empty.tsv", "# nothing\n");
    write_test_file("t3.tsv", "1 1 1\n");
    expect_hull_rejection("--points pts.tsv", "exactly one");
    expect_hull_rejection("--points ragged.tsv -v 1,1 -o out.txt", "ragged");
    expect_hull_rejection("--points nan.tsv -v 1,1 -o out.txt", "not finite");
    expect_hull_rejection("--points empty.tsv -v 1,1 -o out.txt", "no data rows");
    expect_hull_rejection("--points pts.tsv -t t3.tsv -o out.txt", "coordinates");
    expect_hull_rejection("--points pts.tsv -v 1,x -o out.txt", "item 2");
    expect_hull_rejection("--points pts.tsv -v 1,,1 -o out.txt", "item 2");
    /* the same words as the file reader's, for a number a double cannot hold */
    expect_hull_rejection("--points pts.tsv -v 1e309,0 -o out.txt",
                          "value '1e309' is out of the range of a double");
    expect_hull_rejection("--points pts.tsv -v 0,nan -o out.txt", "value 'nan' is not finite");
    expect_hull_rejection("--points missing.tsv -v 1,1 -o out.txt", "cannot open");
    expect_hull_rejection("--bogus", "unknown option");
    expect_hull_rejection("--test-chords pts.tsv", "--train-chords");
    expect_hull_rejection("--macros out.txt --figure out.txt", "same file");
    write_test_file("tr.txt", "a: I IV V7 I\n");
    write_test_file("te.txt", "b & c_d: ii7 V7 Imaj7\n");
    expect_hull_rejection("--train-chords tr.txt --test-chords te.txt "
                          "--table tr.txt", "overwrite an input");
    Run full = run_program_to("--macros out.txt", "/dev/full");
    CU_ASSERT(full.status == 1 && leftover_files("out.txt") == 0);
    Run r = run_program("--points pts.tsv -v 3,3");
    CU_ASSERT(r.status == 0 && strstr(r.out, "verdict\toutside") != NULL);
    CU_ASSERT(strstr(r.out, "distance\t2.82842712475") != NULL);  /* |(3,3)-(1,1)| */
    r = run_program("--points pts.tsv -v 0.5,0.5");
    CU_ASSERT(r.status == 0 && strstr(r.out, "verdict\tinside") != NULL);
    CU_ASSERT(strstr(r.out, "check\tpassed") != NULL);
    r = run_program("--points pts.tsv -t pts.tsv -o out.txt");  /* the vertices */
    CU_ASSERT(r.status == 0 && test_file_exists("out.txt"));
    /* <<test the command line at the edges>> */
    CU_ASSERT(system("rm -f \"$TESTDIR/out.txt\"") == 0);  /* written just above */
    write_test_file("huge.tsv", "1e308\n1.7e308\n");
    expect_hull_rejection("--points huge.tsv -v -1e308 -o out.txt",
                          "beyond the largest double");
    CU_ASSERT(system("cd \"$TESTDIR\" && printf 'a: I IV\\000 V7 I\\n' > nul.txt")
              == 0);
    expect_hull_rejection("--train-chords nul.txt --test-chords te.txt --table out.txt",
                          "NUL byte");
    r = run_program("--train-chords tr.txt --test-chords te.txt --table tab.tex");
    char table[4096];
    char path[1024];
    snprintf(path, sizeof path, "%s/tab.tex", getenv("TESTDIR"));
    slurp(path, table, sizeof table);
    CU_ASSERT(r.status == 0 && strstr(table, "b \\& c\\_d & ") != NULL);
    static const char *const outs[6][2] = {
        {"--points pts.tsv -v 1,1 -o", ""}, {"--train-chords tr.txt --test-chords "
        "te.txt --table", ""}, {"--macros", ""}, {"--figure", ""}, {"--values", ""},
        {"--corral", ""}};
    static const char *const names[3][2] = {
        {"''", "file name is empty"}, {"outdir.d", "is a directory"},
        {"nodir/x", "does not exist"}};
    CU_ASSERT(system("cd \"$TESTDIR\" && mkdir -p outdir.d") == 0);
    for (int k = 0; k < 6; k++)
        for (int b = 0; b < 3; b++) {
            char args[256];
            snprintf(args, sizeof args, "%s %s", outs[k][0], names[b][0]);
            expect_hull_rejection(args, names[b][1]);
            CU_ASSERT(leftover_files(".tmp") == 0);
        }
    expect_hull_rejection("--macros m.tex --values v.tsv --figure ''", "empty");
    CU_ASSERT(!test_file_exists("m.tex") && !test_file_exists("v.tsv"));
}
/* <<tests of the hull>> */
static void test_example_23_3(void)
{
    Worked_example ex = {NULL, NULL, NULL};
    Error err = {""};
    CU_ASSERT_FATAL(example_compute(&ex, &err) == 0);
    const double nearest[3] = {0.5, 0.5, 0.0}, w[3] = {0.0, 0.0, 1.0};
    /* <<jazz has the hand-derived certificate>> */
    CU_ASSERT(!ex.jazz->inside);
    CU_ASSERT_DOUBLE_EQUAL(ex.jazz->distance, 0.4, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(ex.jazz->margin, 0.4, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(ex.jazz->c, 0.0, 1e-12);
    for (int k = 0; k < 3; k++) {
        CU_ASSERT_DOUBLE_EQUAL(ex.jazz->nearest[k], nearest[k], 1e-12);
        CU_ASSERT_DOUBLE_EQUAL(ex.jazz->w[k], w[k], 1e-12);
    }
    /* <<fusion is a valid mixture>> */
    CU_ASSERT(ex.fusion->inside);
    double z[3] = {0.0, 0.0, 0.0}, sum = 0.0;
    for (int i = 0; i < 6; i++) {
        CU_ASSERT(ex.fusion->lambda[i] >= 0.0);
        sum += ex.fusion->lambda[i];
        for (int k = 0; k < 3; k++)
            z[k] += ex.fusion->lambda[i] * EX_POINTS[i][k];
    }
    CU_ASSERT_DOUBLE_EQUAL(sum, 1.0, 1e-12);
    for (int k = 0; k < 3; k++)
        CU_ASSERT_DOUBLE_EQUAL(z[k], EX_FUSION[k], 1e-9);
    example_free(&ex);
}
/* <<tests of the hull>> */
static void test_worked_example_23_7A(void)
{
    Corral_example cx = {0};
    Error err = {""};
    CU_ASSERT_FATAL(corral_compute(&cx, &err) == 0);
    const Corral_steps *st = &cx.steps;
    CU_ASSERT(st->count == 7);
    CU_ASSERT(memcmp(st->kind, "cacamac", 7) == 0);
    const double *A = CORRAL_POINTS[0], *B = CORRAL_POINTS[1];
    double ab[2] = {B[0] - A[0], B[1] - A[1]}, z1[2], q[2], got[2];
    double t = -(A[0] * ab[0] + A[1] * ab[1]) / (ab[0] * ab[0] + ab[1] * ab[1]);
    for (int k = 0; k < 2; k++)
        z1[k] = A[k] + t * ab[k];
    q[0] = z1[0] / z1[1];                   /* where z1 -> 0 meets y = 1 */
    q[1] = 1.0;
    /* <<worked example 23.7A has the hand-derived steps and answer>> */
    corral_event_point(st, 2, got);
    CU_ASSERT_DOUBLE_EQUAL(got[0], z1[0], 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(got[1], z1[1], 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(st->weights[3][0], -5.0 / 3.0, 1e-12);
    corral_event_point(st, 4, got);
    CU_ASSERT_DOUBLE_EQUAL(got[0], q[0], 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(got[1], q[1], 1e-12);
    CU_ASSERT(!cx.cert->inside && cx.cert->iterations == 2);
    CU_ASSERT_DOUBLE_EQUAL(cx.cert->distance, 1.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(cx.cert->nearest[0], 0.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(cx.cert->nearest[1], 1.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(cx.cert->lambda[1], 0.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(cx.cert->lambda[2], 0.5, 1e-12);
    corral_free(&cx);
}
/* <<run every suite of the hull>> */
int main(void)
{
    static const char *const suites[] = {"23.7 convex hull"};
    static const Test_entry tests[] = {
        {0, "Example 23.3 against the hand derivation", test_example_23_3},
        {0, "worked example 23.7A against the hand derivation",
         test_worked_example_23_7A},
        {0, "random sets, d = 2..10: verdicts and certificates",
         test_random_point_sets},
        {0, "degenerate inputs", test_degenerate_inputs},
        {0, "membership agrees with qconvex in 2-D and 3-D", test_against_qhull},
        {0, "chord features against a hand count", test_chord_features},
        {0, "the chord syntax and the reader's line numbers", test_chord_parsing},
        {0, "the cap on major steps saturates", test_major_step_cap},
        {0, "leave-one-out: known answers, the plain method, linear work",
         test_leave_one_out},
        {0, "progression names cut between UTF-8 characters",
         test_progression_names},
        {0, "command line: bad input and two answers", test_hull_cli}};
    return run_test_table(suites, 1, tests, sizeof tests / sizeof tests[0]);
}

/* hull.c -- is a point inside the convex hull of a point set?  A certificate
 * either way: convex weights, or a separating hyperplane with the nearest point.
 *
 * Tangled from chapters/23-7-hull.nw, chapters/p7-hull.nw and
 * chapters/support.nw of the book "Can AI Understand Music?"; edit those
 * files, not this one, then `make tangle`.
 * Build alone:
 *   cc -std=c11 -O2 hull.c $(pkg-config --cflags --libs gsl) -o hull
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
/* <<the command line of hull>> */
typedef struct {
    const char *points, *target, *target_vector, *output;
    const char *train[8], *test, *table, *macros, *figure, *values, *corral;
    int ntrain;
} Hull_options;

/* <<print the usage of hull>> */
static void hull_usage(FILE *fp)
{
    fputs(
"Usage: hull [OPTION]...\n"
"Decide whether target points lie in the convex hull of a point set, with a\n"
"certificate either way.  With no options, print Example 23.3 and worked\n"
"example 23.7A of the book.\n"
"\n"
"  -p, --points FILE        the point set: one point per row, numbers separated\n"
"                           by spaces, tabs or commas; '#' starts a comment\n"
"  -t, --target FILE        target points, one per row, same format\n"
"  -v, --target-vector LIST\n"
"                           one target, e.g. \"0.5,0.5,0.4\"\n"
"  -o, --output FILE        write the certificates here (default: standard output)\n"
"\n"
"Chord progressions (one per line, \"name: ii7 V7 Imaj7\"):\n"
"      --train-chords FILE  progressions whose features form the hull (repeatable)\n"
"      --test-chords FILE   progressions to test against that hull\n"
"      --table FILE         write the results as a LaTeX table\n"
"\n"
"For the book's build:\n"
"      --macros FILE        write the numbers of the run as LaTeX macros\n"
"      --figure FILE        write the data of the Example 23.3 figure\n"
"      --corral FILE        write the steps of worked example 23.7A (Wolfe's\n"
"                           algorithm in the plane) for its figure\n"
"      --values FILE        write 'key<TAB>value' lines for `make verify`\n"
"  -h, --help               show this help and exit\n"
"\n"
"Output: one block per target, lines of tab-separated fields:\n"
"  target N | verdict inside|outside|boundary | distance D |\n"
"  nearest z_1 ... z_d |"
" weights l_1 ... l_n | (outside only) normal w_1 ... w_d |\n"
"  offset c | margin m | check passed\n"
"Outside, w.x_i <= c for every point and w.target = c + m: the hyperplane\n"
"w.z = c separates.  Inside, sum_i l_i x_i reproduces the target: the target\n"
"counts as inside when its distance to the hull is at most 1e-12 times the\n"
"diameter of the points (estimated as the largest distance from the first\n"
"point) plus a few units in the last place of the largest coordinate, unless\n"
"a hyperplane proves it outside (its margin equal to the distance within one\n"
"part in a million, and the distance above the rounding of the target's own\n"
"coordinates).  A boundary target is farther than the tolerance, but the\n"
"margin of its hyperplane does not come out positive: it cannot be certified\n"
"either way in double precision.\n"
"Exit status: 0 on success, 1 on bad input, 3 if a certificate failed its\n"
"independent check (a bug: please report it).\n", fp);
}
/* <<parse the options of hull>> */
static int hull_parse_options(int argc, char *argv[], Hull_options *opt, Error *err)
{
    static const struct option longopts[] = {
        {"points", required_argument, NULL, 'p'},
        {"target", required_argument, NULL, 't'},
        {"target-vector", required_argument, NULL, 'v'},
        {"output", required_argument, NULL, 'o'},
        {"train-chords", required_argument, NULL, 'T'},
        {"test-chords", required_argument, NULL, 'X'},
        {"table", required_argument, NULL, 'b'},
        {"macros", required_argument, NULL, 'm'},
        {"figure", required_argument, NULL, 'f'},
        {"values", required_argument, NULL, 'V'},
        {"corral", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    memset(opt, 0, sizeof *opt);
    opt->output = "-";
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":p:t:v:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': opt->points = optarg; break;
        case 't': opt->target = optarg; break;
        case 'v': opt->target_vector = optarg; break;
        case 'o': opt->output = optarg; break;
        case 'X': opt->test = optarg; break;
        case 'b': opt->table = optarg; break;
        case 'm': opt->macros = optarg; break;
        case 'f': opt->figure = optarg; break;
        case 'V': opt->values = optarg; break;
        case 'C': opt->corral = optarg; break;
        case 'h': return -2;
        case 'T':
            if (opt->ntrain == 8)
                return fail(err, "at most 8 --train-chords files");
            opt->train[opt->ntrain++] = optarg;
            break;
        default: return bad_option(c, argv, optind, optopt, err);
        }
    }
    /* <<check the combination of hull's options>> */
    if (optind < argc)
        return fail(err, "unexpected argument '%s' (see --help)", argv[optind]);
    bool chords = opt->ntrain > 0 || opt->test || opt->table;
    if (opt->points && chords)
        return fail(err, "--points and the chord options are separate modes");
    if (opt->points && !opt->target == !opt->target_vector)
        return fail(err, "--points needs exactly one of --target and --target-vector");
    if (!opt->points && (opt->target || opt->target_vector || strcmp(opt->output, "-")))
        return fail(err, "--target, --target-vector and --output need --points FILE");
    if (chords && (opt->ntrain == 0 || !opt->test))
        return fail(err, "the chord mode needs --train-chords FILE and "
                    "--test-chords FILE");
    if ((opt->points || chords) && (opt->figure || opt->values || opt->corral))
        return fail(err, "--figure, --values and --corral belong to the worked "
                    "examples");
    if (opt->points && opt->macros)
        return fail(err, "--macros belongs to the worked example or the chord mode");
    const char *outs[6] = {opt->output, opt->table, opt->macros, opt->figure,
                           opt->values, opt->corral};
    const char *ins[11] = {opt->points, opt->target, opt->test};
    for (int k = 0; k < opt->ntrain; k++)
        ins[3 + k] = opt->train[k];
    if (distinct_outputs(ins, 3 + opt->ntrain, outs, 6, err) != 0)
        return -1;
    const char *const flags[6] = {"--output", "--table", "--macros", "--figure",
                                  "--values", "--corral"};
    if (check_output_names(flags, outs, 6, err) != 0)
        return -1;
    return 0;
}
/* <<run hull on the reader's points>> */
/* <<parse a comma-separated target vector>> */
static gsl_matrix *parse_target_vector(const char *list, Error *err)
{
    size_t d = 1;
    for (const char *c = list; *c; c++)
        d += *c == ',';
    gsl_matrix *t = alloc_matrix(1, d, err);
    const char *p = list;
    for (size_t k = 0; t != NULL && k < d; k++) {
        char *end;
        errno = 0;
        double x = strtod(p, &end);
        int kind = number_kind(x, errno);
        if (end == p || (*end != ',' && *end != '\0') || kind != NUMBER_OK) {
            if (end == p || (*end != ',' && *end != '\0'))
                fail(err, "--target-vector: item %zu of '%s' is not a number",
                     k + 1, list);
            else
                fail(err, "--target-vector: item %zu of '%s': value '%.*s' %s", k + 1,
                     list, (int)(end - p), p, number_problem[kind]);
            gsl_matrix_free(t);
            return NULL;
        }
        gsl_matrix_set(t, 0, k, x);
        p = end + (*end == ',');
    }
    return t;
}
/* <<print one certificate>> */
static void print_vector(FILE *fp, const char *key, const double *v, size_t n)
{
    fputs(key, fp);
    for (size_t k = 0; k < n; k++)
        fprintf(fp, "\t%.12g", v[k] + 0.0);         /* + 0.0 turns -0 into 0 */
    fputc('\n', fp);
}
/* <<print one certificate>> */
static const char *hull_verdict(const Certificate *c)
{
    return c->inside ? "inside" : c->boundary ? "boundary" : "outside";
}
/* <<print one certificate>> */
static void print_certificate(FILE *fp, size_t q, const Certificate *c,
                              const char *why)
{
    fprintf(fp, "target\t%zu\nverdict\t%s\ndistance\t%.12g\n", q, hull_verdict(c),
            c->distance);
    print_vector(fp, "nearest", c->nearest, c->d);
    print_vector(fp, "weights", c->lambda, c->n);
    if (!c->inside && !c->boundary) {
        print_vector(fp, "normal", c->w, c->d);
        fprintf(fp, "offset\t%.12g\nmargin\t%.12g\n", c->c + 0.0, c->margin);
    }
    fprintf(fp, "check\t%s\n\n", why[0] ? why : "passed");
}

static int run_on_points(const Hull_options *opt, Error *err)
{
    gsl_matrix *phi = read_matrix(opt->points, err), *targets = NULL;
    Certificate **certs = NULL;
    int status = -1, failed = 0;
    if (phi == NULL)
        goto done;
    targets = opt->target ? read_matrix(opt->target, err)
                          : parse_target_vector(opt->target_vector, err);
    if (targets == NULL)
        goto done;
    if (targets->size2 != phi->size2) {
        fail(err, "the target has %zu coordinates, the points have %zu",
             targets->size2, phi->size2);
        goto done;
    }
    /* <<compute and check one certificate per target>> */
    const size_t nt = targets->size1;
    if ((certs = calloc(nt, sizeof *certs)) == NULL) {
        fail(err, "out of memory for %zu certificates", nt);
        goto done;
    }
    char (*why)[512] = calloc(nt, sizeof *why);
    for (size_t q = 0; why != NULL && q < nt; q++) {
        const double *tau = gsl_matrix_const_ptr(targets, q, 0);
        Error check = {""};
        if ((certs[q] = certificate_alloc(phi->size1, phi->size2, err)) == NULL
            || hull_certificate(phi, tau, certs[q], err) != 0) {
            free(why);
            goto done;
        }
        if (check_certificate(phi, tau, certs[q], &check) != 0) {
            snprintf(why[q], sizeof why[q], "%s", check.msg);
            failed++;
        }
    }
    if (why == NULL) {
        fail(err, "out of memory for %zu certificates", nt);
        goto done;
    }
    /* <<write the certificates>> */
    Outfile out = outfile_none();
    if (outfile_open(&out, opt->output, err) != 0) {
        free(why);
        goto done;
    }
    fputs("# hull certificates (see hull --help for the format)\n", out.fp);
    for (size_t q = 0; q < nt; q++)
        print_certificate(out.fp, q + 1, certs[q], why[q]);
    free(why);
    if (outfiles_commit(&out, 1, err) != 0)
        goto done;
    if (failed > 0)
        fprintf(stderr, "hull: %d certificate(s) failed the independent check\n",
                failed);
    status = failed > 0 ? 3 : 0;
done:
    for (size_t q = 0; certs && q < targets->size1; q++)
        certificate_free(certs[q]);
    free(certs);
    gsl_matrix_free(phi);
    gsl_matrix_free(targets);
    return status;
}
/* <<run hull on chord progressions>> */
/* <<write the bebop table>> */
static void top_two(const double *w, int *a, int *b)
{
    *a = 0;
    for (int k = 1; k < NMOVES; k++)
        *a = fabs(w[k]) > fabs(w[*a]) ? k : *a;
    *b = *a == 0 ? 1 : 0;
    for (int k = 0; k < NMOVES; k++)
        *b = k != *a && fabs(w[k]) > fabs(w[*b]) ? k : *b;
}

static void print_chord_results(FILE *fp, const Progressions *train,
                                 const Progressions *test, Certificate **certs)
{
    fprintf(fp, "%zu training progressions, %zu test progressions\n",
            train->n, test->n);
    for (size_t q = 0; q < test->n; q++) {
        int a, b;
        top_two(certs[q]->w, &a, &b);
        fprintf(fp, "%-20s %-8s distance %.4f margin %.4f", test->names[q],
                hull_verdict(certs[q]), certs[q]->distance, certs[q]->margin);
        if (!certs[q]->inside && !certs[q]->boundary)
            fprintf(fp, "  w: %s %+.2f, %s %+.2f", MOVE_NAMES[a], certs[q]->w[a],
                    MOVE_NAMES[b], certs[q]->w[b]);
        fputc('\n', fp);
    }
}

/* <<write the chord results as a table and macros>> */
static void tex_escaped(FILE *fp, const char *s)    /* text safe for LaTeX */
{
    for (; *s; s++) {
        if (strchr("&%$#_{}", *s))
            fprintf(fp, "\\%c", *s);
        else if (*s == '~' || *s == '^' || *s == '\\')
            fputs(*s == '~'   ? "\\textasciitilde{}"
                  : *s == '^' ? "\\textasciicircum{}" : "\\textbackslash{}", fp);
        else
            fputc(*s, fp);
    }
}
/* <<write the chord results as a table and macros>> */
static void write_bebop_table(FILE *fp, const Progressions *test,
                              Certificate **certs)
{
    fputs("% Generated by `hull --table`; do not edit.\n"
          "\\begin{tabular}{@{}llrrl@{}}\n\\toprule\n"
          "progression & verdict & distance & margin "
          "& largest components of $w$\\\\\n"
          "\\midrule\n", fp);
    for (size_t q = 0; q < test->n; q++) {
        int a, b;
        top_two(certs[q]->w, &a, &b);
        tex_escaped(fp, test->names[q]);
        fprintf(fp, " & %s & %.4f & %.4f & ", hull_verdict(certs[q]), certs[q]->distance,
                certs[q]->margin);
        if (!certs[q]->inside && !certs[q]->boundary)
            fprintf(fp, "%s $%+.2f$, %s $%+.2f$", MOVE_NAMES[a], certs[q]->w[a],
                    MOVE_NAMES[b], certs[q]->w[b]);
        fputs("\\\\\n", fp);
    }
    fputs("\\bottomrule\n\\end{tabular}\n", fp);
}
/* <<write the chord results as a table and macros>> */
static void write_chord_macros(FILE *fp, const Progressions *train,
                               const Progressions *test, Certificate **certs,
                               int loo_outside)
{
    int outside = 0, sub = 0, sub_outside = 0, sub_top = 0;
    double train_sub = 0.0;
    for (size_t i = 0; i < train->n; i++)
        train_sub = fmax(train_sub, train->f[i][6]);
    for (size_t q = 0; q < test->n; q++) {
        int a, b;
        top_two(certs[q]->w, &a, &b);
        bool out = !certs[q]->inside && !certs[q]->boundary;
        outside += out;
        sub += test->f[q][6] > 0.0;
        sub_outside += test->f[q][6] > 0.0 && out;
        sub_top += test->f[q][6] > 0.0 && out && a == 6;
    }
    fputs("% Generated by `hull --macros` (chord mode); do not edit.\n", fp);
    tex_macro_int(fp, "ChordsTrain", (long)train->n);
    tex_macro_int(fp, "ChordsTest", (long)test->n);
    tex_macro_int(fp, "ChordsOutside", outside);
    tex_macro_int(fp, "ChordsSub", sub);
    tex_macro_int(fp, "ChordsSubOutside", sub_outside);
    tex_macro(fp, "ChordsTrainSubMax", train_sub, 2);
    tex_macro_int(fp, "ChordsSubTop", sub_top);
    tex_macro_int(fp, "ChordsLooOutside", loo_outside);
}
/* <<write the chord results as a table and macros>> */
static int write_chord_files(const Hull_options *opt, const Progressions *train,
                             const Progressions *test, Certificate **certs,
                             int loo_outside, Error *err)
{
    Outfile out[2] = {outfile_none(), outfile_none()};
    size_t n = 0;
    if (opt->table != NULL) {
        if (outfile_open(&out[n], opt->table, err) != 0)
            return -1;
        write_bebop_table(out[n++].fp, test, certs);
    }
    if (opt->macros != NULL) {
        if (outfile_open(&out[n], opt->macros, err) != 0) {
            outfiles_abort(out, 2);
            return -1;
        }
        write_chord_macros(out[n++].fp, train, test, certs, loo_outside);
    }
    return outfiles_commit(out, n, err);
}

static int run_on_chords(const Hull_options *opt, Error *err)
{
    Progressions train = {0, 0, NULL, NULL}, test = {0, 0, NULL, NULL};
    gsl_matrix *phi = NULL;
    Certificate **certs = NULL;
    int status = -1;
    for (int k = 0; k < opt->ntrain; k++)
        if (read_progressions(opt->train[k], &train, err) != 0)
            goto done;
    if (read_progressions(opt->test, &test, err) != 0)
        goto done;
    if ((phi = alloc_matrix(train.n, NMOVES, err)) == NULL)
        goto done;
    memcpy(phi->data, train.f, train.n * sizeof *train.f);
    if ((certs = calloc(test.n, sizeof *certs)) == NULL) {
        fail(err, "out of memory");
        goto done;
    }
    for (size_t q = 0; q < test.n; q++)
        if ((certs[q] = certificate_alloc(train.n, NMOVES, err)) == NULL
            || hull_certificate(phi, test.f[q], certs[q], err) != 0
            || check_certificate(phi, test.f[q], certs[q], err) != 0)
            goto done;
    int loo_outside = 0;
    size_t work = 0;
    if (leave_one_out(phi, &loo_outside, &work, err) != 0)
        goto done;
    print_chord_results(stdout, &train, &test, certs);
    printf("leave-one-out: %d of %zu training progressions lie outside the hull "
           "of the others\n", loo_outside, train.n);
    if (stdout_written(err) == 0)
        status = write_chord_files(opt, &train, &test, certs, loo_outside, err);
done:
    for (size_t q = 0; certs && q < test.n; q++)
        certificate_free(certs[q]);
    free(certs);
    gsl_matrix_free(phi);
    progressions_free(&train);
    progressions_free(&test);
    return status;
}
/* <<print and record hull's worked examples>> */
static double tidy(double x)            /* noise below 1e-12 shown as 0 */
{
    return fabs(x) < 1e-12 ? 0.0 : x;
}

/* <<write the data of the hull figure>> */
static int by_x_then_y(const void *a, const void *b)
{
    const double *p = a, *q = b;
    return p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : (p[1] > q[1]) - (p[1] < q[1]);
}
/* <<write the data of the hull figure>> */
static double turn(const double *o, const double *a, const double *b)
{
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}
/* <<write the data of the hull figure>> */
static size_t plane_hull(double pts[][2], size_t n, double out[][2])
{
    qsort(pts, n, sizeof pts[0], by_x_then_y);      /* Andrew's monotone chain */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        while (k >= 2 && turn(out[k - 2], out[k - 1], pts[i]) <= 0.0)
            k--;
        memcpy(out[k++], pts[i], sizeof pts[i]);
    }
    for (size_t i = n - 1, lower = k + 1; i-- > 0;) {
        while (k >= lower && turn(out[k - 2], out[k - 1], pts[i]) <= 0.0)
            k--;
        memcpy(out[k++], pts[i], sizeof pts[i]);
    }
    return k;                                       /* out[k - 1] == out[0] */
}
/* <<write the data of the hull figure>> */
static void write_example_figure(FILE *fp, const Worked_example *ex,
                                 const Corral_example *cx)
{
    (void)cx;
    double pts[6][2], poly[13][2];
    for (int i = 0; i < 6; i++) {
        pts[i][0] = EX_POINTS[i][0];
        pts[i][1] = EX_POINTS[i][1];
    }
    size_t m = plane_hull(pts, 6, poly);
    const char *titles[2] = {"blues", "ragtime"};
    for (int g = 0; g < 2; g++) {
        fprintf(fp, "# %s\n", titles[g]);
        for (int i = 3 * g; i < 3 * g + 3; i++)
            fprintf(fp, "%g\t%g\t%g\n",
                    EX_POINTS[i][0], EX_POINTS[i][1], EX_POINTS[i][2]);
        fputs("\n\n", fp);
    }
    fputs("# plane hull of the projections\n", fp);
    for (size_t k = 0; k < m; k++)
        fprintf(fp, "%g\t%g\n", poly[k][0], poly[k][1]);
    fprintf(fp, "\n\n# jazz\n%g\t%g\t%g\n\n\n", EX_JAZZ[0], EX_JAZZ[1], EX_JAZZ[2]);
    fprintf(fp, "# fusion\n%g\t%g\t%g\n\n\n",
            EX_FUSION[0], EX_FUSION[1], EX_FUSION[2]);
    const double *z = ex->jazz->nearest;
    fprintf(fp, "# nearest point\n%g\t%g\t%g\n\n\n",
            tidy(z[0]), tidy(z[1]), tidy(z[2]));
    fprintf(fp, "# separating plane w.z = c in the side view\n-0.1\t%g\n1.1\t%g\n",
            ex->jazz->c + 0.0, ex->jazz->c + 0.0);
}
/* <<write the data of the corral figure>> */
static void write_corral_figure(FILE *fp, const Worked_example *ex,
                                const Corral_example *cx)
{
    (void)ex;
    const Corral_steps *st = &cx->steps;
    const double *t = CORRAL_TARGET;
    fputs("# worked example 23.7A: Wolfe's algorithm (hull --corral)\n# points\n", fp);
    for (int i = 0; i < 3; i++)
        fprintf(fp, "%g\t%g\t$%c$\n", CORRAL_POINTS[i][0], CORRAL_POINTS[i][1], 'A' + i);
    fprintf(fp, "\n\n# target\n%g\t%g\n", t[0], t[1]);
    double last[2] = {t[0], t[1]};
    for (size_t k = 0; k < st->count; k++) {
        double z[2];
        corral_event_point(st, k, z);
        /* <<write the blocks of one event>> */
        fprintf(fp, "\n\n# corral %zu (%c)\n", k + 1, st->kind[k]);
        for (size_t a = 0; a <= st->m[k] && (a < st->m[k] || st->m[k] == 3); a++) {
            const double *p = CORRAL_POINTS[st->S[k][a % st->m[k]]];
            fprintf(fp, "%.17g\t%.17g\n", p[0], p[1]);
        }
        fprintf(fp, "\n\n# point %zu\n%.17g\t%.17g\n", k + 1, z[0], z[1]);
        if (st->kind[k] == 'c') {
            double x[2] = {z[0] - t[0], z[1] - t[1]}, len = hypot(x[0], x[1]);
            fprintf(fp, "\n\n# plane %zu\n%.17g\t%.17g\n%.17g\t%.17g\n", k + 1,
                    z[0] - 3 * x[1] / len, z[1] + 3 * x[0] / len,
                    z[0] + 3 * x[1] / len, z[1] - 3 * x[0] / len);
            fprintf(fp, "\n\n# reach %zu\n%g\t%g\n%.17g\t%.17g\n", k + 1, t[0], t[1],
                    z[0], z[1]);
            last[0] = z[0];
            last[1] = z[1];
        } else if (st->kind[k] == 'm')
            fprintf(fp, "\n\n# move %zu\n%.17g\t%.17g\n%.17g\t%.17g\n", k + 1, last[0],
                    last[1], z[0], z[1]);
    }
}
/* <<write a vector as a LaTeX macro>> */
static void tex_vector(FILE *fp, const char *name, const double *v, size_t d)
{
    fprintf(fp, "\\newcommand{\\%s}{\\ensuremath{(", name);
    for (size_t k = 0; k < d; k++) {
        char buf[96];
        tex_number(buf, sizeof buf, tidy(v[k]), 4);
        fprintf(fp, "%s%s", k ? ", " : "", buf);
    }
    fputs(")}}\n", fp);
}
/* <<write the macros and values of worked example 23.7A>> */
static void write_corral_macros(FILE *fp, const Corral_example *cx)
{
    const Corral_steps *st = &cx->steps;
    double z1[2], q[2];
    size_t a2 = corral_event(st, 'a', 1);
    corral_event_point(st, corral_event(st, 'c', 1), z1);
    corral_event_point(st, corral_event(st, 'm', 0), q);
    tex_vector(fp, "HullCorralFirst", z1, 2);
    tex_vector(fp, "HullCorralStop", q, 2);
    tex_macro(fp, "HullCorralAlphaA", st->weights[a2][0], 4);
    tex_vector(fp, "HullCorralNearest", cx->cert->nearest, 2);
    tex_macro(fp, "HullCorralDist", cx->cert->distance, 4);
    tex_macro_int(fp, "HullCorralIters", (long)cx->cert->iterations);
}

static void write_corral_values(FILE *fp, const Corral_example *cx)
{
    const Corral_steps *st = &cx->steps;
    double z1[2], q[2];
    corral_event_point(st, corral_event(st, 'c', 1), z1);
    corral_event_point(st, corral_event(st, 'm', 0), q);
    fprintf(fp, "HA.z1x\t%.17g\nHA.z1y\t%.17g\nHA.qx\t%.17g\nHA.qy\t%.17g\n",
            z1[0], z1[1], q[0], q[1]);
    fprintf(fp, "HA.dist\t%.17g\nHA.n1\t%.17g\nHA.n2\t%.17g\nHA.lB\t%.17g\n"
            "HA.lC\t%.17g\n", cx->cert->distance, cx->cert->nearest[0],
            cx->cert->nearest[1], cx->cert->lambda[1], cx->cert->lambda[2]);
}
/* <<write the macros and values of Example 23.3>> */
static void write_example_macros(FILE *fp, const Worked_example *ex,
                                 const Corral_example *cx)
{
    fputs("% Generated by `hull --macros`; do not edit.\n", fp);
    tex_vector(fp, "HullJazzNearest", ex->jazz->nearest, 3);
    tex_vector(fp, "HullJazzNormal", ex->jazz->w, 3);
    tex_macro(fp, "HullJazzDist", ex->jazz->distance, 4);
    tex_macro(fp, "HullJazzOffset", tidy(ex->jazz->c), 4);
    tex_macro(fp, "HullJazzMargin", ex->jazz->margin, 4);
    tex_macro_int(fp, "HullJazzIters", (long)ex->jazz->iterations);
    fputs("\\newcommand{\\HullFusionMix}{\\ensuremath{", fp);
    for (int i = 0, first = 1; i < 6; i++)
        if (ex->fusion->lambda[i] > 0.0) {
            char buf[96];
            tex_number(buf, sizeof buf, ex->fusion->lambda[i], 4);
            fprintf(fp, "%s%s\\,%c_%d", first ? "" : " + ", buf,
                    i < 3 ? 'b' : 'r', i % 3 + 1);
            first = 0;
        }
    fputs("}}\n", fp);
    double r2 = 0.0;
    for (int k = 0; k < 3; k++)
        r2 += pow(ex->fusion->nearest[k] - EX_FUSION[k], 2);
    tex_macro(fp, "HullFusionResidual", sqrt(r2), 2);
    write_corral_macros(fp, cx);
}
/* <<write the macros and values of Example 23.3>> */
static void hull_write_example_values(FILE *fp, const Worked_example *ex,
                                      const Corral_example *cx)
{
    double sum = 0.0, r2 = 0.0;
    for (int i = 0; i < 6; i++)
        sum += ex->fusion->lambda[i];
    for (int k = 0; k < 3; k++) {
        double z = 0.0;
        for (int i = 0; i < 6; i++)
            z += ex->fusion->lambda[i] * EX_POINTS[i][k];
        r2 += (z - EX_FUSION[k]) * (z - EX_FUSION[k]);
    }
    fprintf(fp, "H.dist\t%.17g\nH.margin\t%.17g\n",
            ex->jazz->distance, ex->jazz->margin);
    for (int k = 0; k < 3; k++)
        fprintf(fp, "H.n%d\t%.17g\nH.w%d\t%.17g\n",
                k + 1, ex->jazz->nearest[k], k + 1, ex->jazz->w[k]);
    fprintf(fp, "H.fres\t%.17g\nH.fsum\t%.17g\n", sqrt(r2), sum);
    write_corral_values(fp, cx);
}
/* <<print worked example 23.7A>> */
static void print_corral_example(FILE *fp, const Corral_example *cx)
{
    const Corral_steps *st = &cx->steps;
    fputs("Worked example 23.7A (Wolfe's algorithm in the plane: "
          "A (0.6, 1.6), B (-2, 1), C (2, 1), target (0, 0))\n", fp);
    for (size_t k = 0; k < st->count; k++) {
        double z[2];
        corral_event_point(st, k, z);
        fprintf(fp, "step %zu\t%s\t", k + 1, st->kind[k] == 'c' ? "corral"
                : st->kind[k] == 'a' ? "affine minimiser" : "minor step to");
        for (size_t a = 0; a < st->m[k]; a++)
            fprintf(fp, "%c %.6g%s", (char)('A' + st->S[k][a]), st->weights[k][a],
                    a + 1 < st->m[k] ? ", " : "");
        fprintf(fp, "\tpoint %.6g %.6g\n", tidy(z[0]) + 0.0, tidy(z[1]) + 0.0);
    }
    print_certificate(fp, 3, cx->cert, "");
}
/* <<write the files of hull's worked examples>> */
static int hull_write_example_files(const Hull_options *opt, const Worked_example *ex,
                               const Corral_example *cx, Error *err)
{
    const char *paths[4] = {opt->macros, opt->values, opt->figure, opt->corral};
    void (*writers[4])(FILE *, const Worked_example *, const Corral_example *) = {
        write_example_macros, hull_write_example_values, write_example_figure,
        write_corral_figure};
    Outfile out[4] = {outfile_none(), outfile_none(), outfile_none(), outfile_none()};
    size_t n = 0;
    int status = 0;
    for (int k = 0; status == 0 && k < 4; k++)
        if (paths[k] != NULL) {
            status = outfile_open(&out[n], paths[k], err);
            if (status == 0)
                writers[k](out[n++].fp, ex, cx);
        }
    if (status == 0)
        return outfiles_commit(out, n, err);
    outfiles_abort(out, 4);
    return status;
}

static int hull_run_example(const Hull_options *opt, Error *err)
{
    Worked_example ex = {NULL, NULL, NULL};
    Corral_example cx = {0};
    int status = example_compute(&ex, err);
    if (status == 0)
        status = corral_compute(&cx, err);
    if (status == 0) {
        puts("Example 23.3 (coordinates: blues, ragtime, tritone substitutions)");
        printf("jazz (0.5, 0.5, 0.4):\n");
        print_certificate(stdout, 1, ex.jazz, "");
        printf("fusion (0.45, 0.45, 0):\n");
        print_certificate(stdout, 2, ex.fusion, "");
        print_corral_example(stdout, &cx);
        status = stdout_written(err);
    }
    if (status == 0)
        status = hull_write_example_files(opt, &ex, &cx, err);
    example_free(&ex);
    corral_free(&cx);
    return status;
}

int main(int argc, char *argv[])
{
    gsl_set_error_handler_off();
    Hull_options opt;
    Error err = {""};
    int status = hull_parse_options(argc, argv, &opt, &err);
    if (status == 0)
        status = opt.points ? run_on_points(&opt, &err)
               : opt.test ? run_on_chords(&opt, &err) : hull_run_example(&opt, &err);
    return finish("hull", status, &err, hull_usage);
}

/* attention.c -- a small causal multi-head self-attention model trained on
 * music-like token sequences with two independent factors (rhythm and
 * harmony), and measurements of whether its heads specialise.
 *
 * Tangled from chapters/23-4-attention.nw, chapters/p4-attention.nw and
 * chapters/support.nw of the book
 * "Can AI Understand Music?"; edit those files, not this one, then `make tangle`.
 * Build alone:
 *   cc -std=c11 -O2 attention.c $(pkg-config --cflags --libs gsl) -o attention
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
#include <gsl/gsl_blas.h>
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
/* <<the music generator>> */
enum { STRONG, MEDIUM, WEAK, ACCENTS };
enum { ROOTS = 12, HOLD = ROOTS, HARMONIES = ROOTS + 1,
       VOCAB = ACCENTS * HARMONIES, MAX_LENGTH = 128 };

typedef struct {
    int metre;          /* steps per bar, 3 or 4; 0 draws one per sequence */
    int phase;          /* position in the bar of the first step; -1 draws it */
    double p_change;    /* probability that the chord changes at a step */
    double p_fifth;     /* probability that a change moves by a fifth */
} Music_gen;

typedef struct {
    int length, metre, phase;
    int accent[MAX_LENGTH], harmony[MAX_LENGTH];
} Tokseq;
/* <<the music generator>> */
static const int accent_pattern[2][4] = {{STRONG, WEAK, WEAK, -1},
                                         {STRONG, WEAK, MEDIUM, WEAK}};

static int token_of(const Tokseq *s, int t)
{
    return s->accent[t] * HARMONIES + s->harmony[t];
}
/* <<the music generator>> */
static int next_root(int root, const Music_gen *m, gsl_rng *rng)
{
    static const int other[ROOTS - 3] = {1, 2, 3, 4, 6, 8, 9, 10, 11};
    double u = gsl_rng_uniform(rng);
    if (u < m->p_fifth)
        return (root + (u < 0.5 * m->p_fifth ? 7 : 5)) % ROOTS;
    return (root + other[gsl_rng_uniform_int(rng, ROOTS - 3)]) % ROOTS;
}
/* <<the music generator>> */
static void music_draw(const Music_gen *m, int length, gsl_rng *rng, Tokseq *s)
{
    s->length = length;
    s->metre = m->metre ? m->metre : 3 + (int)gsl_rng_uniform_int(rng, 2);
    s->phase = m->phase >= 0 ? m->phase % s->metre
                             : (int)gsl_rng_uniform_int(rng, (unsigned)s->metre);
    int root = (int)gsl_rng_uniform_int(rng, ROOTS);
    for (int t = 0; t < length; t++) {
        s->accent[t] = accent_pattern[s->metre - 3][(s->phase + t) % s->metre];
        bool change = t > 0 && gsl_rng_uniform(rng) < m->p_change;
        if (change)
            root = next_root(root, m, rng);
        s->harmony[t] = t == 0 || change ? root : HOLD;
    }
}
/* <<the best possible losses>> */
static double entropy_of(const double *p, int n)
{
    double h = 0.0;
    for (int k = 0; k < n; k++)
        h -= p[k] > 0.0 ? p[k] * log(p[k]) : 0.0;
    return h;
}

static double move_entropy(const Music_gen *m)
{
    double move[ROOTS - 1] = {0.5 * m->p_fifth, 0.5 * m->p_fifth};
    for (int k = 2; k < ROOTS - 1; k++)
        move[k] = (1.0 - m->p_fifth) / (ROOTS - 3);
    return entropy_of(move, ROOTS - 1);
}

static double harmony_floor(const Music_gen *m)
{
    double q = m->p_change, hq[2] = {q, 1.0 - q};
    return entropy_of(hq, 2) + q * move_entropy(m);
}
/* <<the best possible losses>> */
static double plateau_loss(const Music_gen *m, int T)
{
    double q = m->p_change, hq[2] = {q, 1.0 - q}, sum = 0.0;
    for (int t = 0; t + 1 < T; t++) {
        double known = t == 0 ? 1.0 : q;        /* the current token is a change */
        sum += entropy_of(hq, 2)
               + q * (known * move_entropy(m) + (1.0 - known) * log(ROOTS));
    }
    return sum / (T - 1);
}
/* <<the best possible losses>> */
static void set_harmony_losses(const Music_gen *m, const Tokseq *set, long n,
                               double out[2])
{
    const double q = m->p_change;
    out[0] = out[1] = 0.0;
    for (long i = 0; i < n; i++) {
        const Tokseq *s = &set[i];
        int root = s->harmony[0];                   /* the first token is a change */
        for (int t = 1; t < s->length; t++) {
            int h = s->harmony[t], step = (h - root + ROOTS) % ROOTS;
            double p = h == HOLD ? 1.0 - q
                     : q * (step == 5 || step == 7 ? m->p_fifth / 2
                                                   : (1 - m->p_fifth) / (ROOTS - 3));
            bool known = s->harmony[t - 1] != HOLD;  /* the root is in view */
            double blind = h == HOLD || known ? p : q / ROOTS;
            out[0] -= log(p) / ((s->length - 1) * (double)n);
            out[1] -= log(blind) / ((s->length - 1) * (double)n);
            root = h == HOLD ? root : h;
        }
    }
}
/* <<the best possible losses>> */
static double pair_prior(const Music_gen *m, int M, int ph)
{
    if ((m->metre && m->metre != M) || (m->phase >= 0 && m->phase % M != ph))
        return 0.0;
    return (m->metre ? 1.0 : 0.5) * (m->phase >= 0 ? 1.0 : 1.0 / M);
}

static double rhythm_floor(const Music_gen *m, int T)
{
    double loss = 0.0;
    for (int M = 3; M <= 4; M++)
        for (int ph = 0; ph < M; ph++) {
            double prior = pair_prior(m, M, ph);
            if (prior > 0.0)
                /* <<add the loss of the best predictor on metre [[M]], phase [[ph]]>> */
                for (int t = 0; t + 1 < T; t++) {
                    double agree = 0.0, total = 0.0;
                    for (int M2 = 3; M2 <= 4; M2++)
                        for (int p2 = 0; p2 < M2; p2++) {
                            bool same = true;
                            for (int u = 0; u <= t && same; u++)
                                same = accent_pattern[M2 - 3][(p2 + u) % M2]
                                       == accent_pattern[M - 3][(ph + u) % M];
                            double w = same ? pair_prior(m, M2, p2) : 0.0;
                            total += w;
                            agree += accent_pattern[M2 - 3][(p2 + t + 1) % M2]
                                     == accent_pattern[M - 3][(ph + t + 1) % M] ? w : 0.0;
                        }
                    loss -= prior * log(agree / total);
                }
        }
    return loss / (T - 1);
}
/* <<interface of the attention model>> */
enum { EMBED, POSITION, WQ, WK, WV, WO, U_RHYTHM, B_RHYTHM, U_HARMONY, B_HARMONY,
       NBLOCKS };
static const char *const block_name[NBLOCKS] = {
    "embed", "position", "wq", "wk", "wv", "wo",
    "u-rhythm", "b-rhythm", "u-harmony", "b-harmony"};

typedef struct {
    int d, heads, length;       /* d_model, number of heads H, sequence length T */
} Shape;

typedef struct {
    Shape s;
    size_t n;                   /* number of parameters */
    size_t off[NBLOCKS], rows[NBLOCKS], cols[NBLOCKS];
    double *theta;              /* all parameters, block after block */
} Model;
/* <<interface of the attention model>> */
typedef struct {
    int T, d, heads, dk;
    gsl_matrix *X, *Q, *K, *V, *Z, *Y;      /* T x d */
    gsl_matrix *A[16];                      /* attention of each head, T x T */
    gsl_matrix *Pr, *Pc;                    /* predicted probabilities */
    gsl_matrix *dY, *dZ, *dQ, *dK, *dV, *dX, *dA, *dS, *dLr, *dLc;
} Attn_work;
/* <<check the shape of a model>> */
static int shape_check(Shape s, Error *err)
{
    if (s.heads < 1 || s.heads > 16)
        return fail(err, "the number of heads must lie in 1..16, got %d", s.heads);
    if (s.d < 1 || s.d > 512 || s.d % s.heads != 0)
        return fail(err, "d_model must lie in 1..512 and be a multiple of the "
                    "number of heads (%d), got %d", s.heads, s.d);
    if (s.length < 2 || s.length > MAX_LENGTH)
        return fail(err, "the sequence length must lie in 2..%d, got %d",
                    MAX_LENGTH, s.length);
    return 0;
}
/* <<allocate and free a model>> */
static void model_free(Model *m)
{
    if (m != NULL)
        free(m->theta);
    free(m);
}

static Model *model_alloc(Shape s, Error *err)
{
    if (shape_check(s, err) != 0)
        return NULL;
    Model *m = alloc_array(1, sizeof *m, err);
    if (m == NULL)
        return NULL;
    const size_t d = (size_t)s.d;
    const size_t rows[NBLOCKS] = {VOCAB, (size_t)s.length, d, d, d, d, d, 1, d, 1};
    const size_t cols[NBLOCKS] = {d, d, d, d, d, d, ACCENTS, ACCENTS,
                                  HARMONIES, HARMONIES};
    m->s = s;
    m->n = 0;
    for (int b = 0; b < NBLOCKS; b++) {
        m->off[b] = m->n;
        m->rows[b] = rows[b];
        m->cols[b] = cols[b];
        m->n += rows[b] * cols[b];
    }
    if ((m->theta = alloc_array(m->n, sizeof *m->theta, err)) == NULL) {
        free(m);
        return NULL;
    }
    return m;
}
/* <<allocate and free a workspace>> */
static void work_free(Attn_work *w)
{
    if (w == NULL)
        return;
    gsl_matrix *all[] = {w->X, w->Q, w->K, w->V, w->Z, w->Y, w->Pr, w->Pc, w->dY,
                         w->dZ, w->dQ, w->dK, w->dV, w->dX, w->dA, w->dS, w->dLr,
                         w->dLc};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        gsl_matrix_free(all[k]);
    for (int h = 0; h < w->heads; h++)
        gsl_matrix_free(w->A[h]);
    free(w);
}
/* <<allocate and free a workspace>> */
static Attn_work *work_alloc(Shape s, Error *err)
{
    Attn_work *w = alloc_array(1, sizeof *w, err);
    if (w == NULL)
        return NULL;
    *w = (Attn_work){.T = s.length, .d = s.d, .heads = s.heads,
                     .dk = s.d / s.heads};
    size_t T = (size_t)s.length, d = (size_t)s.d;
    gsl_matrix **td[] = {&w->X, &w->Q, &w->K, &w->V, &w->Z, &w->Y, &w->dY,
                         &w->dZ, &w->dQ, &w->dK, &w->dV, &w->dX};
    bool ok = true;
    for (size_t k = 0; k < sizeof td / sizeof td[0]; k++)
        ok &= (*td[k] = alloc_matrix(T, d, err)) != NULL;
    for (int h = 0; h < s.heads; h++)
        ok &= (w->A[h] = alloc_matrix(T, T, err)) != NULL;
    ok &= (w->dA = alloc_matrix(T, T, err)) != NULL;
    ok &= (w->dS = alloc_matrix(T, T, err)) != NULL;
    ok &= (w->Pr = alloc_matrix(T, ACCENTS, err)) != NULL;
    ok &= (w->dLr = alloc_matrix(T, ACCENTS, err)) != NULL;
    ok &= (w->Pc = alloc_matrix(T, HARMONIES, err)) != NULL;
    ok &= (w->dLc = alloc_matrix(T, HARMONIES, err)) != NULL;
    if (!ok) {
        work_free(w);
        return NULL;
    }
    return w;
}
/* <<implementation of the attention model>> */
static gsl_matrix_view block_of(const Model *m, double *base, int b)
{
    return gsl_matrix_view_array(base + m->off[b], m->rows[b], m->cols[b]);
}

static const double sd_embed = 0.5;     /* the spread of the first embeddings */

static void model_init(Model *m, gsl_rng *rng)
{
    for (int b = 0; b < NBLOCKS; b++) {
        double sd = b <= POSITION ? sd_embed
                  : b == B_RHYTHM || b == B_HARMONY ? 0.0 : 1.0 / sqrt(m->s.d);
        for (size_t k = 0; k < m->rows[b] * m->cols[b]; k++)
            m->theta[m->off[b] + k] = sd * gsl_ran_gaussian_ziggurat(rng, 1.0);
    }
}
/* <<implementation of the attention model>> */
static void softmax_rows(gsl_matrix *M, size_t cols)
{
    for (size_t t = 0; t < M->size1; t++) {
        double *r = gsl_matrix_ptr(M, t, 0), mx = r[0], z = 0.0;
        for (size_t j = 1; j < cols; j++)
            mx = r[j] > mx ? r[j] : mx;
        for (size_t j = 0; j < cols; j++)
            z += (r[j] = exp(r[j] - mx));
        for (size_t j = 0; j < cols; j++)
            r[j] /= z;
    }
}
/* <<implementation of the attention model>> */
static int attend_heads(const Model *m, Attn_work *w, unsigned ablate)
{
    const size_t T = (size_t)w->T, dk = (size_t)w->dk;
    const double scale = 1.0 / sqrt((double)w->dk);
    int st = 0;
    for (int h = 0; h < w->heads; h++) {
        gsl_matrix_view Qh = gsl_matrix_submatrix(w->Q, 0, h * dk, T, dk),
                        Kh = gsl_matrix_submatrix(w->K, 0, h * dk, T, dk),
                        Vh = gsl_matrix_submatrix(w->V, 0, h * dk, T, dk),
                        Zh = gsl_matrix_submatrix(w->Z, 0, h * dk, T, dk);
        gsl_matrix *A = w->A[h];
        st |= gsl_blas_dgemm(CblasNoTrans, CblasTrans, scale, &Qh.matrix,
                             &Kh.matrix, 0.0, A);
        for (size_t t = 0; t < T; t++) {        /* the causal mask */
            gsl_vector_view row = gsl_matrix_row(A, t);
            gsl_matrix_view live = gsl_matrix_submatrix(A, t, 0, 1, t + 1);
            softmax_rows(&live.matrix, t + 1);
            for (size_t s = t + 1; s < T; s++)
                gsl_vector_set(&row.vector, s, 0.0);
        }
        if (ablate >> h & 1u)
            gsl_matrix_set_zero(&Zh.matrix);
        else
            st |= gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, A, &Vh.matrix,
                                 0.0, &Zh.matrix);
    }
    (void)m;
    return st;
}
/* <<implementation of the attention model>> */
static int forward(const Model *m, const Tokseq *s, Attn_work *w, unsigned ablate)
{
    gsl_matrix_view E = block_of(m, m->theta, EMBED), P = block_of(m, m->theta,
                                                                   POSITION);
    for (int t = 0; t < w->T; t++)
        for (int j = 0; j < w->d; j++)
            gsl_matrix_set(w->X, t, j, gsl_matrix_get(&E.matrix, token_of(s, t), j)
                                       + gsl_matrix_get(&P.matrix, t, j));
    gsl_matrix_view Wq = block_of(m, m->theta, WQ), Wk = block_of(m, m->theta, WK),
                    Wv = block_of(m, m->theta, WV), Wo = block_of(m, m->theta, WO);
    int st = gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, w->X, &Wq.matrix, 0.0,
                            w->Q);
    st |= gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, w->X, &Wk.matrix, 0.0,
                         w->K);
    st |= gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, w->X, &Wv.matrix, 0.0,
                         w->V);
    st |= attend_heads(m, w, ablate);
    gsl_matrix_memcpy(w->Y, w->X);                          /* the residual */
    st |= gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, w->Z, &Wo.matrix, 1.0,
                         w->Y);
    /* <<compute the two output distributions>> */
    gsl_matrix *out[2] = {w->Pr, w->Pc};
    const int ub[2][2] = {{U_RHYTHM, B_RHYTHM}, {U_HARMONY, B_HARMONY}};
    for (int f = 0; f < 2; f++) {
        gsl_matrix_view U = block_of(m, m->theta, ub[f][0]);
        gsl_matrix_view b = block_of(m, m->theta, ub[f][1]);
        for (size_t t = 0; t < out[f]->size1; t++) {
            gsl_vector_view row = gsl_matrix_row(out[f], t);
            gsl_vector_const_view b0 = gsl_matrix_const_row(&b.matrix, 0);
            gsl_vector_memcpy(&row.vector, &b0.vector);
        }
        st |= gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, w->Y, &U.matrix, 1.0,
                             out[f]);
        softmax_rows(out[f], out[f]->size2);
    }
    return st;
}
/* <<implementation of the attention model>> */
static void sequence_loss(const Attn_work *w, const Tokseq *s, double loss[2])
{
    loss[0] = loss[1] = 0.0;
    for (int t = 0; t + 1 < w->T; t++) {
        loss[0] -= log(gsl_matrix_get(w->Pr, t, s->accent[t + 1]));
        loss[1] -= log(gsl_matrix_get(w->Pc, t, s->harmony[t + 1]));
    }
    loss[0] /= w->T - 1;
    loss[1] /= w->T - 1;
}
/* <<implementation of the attention model>> */
static int back_through_heads(Attn_work *w)
{
    const size_t T = (size_t)w->T, dk = (size_t)w->dk;
    const double scale = 1.0 / sqrt((double)w->dk);
    int st = 0;
    for (int h = 0; h < w->heads; h++) {
        gsl_matrix_view Qh = gsl_matrix_submatrix(w->Q, 0, h * dk, T, dk),
                        Kh = gsl_matrix_submatrix(w->K, 0, h * dk, T, dk),
                        Vh = gsl_matrix_submatrix(w->V, 0, h * dk, T, dk),
                        dZh = gsl_matrix_submatrix(w->dZ, 0, h * dk, T, dk),
                        dQh = gsl_matrix_submatrix(w->dQ, 0, h * dk, T, dk),
                        dKh = gsl_matrix_submatrix(w->dK, 0, h * dk, T, dk),
                        dVh = gsl_matrix_submatrix(w->dV, 0, h * dk, T, dk);
        const gsl_matrix *A = w->A[h];
        st |= gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, &dZh.matrix, &Vh.matrix,
                             0.0, w->dA);
        st |= gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, A, &dZh.matrix, 0.0,
                             &dVh.matrix);
        /* <<the softmax Jacobian: [[dS]] from [[dA]] and [[A]]>> */
        for (size_t t = 0; t < T; t++) {
            double dot = 0.0;
            for (size_t u = 0; u <= t; u++)
                dot += gsl_matrix_get(A, t, u) * gsl_matrix_get(w->dA, t, u);
            for (size_t u = 0; u < T; u++)
                gsl_matrix_set(w->dS, t, u, u <= t ? gsl_matrix_get(A, t, u)
                                           * (gsl_matrix_get(w->dA, t, u) - dot) : 0.0);
        }
        st |= gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, scale, w->dS, &Kh.matrix,
                             0.0, &dQh.matrix);
        st |= gsl_blas_dgemm(CblasTrans, CblasNoTrans, scale, w->dS, &Qh.matrix,
                             0.0, &dKh.matrix);
    }
    return st;
}
/* <<implementation of the attention model>> */
static int backward(const Model *m, const Tokseq *s, Attn_work *w, double *grad,
                    double weight)
{
    const int T = w->T;
    int st = 0;
    /* <<the gradient of the loss with respect to the logits>> */
    gsl_matrix_memcpy(w->dLr, w->Pr);
    gsl_matrix_memcpy(w->dLc, w->Pc);
    for (int t = 0; t < T; t++) {
        if (t + 1 < T) {
            *gsl_matrix_ptr(w->dLr, t, s->accent[t + 1]) -= 1.0;
            *gsl_matrix_ptr(w->dLc, t, s->harmony[t + 1]) -= 1.0;
        }
        gsl_vector_view r = gsl_matrix_row(w->dLr, t), c = gsl_matrix_row(w->dLc, t);
        gsl_vector_scale(&r.vector, t + 1 < T ? weight / (T - 1) : 0.0);
        gsl_vector_scale(&c.vector, t + 1 < T ? weight / (T - 1) : 0.0);
    }
    /* <<back through the output layers to [[dY]]>> */
    const int ub[2][2] = {{U_RHYTHM, B_RHYTHM}, {U_HARMONY, B_HARMONY}};
    gsl_matrix *dL[2] = {w->dLr, w->dLc};
    for (int f = 0; f < 2; f++) {
        gsl_matrix_view gU = block_of(m, grad, ub[f][0]), U = block_of(m, m->theta,
                                                                       ub[f][0]);
        double *gb = grad + m->off[ub[f][1]];
        st |= gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, w->Y, dL[f], 1.0,
                             &gU.matrix);
        for (int t = 0; t < T; t++)
            for (size_t j = 0; j < dL[f]->size2; j++)
                gb[j] += gsl_matrix_get(dL[f], t, j);
        st |= gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, dL[f], &U.matrix,
                             f == 0 ? 0.0 : 1.0, w->dY);
    }
    gsl_matrix_view gWo = block_of(m, grad, WO), Wo = block_of(m, m->theta, WO);
    st |= gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, w->Z, w->dY, 1.0,
                         &gWo.matrix);
    st |= gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, w->dY, &Wo.matrix, 0.0,
                         w->dZ);
    gsl_matrix_memcpy(w->dX, w->dY);                        /* the residual */
    st |= back_through_heads(w);
    /* <<back through the projections to [[dX]]>> */
    const int proj[3] = {WQ, WK, WV};
    gsl_matrix *dP[3] = {w->dQ, w->dK, w->dV};
    for (int k = 0; k < 3; k++) {
        gsl_matrix_view g = block_of(m, grad, proj[k]), W = block_of(m, m->theta,
                                                                     proj[k]);
        st |= gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, w->X, dP[k], 1.0,
                             &g.matrix);
        st |= gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, dP[k], &W.matrix, 1.0,
                             w->dX);
    }
    /* <<back into the token and position embeddings>> */
    gsl_matrix_view gE = block_of(m, grad, EMBED), gP = block_of(m, grad, POSITION);
    for (int t = 0; t < T; t++)
        for (int j = 0; j < w->d; j++) {
            double g = gsl_matrix_get(w->dX, t, j);
            *gsl_matrix_ptr(&gE.matrix, token_of(s, t), j) += g;
            *gsl_matrix_ptr(&gP.matrix, t, j) += g;
        }
    return st;
}
/* <<measuring specialisation>> */
static int last_change(const Tokseq *s, int t)
{
    while (s->harmony[t] == HOLD)
        t--;
    return t;
}
/* <<measuring specialisation>> */
typedef struct {
    double bar[2][4], change, nbar[2], nchange, onebar, nonebar;
} Mass_sums;

static void add_masses(const gsl_matrix *A, int T, const Tokseq *s, Mass_sums *ms)
{
    const int M = s->metre;
    for (int t = 0; t + 1 < T; t++) {
        int c = last_change(s, t);
        for (int u = 0; u <= t; u++) {
            double a = A != NULL ? gsl_matrix_get(A, t, u) : 1.0 / (t + 1);
            ms->bar[M - 3][(t - u) % M] += a;
            ms->change += u == c && c < t ? a : 0.0;
        }
        ms->nbar[M - 3] += 1.0;
        ms->nchange += c < t;
        if (t + 1 - M >= 0) {               /* the key one bar before t + 1 */
            ms->onebar += A != NULL ? gsl_matrix_get(A, t, t + 1 - M)
                                    : 1.0 / (t + 1);
            ms->nonebar += 1.0;
        }
    }
}
/* <<measuring specialisation>> */
static void masses_of(const Mass_sums *ms, double mass[2])
{
    double periodic = 0.0, n = ms->nbar[0] + ms->nbar[1];
    for (int M = 3; M <= 4; M++) {
        double best = 0.0;
        for (int k = 0; k < M; k++)
            best = fmax(best, ms->bar[M - 3][k]);
        periodic += n > 0 ? best / n : 0.0;
    }
    mass[0] = periodic;
    mass[1] = ms->nchange > 0 ? ms->change / ms->nchange : 0.0;
}
/* <<measuring specialisation>> */
typedef struct {
    double loss[2];                 /* mean losses: rhythm, harmony */
    double mass[17][2];             /* per head, then a uniform head */
    double onebar[17];              /* mass one bar before the predicted token */
} Eval;

static int evaluate_set(const Model *m, const Tokseq *set, long n, Attn_work *w,
                    unsigned ablate, Eval *e)
{
    Mass_sums ms[17];
    memset(ms, 0, sizeof ms);
    memset(e, 0, sizeof *e);
    for (long i = 0; i < n; i++) {
        double l[2];
        if (forward(m, &set[i], w, ablate) != 0)
            return -1;
        sequence_loss(w, &set[i], l);
        e->loss[0] += l[0] / n;
        e->loss[1] += l[1] / n;
        for (int h = 0; h <= w->heads; h++)
            add_masses(h < w->heads ? w->A[h] : NULL, w->T, &set[i], &ms[h]);
    }
    for (int h = 0; h <= w->heads; h++) {
        masses_of(&ms[h], e->mass[h]);
        e->onebar[h] = ms[h].nonebar > 0 ? ms[h].onebar / ms[h].nonebar : 0.0;
    }
    return 0;
}
/* <<measuring specialisation>> */
static double excess_over(double mass, double uniform)
{
    return (mass - uniform) / (1.0 - uniform);
}

static double spec_index(const double mass[2], const double uniform[2])
{
    return excess_over(mass[0], uniform[0]) - excess_over(mass[1], uniform[1]);
}
/* <<draw a set of sequences from its own seed>> */
static int draw_set(const Music_gen *mu, int length, unsigned long seed,
                    long n, Tokseq **set, Error *err)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    *set = alloc_array((size_t)n, sizeof **set, err);
    if (rng == NULL || *set == NULL) {
        gsl_rng_free(rng);
        free(*set);
        *set = NULL;
        return rng == NULL ? fail(err, "out of memory for a generator") : -1;
    }
    gsl_rng_set(rng, seed);
    for (long i = 0; i < n; i++)
        music_draw(mu, length, rng, &(*set)[i]);
    gsl_rng_free(rng);
    return 0;
}
/* <<training by Adam>> */
typedef struct {
    Shape s;
    Music_gen music;
    long steps, batch, every, seed, eval_seed, eval_count;
    double lr, clip;
} Attn_plan;

typedef struct {
    long step, clipped;             /* clipped: steps so far with a cut gradient */
    double loss[2];                 /* rhythm, harmony, on the evaluation set */
    double mass[17][2];             /* per head, then a uniform head */
} Trace_row;
/* <<training by Adam>> */
static void adam_step(double *theta, const double *g, double *mo, double *ve,
                      size_t n, long t, double lr)
{
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    const double c1 = 1.0 - pow(b1, (double)t), c2 = 1.0 - pow(b2, (double)t);
    for (size_t k = 0; k < n; k++) {
        mo[k] = b1 * mo[k] + (1.0 - b1) * g[k];
        ve[k] = b2 * ve[k] + (1.0 - b2) * g[k] * g[k];
        theta[k] -= lr * (mo[k] / c1) / (sqrt(ve[k] / c2) + eps);
    }
}
/* <<training by Adam>> */
static double clip_gradient(double *g, size_t n, double clip)
{
    double norm = 0.0;
    for (size_t k = 0; k < n; k++)
        norm += g[k] * g[k];
    norm = sqrt(norm);
    if (clip > 0.0 && norm > clip)
        for (size_t k = 0; k < n; k++)
            g[k] *= clip / norm;
    return norm;
}
/* <<training by Adam>> */
static int train_model(const Attn_plan *p, Model *m, Trace_row *trace,
                       long *ntrace, bool verbose, Error *err)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    Attn_work *w = work_alloc(p->s, err);
    double *g = alloc_array(3 * m->n, sizeof *g, err);
    Tokseq *evalset = NULL, *s = alloc_array(1, sizeof *s, err);
    int status = -1;
    if (rng == NULL)
        fail(err, "out of memory for a generator");
    else if (w && g && s && draw_set(&p->music, p->s.length,
                                     (unsigned long)p->eval_seed, p->eval_count,
                                     &evalset, err) == 0) {
        gsl_rng_set(rng, (unsigned long)p->seed);
        model_init(m, rng);
        memset(g, 0, 3 * m->n * sizeof *g);
        status = 0;
        *ntrace = 0;
        long clipped = 0;
        for (long step = 0; status == 0 && step <= p->steps; step++) {
            /* <<record a row of the trace every [[p->every]] steps>> */
            if (step % p->every == 0 || step == p->steps) {
                Eval e;
                if (evaluate_set(m, evalset, p->eval_count, w, 0, &e) != 0) {
                    status = fail(err, "a matrix product failed");
                    break;
                }
                Trace_row *r = &trace[(*ntrace)++];
                r->step = step;
                r->clipped = clipped;
                memcpy(r->loss, e.loss, sizeof r->loss);
                memcpy(r->mass, e.mass, sizeof r->mass);
                if (verbose) {
                    printf("step %6ld  loss rhythm %.4f harmony %.4f  index", step,
                           e.loss[0], e.loss[1]);
                    for (int h = 0; h < p->s.heads; h++)
                        printf(" %+.2f", spec_index(e.mass[h], e.mass[p->s.heads]));
                    printf("\n");
                }
            }
            if (step == p->steps)
                break;
            /* <<take one step of Adam on a fresh batch>> */
            memset(g, 0, m->n * sizeof *g);
            for (long b = 0; status == 0 && b < p->batch; b++) {
                music_draw(&p->music, p->s.length, rng, s);
                if (forward(m, s, w, 0) != 0 || backward(m, s, w, g, 1.0 / p->batch) != 0)
                    status = fail(err, "a matrix product failed");
            }
            clipped += p->clip > 0.0 && clip_gradient(g, m->n, p->clip) > p->clip;
            adam_step(m->theta, g, g + m->n, g + 2 * m->n, m->n, step + 1, p->lr);
        }
    }
    free(evalset);
    free(s);
    free(g);
    work_free(w);
    gsl_rng_free(rng);
    return status;
}
/* <<checkpoint files>> */
typedef struct {
    Model *model;
    Music_gen music;
    long seed, steps, batch;
    double lr;
} Checkpoint;

static void write_checkpoint(FILE *fp, const Checkpoint *c)
{
    const Model *m = c->model;
    fprintf(fp, "attention-checkpoint 1\nd-model %d\nheads %d\nlength %d\n",
            m->s.d, m->s.heads, m->s.length);
    fprintf(fp, "metre %d\nphase %d\np-change %.17g\np-fifth %.17g\n",
            c->music.metre, c->music.phase, c->music.p_change, c->music.p_fifth);
    fprintf(fp, "seed %ld\nsteps %ld\nbatch %ld\nlr %.17g\n", c->seed, c->steps,
            c->batch, c->lr);
    for (int b = 0; b < NBLOCKS; b++) {
        fprintf(fp, "block %s %zu %zu\n", block_name[b], m->rows[b], m->cols[b]);
        for (size_t i = 0; i < m->rows[b]; i++)
            for (size_t j = 0; j < m->cols[b]; j++)
                fprintf(fp, "%.17g%c", m->theta[m->off[b] + i * m->cols[b] + j],
                        j + 1 < m->cols[b] ? ' ' : '\n');
    }
    fputs("end\n", fp);
}
/* <<checkpoint files>> */
enum { WORD_MAX = 63 };
static int read_word(FILE *fp, char *word, const char *path, const char *what,
                     Error *err)                    /* 1 at the end of the file */
{
    int ch;
    size_t n = 0;
    while ((ch = getc(fp)) != EOF && isspace(ch))
        ;
    for (; ch != EOF && !isspace(ch); ch = getc(fp)) {
        if (ch == '\0')
            return fail(err, "%s: contains a NUL byte (is it a checkpoint?)", path);
        if (n == WORD_MAX)
            return fail(err, "%s: %s: a word longer than %d characters", path, what,
                        WORD_MAX);
        word[n++] = (char)ch;
    }
    word[n] = '\0';
    return n == 0;
}

static int next_word(FILE *fp, char *word, const char *path, const char *what,
                     Error *err)
{
    int status = read_word(fp, word, path, what, err);
    if (status == 1)
        return fail(err, "%s: truncated checkpoint: expected %s, found the end "
                    "of the file", path, what);
    return status;
}
/* <<checkpoint files>> */
static int expect_number(FILE *fp, const char *path, const char *what, double lo,
                         double hi, double *out, Error *err)
{
    char word[WORD_MAX + 1], *end;
    if (next_word(fp, word, path, what, err) != 0)
        return -1;
    errno = 0;
    *out = strtod(word, &end);
    if (*end != '\0' || end == word || errno == ERANGE || !isfinite(*out))
        return fail(err, "%s: %s: '%s' is not a finite number", path, what, word);
    if (*out < lo || *out > hi)
        return fail(err, "%s: %s = %s is out of range [%g, %g]", path, what, word,
                    lo, hi);
    return 0;
}

static int expect_word(FILE *fp, const char *path, const char *want, Error *err)
{
    char word[WORD_MAX + 1];
    if (next_word(fp, word, path, want, err) != 0)
        return -1;
    if (strcmp(word, want) != 0)
        return fail(err, "%s: expected '%s', found '%s'", path, want, word);
    return 0;
}
/* <<checkpoint files>> */
static int read_header(FILE *fp, const char *path, Checkpoint *c, Shape *s,
                       Error *err)
{
    enum { HEADER_KEYS = 11 };
    static const char *const key[HEADER_KEYS] = {
        "d-model", "heads", "length", "metre", "phase", "p-change", "p-fifth",
        "seed", "steps", "batch", "lr"};
    static const double lo[HEADER_KEYS] = {1, 1, 2, 0, -1, 0, 0, 1, 0, 1, 0};
    static const double hi[HEADER_KEYS] = {512, 16, MAX_LENGTH, 4, 3, 1, 1,
                                           4294967295.0, 1e9, 1e6, 1};
    double v[HEADER_KEYS], version;
    if (expect_word(fp, path, "attention-checkpoint", err) != 0
        || expect_number(fp, path, "the version", 1, 1, &version, err) != 0)
        return -1;
    for (int k = 0; k < HEADER_KEYS; k++) {
        if (expect_word(fp, path, key[k], err) != 0
            || expect_number(fp, path, key[k], lo[k], hi[k], &v[k], err) != 0)
            return -1;
        bool whole = k < 5 || (k >= 7 && k <= 9);     /* all but the p's and lr */
        if (whole && v[k] != floor(v[k]))
            return fail(err, "%s: %s must be a whole number, got %.17g", path,
                        key[k], v[k]);
    }
    if (!(v[10] > 0.0))
        return fail(err, "%s: lr must be positive, got %.17g", path, v[10]);
    *s = (Shape){(int)v[0], (int)v[1], (int)v[2]};
    c->music = (Music_gen){(int)v[3], (int)v[4], v[5], v[6]};
    c->seed = (long)v[7];
    c->steps = (long)v[8];
    c->batch = (long)v[9];
    c->lr = v[10];
    if (c->music.metre != 0 && c->music.metre < 3)
        return fail(err, "%s: metre must be 0, 3 or 4", path);
    if (c->music.metre != 0 && c->music.phase >= c->music.metre)
        return fail(err, "%s: phase %d is not below metre %d", path,
                    c->music.phase, c->music.metre);
    return shape_check(*s, err) == 0 ? 0 : -1;
}
/* <<checkpoint files>> */
static int read_blocks(FILE *fp, const char *path, Model *m, Error *err)
{
    for (int b = 0; b < NBLOCKS; b++) {
        double r, c;
        if (expect_word(fp, path, "block", err) != 0
            || expect_word(fp, path, block_name[b], err) != 0
            || expect_number(fp, path, "rows", 0, 1e9, &r, err) != 0
            || expect_number(fp, path, "columns", 0, 1e9, &c, err) != 0)
            return -1;
        if (r != floor(r) || c != floor(c) || (size_t)r != m->rows[b]
            || (size_t)c != m->cols[b])
            return fail(err, "%s: block %s is %g x %g, the header implies %zu x %zu",
                        path, block_name[b], r, c, m->rows[b], m->cols[b]);
        for (size_t k = 0; k < m->rows[b] * m->cols[b]; k++)
            if (expect_number(fp, path, block_name[b], -1e300, 1e300,
                              &m->theta[m->off[b] + k], err) != 0)
                return -1;
    }
    return expect_word(fp, path, "end", err);
}
/* <<checkpoint files>> */
static int read_checkpoint_stream(FILE *fp, const char *path, Checkpoint *c,
                                  Error *err)
{
    Shape s;
    char extra[WORD_MAX + 1];
    c->model = NULL;
    int status = read_header(fp, path, c, &s, err);
    if (status == 0 && (c->model = model_alloc(s, err)) == NULL)
        status = -1;
    if (status == 0)
        status = read_blocks(fp, path, c->model, err);
    if (status == 0 && (status = read_word(fp, extra, path, "the end", err)) == 0)
        status = fail(err, "%s: unexpected '%s' after 'end'", path, extra);
    status = status == 1 ? 0 : status;
    if (status != 0) {
        model_free(c->model);
        c->model = NULL;
    }
    return status;
}

static int read_checkpoint(const char *path, Checkpoint *c, Error *err)
{
    FILE *fp = fopen(path, "r");
    struct stat st;
    c->model = NULL;
    if (fp == NULL)
        return fail(err, "cannot open '%s': %s", path, strerror(errno));
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(fp);
        return fail(err, "'%s' is not a regular file", path);
    }
    int status = read_checkpoint_stream(fp, path, c, err);
    fclose(fp);
    return status;
}
/* <<the worked example of attention>> */
typedef struct {
    double A[3][3];                 /* the attention matrix of the one head */
    double z[2];                    /* the output of the third token */
} Worked;

static int worked_compute(Worked *wk, Error *err)
{
    Shape s = {2, 1, 3};
    Model *m = model_alloc(s, err);
    Attn_work *w = m ? work_alloc(s, err) : NULL;
    int status = -1;
    if (w != NULL) {
        /* <<set the inputs of the worked example>> */
        static const double x[3][2] = {{1, 0}, {0, 1}, {1, 1}};
        static const double wq[4] = {1, 0, 0, 1}, wk_[4] = {2, 0, 0, 1},
                            wv[4] = {1, 0, 0, 1};
        memset(m->theta, 0, m->n * sizeof *m->theta);
        Tokseq seq = {.length = 3, .metre = 3};
        for (int t = 0; t < 3; t++) {
            seq.accent[t] = STRONG;
            seq.harmony[t] = t;                             /* tokens 0, 1, 2 */
            memcpy(m->theta + m->off[EMBED] + 2 * t, x[t], sizeof x[t]);
        }
        memcpy(m->theta + m->off[WQ], wq, sizeof wq);
        memcpy(m->theta + m->off[WK], wk_, sizeof wk_);
        memcpy(m->theta + m->off[WV], wv, sizeof wv);
        if (forward(m, &seq, w, 0) != 0)
            fail(err, "a matrix product failed");
        else {
            for (int t = 0; t < 3; t++)
                for (int u = 0; u < 3; u++)
                    wk->A[t][u] = gsl_matrix_get(w->A[0], t, u);
            wk->z[0] = gsl_matrix_get(w->Z, 2, 0);
            wk->z[1] = gsl_matrix_get(w->Z, 2, 1);
            status = 0;
        }
    }
    work_free(w);
    model_free(m);
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
/* <<the onset of specialisation in a trace>> */
enum { TRACE_LEAD = 6 };
static const double specialised_excess = 0.5;

typedef struct {
    int heads, head;            /* the head with the largest final change excess */
    double final, loss0;        /* its final excess; the first harmony loss */
    bool specialised;           /* final >= specialised_excess */
    long onset, width, jump;    /* steps */
    double onset_loss, jump_loss, onset_rhythm;
    long rhythm_step;           /* first step with the rhythm loss near its floor */
    long clipped, clip_late;    /* clipped steps; those after the first record */
} Onset;
/* <<the onset of specialisation in a trace>> */
/* <<check every column of a trace>> */
static int trace_check(const gsl_matrix *tr, const char *path, Error *err)
{
    const size_t n = tr->size1, cols = tr->size2;
    if (cols < TRACE_LEAD + 2 || (cols - TRACE_LEAD) % 2 != 0 || n < 2
        || (cols - TRACE_LEAD) / 2 > 16)
        return fail(err, "%s: not a trace of attention train", path);
    for (size_t i = 0; i < n; i++) {
        double step = gsl_matrix_get(tr, i, 0), cl = gsl_matrix_get(tr, i, 3);
        double before = i > 0 ? gsl_matrix_get(tr, i - 1, 0) : -1.0;
        if (!(step >= 0.0 && step <= 1e9 && step == floor(step))
            || (i == 0 ? step != 0.0 : !(step > before)))
            return fail(err, "%s: data row %zu: the steps must be whole numbers rising from 0 "
                        "to at most 1e9", path, i + 1);
        if (!(cl >= 0.0 && cl <= step && cl == floor(cl)))
            return fail(err, "%s: data row %zu: the clipped count must be a whole number "
                        "from 0 to the step", path, i + 1);
        for (size_t k = 1; k < cols; k++) {
            double v = gsl_matrix_get(tr, i, k);
            bool ok = k == 3 || (k < 3 ? v >= 0.0
                                 : v >= 0.0 && (k < TRACE_LEAD ? v < 1.0 : v <= 1.0));
            if (!ok)
                return fail(err, "%s: data row %zu: column %zu (%s) is out of range", path,
                            i + 1, k + 1, k < 3 ? "a loss" : "a mass");
        }
    }
    return 0;
}

static int onset_of(const gsl_matrix *tr, const char *path, double rhythm_near,
                    int heads, Onset *o, Error *err)
{
    const size_t n = tr->size1;
    if (trace_check(tr, path, err) != 0)
        return -1;
    o->heads = (int)(tr->size2 - TRACE_LEAD) / 2;
    if (o->heads != heads)
        return fail(err, "%s: a trace of %d heads, but the checkpoint has %d", path,
                    o->heads, heads);
    o->head = 0;
#define EXCESS(i, h) excess_over(gsl_matrix_get(tr, i, TRACE_LEAD + 1 + 2 * (h)), \
                            gsl_matrix_get(tr, i, TRACE_LEAD - 1))
    for (int h = 1; h < o->heads; h++)
        if (EXCESS(n - 1, h) > EXCESS(n - 1, o->head))
            o->head = h;
    o->final = EXCESS(n - 1, o->head);
    o->specialised = o->final >= specialised_excess;
    o->loss0 = gsl_matrix_get(tr, 0, 2);
    /* <<find when the change excess of the head crossed its marks>> */
    size_t i10 = n - 1, i50 = n - 1, i90 = n - 1, ij = 1;
    for (size_t i = n; i-- > 0; ) {
        double e = EXCESS(i, o->head);
        i10 = e >= 0.1 * o->final ? i : i10;
        i50 = e >= 0.5 * o->final ? i : i50;
        i90 = e >= 0.9 * o->final ? i : i90;
        if (i > 0 && e - EXCESS(i - 1, o->head) > EXCESS(ij, o->head)
                                                  - EXCESS(ij - 1, o->head))
            ij = i;
    }
    o->onset = (long)gsl_matrix_get(tr, i50, 0);
    o->width = (long)(gsl_matrix_get(tr, i90, 0) - gsl_matrix_get(tr, i10, 0));
    o->onset_loss = gsl_matrix_get(tr, i50, 2);
    o->jump = (long)gsl_matrix_get(tr, ij, 0);
    o->jump_loss = gsl_matrix_get(tr, ij, 2);
    o->onset_rhythm = gsl_matrix_get(tr, i50, 1);
    size_t ir = n - 1;
    for (size_t i = n; i-- > 0; )
        ir = gsl_matrix_get(tr, i, 1) <= rhythm_near ? i : ir;
    o->rhythm_step = (long)gsl_matrix_get(tr, ir, 0);
    o->clipped = (long)gsl_matrix_get(tr, n - 1, 3);
    o->clip_late = o->clipped - (long)gsl_matrix_get(tr, 1, 3);
#undef EXCESS
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
/* <<the command line of attention>> */
enum { EXAMPLES, TRAIN, ANALYSE, SAMPLE };
enum { TRAIN_EVAL_SEED = 7, TRAIN_EVAL_COUNT = 64 };    /* train's defaults */
typedef struct {
    int command;
    const char *checkpoint, *trace[16], *macros, *values, *ablation, *maps,
               *curves;
    int ntrace;
    Attn_plan plan;
    long count, example, sequences;
    bool quiet, length_given, music_given;
} Attn_options;

/* <<print the usage of attention>> */
static void attn_usage(FILE *fp)
{
    fputs(
"Usage: attention [--macros FILE] [--values FILE]\n"
"       attention train --checkpoint FILE [OPTION]...\n"
"       attention analyse --checkpoint FILE [--trace FILE]... [OPTION]...\n"
"       attention sample [--checkpoint FILE] [OPTION]...\n"
"A causal multi-head self-attention model trained on music-like sequences\n"
"with two independent factors, rhythm and harmony (section 23.4 of the book).\n"
"With no command, print the worked example and the best possible losses.\n"
"`attention COMMAND --help` describes each command.\n"
"\n"
"      --macros FILE     (no command, analyse) write the numbers as LaTeX macros\n"
"      --values FILE     (no command) write 'key<TAB>value' lines for make verify\n"
"  -h, --help            show this help and exit\n"
"Exit status: 0 on success, 1 on bad input.\n", fp);
}
/* <<print the usage of attention>> */
static void usage_train(FILE *fp)
{
    fputs(
"Usage: attention train --checkpoint FILE [OPTION]...\n"
"Train the model by Adam on fresh batches of generated sequences and write\n"
"the parameters to FILE (a text checkpoint, described in the book).\n"
"\n"
"  -o, --checkpoint FILE  where to write the trained model (required)\n"
"      --trace FILE      write one TSV row per evaluation: step, the two losses,\n"
"                        the clipped steps so far, the masses of every head\n"
"  -s, --seed S          seed of the initial weights and of the data (default 1)\n"
"      --steps N         number of Adam steps (default 1600)\n"
"      --batch B         sequences per step (default 16)\n"
"      --d-model D       width of the model (default 32)\n"
"      --heads H         number of heads, 1..16, dividing D (default 4)\n"
"      --length T        tokens per sequence, 2..128 (default 24)\n"
"      --lr X            Adam's learning rate (default 0.003)\n"
"      --clip X          largest gradient norm, 0 for none (default 1)\n"
"      --every N         evaluate every N steps (default 25)\n"
"      --eval-count N    sequences in the evaluation set (default 64)\n"
"      --eval-seed S     seed of the evaluation set (default 7)\n"
"      --p-change X      probability that the chord changes at a step (0.25)\n"
"      --p-fifth X       probability that a change moves by a fifth (0.8)\n"
"      --metre M         3 or 4 steps per bar, 0 for a random one (default 0)\n"
"      --phase P         position in the bar of the first step, -1 random\n"
"  -q, --quiet           do not print the progress lines\n"
"  -h, --help            show this help and exit\n", fp);
}
/* <<print the usage of attention>> */
static void usage_analyse(FILE *fp)
{
    fputs(
"Usage: attention analyse --checkpoint FILE [--trace FILE]... [OPTION]...\n"
"Measure what the heads of a trained model do: the loss of each factor with\n"
"each head ablated, the attention mass on periodic positions and on the last\n"
"chord change, and the specialisation index of each head; with traces of\n"
"several training runs, when each run's chord-change head appeared.\n"
"\n"
"  -c, --checkpoint FILE  the trained model (required)\n"
"      --trace FILE      a trace written by train (up to 16)\n"
"      --sequences N     sequences in the evaluation set (default 512)\n"
"      --eval-seed S     seed of the evaluation set (default 8)\n"
"      --example K       which evaluation sequence --maps draws (default 0)\n"
"      --ablation FILE   write the heads x factors ablation matrix\n"
"      --maps FILE       write the attention of every head on one sequence\n"
"      --curves FILE     write losses and indices of every trace, for a figure\n"
"      --macros FILE     write the numbers as LaTeX macros\n"
"  -h, --help            show this help and exit\n", fp);
}
/* <<print the usage of attention>> */
static void usage_sample(FILE *fp)
{
    fputs(
"Usage: attention sample [--checkpoint FILE] [OPTION]...\n"
"Print sequences, one per line, each token as accent:chord: S strong,\n"
"m medium, w weak; a chord root where the chord changes, '-' where it holds.\n"
"Without --checkpoint they come from the generator, with it from the model.\n"
"\n"
"  -c, --checkpoint FILE  sample from this trained model\n"
"  -s, --seed S          seed (default 1)\n"
"      --count N         number of sequences (default 4)\n"
"      --length T        tokens per sequence (default 24; the model's length\n"
"                        with --checkpoint)\n"
"      --p-change X, --p-fifth X, --metre M, --phase P   as for train\n"
"                        (without --checkpoint; a model keeps its own)\n"
"  -h, --help            show this help and exit\n", fp);
}
/* <<parse the options of attention>> */
static int attn_parse_options(int argc, char *argv[], Attn_options *opt,
                              Error *err)
{
    enum { E = 1, TR = 2, AN = 4, SA = 8 };
    static const struct option longopts[] = {
        {"checkpoint", 1, NULL, 'c'}, {"trace", 1, NULL, 'T'},
        {"seed", 1, NULL, 's'}, {"steps", 1, NULL, 'n'}, {"batch", 1, NULL, 'b'},
        {"d-model", 1, NULL, 'd'}, {"heads", 1, NULL, 'H'},
        {"length", 1, NULL, 'L'}, {"lr", 1, NULL, 'r'}, {"clip", 1, NULL, 'C'},
        {"every", 1, NULL, 'e'}, {"eval-count", 1, NULL, 'N'},
        {"eval-seed", 1, NULL, 'S'}, {"p-change", 1, NULL, 'p'},
        {"p-fifth", 1, NULL, 'f'}, {"metre", 1, NULL, 'M'}, {"phase", 1, NULL, 'P'},
        {"quiet", 0, NULL, 'q'}, {"sequences", 1, NULL, 'Q'},
        {"example", 1, NULL, 'x'}, {"ablation", 1, NULL, 'a'},
        {"maps", 1, NULL, 'm'}, {"curves", 1, NULL, 'u'},
        {"macros", 1, NULL, 'X'}, {"values", 1, NULL, 'V'},
        {"count", 1, NULL, 'k'}, {"help", 0, NULL, 'h'}, {NULL, 0, NULL, 0}};
    static const char codes[] = "cTsnbdHLrCeNSpfMPqQxamuXVkh";
    static const int allowed[] = {
        TR | AN | SA, TR | AN, TR | SA, TR, TR, TR, TR, TR | SA, TR, TR, TR, TR,
        TR | AN, TR | SA, TR | SA, TR | SA, TR | SA, TR, AN, AN, AN, AN, AN,
        E | AN, E, SA, E | TR | AN | SA};
    /* <<choose the command and set the defaults>> */
    *opt = (Attn_options){.command = EXAMPLES, .count = 4, .sequences = 512,
                          .plan = {.s = {32, 4, 24}, .music = {0, -1, 0.25, 0.8},
                                   .steps = 1600, .batch = 16, .every = 25, .seed = 1,
                                   .eval_seed = TRAIN_EVAL_SEED,
                                   .eval_count = TRAIN_EVAL_COUNT, .lr = 3e-3,
                                   .clip = 1.0}};
    if (argc > 1 && argv[1][0] != '-') {
        static const char *const names[] = {"train", "analyse", "sample"};
        for (int k = 0; k < 3; k++)
            if (strcmp(argv[1], names[k]) == 0)
                opt->command = k + 1;
        if (opt->command == EXAMPLES)
            return fail(err, "unknown command '%s' (train, analyse or sample)", argv[1]);
        argv++;
        argc--;
    }
    if (opt->command == ANALYSE)
        opt->plan.eval_seed = 8;
    int c, li = -1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":c:s:o:qh", longopts, &li)) != -1) {
        int s = 0;
        c = c == 'o' ? 'c' : c;
        const char *at = c == ':' || c == '?' ? NULL : strchr(codes, c);
        if (at == NULL)
            return bad_option(c, argv, optind, optopt, err);
        if (!(allowed[at - codes] & (1 << opt->command))) {
            if (li >= 0)
                return fail(err, "option '--%s' does not apply here (see --help)",
                            longopts[li].name);
            return fail(err, "option '-%c' does not apply here (see --help)", c);
        }
        li = -1;
        switch (c) {
        /* <<handle one option of attention>> */
        case 'c': opt->checkpoint = optarg; break;
        case 'T':
            if (opt->ntrace == 16)
                return fail(err, "at most 16 --trace files");
            opt->trace[opt->ntrace++] = optarg;
            break;
        case 'a': opt->ablation = optarg; break;
        case 'm': opt->maps = optarg; break;
        case 'u': opt->curves = optarg; break;
        case 'X': opt->macros = optarg; break;
        case 'V': opt->values = optarg; break;
        case 'q': opt->quiet = true; break;
        case 'h': return -2;
        /* <<handle the numeric options of attention>> */
        case 's': s = parse_count(optarg, "--seed", 1, 4294967295L, &opt->plan.seed, err);
                  break;
        case 'S': s = parse_count(optarg, "--eval-seed", 1, 4294967295L,
                                  &opt->plan.eval_seed, err); break;
        case 'n': s = parse_count(optarg, "--steps", 0, 100000000, &opt->plan.steps, err);
                  break;
        case 'b': s = parse_count(optarg, "--batch", 1, 100000, &opt->plan.batch, err);
                  break;
        case 'e': s = parse_count(optarg, "--every", 1, 100000000, &opt->plan.every, err);
                  break;
        case 'N': s = parse_count(optarg, "--eval-count", 1, 100000, &opt->plan.eval_count,
                                  err); break;
        case 'Q': s = parse_count(optarg, "--sequences", 1, 100000, &opt->sequences, err);
                  break;
        case 'x': s = parse_count(optarg, "--example", 0, 99999, &opt->example, err); break;
        case 'k': s = parse_count(optarg, "--count", 1, 1000000, &opt->count, err); break;
        /* <<handle the options of the model's shape and of the music>> */
        case 'd': case 'H': case 'L': case 'M': case 'P': {
            static const char *const name[] = {"--d-model", "--heads", "--length",
                                               "--metre", "--phase"};
            static const long lo[] = {1, 1, 2, 0, -1}, hi[] = {512, 16, MAX_LENGTH, 4, 3};
            int *dest[] = {&opt->plan.s.d, &opt->plan.s.heads, &opt->plan.s.length,
                           &opt->plan.music.metre, &opt->plan.music.phase};
            int k = (int)(strchr("dHLMP", c) - "dHLMP");
            long v;
            s = parse_count(optarg, name[k], lo[k], hi[k], &v, err);
            *dest[k] = (int)v;
            opt->length_given |= c == 'L';
            opt->music_given |= c == 'M' || c == 'P';
            break;
        }
        case 'r': s = parse_double(optarg, "--lr", &opt->plan.lr, err); break;
        case 'C': s = parse_double(optarg, "--clip", &opt->plan.clip, err); break;
        case 'p': s = parse_double(optarg, "--p-change", &opt->plan.music.p_change, err);
                  opt->music_given = true; break;
        case 'f': s = parse_double(optarg, "--p-fifth", &opt->plan.music.p_fifth, err);
                  opt->music_given = true; break;
        }
        if (s != 0)
            return -1;
    }
    /* <<check the combination of attention's options>> */
    if (optind < argc)
        return fail(err, "unexpected argument '%s' (see --help)", argv[optind]);
    if ((opt->command == TRAIN || opt->command == ANALYSE) && opt->checkpoint == NULL)
        return fail(err, "%s needs --checkpoint FILE",
                    opt->command == TRAIN ? "train" : "analyse");
    const Music_gen *mu = &opt->plan.music;
    if (mu->metre == 1 || mu->metre == 2)
        return fail(err, "--metre must be 0, 3 or 4, got %d", mu->metre);
    if (mu->metre != 0 && mu->phase >= mu->metre)
        return fail(err, "--phase must be below --metre (%d), got %d", mu->metre,
                    mu->phase);
    if (!(mu->p_change >= 0.0 && mu->p_change <= 1.0)
        || !(mu->p_fifth >= 0.0 && mu->p_fifth <= 1.0))
        return fail(err, "--p-change and --p-fifth must lie in [0, 1]");
    if (!(opt->plan.lr > 0.0 && opt->plan.lr < 1.0) || opt->plan.clip < 0.0)
        return fail(err, "--lr must lie in (0, 1) and --clip must be non-negative");
    if (shape_check(opt->plan.s, err) != 0)
        return -1;
    if (opt->command == SAMPLE && opt->checkpoint && opt->length_given)
        return fail(err, "--length comes from the checkpoint when sampling a model");
    if (opt->command == SAMPLE && opt->checkpoint && opt->music_given)
        return fail(err, "--metre, --phase, --p-change and --p-fifth come from the "
                    "checkpoint when sampling a model");
    /* <<refuse outputs of attention that overwrite each other>> */
    const char *ins[17] = {opt->command == TRAIN ? NULL : opt->checkpoint};
    for (int k = 0; k < opt->ntrace; k++)
        ins[k + 1] = opt->trace[k];
    const char *outs[7] = {opt->macros, opt->values, opt->ablation, opt->maps,
                           opt->curves, opt->command == TRAIN ? opt->checkpoint : NULL,
                           opt->command == TRAIN && opt->ntrace ? opt->trace[0] : NULL};
    if (opt->command == TRAIN && opt->ntrace > 1)
        return fail(err, "train writes one --trace file");
    if (distinct_outputs(ins, opt->command == TRAIN ? 1 : 1 + opt->ntrace, outs, 7,
                         err) != 0)
        return -1;
    const char *const flags[7] = {"--macros", "--values", "--ablation", "--maps",
                                  "--curves", "--checkpoint", "--trace"};
    if (check_output_names(flags, outs, 7, err) != 0)
        return -1;
    return 0;
}
/* <<run the worked example>> */
static int attn_run_examples(const Attn_options *opt, Error *err)
{
    Worked wk;
    if (worked_compute(&wk, err) != 0)
        return -1;
    const Music_gen *mu = &opt->plan.music;
    double fr = rhythm_floor(mu, opt->plan.s.length), fh = harmony_floor(mu);
    printf("Worked example 23.4A: three tokens, one head, d_k = 2\n");
    for (int t = 0; t < 3; t++)
        printf("  attention row %d: %.6f %.6f %.6f\n", t + 1, wk.A[t][0], wk.A[t][1],
               wk.A[t][2]);
    printf("  output of token 3: (%.6f, %.6f)\n", wk.z[0], wk.z[1]);
    printf("Best possible losses (nats), length %d: rhythm %.6f, harmony %.6f\n",
           opt->plan.s.length, fr, fh);
    if (stdout_written(err) != 0)
        return -1;
    Outfile out[2] = {outfile_none(), outfile_none()};
    const char *names[2] = {opt->macros, opt->values};
    for (int k = 0; k < 2; k++)
        if (names[k] != NULL && outfile_open(&out[k], names[k], err) != 0) {
            outfiles_abort(out, 2);
            return -1;
        }
    /* <<write the macros and values of the worked example>> */
    if (out[0].fp != NULL) {
        FILE *fp = out[0].fp;
        fputs("% Generated by `attention --macros`; do not edit.\n", fp);
        const char *wn[3] = {"AttnExWa", "AttnExWb", "AttnExWc"};
        for (int u = 0; u < 3; u++)
            tex_macro(fp, wn[u], wk.A[2][u], 4);
        tex_macro(fp, "AttnExWba", wk.A[1][0], 4);
        tex_macro(fp, "AttnExWbb", wk.A[1][1], 4);
        tex_macro(fp, "AttnExZa", wk.z[0], 4);
        tex_macro(fp, "AttnExZb", wk.z[1], 4);
        tex_macro_trim(fp, "AttnInitSd", sd_embed, 3);
        tex_macro_trim(fp, "AttnClip", opt->plan.clip, 3);
    }
    if (out[1].fp != NULL) {
        for (int t = 0; t < 3; t++)
            for (int u = 0; u < 3; u++)
                fprintf(out[1].fp, "23.4A.a%d%d\t%.17g\n", t + 1, u + 1,
                        wk.A[t][u]);
        fprintf(out[1].fp, "23.4A.z1\t%.17g\n23.4A.z2\t%.17g\n", wk.z[0], wk.z[1]);
        fprintf(out[1].fp, "floor.harmony\t%.17g\nfloor.rhythm\t%.17g\n", fh, fr);
        fprintf(out[1].fp, "floor.plateau\t%.17g\n",
                plateau_loss(mu, opt->plan.s.length));
    }
    return outfiles_commit(out, 2, err);
}
/* <<train a model from the command line>> */
static void attn_write_trace(FILE *fp, const Trace_row *tr, long n, int heads)
{
    fputs("# step\tloss-rhythm\tloss-harmony\tclipped\tuniform-periodic"
          "\tuniform-change", fp);
    for (int h = 0; h < heads; h++)
        fprintf(fp, "\tperiodic-%d\tchange-%d", h + 1, h + 1);
    fputc('\n', fp);
    for (long i = 0; i < n; i++) {
        fprintf(fp, "%ld\t%.10g\t%.10g\t%ld\t%.10g\t%.10g", tr[i].step,
                tr[i].loss[0], tr[i].loss[1], tr[i].clipped, tr[i].mass[heads][0],
                tr[i].mass[heads][1]);
        for (int h = 0; h < heads; h++)
            fprintf(fp, "\t%.10g\t%.10g", tr[i].mass[h][0], tr[i].mass[h][1]);
        fputc('\n', fp);
    }
}
/* <<train a model from the command line>> */
static int attn_run_train(const Attn_options *opt, Error *err)
{
    const Attn_plan *p = &opt->plan;
    Model *m = model_alloc(p->s, err);
    Trace_row *tr = alloc_array((size_t)(p->steps / p->every + 2), sizeof *tr, err);
    long n = 0;
    int status = -1;
    if (m != NULL && tr != NULL && train_model(p, m, tr, &n, !opt->quiet, err) == 0
        && stdout_written(err) == 0) {
        Outfile out[2] = {outfile_none(), outfile_none()};
        Checkpoint c = {m, p->music, p->seed, p->steps, p->batch, p->lr};
        if (outfile_open(&out[0], opt->checkpoint, err) == 0
            && (!opt->ntrace || outfile_open(&out[1], opt->trace[0], err) == 0)) {
            write_checkpoint(out[0].fp, &c);
            if (out[1].fp != NULL)
                attn_write_trace(out[1].fp, tr, n, p->s.heads);
            status = outfiles_commit(out, 2, err);
        } else
            outfiles_abort(out, 2);
    }
    free(tr);
    model_free(m);
    return status;
}
/* <<measure the heads of a trained model>> */
typedef struct {
    long n;
    Eval full, ablated[16];
    double own[2];              /* the set's best and no-look-back harmony losses */
    double trace_own[2];        /* the same for the evaluation set of the traces */
} Attn_analysis;

static int analyse_model(const Checkpoint *c, const Attn_options *opt,
                         Tokseq *set, Attn_analysis *an, Error *err)
{
    const Model *m = c->model;
    Attn_work *w = work_alloc(m->s, err);
    if (w == NULL)
        return -1;
    int st = evaluate_set(m, set, opt->sequences, w, 0, &an->full);
    for (int h = 0; h < m->s.heads; h++)
        st |= evaluate_set(m, set, opt->sequences, w, 1u << h, &an->ablated[h]);
    work_free(w);
    an->n = opt->sequences;
    if (st != 0)
        return fail(err, "a matrix product failed");
    /* <<refuse a model whose losses are not finite>> */
    bool finite = true;
    for (int h = -1; h < m->s.heads; h++) {
        const Eval *e = h < 0 ? &an->full : &an->ablated[h];
        finite = finite && isfinite(e->loss[0]) && isfinite(e->loss[1]);
        for (int k = 0; k <= m->s.heads; k++)
            finite = finite && isfinite(e->mass[k][0]) && isfinite(e->mass[k][1])
                     && isfinite(e->onebar[k]);
    }
    if (!finite)
        return fail(err, "%s: the model's losses are not finite (rhythm %g, harmony "
                    "%g): its weights are not those of a trained model",
                    opt->checkpoint, an->full.loss[0], an->full.loss[1]);
    set_harmony_losses(&c->music, set, an->n, an->own);
    Tokseq *tset;
    if (draw_set(&c->music, m->s.length, TRAIN_EVAL_SEED, TRAIN_EVAL_COUNT, &tset,
                 err) != 0)
        return -1;
    set_harmony_losses(&c->music, tset, TRAIN_EVAL_COUNT, an->trace_own);
    free(tset);
    return 0;
}
/* <<analyse a trained model>> */
static void print_analysis(const Checkpoint *c, const Attn_analysis *an)
{
    const int H = c->model->s.heads;
    const double *u = an->full.mass[H];
    printf("model: d_model %d, %d heads, length %d, seed %ld, %ld steps\n",
           c->model->s.d, H, c->model->s.length, c->seed, c->steps);
    printf("losses on %ld sequences: rhythm %.4f, harmony %.4f nats\n", an->n,
           an->full.loss[0], an->full.loss[1]);
    printf("uniform attention: one bar back %.3f, periodic %.3f, last change %.3f\n",
           an->full.onebar[H], u[0], u[1]);
    printf("head  ablation: +rhythm  +harmony   one bar  periodic  last-change  "
           "index\n");
    for (int h = 0; h < H; h++)
        printf("%4d  %17.4f %9.4f %9.3f %9.3f %12.3f %+6.2f\n", h + 1,
               an->ablated[h].loss[0] - an->full.loss[0],
               an->ablated[h].loss[1] - an->full.loss[1], an->full.onebar[h],
               an->full.mass[h][0], an->full.mass[h][1],
               spec_index(an->full.mass[h], u));
}
/* <<analyse a trained model>> */
static void write_analysis_files(FILE *const fp[4], const Checkpoint *c,
                                 const Attn_analysis *an, const Tokseq *ex,
                                 gsl_matrix *const *tr, const Onset *on, int ntr);

static int run_analyse(const Attn_options *opt, Error *err)
{
    Checkpoint c;
    if (read_checkpoint(opt->checkpoint, &c, err) != 0)
        return -1;
    Tokseq *set = NULL;
    Attn_analysis *an = alloc_array(1, sizeof *an, err);
    gsl_matrix *tr[16] = {NULL};
    Onset on[16];
    int status = -1, k = 0;
    if (opt->example >= opt->sequences)
        fail(err, "--example must be below --sequences (%ld)", opt->sequences);
    else if (an && draw_set(&c.music, c.model->s.length,
                            (unsigned long)opt->plan.eval_seed, opt->sequences,
                            &set, err) == 0
             && analyse_model(&c, opt, set, an, err) == 0) {
        for (k = 0; k < opt->ntrace; k++)
            if ((tr[k] = read_matrix(opt->trace[k], err)) == NULL
                || onset_of(tr[k], opt->trace[k],
                            rhythm_floor(&c.music, c.model->s.length) + 0.05,
                            c.model->s.heads, &on[k], err) != 0)
                break;
        if (k == opt->ntrace)
            status = 0;
    }
    /* <<print the analysis and write its files>> */
    if (status == 0) {
        print_analysis(&c, an);
        for (k = 0; k < opt->ntrace; k++)
            if (on[k].specialised)
                printf("%s: head %d, final excess %.3f; half-way at step %ld (harmony "
                       "loss %.4f), 10%%-90%% in %ld steps; largest jump at step %ld\n",
                       opt->trace[k], on[k].head + 1, on[k].final, on[k].onset,
                       on[k].onset_loss, on[k].width, on[k].jump);
            else
                printf("%s: head %d, final excess %.3f: no onset (below %g)\n",
                       opt->trace[k], on[k].head + 1, on[k].final, specialised_excess);
        status = stdout_written(err);
    }
    if (status == 0) {
        const char *names[4] = {opt->macros, opt->ablation, opt->maps, opt->curves};
        Outfile out[4] = {outfile_none(), outfile_none(), outfile_none(),
                          outfile_none()};
        FILE *fp[4] = {NULL, NULL, NULL, NULL};
        for (int i = 0; i < 4 && status == 0; i++)
            if (names[i] != NULL && (status = outfile_open(&out[i], names[i], err)) == 0)
                fp[i] = out[i].fp;
        if (status == 0) {
            write_analysis_files(fp, &c, an, &set[opt->example], tr, on, opt->ntrace);
            status = outfiles_commit(out, 4, err);
        } else
            outfiles_abort(out, 4);
    }
    for (k = 0; k < 16; k++)
        gsl_matrix_free(tr[k]);
    free(set);
    free(an);
    model_free(c.model);
    return status;
}
/* <<analyse a trained model>> */
static const char *const root_name[ROOTS] = {"C", "Db", "D", "Eb", "E", "F", "Gb",
                                             "G", "Ab", "A", "Bb", "B"};

static const char *chord_name(int harmony)
{
    return harmony == HOLD ? "-" : root_name[harmony];
}

static const char accent_letter[ACCENTS] = {'S', 'm', 'w'};
/* <<analyse a trained model>> */
static void write_maps(FILE *fp, const Checkpoint *c, const Tokseq *ex)
{
    Error err;
    Attn_work *w = work_alloc(c->model->s, &err);
    if (w == NULL || forward(c->model, ex, w, 0) != 0) {
        fputs("# (out of memory)\n", fp);
        work_free(w);
        return;
    }
    fputs("# attention of each head on one sequence: query t, key u, weight,\n"
          "# chord change at u (1/0), downbeat at u (1/0)\n", fp);
    for (int h = 0; h < w->heads; h++) {
        fprintf(fp, "%s# head %d\n", h ? "\n\n" : "", h + 1);
        for (int t = 0; t < w->T; t++) {
            for (int u = 0; u < w->T; u++)
                fprintf(fp, "%d\t%d\t%.6g\t%d\t%d\n", t, u,
                        gsl_matrix_get(w->A[h], t, u), ex->harmony[u] != HOLD,
                        ex->accent[u] == STRONG);
            fputc('\n', fp);
        }
    }
    work_free(w);
}
/* <<analyse a trained model>> */
static void write_curves(FILE *fp, gsl_matrix *const *tr, const Onset *on,
                         int ntr, const double marks[3])
{
    for (int k = 0; k < ntr; k++) {
        const gsl_matrix *m = tr[k];
        int H = (int)(m->size2 - TRACE_LEAD) / 2;
        fprintf(fp, "%s# run %d: step, losses (rhythm, harmony), index of each "
                "head, onset, its harmony loss, rhythm step, rhythm floor, "
                "harmony floor, no-look-back loss, chord-change head\n",
                k ? "\n\n" : "", k + 1);
        for (size_t i = 0; i < m->size1; i++) {
            /* <<write one row of the curves of run [[k]]>> */
            double u[2] = {gsl_matrix_get(m, i, TRACE_LEAD - 2),
                           gsl_matrix_get(m, i, TRACE_LEAD - 1)};
            fprintf(fp, "%g\t%.6g\t%.6g", gsl_matrix_get(m, i, 0), gsl_matrix_get(m, i, 1),
                    gsl_matrix_get(m, i, 2));
            for (int h = 0; h < H; h++) {
                double mass[2] = {gsl_matrix_get(m, i, TRACE_LEAD + 2 * h),
                                  gsl_matrix_get(m, i, TRACE_LEAD + 1 + 2 * h)};
                fprintf(fp, "\t%.6g", spec_index(mass, u));
            }
            fprintf(fp, "\t%ld\t%.6g\t%ld\t%.6g\t%.6g\t%.6g\t%d\n",
                    on[k].specialised ? on[k].onset : -1L,
                    on[k].specialised ? on[k].onset_loss : -1.0, on[k].rhythm_step,
                    marks[0], marks[1], marks[2], on[k].head + 1);
        }
    }
}
/* <<analyse a trained model>> */
static void write_analysis_files(FILE *const fp[4], const Checkpoint *c,
                                 const Attn_analysis *an, const Tokseq *ex,
                                 gsl_matrix *const *tr, const Onset *on, int ntr)
{
    const int H = c->model->s.heads;
    if (fp[0] != NULL) {
        /* <<write the macros of the analysis>> */
        FILE *f = fp[0];
        const double *u = an->full.mass[H];
        fputs("% Generated by `attention analyse --macros`; do not edit.\n", f);
        tex_macro_int(f, "AttnD", c->model->s.d);
        tex_macro_int(f, "AttnHeads", H);
        tex_macro_int(f, "AttnDk", c->model->s.d / H);
        tex_macro_int(f, "AttnLength", c->model->s.length);
        tex_macro_int(f, "AttnSteps", c->steps);
        tex_macro_int(f, "AttnBatch", c->batch);
        tex_macro_trim(f, "AttnLr", c->lr, 4);
        tex_macro_int(f, "AttnSeed", c->seed);
        tex_macro_int(f, "AttnParams", (long)c->model->n);
        tex_macro_int(f, "AttnSequences", an->n);
        tex_macro(f, "AttnLossRhythm", an->full.loss[0], 3);
        tex_macro(f, "AttnLossHarmony", an->full.loss[1], 4);
        tex_macro(f, "AttnUniformPeriodic", u[0], 2);
        tex_macro(f, "AttnUniformChange", u[1], 2);
        tex_macro(f, "AttnUniformOneBar", an->full.onebar[H], 2);
        double onebar_max = 0.0;
        for (int h = 0; h < H; h++)
            onebar_max = fmax(onebar_max, an->full.onebar[h]);
        tex_macro(f, "AttnOneBarMax", onebar_max, 2);
        tex_macro(f, "AttnPlateau", plateau_loss(&c->music, c->model->s.length), 4);
        tex_macro(f, "AttnFloorRhythm", rhythm_floor(&c->music, c->model->s.length), 3);
        tex_macro(f, "AttnFloorHarmony", harmony_floor(&c->music), 4);
        tex_macro(f, "AttnSetFloor", an->own[0], 4);
        tex_macro(f, "AttnSetPlateau", an->own[1], 4);
        tex_macro_int(f, "AttnTraceCount", TRAIN_EVAL_COUNT);
        tex_macro_int(f, "AttnTraceSeed", TRAIN_EVAL_SEED);
        tex_macro(f, "AttnTraceFloor", an->trace_own[0], 4);
        tex_macro(f, "AttnTracePlateau", an->trace_own[1], 4);
        tex_macro_int(f, "AttnEvery", ntr > 0 && tr[0]->size1 > 1
                      ? (long)(gsl_matrix_get(tr[0], 1, 0) - gsl_matrix_get(tr[0], 0, 0))
                      : 0);
        /* <<write the rows of the table of heads>> */
        fputs("\\newcommand{\\AttnHeadRows}{", f);
        int best = 0;
        for (int h = 0; h < H; h++) {
            fprintf(f, "%d & %.3f & %.3f & %.2f & %.2f & %.2f & %+.2f\\\\", h + 1,
                    an->ablated[h].loss[0] - an->full.loss[0],
                    an->ablated[h].loss[1] - an->full.loss[1], an->full.onebar[h],
                    an->full.mass[h][0], an->full.mass[h][1],
                    spec_index(an->full.mass[h], u));
            best = an->full.mass[h][1] > an->full.mass[best][1] ? h : best;
        }
        fputs("}\n", f);
        tex_macro_int(f, "AttnChangeHead", best + 1);
        tex_macro(f, "AttnChangeMass", an->full.mass[best][1], 3);
        tex_macro(f, "AttnChangeAblH", an->ablated[best].loss[1] - an->full.loss[1], 2);
        tex_macro(f, "AttnChangeAblR", an->ablated[best].loss[0] - an->full.loss[0], 2);
        int other = best == 0 && H > 1 ? 1 : 0;         /* the next most harmonic head */
        for (int h = 0; h < H; h++)
            if (h != best && an->ablated[h].loss[1] > an->ablated[other].loss[1])
                other = h;
        tex_macro_int(f, "AttnOtherHead", other + 1);
        tex_macro(f, "AttnOtherAblH", an->ablated[other].loss[1] - an->full.loss[1], 2);
        tex_macro(f, "AttnOtherAblR", an->ablated[other].loss[0] - an->full.loss[0], 2);
        /* <<write the macros of the onsets>> */
        fputs("\\newcommand{\\AttnOnsetRows}{", f);
        int nspec = 0;
        double mean_onset = 0.0;
        double lo[6], hi[6];
        for (int i = 0; i < 6; i++) {
            lo[i] = 1e300;
            hi[i] = -1e300;
        }
        long clip_min = ntr ? LONG_MAX : 0, clip_max = 0, clip_late = 0;
        for (int k = 0; k < ntr; k++) {
            const Onset *o = &on[k];
            clip_min = o->clipped < clip_min ? o->clipped : clip_min;
            clip_max = o->clipped > clip_max ? o->clipped : clip_max;
            clip_late = o->clip_late > clip_late ? o->clip_late : clip_late;
            lo[5] = fmin(lo[5], (double)o->rhythm_step);
            hi[5] = fmax(hi[5], (double)o->rhythm_step);
            if (!o->specialised) {
                fprintf(f, "%d & %d & %.2f & \\multicolumn{6}{c}{no onset} & %ld\\\\",
                        k + 1, o->head + 1, o->final, o->rhythm_step);
                continue;
            }
            fprintf(f, "%d & %d & %.2f & %ld & %ld & %ld & %.3f & %.3f & %.3f & %ld\\\\",
                    k + 1, o->head + 1, o->final, o->onset, o->width, o->jump,
                    o->onset_loss, o->jump_loss, o->onset_rhythm, o->rhythm_step);
            nspec++;
            mean_onset += (double)o->onset;
            double v[5] = {(double)o->onset, (double)o->width, o->onset_loss, o->loss0,
                           o->onset_rhythm};
            for (int i = 0; i < 5; i++) {
                lo[i] = fmin(lo[i], v[i]);
                hi[i] = fmax(hi[i], v[i]);
            }
        }
        fputs("}\n", f);
        mean_onset /= nspec > 0 ? nspec : 1;
        /* <<write the harmony losses of every run at one fixed step>> */
        double flo = 1e300, fhi = -1e300;
        long fstep = 0;
        for (int k = 0; k < ntr; k++) {
            if (!on[k].specialised)
                continue;
            size_t best = 0;
            for (size_t i = 1; i < tr[k]->size1; i++)
                if (fabs(gsl_matrix_get(tr[k], i, 0) - mean_onset)
                    < fabs(gsl_matrix_get(tr[k], best, 0) - mean_onset))
                    best = i;
            fstep = (long)gsl_matrix_get(tr[k], best, 0);
            flo = fmin(flo, gsl_matrix_get(tr[k], best, 2));
            fhi = fmax(fhi, gsl_matrix_get(tr[k], best, 2));
        }
        tex_macro_int(f, "AttnFixedStep", fstep);
        tex_macro(f, "AttnFixedLossMin", nspec ? flo : 0.0, 4);
        tex_macro(f, "AttnFixedLossMax", nspec ? fhi : 0.0, 4);
        tex_macro_int(f, "AttnClipMin", clip_min);
        tex_macro_int(f, "AttnClipMax", clip_max);
        tex_macro_int(f, "AttnClipLateMax", clip_late);
        tex_macro_int(f, "AttnRuns", ntr);
        tex_macro_int(f, "AttnRunsSpecialised", nspec);
        const char *nm[6][2] = {{"AttnOnsetMin", "AttnOnsetMax"},
                                {"AttnWidthMin", "AttnWidthMax"},
                                {"AttnOnsetLossMin", "AttnOnsetLossMax"},
                                {"AttnStartLossMin", "AttnStartLossMax"},
                                {"AttnOnsetRhythmMin", "AttnOnsetRhythmMax"},
                                {"AttnRhythmStepMin", "AttnRhythmStepMax"}};
        for (int i = 0; i < 6; i++) {
            if (lo[i] > hi[i])                          /* no run to take them from */
                lo[i] = hi[i] = 0.0;
            if (i == 0 || i == 1 || i == 5) {
                tex_macro_int(f, nm[i][0], (long)lo[i]);
                tex_macro_int(f, nm[i][1], (long)hi[i]);
            } else {
                tex_macro(f, nm[i][0], lo[i], i == 2 ? 4 : 3);
                tex_macro(f, nm[i][1], hi[i], i == 2 ? 4 : 3);
            }
        }
        fputs("\\newcommand{\\AttnExampleSeq}{", f);
        for (int t = 0; t < ex->length; t++)
            fprintf(f, "%s\\texttt{%c:%s}", t ? " " : "", accent_letter[ex->accent[t]],
                    chord_name(ex->harmony[t]));
        fprintf(f, "}\n\\newcommand{\\AttnExampleMetre}{%d}\n", ex->metre);
    }
    if (fp[1] != NULL) {
        fputs("# head\textra rhythm loss\textra harmony loss (nats)\n", fp[1]);
        for (int h = 0; h < H; h++)
            fprintf(fp[1], "%d\t%.6g\t%.6g\n", h + 1,
                    an->ablated[h].loss[0] - an->full.loss[0],
                    an->ablated[h].loss[1] - an->full.loss[1]);
    }
    if (fp[2] != NULL)
        write_maps(fp[2], c, ex);
    if (fp[3] != NULL) {
        const double marks[3] = {rhythm_floor(&c->music, c->model->s.length),
                                 an->trace_own[0], an->trace_own[1]};
        write_curves(fp[3], tr, on, ntr, marks);
    }
}
/* <<print sample sequences>> */
static int run_sample(const Attn_options *opt, Error *err)
{
    Checkpoint c = {NULL, opt->plan.music, 0, 0, 0, 0.0};
    if (opt->checkpoint && read_checkpoint(opt->checkpoint, &c, err) != 0)
        return -1;
    int T = c.model ? c.model->s.length : opt->plan.s.length;
    Attn_work *w = c.model ? work_alloc(c.model->s, err) : NULL;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    Tokseq *s = alloc_array(1, sizeof *s, err);
    int status = (c.model && !w) || !s ? -1 : rng ? 0
                 : fail(err, "out of memory for a generator");
    if (status == 0)
        gsl_rng_set(rng, (unsigned long)opt->plan.seed);
    for (long i = 0; status == 0 && i < opt->count; i++) {
        music_draw(&c.music, T, rng, s);
        for (int t = 1; c.model && t < T && status == 0; t++)
            /* <<draw token [[t]] from the model>> */
            {
                if (forward(c.model, s, w, 0) != 0)
                    status = fail(err, "a matrix product failed");
                double pr[ACCENTS], pc[HARMONIES];
                for (int k = 0; k < ACCENTS; k++)
                    pr[k] = gsl_matrix_get(w->Pr, t - 1, k);
                for (int k = 0; k < HARMONIES; k++)
                    pc[k] = gsl_matrix_get(w->Pc, t - 1, k);
                bool finite = true;                 /* as in the analysis: refuse, not draw */
                for (int k = 0; k < HARMONIES; k++)
                    finite = finite && isfinite(pc[k]) && (k >= ACCENTS || isfinite(pr[k]));
                if (!finite) {
                    status = fail(err, "%s: the model's probabilities are not finite: its "
                                  "weights are not those of a trained model", opt->checkpoint);
                    break;
                }
                gsl_ran_discrete_t *dr = gsl_ran_discrete_preproc(ACCENTS, pr),
                                   *dc = gsl_ran_discrete_preproc(HARMONIES, pc);
                if (dr == NULL || dc == NULL)
                    status = fail(err, "out of memory for a discrete distribution");
                else {
                    s->accent[t] = (int)gsl_ran_discrete(rng, dr);
                    s->harmony[t] = (int)gsl_ran_discrete(rng, dc);
                }
                gsl_ran_discrete_free(dr);
                gsl_ran_discrete_free(dc);
            }
        for (int t = 0; status == 0 && t < T; t++)
            printf("%c:%s%c", accent_letter[s->accent[t]], chord_name(s->harmony[t]),
                   t + 1 < T ? ' ' : '\n');
    }
    free(s);
    gsl_rng_free(rng);
    work_free(w);
    model_free(c.model);
    return status;
}

int main(int argc, char *argv[])
{
    gsl_set_error_handler_off();
    Attn_options opt;
    Error err = {""};
    int status = attn_parse_options(argc, argv, &opt, &err);
    void (*help[4])(FILE *) = {attn_usage, usage_train, usage_analyse,
                               usage_sample};
    if (status == 0) {
        int (*run[4])(const Attn_options *, Error *) = {
            attn_run_examples, attn_run_train, run_analyse, run_sample};
        status = run[opt.command](&opt, &err);
    }
    return finish("attention", status, &err, help[opt.command]);
}

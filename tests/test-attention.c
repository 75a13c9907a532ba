/* test-attention.c -- CUnit tests of section 23.4 (attention heads).
 * Tangled from chapters/23-4-attention.nw and chapters/p4-attention.nw.
 * Expected values: central finite differences of the loss, the causal structure of the model, the head
 * decomposition of the output, the chi-squared law of the G statistic for
 * independent factors, a hand-computed attention row, and exact repetition. */
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
#include <gsl/gsl_cdf.h>
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
/* <<tests of the attention model>> */
static double g_statistic(long counts[ACCENTS][HARMONIES], long n)
{
    double row[ACCENTS] = {0}, col[HARMONIES] = {0}, g = 0.0;
    for (int a = 0; a < ACCENTS; a++)
        for (int h = 0; h < HARMONIES; h++) {
            row[a] += counts[a][h];
            col[h] += counts[a][h];
        }
    for (int a = 0; a < ACCENTS; a++)
        for (int h = 0; h < HARMONIES; h++)
            if (counts[a][h] > 0)
                g += 2.0 * counts[a][h]
                     * log((double)counts[a][h] * n / (row[a] * col[h]));
    return g;
}
/* <<tests of the attention model>> */
static void test_independence(void)
{
    static long same[ACCENTS][HARMONIES], next[ACCENTS][HARMONIES],
                accents[ACCENTS][HARMONIES];
    const long n = 20000;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    CU_ASSERT_FATAL(rng != NULL);
    gsl_rng_set(rng, 11);
    Music_gen mu = {0, -1, 0.25, 0.8};
    Tokseq s;
    for (long i = 0; i < n; i++) {
        music_draw(&mu, 12, rng, &s);
        same[s.accent[10]][s.harmony[10]]++;
        next[s.accent[11]][s.harmony[10]]++;
        accents[s.accent[10]][s.accent[11]]++;
    }
    double limit = gsl_cdf_chisq_Qinv(0.001, 24.0);
    CU_ASSERT(g_statistic(same, n) < limit);
    CU_ASSERT(g_statistic(next, n) < limit);
    CU_ASSERT(g_statistic(accents, n) > 100.0 * limit);
    gsl_rng_free(rng);
}
/* <<tests of the attention model>> */
static void test_floors(void)
{
    Music_gen three = {3, -1, 0.25, 0.8}, mu = {0, -1, 0.3, 0.7};
    CU_ASSERT_DOUBLE_EQUAL(rhythm_floor(&three, 8), 2.0 / 3.0 * log(2.0) / 7.0,
                           1e-15);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    CU_ASSERT_FATAL(rng != NULL);
    double sum[2] = {0, 0}, sum2[2] = {0, 0}, own[2], set_sum[2] = {0, 0};
    long n = 0;
    Tokseq s;
    for (int i = 0; i < 4000; i++) {
        music_draw(&mu, 16, rng, &s);
        set_harmony_losses(&mu, &s, 1, own);
        set_sum[0] += own[0] / 4000;
        set_sum[1] += own[1] / 4000;
        for (int t = 1; t < 16; t++, n++) {
            /* <<score token [[t]] with and without the last change>> */
            int h = s.harmony[t], last = s.harmony[last_change(&s, t - 1)];
            int step = (h - last + ROOTS) % ROOTS;
            double p = h == HOLD ? 1.0 - mu.p_change
                     : mu.p_change * (step == 5 || step == 7 ? mu.p_fifth / 2
                                                             : (1 - mu.p_fifth) / 9);
            double blind = h == HOLD || s.harmony[t - 1] != HOLD ? p : mu.p_change / ROOTS;
            sum[0] -= log(p);
            sum2[0] += log(p) * log(p);
            sum[1] -= log(blind);
            sum2[1] += log(blind) * log(blind);
        }
    }
    double fl[2] = {harmony_floor(&mu), plateau_loss(&mu, 16)};
    for (int k = 0; k < 2; k++) {
        double mean = sum[k] / n, se = sqrt((sum2[k] / n - mean * mean) / n);
        CU_ASSERT(fabs(mean - fl[k]) < 4 * se);
        CU_ASSERT_DOUBLE_EQUAL(set_sum[k], mean, 1e-12);
    }
    gsl_rng_free(rng);
}
/* <<tests of the attention model>> */
static Model *tiny_model(unsigned long seed)
{
    Error err;
    Shape s = {6, 2, 5};
    Model *m = model_alloc(s, &err);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (m != NULL && rng != NULL) {
        gsl_rng_set(rng, seed);
        model_init(m, rng);
        for (size_t k = 0; k < m->n; k++)      /* biases too, and larger scores */
            m->theta[k] += 0.3 * gsl_ran_gaussian(rng, 1.0);
    }
    gsl_rng_free(rng);
    return m;
}

static double total_loss(const Model *m, const Tokseq *s, Attn_work *w)
{
    double l[2];
    forward(m, s, w, 0);
    sequence_loss(w, s, l);
    return l[0] + l[1];
}
/* <<tests of the attention model>> */
static void test_causal_mask(void)
{
    Error err;
    Model *m = tiny_model(5);
    Attn_work *w = m ? work_alloc(m->s, &err) : NULL,
              *w2 = m ? work_alloc(m->s, &err) : NULL;
    CU_ASSERT_FATAL(m && w && w2);
    Tokseq s = {.length = 5, .metre = 3, .accent = {0, 2, 2, 0, 2},
                .harmony = {0, HOLD, 7, HOLD, HOLD}};
    forward(m, &s, w, 0);
    for (int j = 1; j < 5; j++) {
        Tokseq s2 = s;
        s2.accent[j] = MEDIUM;
        s2.harmony[j] = 3;
        forward(m, &s2, w2, 0);
        bool same = true;
        for (int t = 0; t < j; t++) {
            for (int h = 0; h < m->s.heads; h++)
                for (int u = 0; u < 5; u++)
                    same &= gsl_matrix_get(w->A[h], t, u)
                            == gsl_matrix_get(w2->A[h], t, u);
            for (int k = 0; k < HARMONIES; k++)
                same &= gsl_matrix_get(w->Pc, t, k) == gsl_matrix_get(w2->Pc, t, k);
            for (int k = 0; k < ACCENTS; k++)
                same &= gsl_matrix_get(w->Pr, t, k) == gsl_matrix_get(w2->Pr, t, k);
        }
        CU_ASSERT(same);
        CU_ASSERT(gsl_matrix_get(w->Pc, j, 3) != gsl_matrix_get(w2->Pc, j, 3));
    }
    work_free(w);
    work_free(w2);
    model_free(m);
}
/* <<tests of the attention model>> */
static void test_ablation(void)
{
    Error err;
    Model *m = tiny_model(7);
    Attn_work *w = m ? work_alloc(m->s, &err) : NULL,
              *w2 = m ? work_alloc(m->s, &err) : NULL;
    CU_ASSERT_FATAL(m && w && w2);
    Tokseq s = {.length = 5, .metre = 4, .accent = {0, 2, 1, 2, 0},
                .harmony = {2, HOLD, 9, HOLD, 4}};
    const int d = m->s.d, dk = d / m->s.heads;
    const double *Wo = m->theta + m->off[WO];
    for (int h = 0; h < m->s.heads; h++) {
        forward(m, &s, w, 0);
        forward(m, &s, w2, 1u << h);
        double worst = 0.0;
        for (int t = 0; t < 5; t++)
            for (int j = 0; j < d; j++) {
                double own = 0.0;
                for (int i = h * dk; i < (h + 1) * dk; i++)
                    own += gsl_matrix_get(w->Z, t, i) * Wo[i * d + j];
                double removed = gsl_matrix_get(w->Y, t, j)
                                 - gsl_matrix_get(w2->Y, t, j);
                worst = fmax(worst, fabs(removed - own));
            }
        CU_ASSERT(worst < 1e-12);
    }
    work_free(w);
    work_free(w2);
    model_free(m);
}
/* <<tests of the attention model>> */
static void test_gradient(void)
{
    Error err;
    Model *m = tiny_model(3);
    Attn_work *w = m ? work_alloc(m->s, &err) : NULL;
    double *g = m ? calloc(m->n, sizeof *g) : NULL;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    CU_ASSERT_FATAL(m && w && g && rng);
    Tokseq s;
    Music_gen mu = {0, -1, 0.5, 0.8};
    music_draw(&mu, m->s.length, rng, &s);
    forward(m, &s, w, 0);
    CU_ASSERT(backward(m, &s, w, g, 1.0) == 0);
    for (int b = 0; b < NBLOCKS; b++) {
        double diff = 0.0, norm = 0.0, h = 1e-5;
        /* <<compare block [[b]] of the gradient with central differences>> */
        for (size_t k = m->off[b]; k < m->off[b] + m->rows[b] * m->cols[b]; k++) {
            double keep = m->theta[k];
            m->theta[k] = keep + h;
            double up = total_loss(m, &s, w);
            m->theta[k] = keep - h;
            double down = total_loss(m, &s, w);
            m->theta[k] = keep;
            double fd = (up - down) / (2 * h);
            diff += (fd - g[k]) * (fd - g[k]);
            norm += fd * fd;
        }
        CU_ASSERT(norm > 0.0 && sqrt(diff / norm) < 1e-5);
        if (!(sqrt(diff / norm) < 1e-5))
            fprintf(stderr, "\n  block %s: relative error %.3g", block_name[b],
                    sqrt(diff / norm));
    }
    gsl_rng_free(rng);
    free(g);
    work_free(w);
    model_free(m);
}
/* <<tests of the attention model>> */
static void test_trivial_sequence(void)
{
    Error err;
    Attn_plan p = {.s = {8, 2, 8}, .music = {3, 0, 0.0, 0.8}, .steps = 300,
                   .batch = 4, .every = 300, .seed = 2, .eval_seed = 3,
                   .eval_count = 4, .lr = 0.01, .clip = 1.0};
    Model *m = model_alloc(p.s, &err);
    Trace_row tr[3];
    long n = 0;
    CU_ASSERT_FATAL(m != NULL);
    CU_ASSERT(train_model(&p, m, tr, &n, false, &err) == 0);
    CU_ASSERT(n == 2 && tr[1].loss[0] < 0.01 && tr[1].loss[1] < 0.01);
    CU_ASSERT(tr[0].loss[0] > 0.5 && tr[0].loss[1] > 0.5);
    model_free(m);
}
/* <<tests of the attention model>> */
static void test_worked_example(void)
{
    Error err;
    Worked wk;
    CU_ASSERT_FATAL(worked_compute(&wk, &err) == 0);
    double e[3] = {exp(2 / sqrt(2.0)), exp(1 / sqrt(2.0)), exp(3 / sqrt(2.0))};
    double z = e[0] + e[1] + e[2];
    for (int u = 0; u < 3; u++)
        CU_ASSERT_DOUBLE_EQUAL(wk.A[2][u], e[u] / z, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(wk.z[0], (e[0] + e[2]) / z, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(wk.z[1], (e[1] + e[2]) / z, 1e-15);
    CU_ASSERT(wk.A[0][0] == 1.0 && wk.A[0][1] == 0.0 && wk.A[1][2] == 0.0);
}
/* <<tests of the command line of attention>> */
static bool same_bytes(const char *a, const char *b)
{
    char pa[1024], pb[1024];
    snprintf(pa, sizeof pa, "%s/%s", getenv("TESTDIR"), a);
    snprintf(pb, sizeof pb, "%s/%s", getenv("TESTDIR"), b);
    FILE *fa = fopen(pa, "rb"), *fb = fopen(pb, "rb");
    bool same = fa && fb;
    for (int ca = 0, cb = 0; same && ca != EOF; )
        same = (ca = fgetc(fa)) == (cb = fgetc(fb));
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}
/* <<tests of the command line of attention>> */
#define TINY "--d-model 8 --heads 2 --length 8 --steps 20 --every 10 " \
             "--eval-count 4 --quiet"
static void test_determinism_and_checkpoints(void)
{
    Run r = run_program("train " TINY " -o a.ck --trace a.tsv --seed 5");
    CU_ASSERT(r.status == 0);
    r = run_program("train " TINY " -o b.ck --trace b.tsv --seed 5");
    CU_ASSERT(r.status == 0);
    CU_ASSERT(run_program("train " TINY " -o c.ck --seed 6").status == 0);
    CU_ASSERT(same_bytes("a.ck", "b.ck") && same_bytes("a.tsv", "b.tsv"));
    CU_ASSERT(!same_bytes("a.ck", "c.ck"));
    r = run_program("analyse -c a.ck --trace a.tsv --sequences 8");
    CU_ASSERT(r.status == 0 && strstr(r.out, "ablation") != NULL);
    r = run_program("sample -c a.ck --count 3");
    CU_ASSERT(r.status == 0 && count_lines(r.out) == 3);
    CU_ASSERT(system("cd \"$TESTDIR\" && head -c 1500 a.ck > cut.ck && "
                     "sed 's/^heads 2/heads 3/' a.ck > heads.ck && "
                     "sed 's/^block wq 8 8/block wq 8 7/' a.ck > shape.ck") == 0);
    expect_rejection_of("analyse -c cut.ck --macros out.tex", "truncated checkpoint",
                        "out.tex");
    expect_rejection_of("analyse -c heads.ck --macros out.tex", "multiple",
                        "out.tex");
    expect_rejection_of("analyse -c shape.ck --macros out.tex", "block wq",
                        "out.tex");
    expect_rejection_of("analyse -c a.tsv --macros out.tex", "expected", "out.tex");
    expect_rejection_of("analyse -c a.ck --trace a.ck --macros out.tex",
                        "is not a number", "out.tex");
    CU_ASSERT(system("cd \"$TESTDIR\" && "
                     "sed 's/^heads 2/heads 2.5/' a.ck > frac.ck && "
                     "sed 's/^lr .*/lr 0/' a.ck > lr0.ck && "
                     "sed 's/^metre 0/metre 3/; s/^phase -1/phase 3/' a.ck "
                     "> ph.ck && "
                     "mkdir -p dir.ck") == 0);
    expect_rejection_of("analyse -c frac.ck --macros out.tex", "whole number",
                        "out.tex");
    expect_rejection_of("analyse -c lr0.ck --macros out.tex", "lr must be positive",
                        "out.tex");
    expect_rejection_of("analyse -c ph.ck --macros out.tex", "not below metre",
                        "out.tex");
    expect_rejection_of("analyse -c dir.ck --macros out.tex", "not a regular file",
                        "out.tex");
    CU_ASSERT(run_program("train --d-model 8 --heads 1 --length 8 --steps 10 "
                          "--every 10 --eval-count 4 --quiet -o one.ck "
                          "--trace one.tsv").status == 0);
    expect_rejection_of("analyse -c a.ck --trace one.tsv --macros out.tex",
                        "trace of 1 heads", "out.tex");
    const char *music[4] = {"--metre 3", "--phase 0", "--p-change 0.5",
                            "--p-fifth 0.5"};
    for (int k = 0; k < 4; k++) {
        char args[128];
        snprintf(args, sizeof args, "sample -c a.ck %s", music[k]);
        expect_rejection_of(args, "come from the checkpoint", "out.tex");
    }
    /* <<refuse damage that the reader once let through>> */
    CU_ASSERT(system("cd \"$TESTDIR\" && "
                     "awk 'f == 1 { $1 = \"1e300\"; f = 2 } $2 == \"embed\" { f = 1 } 1' "
                     "a.ck > big.ck && "
                     "sed 's/^heads 2/heads 00000000000000000000000000000000000000000"
                     "0000000000000000000000000000002/' a.ck > long.ck && "
                     "sed 's/^heads 2/heads 2\\x00/' a.ck > nul.ck && "
                     "awk 'NR == 2 { $1 = \"1e300\" } 1' OFS='\\t' a.tsv > step.tsv")
              == 0);
    expect_rejection_of("analyse -c big.ck --macros out.tex", "losses are not finite",
                        "out.tex");
    expect_rejection_of("analyse -c long.ck --macros out.tex",
                        "longer than 63 characters", "out.tex");
    expect_rejection_of("analyse -c nul.ck --macros out.tex", "NUL byte", "out.tex");
    expect_rejection_of("analyse -c a.ck --trace step.tsv --macros out.tex",
                        "steps must be whole numbers", "out.tex");
}
/* <<tests of the command line of attention>> */
static void test_command_line(void)
{
    const char *helps[4] = {"--help", "train --help", "analyse -h", "sample --help"};
    for (int k = 0; k < 4; k++) {
        Run r = run_program(helps[k]);
        CU_ASSERT(r.status == 0 && strstr(r.out, "Usage: attention") != NULL);
    }
    expect_rejection_of("fly", "unknown command", "o.ck");
    expect_rejection_of("train --bogus -o o.ck", "unknown option '--bogus'", "o.ck");
    expect_rejection_of("train --steps", "needs a value", "o.ck");
    expect_rejection_of("train", "needs --checkpoint", "o.ck");
    expect_rejection_of("train --heads 3 -o o.ck", "multiple", "o.ck");
    expect_rejection_of("train --metre 2 -o o.ck", "0, 3 or 4", "o.ck");
    expect_rejection_of("train --metre 3 --phase 3 -o o.ck", "below --metre",
                        "o.ck");
    expect_rejection_of("train --lr 0 -o o.ck", "--lr", "o.ck");
    expect_rejection_of("train --p-change 1.5 -o o.ck", "[0, 1]", "o.ck");
    expect_rejection_of("sample --macros o.ck", "does not apply", "o.ck");
    expect_rejection_of("sample -c o.ck --length 5", "comes from the checkpoint",
                        "o.ck");
    expect_rejection_of("train -o o.ck --trace o.ck", "same file", "o.ck");
    expect_rejection_of("analyse -c missing.ck", "cannot open", "o.ck");
    write_test_file("v2.ck", "attention-checkpoint 2\n");
    expect_rejection_of("analyse -c v2.ck --ablation o.ck", "out of range", "o.ck");
    CU_ASSERT(!test_file_exists("o.ck"));
    Run r = run_program("sample --count 2 --length 6 --metre 3 --phase 0");
    CU_ASSERT(r.status == 0 && strncmp(r.out, "S:", 2) == 0);
    CU_ASSERT(count_lines(r.out) == 2);
}
/* <<tests of the command line of attention>> */
static void attn_test_output_names(void)
{
    static const char *const opts[] = {
        "train " TINY " --trace t.tsv -o", "train " TINY " -o t.ck --trace",
        "analyse -c a.ck --sequences 8 --macros",
        "analyse -c a.ck --sequences 8 --ablation",
        "analyse -c a.ck --sequences 8 --maps",
        "analyse -c a.ck --trace a.tsv --sequences 8 --curves",
        "--macros", "--values"};
    static const char *const names[3][2] = {
        {"''", "file name is empty"}, {"outdir.d", "is a directory"},
        {"nodir/x", "does not exist"}};
    CU_ASSERT(system("cd \"$TESTDIR\" && mkdir -p outdir.d") == 0);
    for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++)
        for (int b = 0; b < 3; b++) {
            char args[256];
            snprintf(args, sizeof args, "%s %s", opts[k], names[b][0]);
            expect_rejection_of(args, names[b][1], "t.");
            CU_ASSERT(leftover_files(".tmp") == 0);
        }
    expect_rejection_of("analyse -c a.ck --sequences 8 --macros m.tex "
                        "--ablation ab.tsv --maps ''", "empty", "m.tex");
    CU_ASSERT(!test_file_exists("ab.tsv"));
}
/* <<run every suite of attention>> */
int main(void)
{
    static const char *const suites[] = {"23.4 attention heads"};
    static const Test_entry tests[] = {
        {0, "gradient of every block against central differences", test_gradient},
        {0, "causal mask: a later token never changes an earlier output",
         test_causal_mask},
        {0, "ablating a head removes exactly its term", test_ablation},
        {0, "rhythm and harmony are independent (G test)", test_independence},
        {0, "worked example 23.4A against its definition", test_worked_example},
        {0, "a trivially predictable sequence is learnt", test_trivial_sequence},
        {0, "the best possible losses", test_floors},
        {0, "determinism; damaged checkpoints refused",
         test_determinism_and_checkpoints},
        {0, "command line: help, bad options, sampling", test_command_line},
        {0, "every output name is checked before any work",
         attn_test_output_names}};
    return run_test_table(suites, 1, tests, sizeof tests / sizeof tests[0]);
}

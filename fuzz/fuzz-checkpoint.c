/* fuzz-checkpoint.c -- libFuzzer target for the checkpoint reader of section
 * 23.4.  Tangled from chapters/p4-attention.nw and
 * chapters/23-4-attention.nw. */
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
/* <<judge a checkpoint by its words>> */
static bool is_blank(uint8_t b)
{
    return b == ' ' || b == '\t' || b == '\n' || b == '\v' || b == '\f' || b == '\r';
}

static bool checkpoint_is_valid(const uint8_t *data, size_t size, const Model *m)
{
    if (memchr(data, '\0', size) != NULL)
        return false;
    size_t expect = 2 + 2 * 11 + 1, word = 0, k = 0;
    for (int b = 0; b < NBLOCKS; b++)
        expect += 4 + m->rows[b] * m->cols[b];
    size_t block = 0, inblock = 0, first_weight = 2 + 2 * 11 + 4;
    for (size_t i = 0; i < size; ) {
        while (i < size && is_blank(data[i]))
            i++;
        if (i == size)
            break;
        size_t j = i;
        while (j < size && !is_blank(data[j]))
            j++;
        char w[64];
        if (j - i > 63)
            return false;
        memcpy(w, data + i, j - i);
        w[j - i] = '\0';
        /* <<judge one word of a checkpoint>> */
        if (word == 0 && strcmp(w, "attention-checkpoint") != 0)
            return false;
        if (word + 1 == expect && strcmp(w, "end") != 0)
            return false;
        if (word >= first_weight && word + 1 < expect && block < NBLOCKS) {
            char *end;
            double x = strtod(w, &end);
            if (*end != '\0' || !isfinite(x) || k >= m->n
                || x != m->theta[m->off[block] + inblock] || !isfinite(m->theta[k]))
                return false;
            k++;
            if (++inblock == m->rows[block] * m->cols[block]) {
                inblock = 0;
                block++;
                first_weight = word + 1 + 4;            /* the next block's line */
            }
        }
        word++;
        i = j;
    }
    return word == expect && k == m->n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *fp = fuzz_stream(data, size);
    if (fp == NULL)
        return 0;
    Checkpoint c;
    Error err = {""};
    int status = read_checkpoint_stream(fp, "fuzz", &c, &err);
    fclose(fp);
    if (status == 0 && !checkpoint_is_valid(data, size, c.model))
        abort();
    if (status != 0 && (err.msg[0] == '\0' || strchr(err.msg, '\n') != NULL))
        abort();                                    /* one line, always */
    model_free(c.model);
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

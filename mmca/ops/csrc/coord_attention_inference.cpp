// The whole block at inference in one call (coord_attention_inference).
#include "coord_gate.h"
#include "ops.h"
#include "strip_activation.h"
#include "strip_mean.h"

namespace mmca {
namespace {

// f = act(scale * f + shift) over one row of the shared transform's output.
template <typename T>
void affine_activation(T* f, int64_t size, T scale, T shift,
                       StripActivation act) {
  using Vec = at::vec::Vectorized<T>;
  const Vec a(scale), b(shift), zero(T(0)), three(T(3)), six(T(6)), one(T(1));
  auto apply = [&](auto activation) {
    at::vec::map([&](Vec v) { return activation(v * a + b); }, f, f, size);
  };
  switch (act) {
    case StripActivation::kHardswish:
      return apply([&](Vec v) {
        return v * at::vec::clamp(v + three, zero, six) / six;
      });
    case StripActivation::kReLU:
      return apply([&](Vec v) { return at::vec::maximum(v, zero); });
    case StripActivation::kReLU6:
      return apply([&](Vec v) { return at::vec::clamp(v, zero, six); });
    case StripActivation::kSiLU:
      return apply([&](Vec v) { return v / (one + v.neg().exp()); });
  }
}

// acc(i, v) += sum over s < steps of a[i * lda + s] * b[s * ldb + v * vec],
// for kRows rows of a and kVecs vectors of b's columns, lanes[v] of them in
// vector v: the register-tiled small product under both the strip transform
// and the gates. Each value of a is broadcast once, each vector of b loaded
// once a step.
template <typename T, int kRows, int kVecs>
inline void accumulate_products(const T* a, int64_t lda, const T* b,
                                int64_t ldb, int64_t steps,
                                const int64_t (&lanes)[kVecs],
                                at::vec::Vectorized<T> (&acc)[kRows][kVecs]) {
  using Vec = at::vec::Vectorized<T>;
  constexpr int64_t vec = Vec::size();
  for (int64_t s = 0; s < steps; ++s) {
    Vec bs[kVecs];
    MMCA_UNROLL
    for (int v = 0; v < kVecs; ++v)
      bs[v] = Vec::loadu(b + s * ldb + v * vec, lanes[v]);
    MMCA_UNROLL
    for (int i = 0; i < kRows; ++i) {
      const Vec ai(a[i * lda + s]);
      MMCA_UNROLL
      for (int v = 0; v < kVecs; ++v)
        acc[i][v] = at::vec::fmadd(ai, bs[v], acc[i][v]);
    }
  }
}

// The shared transform's product f (M, cols) = w1 (M, C) z (C, cols). A
// tile is kTransformVecs vectors of columns; its rows go in groups of at most
// kTransformRows, each group's sums held in registers over all of C. f's
// rows are ld apart, ld a whole number of tiles, so every store is whole.
// Replaces at::mm, whose per-call cost inside the model dwarfed these
// small products (M <= 30 rows; docs/performance.md has the times).
constexpr int kTransformRows = 8;
constexpr int kTransformVecs = 2;

template <typename T, int kRows>
void transform_tile(const T* w1, const T* z, T* f, int64_t c, int64_t cols,
                    int64_t ld, int64_t j0) {
  using Vec = at::vec::Vectorized<T>;
  constexpr int64_t vec = Vec::size();
  int64_t lanes[kTransformVecs];
  MMCA_UNROLL
  for (int v = 0; v < kTransformVecs; ++v)
    lanes[v] = std::clamp<int64_t>(cols - j0 - v * vec, 0, vec);
  Vec acc[kRows][kTransformVecs];
  MMCA_UNROLL
  for (int r = 0; r < kRows; ++r)
    MMCA_UNROLL
    for (int v = 0; v < kTransformVecs; ++v) acc[r][v] = Vec(T(0));
  accumulate_products(w1, c, z + j0, cols, c, lanes, acc);
  MMCA_UNROLL
  for (int r = 0; r < kRows; ++r)
    MMCA_UNROLL
    for (int v = 0; v < kTransformVecs; ++v)
      acc[r][v].store(f + r * ld + j0 + v * vec);
}

template <typename T>
void strip_transform(const T* w1, const T* z, T* f, int64_t m, int64_t c,
                     int64_t cols, int64_t ld) {
  constexpr int64_t tile = kTransformVecs * at::vec::Vectorized<T>::size();
  const int64_t tiles = (cols + tile - 1) / tile;
  const int64_t groups = (m + kTransformRows - 1) / kTransformRows;
  // Tasks are (row group, tile); threads only for products worth a fork,
  // 2^16 multiply-adds a thread.
  const int64_t grain =
      std::max<int64_t>(1, (1 << 16) / (kTransformRows * c * tile));
  at::parallel_for(0, groups * tiles, grain, [&](int64_t begin, int64_t end) {
    for (int64_t task = begin; task < end; ++task) {
      const int64_t t = task % tiles, r0 = task / tiles * kTransformRows;
      const int64_t rows = std::min<int64_t>(kTransformRows, m - r0);
      with_count<kTransformRows>(rows, [&]<int kRows>() {
        transform_tile<T, kRows>(w1 + r0 * c, z, f + r0 * ld, c, cols, ld,
                                 t * tile);
      });
    }
  });
}

// The gates of kChannels channels along one strip of len positions:
//   g(k, l) = sigmoid(b(k) + sum_r w(k, r) f(r, l)),
// w (kChannels, M) the channels' rows of w_h or w_w, f(r, l) at
// f[r * f_stride + l], g(k, :) at g + k * g_stride. Positions are
// vectorised, in bands of at most kGateChunks vectors (see for_each_band);
// the kChannels x chunks sums are independent chains, at least 8 for the
// FMA units' latency on short strips, at most 16 to stay in registers.
// g rows must hold len rounded up to whole vectors.
constexpr int kGateChannels = 8;
constexpr int kGateChunks = 2;

template <typename T, int kChannels, int kChunks>
void band_gates(const T* f, int64_t f_stride, int64_t j0, int64_t width,
                const T* w, const T* b, int64_t m, T* g, int64_t g_stride) {
  using Vec = at::vec::Vectorized<T>;
  constexpr int64_t vec = Vec::size();
  Vec acc[kChannels][kChunks];
  MMCA_UNROLL
  for (int k = 0; k < kChannels; ++k)
    MMCA_UNROLL
    for (int ch = 0; ch < kChunks; ++ch) acc[k][ch] = Vec(b[k]);
  int64_t lanes[kChunks];
  MMCA_UNROLL
  for (int ch = 0; ch < kChunks; ++ch)
    lanes[ch] = band_lanes<T>(ch, kChunks, width);
  accumulate_products(w, m, f + j0, f_stride, m, lanes, acc);
  // exp_u20 (20 ulp, gates within 1e-6) costs a third of the exact exp,
  // and a block takes C * (H + W) of them.
  const Vec one(T(1));
  MMCA_UNROLL
  for (int k = 0; k < kChannels; ++k)
    MMCA_UNROLL
    for (int ch = 0; ch < kChunks; ++ch)
      (one / (one + acc[k][ch].neg().exp_u20()))
          .store(g + k * g_stride + j0 + ch * vec);
}

template <typename T, int kChannels>
void channel_gates(const T* f, int64_t f_stride, int64_t len, const T* w,
                   const T* b, int64_t m, T* g, int64_t g_stride) {
  for_each_band<T, kGateChunks>(len, [&]<int kChunks>(int64_t j0,
                                                      int64_t width) {
    band_gates<T, kChannels, kChunks>(f, f_stride, j0, width, w, b, m, g,
                                      g_stride);
  });
}

// The gate transforms of one block: w_h, w_w (C, M) and b_h, b_w (C).
template <typename T>
struct GateParams {
  const T *w_h, *b_h, *w_w, *b_w;
  int64_t m;
};

// The gating pass of a block at inference, for NCHW x and the activated
// shared transform f (M, N, H + W), rows f_stride apart. Threads take
// (image, group of kGateChannels channels) tasks; each computes the group's
// gates g_h, g_w into buffers and gets y = load(x) * g_h * g_w for its
// planes. y may be x (in place). The gates are stored as tensors only when
// gh_out and gw_out, contiguous (N, C, H) and (N, C, W), are given.
template <typename T, typename Load>
void gate_with_strips(const T* x, const T* f, int64_t f_stride, T* y,
                      int64_t n, int64_t c, int64_t h, int64_t w,
                      const GateParams<T>& p, const Load& load, T* gh_out,
                      T* gw_out) {
  constexpr int64_t vec = at::vec::Vectorized<T>::size();
  const int64_t m = p.m, groups = (c + kGateChannels - 1) / kGateChannels;
  const int64_t h_pad = (h + vec - 1) / vec * vec;
  const int64_t w_pad = (w + vec - 1) / vec * vec;
  at::parallel_for(0, n * groups, 1, [&](int64_t begin, int64_t end) {
    std::vector<T> gh(kGateChannels * h_pad), gw(kGateChannels * w_pad);
    for (int64_t q = begin; q < end; ++q) {
      const int64_t b = q / groups, k0 = q % groups * kGateChannels;
      const int64_t channels = std::min<int64_t>(kGateChannels, c - k0);
      const T* fb = f + b * (h + w);
      with_count<kGateChannels>(channels, [&]<int kChannels>() {
        channel_gates<T, kChannels>(fb, f_stride, h, p.w_h + k0 * m,
                                    p.b_h + k0, m, gh.data(), h_pad);
        channel_gates<T, kChannels>(fb + h, f_stride, w, p.w_w + k0 * m,
                                    p.b_w + k0, m, gw.data(), w_pad);
      });
      for (int64_t k = 0; k < channels; ++k) {
        const int64_t channel = b * c + k0 + k, plane = channel * h * w;
        const T* ghk = gh.data() + k * h_pad;
        const T* gwk = gw.data() + k * w_pad;
        if (gh_out) {
          std::copy_n(ghk, h, gh_out + channel * h);
          std::copy_n(gwk, w, gw_out + channel * w);
        }
        gate_plane(x + plane, ghk, gwk, y + plane, h, w, load);
      }
    }
  });
}

// A whole block at inference, BN on its running statistics folded into the
// shared transform on the fly (M values, nothing cached): strip_mean, one
// matrix product with the folded affine and activation, then the gating
// pass, which on NCHW x computes the gates itself (gate_with_strips) and on
// channels-last x takes them from two more matrix products. Both passes read
// x through load: the block is that of load(x). The gates go to outs too
// when it holds tensors.
template <typename Load>
at::Tensor block_inference(const at::Tensor& x, const BlockParams& p,
                           StripActivation activation, bool inplace,
                           const Load& load, const GateOutputs& outs) {
  const auto& [w1, b1, bn_weight, bn_bias, bn_mean, bn_var, eps, w_h, b_h,
               w_w, b_w] = p;
  check_input(x);
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const int64_t m = w1.size(0);
  TORCH_CHECK(w1.numel() == m * c && w_h.numel() == c * m &&
                  w_w.numel() == c * m && b1.numel() == m &&
                  bn_mean.numel() == m && bn_var.numel() == m &&
                  b_h.numel() == c && b_w.numel() == c,
              "block parameters do not fit ", c, " channels and mid width ",
              m);
  for (const auto& t : {w1, b1, bn_mean, bn_var, w_h, b_h, w_w, b_w})
    TORCH_CHECK(t.scalar_type() == x.scalar_type() && t.device().is_cpu(),
                "block parameters must be CPU tensors of x's dtype");
  TORCH_CHECK(!inplace || x.is_contiguous() || is_channels_last(x),
              "in-place inference needs a contiguous or channels-last x");
  TORCH_CHECK(outs.h.has_value() == outs.w.has_value(),
              "gate_h_out and gate_w_out are given together or not at all");
  for (const auto& [out, len] : {std::pair{outs.h, h}, std::pair{outs.w, w}})
    TORCH_CHECK(!out || (out->is_contiguous() && out->device().is_cpu() &&
                         out->scalar_type() == x.scalar_type() &&
                         out->sizes() == at::IntArrayRef({n, c, len})),
                "gate outputs must be contiguous CPU tensors of x's dtype, "
                "(N, C, H) and (N, C, W)");
  const int64_t cols = n * (h + w);
  at::Tensor z = strip_means(x, load);  // to (C, N * L), the product's
  if (is_channels_last(x)) z = z.permute({2, 0, 1}).contiguous();
  const auto w1c = w1.contiguous();
  const auto gamma = bn_weight ? bn_weight->contiguous() : at::Tensor();
  const auto beta = bn_bias ? bn_bias->contiguous() : at::Tensor();
  const auto mean = bn_mean.contiguous(), var = bn_var.contiguous(),
             bias1 = b1.contiguous();
  at::Tensor f_rows;  // (M, ld): f (M, N * L) in its first cols columns
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "strip_transform", [&] {
    using T = scalar_t;
    constexpr int64_t tile = kTransformVecs * at::vec::Vectorized<T>::size();
    const int64_t ld = (cols + tile - 1) / tile * tile;
    f_rows = at::empty({m, ld}, x.options());
    T* fp = f_rows.data_ptr<T>();
    strip_transform(w1c.data_ptr<T>(), z.data_ptr<T>(), fp, m, c, cols, ld);
    for (int64_t r = 0; r < m; ++r) {
      T scale = T(1) / std::sqrt(var.data_ptr<T>()[r] + T(eps));
      if (gamma.defined()) scale *= gamma.data_ptr<T>()[r];
      T shift = (bias1.data_ptr<T>()[r] - mean.data_ptr<T>()[r]) * scale;
      if (beta.defined()) shift += beta.data_ptr<T>()[r];
      affine_activation(fp + r * ld, cols, scale, shift, activation);
    }
  });
  if (is_channels_last(x)) {
    // Gates straight into (N * L, C), the layout the channels-last gate
    // reads: g^T = sigmoid(f^T w^T + b) for each strip.
    const auto f3 = f_rows.narrow(1, 0, cols).view({m, n, h + w});
    auto strip_gates_nlc = [&](int64_t l0, int64_t len, const at::Tensor& wt,
                               const at::Tensor& bias) {
      const auto f_t =
          f3.slice(2, l0, l0 + len).permute({1, 2, 0}).reshape({n * len, m});
      return at::addmm(bias.reshape({1, c}), f_t, wt.reshape({c, m}).t())
          .sigmoid_();
    };
    const auto g_h = strip_gates_nlc(0, h, w_h, b_h);
    const auto g_w = strip_gates_nlc(h, w, w_w, b_w);
    if (outs.h) {
      outs.h->copy_(g_h.view({n, h, c}).transpose(1, 2));
      outs.w->copy_(g_w.view({n, w, c}).transpose(1, 2));
    }
    return gate_nhwc(x, g_h, g_w, inplace, load);
  }
  const auto xc = x.contiguous();
  auto y = inplace ? x : at::empty_like(xc);
  const auto wh = w_h.contiguous(), ww = w_w.contiguous(),
             bh = b_h.contiguous(), bw = b_w.contiguous();
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "coord_attention_inference", [&] {
    const GateParams<scalar_t> params{
        wh.data_ptr<scalar_t>(), bh.data_ptr<scalar_t>(),
        ww.data_ptr<scalar_t>(), bw.data_ptr<scalar_t>(), m};
    gate_with_strips<scalar_t>(
        xc.data_ptr<scalar_t>(), f_rows.data_ptr<scalar_t>(), f_rows.size(1),
        y.data_ptr<scalar_t>(), n, c, h, w, params, load,
        outs.h ? outs.h->data_ptr<scalar_t>() : nullptr,
        outs.w ? outs.w->data_ptr<scalar_t>() : nullptr);
  });
  return y;
}

}  // namespace

// The block of x, or, with relu_max, of x clamped to [0, relu_max]: the
// producer's ReLU (inf) or ReLU6 (6), applied as both passes read x instead
// of in a pass of its own.
at::Tensor coord_attention_inference(const at::Tensor& x,
                                     const BlockParams& params,
                                     const std::string& act,
                                     std::optional<double> relu_max,
                                     bool inplace,
                                     const GateOutputs& gate_outputs) {
  const auto activation = parse_activation(act);
  return with_load(relu_max, [&](const auto& load) {
    return block_inference(x, params, activation, inplace, load,
                           gate_outputs);
  });
}

}  // namespace mmca

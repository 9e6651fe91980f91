// Fused CPU passes of coordinate attention over the big (N, C, H, W) tensor.
//
// The plain formulation reads x twice to pool (once per direction) and then
// reads x, writes x * g_h, reads that and writes the output. Here:
//   strip_mean   one read of x gives both strip means, laid end to end:
//                z = [z_h, z_w] (N, C, H + W), as a view of (C, N, H + W)
//                memory (or (N, H + W, C) for channels-last x), so that the
//                strip transform is one (C, N * (H + W)) matrix product;
//   coord_gate   one read of x and one write of y = x * g_h * g_w
//                (coord_gate_ writes y into x);
//   coord_gate_backward
//                one read of dy and x gives dx = dy * g_h * g_w and both
//                gate gradients dg_h = sum_w dy * x * g_w, dg_w = sum_h ...
//   coord_attention_inference (and coord_attention_inference_, in place)
//                the whole block at inference from its layers' parameters,
//                BN folded on the fly: strip_mean, one small matrix product
//                (strip_transform), and a gating pass that computes each
//                channel group's gates where it uses them. Given relu_max,
//                both passes apply the producer's ReLU or ReLU6 as they read
//                x, so that activation takes no pass of its own. One call
//                per block, as a late-stage block costs less than the
//                Python-level dispatches of its ~15 plain ops.
// Each works on NCHW-contiguous or channels-last x, keeping its layout. NCHW
// strip sums read planes in register-held bands (see for_each_band).
// Gates may be any strided (N, C, L) views; gradients come back contiguous.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/cpu/vec/functional.h>
#include <ATen/cpu/vec/vec.h>
#include <torch/library.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace {

bool is_channels_last(const at::Tensor& x) {
  return !x.is_contiguous() &&
         x.is_contiguous(at::MemoryFormat::ChannelsLast);
}

void check_input(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.device().is_cpu(),
              "expected a 4-d CPU tensor, got ", x.sizes(), " on ",
              x.device());
}

// Channels-last reductions along H split each image into row chunks, enough
// for every thread to have work; each chunk sums its own column partials,
// which are then added up. Rows are contiguous runs of W * C values.
int64_t row_chunks(int64_t n, int64_t h) {
  const int64_t threads = at::get_num_threads();
  return std::min(h, std::max<int64_t>(1, (threads + n - 1) / n));
}

// dst(b, j, k) = scale * sum over chunks of partial(b, chunk, j, k), for
// partial (N, chunks, W, C) and dst rows of C at dst + (b * dst_stride + j) * C.
template <typename T>
void sum_chunks(const T* partial, T* dst, int64_t dst_stride, int64_t n,
                int64_t chunks, int64_t c, int64_t w, T scale) {
  at::parallel_for(0, n * w, 1, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const int64_t b = r / w, j = r % w;
      T* out = dst + (b * dst_stride + j) * c;
      const T* src = partial + (b * chunks * w + j) * c;
      for (int64_t k = 0; k < c; ++k) out[k] = 0;
      for (int64_t ch = 0; ch < chunks; ++ch) {
        const T* part = src + ch * w * c;
#pragma omp simd
        for (int64_t k = 0; k < c; ++k) out[k] += part[k];
      }
      for (int64_t k = 0; k < c; ++k) out[k] *= scale;
    }
  });
}

// NCHW strip sums work planes in bands of at most kBandChunks vectors of
// columns, so that a band's column sums stay in registers while its rows
// stream by; the short rows of late stages (W = 10 or 20) are one band with
// a masked last vector.
constexpr int kBandChunks = 4;

// Fully unrolls a loop over an array of register-held vectors. Without it
// gcc keeps such arrays in memory and stores every element on every trip of
// the enclosing loop: 16 stores a step in the strip transform, which then
// ran 3x slower.
#define MMCA_UNROLL _Pragma("GCC unroll 16")

// Calls fn.template operator()<kCount>() with kCount = count, for counts
// from 1 to kMax: the tails of loops over register-held groups.
template <int kMax, typename Fn>
void with_count(int64_t count, const Fn& fn) {
  if constexpr (kMax > 1) {
    if (count < kMax) return with_count<kMax - 1>(count, fn);
  }
  fn.template operator()<kMax>();
}

// Calls band_fn.template operator()<chunks>(j0, width) for each band
// [j0, j0 + width) of a row of w values, chunks its vector count, at most
// kMaxChunks.
template <typename T, int kMaxChunks, typename BandFn>
void for_each_band(int64_t w, const BandFn& band_fn) {
  constexpr int64_t vec = at::vec::Vectorized<T>::size();
  constexpr int64_t band = kMaxChunks * vec;
  int64_t j0 = 0;
  for (; j0 + band < w; j0 += band)
    band_fn.template operator()<kMaxChunks>(j0, band);
  with_count<kMaxChunks>((w - j0 + vec - 1) / vec, [&]<int kChunks>() {
    band_fn.template operator()<kChunks>(j0, w - j0);
  });
}

// Lanes of the vector ch of a band of width values.
template <typename T>
inline int64_t band_lanes(int chunk, int chunks, int64_t width) {
  constexpr int64_t vec = at::vec::Vectorized<T>::size();
  return chunk + 1 < chunks ? vec : width - (chunks - 1) * vec;
}

// What the passes do to each value of x as they read it. AsIs: nothing.
// ReLUClamp: at inference, the producer's ReLU (hi = inf) or ReLU6 (hi = 6),
// x clamped to [0, hi], so that the activation takes no pass of its own.
// Zero is its own image, so the zero lanes of masked loads stay out of the
// sums; NaN stays NaN, as in torch.clamp.
struct AsIs {
  template <typename V>
  V operator()(const V& v) const { return v; }
};

struct ReLUClamp {
  double hi;
  template <typename T>
  at::vec::Vectorized<T> operator()(const at::vec::Vectorized<T>& v) const {
    using Vec = at::vec::Vectorized<T>;
    return at::vec::clamp(v, Vec(T(0)), Vec(T(hi)));
  }
  template <typename T>
  T operator()(T v) const {
    return std::min(std::max(v, T(0)), T(hi));  // vectorises, as minps/maxps
  }
};

// The means of one (H, W) plane of load(x): row means into zh, column
// means into zw. Each is scaled before it is stored: scaling zh afterwards
// read back single-value stores as vectors, which stalls store forwarding.
template <typename T, typename Load>
void plane_means(const T* xp, T* zh, T* zw, int64_t h, int64_t w,
                 const Load& load) {
  using Vec = at::vec::Vectorized<T>;
  constexpr int64_t vec = Vec::size();
  const T inv_w = T(1) / w, inv_h = T(1) / h;
  for_each_band<T, kBandChunks>(w, [&]<int kChunks>(int64_t j0,
                                                    int64_t width) {
    Vec col[kChunks];
    MMCA_UNROLL
    for (int ch = 0; ch < kChunks; ++ch) col[ch] = Vec(T(0));
    for (int64_t i = 0; i < h; ++i) {
      const T* row = xp + i * w + j0;
      Vec sum(T(0));
      MMCA_UNROLL
      for (int ch = 0; ch < kChunks; ++ch) {
        const Vec v = load(Vec::loadu(row + ch * vec,
                                      band_lanes<T>(ch, kChunks, width)));
        sum += v;
        col[ch] += v;
      }
      const T row_mean = inv_w * at::vec::vec_reduce_all<T>(
          [](const Vec& a, const Vec& b) { return a + b; }, sum);
      zh[i] = j0 == 0 ? row_mean : zh[i] + row_mean;
    }
    MMCA_UNROLL
    for (int ch = 0; ch < kChunks; ++ch)
      (col[ch] * Vec(inv_h))
          .store(zw + j0 + ch * vec, band_lanes<T>(ch, kChunks, width));
  });
}

// yp = load(xp) * gh * gw for one (H, W) plane and its contiguous gates.
// Plain row loops: with short rows, a band's masked vector stores (the tail
// of each row) measured 4x slower here than the compiler's scalar remainder.
template <typename T, typename Load>
void gate_plane(const T* xp, const T* gh, const T* gw, T* yp, int64_t h,
                int64_t w, const Load& load) {
  for (int64_t i = 0; i < h; ++i) {
    const T g = gh[i];
    const T* row = xp + i * w;
    T* out = yp + i * w;
#pragma omp simd
    for (int64_t j = 0; j < w; ++j) out[j] = load(row[j]) * g * gw[j];
  }
}

// Calls row(b, i, col_part) for every row i of every image b, in row-chunk
// tasks; col_part is the task's zeroed (W, C) buffer of column partials,
// which are then summed per image into dst rows (see sum_chunks).
template <typename T, typename RowFn>
void reduce_rows_nhwc(int64_t n, int64_t c, int64_t h, int64_t w, T* dst,
                      int64_t dst_stride, T scale, const RowFn& row) {
  const int64_t chunks = row_chunks(n, h);
  std::vector<T> partial(n * chunks * w * c);
  at::parallel_for(0, n * chunks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t b = t / chunks, ch = t % chunks;
      T* col_part = partial.data() + t * w * c;
      std::fill(col_part, col_part + w * c, T(0));
      for (int64_t i = h * ch / chunks; i < h * (ch + 1) / chunks; ++i)
        row(b, i, col_part);
    }
  });
  sum_chunks(partial.data(), dst, dst_stride, n, chunks, c, w, scale);
}

// z is (C, N, H + W): z_h then z_w of each plane. Threads take channel
// ranges, so each writes one run of z and reads runs of x planes.
template <typename T, typename Load>
void strip_mean_nchw(const T* x, T* z, int64_t n, int64_t c, int64_t h,
                     int64_t w, const Load& load) {
  at::parallel_for(0, c, 1, [&](int64_t k0, int64_t k1) {
    for (int64_t b = 0; b < n; ++b) {
      for (int64_t k = k0; k < k1; ++k) {
        T* zhp = z + (k * n + b) * (h + w);
        plane_means(x + (b * c + k) * h * w, zhp, zhp + h, h, w, load);
      }
    }
  });
}

// Channels-last strips are accumulated as z (N, H + W, C) so the inner loop
// runs over contiguous channels; strip_mean returns its transposed view.
template <typename T, typename Load>
void strip_mean_nhwc(const T* x, T* z, int64_t n, int64_t c, int64_t h,
                     int64_t w, const Load& load) {
  const T inv_w = T(1) / w;
  reduce_rows_nhwc(n, c, h, w, z + h * c, h + w, T(1) / h,
                   [&](int64_t b, int64_t i, T* zw_part) {
    T* zhi = z + (b * (h + w) + i) * c;
    std::fill(zhi, zhi + c, T(0));
    for (int64_t j = 0; j < w; ++j) {
      const T* xv = x + ((b * h + i) * w + j) * c;
      T* zwj = zw_part + j * c;
#pragma omp simd
      for (int64_t k = 0; k < c; ++k) {
        const T v = load(xv[k]);
        zhi[k] += v;
        zwj[k] += v;
      }
    }
    for (int64_t k = 0; k < c; ++k) zhi[k] *= inv_w;
  });
}

// A strided (N, C, L) gate: element (b, k, l) at ptr[b*sn + k*sc + l*sl].
template <typename T>
struct Strip {
  const T* ptr;
  int64_t sn, sc, sl;
  Strip(const at::Tensor& t)
      : ptr(t.data_ptr<T>()),
        sn(t.stride(0)),
        sc(t.stride(1)),
        sl(t.stride(2)) {}
  const T* plane(int64_t b, int64_t k) const { return ptr + b * sn + k * sc; }
  // The strip of plane p = b * C + k, copied contiguous into out[0, len).
  void gather(int64_t p, int64_t c, int64_t len, T* out) const {
    const T* src = plane(p / c, p % c);
    for (int64_t l = 0; l < len; ++l) out[l] = src[l * sl];
  }
};

// Calls plane_fn(p, gh_col, gw_row) for every plane p = b * C + k of an NCHW
// tensor, in parallel, with that plane's gates gathered contiguous.
template <typename T, typename PlaneFn>
void for_each_gated_plane(int64_t n, int64_t c, int64_t h, int64_t w,
                          Strip<T> gh, Strip<T> gw, const PlaneFn& plane_fn) {
  at::parallel_for(0, n * c, 1, [&](int64_t begin, int64_t end) {
    std::vector<T> gh_col(h), gw_row(w);
    for (int64_t p = begin; p < end; ++p) {
      gh.gather(p, c, h, gh_col.data());
      gw.gather(p, c, w, gw_row.data());
      plane_fn(p, gh_col.data(), gw_row.data());
    }
  });
}

template <typename T>
void coord_gate_nchw(const T* x, Strip<T> gh, Strip<T> gw, T* y, int64_t n,
                     int64_t c, int64_t h, int64_t w) {
  for_each_gated_plane(n, c, h, w, gh, gw,
                       [&](int64_t p, const T* gh_col, const T* gw_row) {
    gate_plane(x + p * h * w, gh_col, gw_row, y + p * h * w, h, w, AsIs{});
  });
}

// gh, gw here are (N, L, C): the transposed strips.
template <typename T, typename Load>
void coord_gate_nhwc(const T* x, const T* gh, const T* gw, T* y, int64_t n,
                     int64_t c, int64_t h, int64_t w, const Load& load) {
  at::parallel_for(0, n * h, 1, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const int64_t b = r / h;
      const T* ghr = gh + r * c;
      for (int64_t j = 0; j < w; ++j) {
        const T* gwj = gw + (b * w + j) * c;
        const T* xv = x + (r * w + j) * c;
        T* out = y + (r * w + j) * c;
#pragma omp simd
        for (int64_t k = 0; k < c; ++k)
          out[k] = load(xv[k]) * ghr[k] * gwj[k];
      }
    }
  });
}

// dgh (N, C, H) and dgw (N, C, W) are contiguous.
template <typename T>
void coord_gate_backward_nchw(const T* dy, const T* x, Strip<T> gh,
                              Strip<T> gw, T* dx, T* dgh, T* dgw, int64_t n,
                              int64_t c, int64_t h, int64_t w) {
  for_each_gated_plane(n, c, h, w, gh, gw,
                       [&](int64_t p, const T* gh_col, const T* gwp) {
    T* dgwp = dgw + p * w;
    for (int64_t j = 0; j < w; ++j) dgwp[j] = 0;
    for (int64_t i = 0; i < h; ++i) {
      const int64_t o = (p * h + i) * w;
      const T g = gh_col[i];
      T sum = 0;
#pragma omp simd reduction(+ : sum)
      for (int64_t j = 0; j < w; ++j) {
        const T d = dy[o + j];
        const T dx_times_x = d * x[o + j];
        dx[o + j] = d * g * gwp[j];
        sum += dx_times_x * gwp[j];
        dgwp[j] += dx_times_x * g;
      }
      dgh[p * h + i] = sum;
    }
  });
}

// gh, gw and their gradients dgh, dgw are (N, L, C) here.
template <typename T>
void coord_gate_backward_nhwc(const T* dy, const T* x, const T* gh,
                              const T* gw, T* dx, T* dgh, T* dgw, int64_t n,
                              int64_t c, int64_t h, int64_t w) {
  reduce_rows_nhwc(n, c, h, w, dgw, w, T(1),
                   [&](int64_t b, int64_t i, T* dgw_part) {
    const T* ghi = gh + (b * h + i) * c;
    T* dghi = dgh + (b * h + i) * c;
    std::fill(dghi, dghi + c, T(0));
    for (int64_t j = 0; j < w; ++j) {
      const int64_t o = ((b * h + i) * w + j) * c;
      const T* gwj = gw + (b * w + j) * c;
      T* dgwj = dgw_part + j * c;
#pragma omp simd
      for (int64_t k = 0; k < c; ++k) {
        const T d = dy[o + k];
        const T dx_times_x = d * x[o + k];
        dx[o + k] = d * ghi[k] * gwj[k];
        dghi[k] += dx_times_x * gwj[k];
        dgwj[k] += dx_times_x * ghi[k];
      }
    }
  });
}

// (N, A, B) of any strides -> (N, B, A) contiguous: strips (N, C, L) to the
// (N, L, C) the channels-last kernels read, and their results back.
at::Tensor swap_strip_axes(const at::Tensor& strip) {
  return strip.transpose(1, 2).contiguous();
}

// [z_h, z_w] of load(x) in the layout its kernel writes: (C, N, H + W) for
// NCHW x, (N, H + W, C) for channels-last x.
template <typename Load>
at::Tensor strip_means(const at::Tensor& x, const Load& load) {
  check_input(x);
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  if (is_channels_last(x)) {
    auto z = at::empty({n, h + w, c}, x.options());
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "strip_mean", [&] {
      strip_mean_nhwc<scalar_t>(x.data_ptr<scalar_t>(),
                                z.data_ptr<scalar_t>(), n, c, h, w, load);
    });
    return z;
  }
  const auto xc = x.contiguous();
  auto z = at::empty({c, n, h + w}, x.options());
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "strip_mean", [&] {
    strip_mean_nchw<scalar_t>(xc.data_ptr<scalar_t>(),
                              z.data_ptr<scalar_t>(), n, c, h, w, load);
  });
  return z;
}

// (N, C, H + W) views of both layouts.
at::Tensor strip_mean(const at::Tensor& x) {
  const auto z = strip_means(x, AsIs{});
  return is_channels_last(x) ? z.transpose(1, 2) : z.transpose(0, 1);
}

void check_gates(const at::Tensor& x, const at::Tensor& gh,
                 const at::Tensor& gw) {
  check_input(x);
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  TORCH_CHECK(gh.sizes() == at::IntArrayRef({n, c, h}) &&
                  gw.sizes() == at::IntArrayRef({n, c, w}),
              "gates must be (N, C, H) and (N, C, W) for x of ", x.sizes(),
              ", got ", gh.sizes(), " and ", gw.sizes());
  TORCH_CHECK(gh.scalar_type() == x.scalar_type() &&
                  gw.scalar_type() == x.scalar_type(),
              "gates and x must share a dtype");
}

// Channels-last load(x) gated by contiguous (N, H, C) and (N, W, C) gates,
// into a new channels-last tensor or into x.
template <typename Load>
at::Tensor gate_nhwc(const at::Tensor& x, const at::Tensor& gh_nlc,
                     const at::Tensor& gw_nlc, bool inplace,
                     const Load& load) {
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  auto y = inplace ? x : at::empty_like(x, at::MemoryFormat::ChannelsLast);
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "coord_gate", [&] {
    coord_gate_nhwc<scalar_t>(x.data_ptr<scalar_t>(),
                              gh_nlc.data_ptr<scalar_t>(),
                              gw_nlc.data_ptr<scalar_t>(),
                              y.data_ptr<scalar_t>(), n, c, h, w, load);
  });
  return y;
}

// y = x * g_h * g_w, written into x itself when inplace (x then contiguous
// in its layout, as the outputs of convolutions are).
at::Tensor gate(const at::Tensor& x, const at::Tensor& gh, const at::Tensor& gw,
                bool inplace) {
  check_gates(x, gh, gw);
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  if (is_channels_last(x))
    return gate_nhwc(x, swap_strip_axes(gh), swap_strip_axes(gw), inplace,
                     AsIs{});
  const auto xc = x.contiguous();
  auto y = inplace ? x : at::empty_like(xc);
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "coord_gate", [&] {
    coord_gate_nchw<scalar_t>(xc.data_ptr<scalar_t>(), Strip<scalar_t>(gh),
                              Strip<scalar_t>(gw), y.data_ptr<scalar_t>(), n,
                              c, h, w);
  });
  return y;
}

at::Tensor coord_gate(const at::Tensor& x, const at::Tensor& gh,
                      const at::Tensor& gw) {
  return gate(x, gh, gw, false);
}

at::Tensor coord_gate_(const at::Tensor& x, const at::Tensor& gh,
                       const at::Tensor& gw) {
  TORCH_CHECK(x.is_contiguous() || is_channels_last(x),
              "in-place gating needs a contiguous or channels-last x");
  return gate(x, gh, gw, true);
}

std::tuple<at::Tensor, at::Tensor, at::Tensor> coord_gate_backward(
    const at::Tensor& dy, const at::Tensor& x, const at::Tensor& gh,
    const at::Tensor& gw) {
  check_gates(x, gh, gw);
  TORCH_CHECK(dy.sizes() == x.sizes(), "dy and x must have one shape");
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  if (is_channels_last(x)) {
    const auto dyc = dy.contiguous(at::MemoryFormat::ChannelsLast);
    auto dx = at::empty_like(x, at::MemoryFormat::ChannelsLast);
    const auto ghl = swap_strip_axes(gh), gwl = swap_strip_axes(gw);
    auto dghl = at::empty_like(ghl), dgwl = at::empty_like(gwl);
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "coord_gate_backward", [&] {
      coord_gate_backward_nhwc<scalar_t>(
          dyc.data_ptr<scalar_t>(), x.data_ptr<scalar_t>(),
          ghl.data_ptr<scalar_t>(), gwl.data_ptr<scalar_t>(),
          dx.data_ptr<scalar_t>(), dghl.data_ptr<scalar_t>(),
          dgwl.data_ptr<scalar_t>(), n, c, h, w);
    });
    return {dx, swap_strip_axes(dghl), swap_strip_axes(dgwl)};
  }
  const auto dyc = dy.contiguous(), xc = x.contiguous();
  auto dx = at::empty_like(xc);
  auto dgh = at::empty({n, c, h}, x.options());
  auto dgw = at::empty({n, c, w}, x.options());
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "coord_gate_backward", [&] {
    coord_gate_backward_nchw<scalar_t>(
        dyc.data_ptr<scalar_t>(), xc.data_ptr<scalar_t>(),
        Strip<scalar_t>(gh), Strip<scalar_t>(gw), dx.data_ptr<scalar_t>(),
        dgh.data_ptr<scalar_t>(), dgw.data_ptr<scalar_t>(), n, c, h, w);
  });
  return {dx, dgh, dgw};
}

// Activations the inference op applies to the strips, by code.
enum class StripActivation : int64_t { kHardswish, kReLU, kReLU6, kSiLU };

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
// Replaces at::mm, which took 10 to 30 us a call inside the model on these
// small products (M <= 30 rows), 2 to 7 times its time alone.
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
// gates g_h, g_w into buffers (they are never stored as tensors) and gets
// y = load(x) * g_h * g_w for its planes. y may be x (in place).
template <typename T, typename Load>
void gate_with_strips(const T* x, const T* f, int64_t f_stride, T* y,
                      int64_t n, int64_t c, int64_t h, int64_t w,
                      const GateParams<T>& p, const Load& load) {
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
        const int64_t plane = (b * c + k0 + k) * h * w;
        gate_plane(x + plane, gh.data() + k * h_pad, gw.data() + k * w_pad,
                   y + plane, h, w, load);
      }
    }
  });
}

// A whole block at inference, BN on its running statistics folded into the
// shared transform on the fly (M values, nothing cached): strip_mean, one
// matrix product with the folded affine and activation, then the gating
// pass, which on NCHW x computes the gates itself (gate_with_strips) and on
// channels-last x takes them from two more matrix products. Both passes read
// x through load: the block is that of load(x).
template <typename Load>
at::Tensor block_inference(const at::Tensor& x, const at::Tensor& w1,
                           const at::Tensor& b1,
                           const std::optional<at::Tensor>& bn_weight,
                           const std::optional<at::Tensor>& bn_bias,
                           const at::Tensor& bn_mean,
                           const at::Tensor& bn_var, double eps,
                           const at::Tensor& w_h, const at::Tensor& b_h,
                           const at::Tensor& w_w, const at::Tensor& b_w,
                           int64_t act, bool inplace, const Load& load) {
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
  TORCH_CHECK(act >= 0 && act <= int64_t(StripActivation::kSiLU),
              "unknown activation code ", act);
  TORCH_CHECK(!inplace || x.is_contiguous() || is_channels_last(x),
              "in-place inference needs a contiguous or channels-last x");
  const auto activation = static_cast<StripActivation>(act);
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
    gate_with_strips<scalar_t>(xc.data_ptr<scalar_t>(),
                               f_rows.data_ptr<scalar_t>(), f_rows.size(1),
                               y.data_ptr<scalar_t>(), n, c, h, w, params,
                               load);
  });
  return y;
}

// The registered ops: coord_attention_inference and, writing y into x,
// coord_attention_inference_. With relu_max, the block is that of x clamped
// to [0, relu_max]: the producer's ReLU (inf) or ReLU6 (6), applied as both
// passes read x, instead of in a pass of its own.
template <bool kInplace>
at::Tensor coord_attention_inference(
    const at::Tensor& x, const at::Tensor& w1, const at::Tensor& b1,
    const std::optional<at::Tensor>& bn_weight,
    const std::optional<at::Tensor>& bn_bias, const at::Tensor& bn_mean,
    const at::Tensor& bn_var, double eps, const at::Tensor& w_h,
    const at::Tensor& b_h, const at::Tensor& w_w, const at::Tensor& b_w,
    int64_t act, std::optional<double> relu_max) {
  auto run = [&](const auto& load) {
    return block_inference(x, w1, b1, bn_weight, bn_bias, bn_mean, bn_var,
                           eps, w_h, b_h, w_w, b_w, act, kInplace, load);
  };
  if (!relu_max) return run(AsIs{});
  TORCH_CHECK(*relu_max > 0, "relu_max must be positive, got ", *relu_max);
  return run(ReLUClamp{*relu_max});
}

}  // namespace

TORCH_LIBRARY(mmca, m) {
  m.def("strip_mean(Tensor x) -> Tensor", &strip_mean);
  m.def("coord_gate(Tensor x, Tensor gate_h, Tensor gate_w) -> Tensor",
        &coord_gate);
  m.def(
      "coord_gate_(Tensor(a!) x, Tensor gate_h, Tensor gate_w) -> Tensor(a!)",
      &coord_gate_);
  m.def(
      "coord_gate_backward(Tensor dy, Tensor x, Tensor gate_h, "
      "Tensor gate_w) -> (Tensor, Tensor, Tensor)",
      &coord_gate_backward);
  const char* block_args =
      "Tensor w1, Tensor b1, Tensor? bn_weight, Tensor? bn_bias, "
      "Tensor bn_mean, Tensor bn_var, float eps, Tensor w_h, Tensor b_h, "
      "Tensor w_w, Tensor b_w, int act, float? relu_max=None)";
  m.def(("coord_attention_inference(Tensor x, " + std::string(block_args) +
         " -> Tensor").c_str(),
        &coord_attention_inference<false>);
  m.def(("coord_attention_inference_(Tensor(a!) x, " +
         std::string(block_args) + " -> Tensor(a!)").c_str(),
        &coord_attention_inference<true>);
}

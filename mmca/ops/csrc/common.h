// What the passes share: layout tests, the register-band and unrolling
// helpers, the loads that apply a producer's activation, strided gates, and
// the channels-last row reduction.
#pragma once

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/cpu/vec/functional.h>
#include <ATen/cpu/vec/vec.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

namespace mmca {

inline bool is_channels_last(const at::Tensor& x) {
  return !x.is_contiguous() &&
         x.is_contiguous(at::MemoryFormat::ChannelsLast);
}

inline void check_input(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.device().is_cpu(),
              "expected a 4-d CPU tensor, got ", x.sizes(), " on ",
              x.device());
}

// Channels-last reductions along H split each image into row chunks, enough
// for every thread to have work; each chunk sums its own column partials,
// which are then added up. Rows are contiguous runs of W * C values.
inline int64_t row_chunks(int64_t n, int64_t h) {
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
// the enclosing loop (16 stores a step in the strip transform; the cost is
// in docs/performance.md).
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

// What the passes do to each value of x as they read it, and, in the
// backward passes, what that does to a gradient g of the value read
// (grad(x, g)). AsIs: nothing. ReLUClamp: the producer's ReLU (hi = inf) or
// ReLU6 (hi = 6), x clamped to [0, hi], so that the activation takes no pass
// of its own. Zero is its own image, so the zero lanes of masked loads stay
// out of the sums; NaN stays NaN, as in torch.clamp. Its gradient is torch's
// hardtanh_backward (and threshold_backward for ReLU): g where 0 < x < hi,
// else 0, NaN passing g.
struct AsIs {
  template <typename V>
  V operator()(const V& v) const { return v; }
  template <typename T>
  T grad(T /*x*/, T g) const { return g; }
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
  // Branch-free, so that it vectorises: with || gcc kept a branch per
  // value, mispredicted on activations of either sign (11x slower).
  template <typename T>
  T grad(T x, T g) const {
    const bool passes = !(x <= T(0)) & !(x >= T(hi));
    return passes ? g : T(0);
  }
};

// fn(load) for the load relu_max names: AsIs without it, ReLUClamp with it.
template <typename Fn>
auto with_load(std::optional<double> relu_max, const Fn& fn) {
  if (!relu_max) return fn(AsIs{});
  TORCH_CHECK(*relu_max > 0, "relu_max must be positive, got ", *relu_max);
  return fn(ReLUClamp{*relu_max});
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

// (N, A, B) of any strides -> (N, B, A) contiguous: strips (N, C, L) to the
// (N, L, C) the channels-last kernels read, and their results back.
inline at::Tensor swap_strip_axes(const at::Tensor& strip) {
  return strip.transpose(1, 2).contiguous();
}

}  // namespace mmca

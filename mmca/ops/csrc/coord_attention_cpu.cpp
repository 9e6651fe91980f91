// Fused CPU passes of coordinate attention over the big (N, C, H, W) tensor.
//
// The plain formulation reads x twice to pool (once per direction) and then
// reads x, writes x * g_h, reads that and writes the output. Here:
//   strip_mean   one read of x gives both strip means, laid end to end:
//                z = [z_h, z_w] (N, C, H + W), as a view of (C, N, H + W)
//                memory (or (N, H + W, C) for channels-last x), so that the
//                strip transform is one (C, N * (H + W)) matrix product;
//   coord_gate   one read of x and one write of y = x * g_h * g_w;
//   coord_gate_backward
//                one read of dy and x gives dx = dy * g_h * g_w and both
//                gate gradients dg_h = sum_w dy * x * g_w, dg_w = sum_h ...
//   coord_attention_inference
//                the whole block at inference, BN folded by the caller:
//                strip_mean, three matrix products on the strips, coord_gate,
//                in one call (a late-stage block costs less than the ~15
//                Python-level op dispatches it replaces).
// Each works on NCHW-contiguous or channels-last x, keeping its layout.
// Gates may be any strided (N, C, L) views; gradients come back contiguous.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/library.h>

#include <algorithm>
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

// The sums of one (H, W) plane: row sums into zh, column sums into zw.
// Four rows go through the inner loop together, so the column sums are
// loaded and stored once per four rows and the loop's vector remainder is
// shared; this matters for the short rows of late stages (W = 10 or 20).
template <typename T>
void plane_sums(const T* xp, T* zh, T* zw, int64_t h, int64_t w) {
  std::fill(zw, zw + w, T(0));
  int64_t i = 0;
  for (; i + 4 <= h; i += 4) {
    const T *r0 = xp + i * w, *r1 = r0 + w, *r2 = r1 + w, *r3 = r2 + w;
    T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
    for (int64_t j = 0; j < w; ++j) {
      s0 += r0[j];
      s1 += r1[j];
      s2 += r2[j];
      s3 += r3[j];
      zw[j] += (r0[j] + r1[j]) + (r2[j] + r3[j]);
    }
    zh[i] = s0, zh[i + 1] = s1, zh[i + 2] = s2, zh[i + 3] = s3;
  }
  for (; i < h; ++i) {
    const T* row = xp + i * w;
    T sum = 0;
#pragma omp simd reduction(+ : sum)
    for (int64_t j = 0; j < w; ++j) {
      sum += row[j];
      zw[j] += row[j];
    }
    zh[i] = sum;
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
template <typename T>
void strip_mean_nchw(const T* x, T* z, int64_t n, int64_t c, int64_t h,
                     int64_t w) {
  const T inv_w = T(1) / w, inv_h = T(1) / h;
  at::parallel_for(0, c, 1, [&](int64_t k0, int64_t k1) {
    for (int64_t b = 0; b < n; ++b) {
      for (int64_t k = k0; k < k1; ++k) {
        T* zhp = z + (k * n + b) * (h + w);
        plane_sums(x + (b * c + k) * h * w, zhp, zhp + h, h, w);
        for (int64_t i = 0; i < h; ++i) zhp[i] *= inv_w;
        for (int64_t j = h; j < h + w; ++j) zhp[j] *= inv_h;
      }
    }
  });
}

// Channels-last strips are accumulated as z (N, H + W, C) so the inner loop
// runs over contiguous channels; the caller returns its transposed view.
template <typename T>
void strip_mean_nhwc(const T* x, T* z, int64_t n, int64_t c, int64_t h,
                     int64_t w) {
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
        zhi[k] += xv[k];
        zwj[k] += xv[k];
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

template <typename T>
void coord_gate_nchw(const T* x, Strip<T> gh, Strip<T> gw, T* y, int64_t n,
                     int64_t c, int64_t h, int64_t w) {
  at::parallel_for(0, n * c, 1, [&](int64_t begin, int64_t end) {
    std::vector<T> gh_col(h), gw_row(w);
    for (int64_t p = begin; p < end; ++p) {
      gh.gather(p, c, h, gh_col.data());
      gw.gather(p, c, w, gw_row.data());
      for (int64_t i = 0; i < h; ++i) {
        const T* row = x + (p * h + i) * w;
        T* out = y + (p * h + i) * w;
        const T g = gh_col[i];
        const T* gwr = gw_row.data();
#pragma omp simd
        for (int64_t j = 0; j < w; ++j) out[j] = row[j] * g * gwr[j];
      }
    }
  });
}

// gh, gw here are (N, L, C): the transposed strips.
template <typename T>
void coord_gate_nhwc(const T* x, const T* gh, const T* gw, T* y, int64_t n,
                     int64_t c, int64_t h, int64_t w) {
  at::parallel_for(0, n * h, 1, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const int64_t b = r / h;
      const T* ghr = gh + r * c;
      for (int64_t j = 0; j < w; ++j) {
        const T* gwj = gw + (b * w + j) * c;
        const T* xv = x + (r * w + j) * c;
        T* out = y + (r * w + j) * c;
#pragma omp simd
        for (int64_t k = 0; k < c; ++k) out[k] = xv[k] * ghr[k] * gwj[k];
      }
    }
  });
}

// dgh (N, C, H) and dgw (N, C, W) are contiguous.
template <typename T>
void coord_gate_backward_nchw(const T* dy, const T* x, Strip<T> gh,
                              Strip<T> gw, T* dx, T* dgh, T* dgw, int64_t n,
                              int64_t c, int64_t h, int64_t w) {
  at::parallel_for(0, n * c, 1, [&](int64_t begin, int64_t end) {
    std::vector<T> gh_col(h), gw_row(w);
    for (int64_t p = begin; p < end; ++p) {
      gh.gather(p, c, h, gh_col.data());
      gw.gather(p, c, w, gw_row.data());
      const T* gwp = gw_row.data();
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

at::Tensor strip_mean(const at::Tensor& x) {
  check_input(x);
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  if (is_channels_last(x)) {
    auto z = at::empty({n, h + w, c}, x.options());
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "strip_mean", [&] {
      strip_mean_nhwc<scalar_t>(x.data_ptr<scalar_t>(),
                                z.data_ptr<scalar_t>(), n, c, h, w);
    });
    return z.transpose(1, 2);
  }
  const auto xc = x.contiguous();
  auto z = at::empty({c, n, h + w}, x.options());
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "strip_mean", [&] {
    strip_mean_nchw<scalar_t>(xc.data_ptr<scalar_t>(),
                              z.data_ptr<scalar_t>(), n, c, h, w);
  });
  return z.transpose(0, 1);
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

at::Tensor coord_gate(const at::Tensor& x, const at::Tensor& gh,
                      const at::Tensor& gw) {
  check_gates(x, gh, gw);
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  if (is_channels_last(x)) {
    auto y = at::empty_like(x, at::MemoryFormat::ChannelsLast);
    const auto ghl = swap_strip_axes(gh), gwl = swap_strip_axes(gw);
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "coord_gate", [&] {
      coord_gate_nhwc<scalar_t>(x.data_ptr<scalar_t>(),
                                ghl.data_ptr<scalar_t>(),
                                gwl.data_ptr<scalar_t>(),
                                y.data_ptr<scalar_t>(), n, c, h, w);
    });
    return y;
  }
  const auto xc = x.contiguous();
  auto y = at::empty_like(xc);
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "coord_gate", [&] {
    coord_gate_nchw<scalar_t>(xc.data_ptr<scalar_t>(), Strip<scalar_t>(gh),
                              Strip<scalar_t>(gw), y.data_ptr<scalar_t>(), n,
                              c, h, w);
  });
  return y;
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

// Activations the inference op applies in place, by code.
enum class StripActivation : int64_t { kHardswish, kReLU, kReLU6, kSiLU };

at::Tensor coord_attention_inference(const at::Tensor& x, const at::Tensor& w1,
                                     const at::Tensor& b1,
                                     const at::Tensor& w_h,
                                     const at::Tensor& b_h,
                                     const at::Tensor& w_w,
                                     const at::Tensor& b_w, int64_t act) {
  check_input(x);
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const int64_t m = w1.size(0);
  // (N, C, L) -> (C, N * L): a view for both layouts strip_mean returns.
  const auto z = strip_mean(x).transpose(0, 1).reshape({c, n * (h + w)});
  auto f = at::addmm(b1, w1, z);  // (M, N * L)
  switch (static_cast<StripActivation>(act)) {
    case StripActivation::kHardswish: at::hardswish_(f); break;
    case StripActivation::kReLU: at::relu_(f); break;
    case StripActivation::kReLU6: at::hardtanh_(f, 0, 6); break;
    case StripActivation::kSiLU: at::silu_(f); break;
    default: TORCH_CHECK(false, "unknown activation code ", act);
  }
  const auto f3 = f.view({m, n, h + w});
  const auto f_h = f3.slice(2, 0, h).reshape({m, n * h});
  const auto f_w = f3.slice(2, h, h + w).reshape({m, n * w});
  const auto gate_h =
      at::addmm(b_h, w_h, f_h).sigmoid_().view({c, n, h}).transpose(0, 1);
  const auto gate_w =
      at::addmm(b_w, w_w, f_w).sigmoid_().view({c, n, w}).transpose(0, 1);
  return coord_gate(x, gate_h, gate_w);
}

}  // namespace

TORCH_LIBRARY(mmca, m) {
  m.def("strip_mean(Tensor x) -> Tensor", &strip_mean);
  m.def("coord_gate(Tensor x, Tensor gate_h, Tensor gate_w) -> Tensor",
        &coord_gate);
  m.def(
      "coord_gate_backward(Tensor dy, Tensor x, Tensor gate_h, "
      "Tensor gate_w) -> (Tensor, Tensor, Tensor)",
      &coord_gate_backward);
  m.def(
      "coord_attention_inference(Tensor x, Tensor w1, Tensor b1, "
      "Tensor w_h, Tensor b_h, Tensor w_w, Tensor b_w, int act) -> Tensor",
      &coord_attention_inference);
}

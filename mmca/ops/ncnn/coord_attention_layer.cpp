// Coordinate Attention as one ncnn layer: see coord_attention_layer.h.
#include "coord_attention_layer.h"

#include <math.h>

#include <algorithm>
#include <vector>

namespace mmca {

namespace {

inline float activate(float v, int type, float a, float b) {
  switch (type) {
    case 1:
      return std::max(v, 0.f);
    case 3:
      return std::min(std::max(v, a), b);
    case 6:
      return v * std::min(std::max(a * v + b, 0.f), 1.f);
    case 7:
      return v / (1.f + expf(-v));
    default:
      return v;
  }
}

// The strip means of one group of P packed channels: x is H x W x P,
// zh (H x P) the means over j, zw (W x P) over i. One pass over x.
template <int P>
void strip_means(const float* x, int w, int h, float* zh, float* zw) {
  std::fill(zw, zw + w * P, 0.f);
  for (int i = 0; i < h; i++) {
    const float* row = x + (size_t)i * w * P;
    float sum[P] = {};
    for (int j = 0; j < w; j++) {
      for (int k = 0; k < P; k++) {
        const float v = row[j * P + k];
        sum[k] += v;
        zw[j * P + k] += v;
      }
    }
    for (int k = 0; k < P; k++) zh[i * P + k] = sum[k] / w;
  }
  for (int j = 0; j < w * P; j++) zw[j] /= h;
}

// x *= g^h (x) g^w, in place, for one group: gh is H x P, gw W x P.
template <int P>
void apply_gates(float* x, int w, int h, const float* gh, const float* gw) {
  for (int i = 0; i < h; i++) {
    float* row = x + (size_t)i * w * P;
    float a[P];
    for (int k = 0; k < P; k++) a[k] = gh[i * P + k];
    for (int j = 0; j < w; j++) {
      for (int k = 0; k < P; k++) row[j * P + k] *= a[k] * gw[j * P + k];
    }
  }
}

// One pass over x, a thread per share of the channel groups: the strip
// means into zh, zw, or (apply) the gates in zh, zw multiplied in.
template <int P>
void pass_over_x(ncnn::Mat& x, float* zh, float* zw, bool apply,
                 int threads) {
  const int w = x.w, h = x.h;
  #pragma omp parallel for num_threads(threads)
  for (int q = 0; q < x.c; q++) {
    float* data = x.channel(q);
    float* gh = zh + (size_t)q * h * P;
    float* gw = zw + (size_t)q * w * P;
    if (apply)
      apply_gates<P>(data, w, h, gh, gw);
    else
      strip_means<P>(data, w, h, gh, gw);
  }
}

// P floats, one lane per packed channel (GCC's vector extension: each
// operation is one instruction on the vector unit P lanes wide)
template <int P>
struct Lanes {
  typedef float type __attribute__((vector_size(P * sizeof(float)),
                                    aligned(sizeof(float))));
};

// t_m(l..l+N) = delta(b_m + sum_c F_1[m, c] z_c(l..l+N)): P channels a
// step, N positions with accumulators of their own (so the multiply-adds
// do not wait on each other), the P lanes added at the end.
template <int P, int N>
inline void squeeze(const float* z, int length, int groups, int l,
                    const float* wm, float bias, const CoordAttention& ca,
                    float* tm) {
  typedef typename Lanes<P>::type V;
  V sum[N] = {};
  for (int q = 0; q < groups; q++) {
    const V w = *(const V*)(wm + q * P);
    const float* zq = z + ((size_t)q * length + l) * P;
    for (int j = 0; j < N; j++) sum[j] += w * *(const V*)(zq + j * P);
  }
  for (int j = 0; j < N; j++) {
    float v = bias;
    for (int k = 0; k < P; k++) v += sum[j][k];
    tm[l + j] =
        activate(v, ca.activation_type, ca.activation_a, ca.activation_b);
  }
}

// Logits of g_c(l..l+N) = b_c + sum_m F_2[c, m] t_m(l..l+N), for the P
// channels of group q (w2t is F_2 transposed, M x C), into g.
template <int P, int N>
inline void excite(const float* t, int length, int mid, int channels, int q,
                   int l, const float* w2t, const float* b2, float* g) {
  typedef typename Lanes<P>::type V;
  V sum[N];
  for (int j = 0; j < N; j++) sum[j] = *(const V*)(b2 + q * P);
  for (int m = 0; m < mid; m++) {
    const V w = *(const V*)(w2t + (size_t)m * channels + q * P);
    const float* tm = t + (size_t)m * length + l;
    for (int j = 0; j < N; j++) sum[j] += w * tm[j];
  }
  for (int j = 0; j < N; j++) *(V*)(g + (size_t)(l + j) * P) = sum[j];
}

// Positions a step takes at once
constexpr int kBlock = 4;

// One direction's gate from its strip z (L positions, packed as x: group
// q, position l, lane k is channel q * P + k), written over z:
// g = sigma(F_2 delta(F_1 z)). w1 is M x C, w2t F_2 transposed (M x C).
template <int P>
void gate(float* z, int length, const CoordAttention& ca, const float* w1,
          const float* b1, const float* w2t, const float* b2, int threads) {
  const int channels = ca.channels, mid = ca.mid, groups = channels / P;
  std::vector<float> t((size_t)mid * length);
  #pragma omp parallel for num_threads(threads)
  for (int m = 0; m < mid; m++) {
    const float* wm = w1 + (size_t)m * channels;
    float* tm = t.data() + (size_t)m * length;
    int l = 0;
    for (; l + kBlock <= length; l += kBlock)
      squeeze<P, kBlock>(z, length, groups, l, wm, b1[m], ca, tm);
    for (; l < length; l++)
      squeeze<P, 1>(z, length, groups, l, wm, b1[m], ca, tm);
  }
  #pragma omp parallel for num_threads(threads)
  for (int q = 0; q < groups; q++) {
    float* g = z + (size_t)q * length * P;
    int l = 0;
    for (; l + kBlock <= length; l += kBlock)
      excite<P, kBlock>(t.data(), length, mid, channels, q, l, w2t, b2, g);
    for (; l < length; l++)
      excite<P, 1>(t.data(), length, mid, channels, q, l, w2t, b2, g);
    #pragma omp simd
    for (int i = 0; i < length * P; i++) g[i] = 1.f / (1.f + expf(-g[i]));
  }
}

template <int P>
void coord_attention(ncnn::Mat& x, const CoordAttention& ca, int threads) {
  using Role = CoordAttention::Role;
  std::vector<float> zh((size_t)ca.channels * x.h);
  std::vector<float> zw((size_t)ca.channels * x.w);
  pass_over_x<P>(x, zh.data(), zw.data(), false, threads);
  gate<P>(zh.data(), x.h, ca, ca.weight[Role::kMidH], ca.bias[Role::kMidH],
          ca.excite_t[0].data(), ca.bias[Role::kGateH], threads);
  gate<P>(zw.data(), x.w, ca, ca.weight[Role::kMidW], ca.bias[Role::kMidW],
          ca.excite_t[1].data(), ca.bias[Role::kGateW], threads);
  pass_over_x<P>(x, zh.data(), zw.data(), true, threads);
}

}  // namespace

CoordAttention::CoordAttention() {
  one_blob_only = true;
  support_inplace = true;
  support_packing = true;
  support_any_packing = true;
}

int CoordAttention::load_param(const ncnn::ParamDict& pd) {
  channels = pd.get(0, 0);
  mid = pd.get(1, 0);
  activation_type = pd.get(2, 0);
  activation_a = pd.get(3, 0.f);
  activation_b = pd.get(4, 0.f);
  for (int k = 0; k < 4; k++) weight_order[k] = pd.get(5 + k, k);
  if (channels <= 0 || mid <= 0) return -1;
  bool seen[4] = {};
  for (int role : weight_order) {
    if (role < 0 || role > 3 || seen[role]) return -1;
    seen[role] = true;
  }
  return 0;
}

int CoordAttention::load_model(const ncnn::ModelBin& mb) {
  for (int role : weight_order) {
    const bool squeeze = role == kMidH || role == kMidW;
    const int out = squeeze ? mid : channels;
    weight[role] = mb.load(out * (squeeze ? channels : mid), 0);
    bias[role] = mb.load(out, 1);
    if (weight[role].empty() || bias[role].empty()) return -100;
  }
  // F_h and F_w transposed to M x C: the gates are computed P channels at
  // a time, which then read P neighbouring weights
  for (int d = 0; d < 2; d++) {
    const float* w = weight[d == 0 ? kGateH : kGateW];
    excite_t[d].resize((size_t)mid * channels);
    for (int c = 0; c < channels; c++)
      for (int m = 0; m < mid; m++)
        excite_t[d][(size_t)m * channels + c] = w[(size_t)c * mid + m];
  }
  return 0;
}

int CoordAttention::forward_inplace(ncnn::Mat& x,
                                    const ncnn::Option& opt) const {
  const int pack = x.elempack;
  if (x.dims != 3 || x.c * pack != channels ||
      x.elemsize != sizeof(float) * pack)
    return -100;
  switch (pack) {
    case 1: coord_attention<1>(x, *this, opt.num_threads); return 0;
    case 4: coord_attention<4>(x, *this, opt.num_threads); return 0;
    case 8: coord_attention<8>(x, *this, opt.num_threads); return 0;
    case 16: coord_attention<16>(x, *this, opt.num_threads); return 0;
    default: return -100;
  }
}

ncnn::Layer* CoordAttention_layer_creator(void* /*userdata*/) {
  return new CoordAttention;
}

}  // namespace mmca

// Coordinate Attention as one ncnn layer (Hou et al., CVPR 2021, Fig. 2c).
//
// For x of C channels and H x W, with z^h_c(i) = mean_j x_c(i, j) and
// z^w_c(j) = mean_i x_c(i, j) (eq. 4, 5):
//   g^h = sigma(F_h(delta(F_1 z^h))),  g^w = sigma(F_w(delta(F_1 z^w)))
//   y_c(i, j) = x_c(i, j) * g^h_c(i) * g^w_c(j)                  (eq. 6)
// F_1 (C -> M, BN folded in), F_h and F_w (M -> C) are 1x1 convolutions
// with bias, delta the block's non-linearity.
//
// ncnn's stock operators spell the block as 11 layers (a split, two strip
// poolings, four convolutions and two broadcasting multiplies): 4 reads and
// 2 writes of x. This layer reads x twice (both strips in one pass, then
// the product) and writes it once, in place, in whatever element packing
// the layers around it use, so no layout conversion is added either.
//
// Params (ParamDict ids)
//   0  channels C
//   1  mid width M
//   2  delta: 0 identity, 1 ReLU, 3 clip(a, b), 6 hard-swish
//      x * clip(a x + b, 0, 1), 7 SiLU (ncnn's activation_type numbering,
//      with 7 for the Swish layer)
//   3, 4  a, b of delta
//   5-8  the weights' order: role of the k-th convolution in the model
//        file, 0 F_1 for h, 1 F_1 for w, 2 F_h, 3 F_w (default 0 1 2 3)
// Weights: four convolutions as ncnn's Convolution stores them (a weight
// of out x in floats, then out biases), in the order params 5-8 give. F_1
// is stored twice, once per direction, as mmca's export writes it.
//
// In an ncnn application:
//   net.register_custom_layer("CoordAttention",
//                             mmca::CoordAttention_layer_creator);
#ifndef MMCA_NCNN_COORD_ATTENTION_LAYER_H
#define MMCA_NCNN_COORD_ATTENTION_LAYER_H

#include <vector>

#include "layer.h"

namespace mmca {

class CoordAttention : public ncnn::Layer {
 public:
  CoordAttention();

  int load_param(const ncnn::ParamDict& pd) override;
  int load_model(const ncnn::ModelBin& mb) override;
  int forward_inplace(ncnn::Mat& bottom_top_blob,
                      const ncnn::Option& opt) const override;

  enum Role { kMidH = 0, kMidW = 1, kGateH = 2, kGateW = 3 };

  int channels = 0;
  int mid = 0;
  int activation_type = 0;
  float activation_a = 0.f;
  float activation_b = 0.f;
  int weight_order[4] = {kMidH, kMidW, kGateH, kGateW};
  // by Role: weights (out x in, row-major) and biases
  ncnn::Mat weight[4];
  ncnn::Mat bias[4];
  // F_h and F_w transposed (M x C)
  std::vector<float> excite_t[2];
};

ncnn::Layer* CoordAttention_layer_creator(void* userdata);

}  // namespace mmca

#endif  // MMCA_NCNN_COORD_ATTENTION_LAYER_H

// ncnn::Layer's out-of-line members, for building the layer against the
// `ncnn` Python wheel. The wheel links ncnn statically and exports none of
// its C++ symbols, so a layer compiled outside it must bring the base
// class's constructor and default virtuals along (what ncnn's layer.cpp
// defines: nothing supported, nothing to load, no forward). An ncnn
// application links libncnn instead and does not compile this file.
#include "layer.h"

namespace ncnn {

Layer::Layer() {
  one_blob_only = false;
  support_inplace = false;
  support_vulkan = false;
  support_packing = false;
  support_bf16_storage = false;
  support_fp16_storage = false;
  support_int8_storage = false;
  support_tensor_storage = false;
  support_vulkan_packing = false;
  support_any_packing = false;
  support_vulkan_any_packing = false;
  support_batch = false;
  support_reserved_2 = support_reserved_3 = support_reserved_4 = false;
  support_reserved_5 = support_reserved_6 = support_reserved_7 = false;
  support_reserved_8 = support_reserved_9 = false;
  featmask = 0;
#if NCNN_VULKAN
  vkdev = 0;
#endif
  userdata = 0;
  typeindex = -1;
}

Layer::~Layer() {}

int Layer::load_param(const ParamDict&) { return 0; }
int Layer::load_model(const ModelBin&) { return 0; }
int Layer::create_pipeline(const Option&) { return 0; }
int Layer::destroy_pipeline(const Option&) { return 0; }

int Layer::forward(const std::vector<Mat>&, std::vector<Mat>&,
                   const Option&) const {
  return -1;
}
int Layer::forward(const Mat&, Mat&, const Option&) const { return -1; }
int Layer::forward_inplace(std::vector<Mat>&, const Option&) const {
  return -1;
}
int Layer::forward_inplace(Mat&, const Option&) const { return -1; }

#if NCNN_VULKAN
int Layer::upload_model(VkTransfer&, const Option&) { return 0; }
int Layer::forward(const std::vector<VkMat>&, std::vector<VkMat>&,
                   VkCompute&, const Option&) const {
  return -1;
}
int Layer::forward(const VkMat&, VkMat&, VkCompute&, const Option&) const {
  return -1;
}
int Layer::forward_inplace(std::vector<VkMat>&, VkCompute&,
                           const Option&) const {
  return -1;
}
int Layer::forward_inplace(VkMat&, VkCompute&, const Option&) const {
  return -1;
}
#endif  // NCNN_VULKAN

}  // namespace ncnn

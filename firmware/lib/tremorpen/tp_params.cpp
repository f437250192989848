#include "tp_params.h"

#include <cmath>

#include "tp_protocol.h"

namespace tp {

// name, default, min, max, integer, restart
const ParamInfo PARAM_INFO[P_COUNT] = {
    {"step_size", 0.05f, 1e-6f, 10.0f, false, false},
    {"step_size_2", 0.01f, 1e-6f, 1.99f, false, false},
    {"regularization", 1e-6f, 1e-12f, 1.0f, false, false},
    {"forgetting_factor", 0.999f, 0.9f, 1.0f, false, false},
    {"init_covariance", 100.0f, 1e-3f, 1e6f, false, false},
    {"process_noise", 1e-4f, 0.0f, 1.0f, false, false},
    {"measurement_noise", 1e-3f, 1e-9f, 10.0f, false, false},
    {"n_taps", 4.0f, 1.0f, 16.0f, true, false},
    {"max_duty", 0.8f, 0.0f, 0.9f, false, false},
    {"duty_bias", 0.4f, 0.0f, 0.9f, false, false},
    {"motor_gain", 2.0f, 0.0f, 100.0f, false, false},
    {"soft_start_s", 0.5f, 0.0f, 10.0f, false, false},
    {"axis", 0.0f, 0.0f, 2.0f, true, false},
    {"hp_cutoff_hz", 1.0f, 0.05f, 20.0f, false, false},
    {"sample_rate_hz", 1000.0f, 100.0f, 1000.0f, true, true},
    {"odr_hz", 1600.0f, 100.0f, 3200.0f, true, true},
    {"range_g", 2.0f, 2.0f, 16.0f, true, true},
    {"sec_delay", 2.0f, 1.0f, 8.0f, true, false},
    {"sec_tau_ms", 5.0f, 0.1f, 100.0f, false, false},
    {"sec_gain", 1.0f, 0.0f, 10.0f, false, false},
    {"sec_hp_hz", 1.0f, 0.0f, 20.0f, false, false},
};

void Params::defaults() {
  for (int i = 0; i < P_COUNT; ++i) v[i] = PARAM_INFO[i].def;
}

bool Params::valid(uint8_t id, float value) {
  if (id >= P_COUNT || !std::isfinite(value)) return false;
  const ParamInfo& p = PARAM_INFO[id];
  if (value < p.lo || value > p.hi) return false;
  if (p.integer && value != std::floor(value)) return false;
  if (id == P_ODR_HZ) {
    const float ok[] = {100, 200, 400, 800, 1600, 3200};
    bool found = false;
    for (float o : ok) found = found || (o == value);
    if (!found) return false;
  }
  if (id == P_RANGE_G && !(value == 2 || value == 4 || value == 8 || value == 16)) return false;
  return true;
}

void params_to_image(const Params& p, uint8_t* out) {
  put_u32(out, PARAMS_MAGIC);
  put_u16(out + 4, PARAMS_VERSION);
  put_u16(out + 6, uint16_t(P_COUNT));
  for (int i = 0; i < P_COUNT; ++i) put_f32(out + 8 + 4 * i, p.v[i]);
  put_u32(out + 8 + 4 * P_COUNT, crc32(out, 8 + 4 * P_COUNT));
}

bool params_from_image(const uint8_t* in, Params& p) {
  if (get_u32(in) != PARAMS_MAGIC || get_u16(in + 4) != PARAMS_VERSION || get_u16(in + 6) != P_COUNT) return false;
  if (crc32(in, 8 + 4 * P_COUNT) != get_u32(in + 8 + 4 * P_COUNT)) return false;
  Params q;
  for (int i = 0; i < P_COUNT; ++i) {
    q.v[i] = get_f32(in + 8 + 4 * i);
    if (!Params::valid(uint8_t(i), q.v[i])) return false;
  }
  p = q;
  return true;
}

}  // namespace tp

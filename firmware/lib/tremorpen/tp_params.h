// Pen parameters: one table (id, name, default, range) shared by the firmware, the EEPROM image
// and the host (tremorlab.pen.protocol.PARAMS mirrors it; a test checks they agree).
#pragma once
#include <cstddef>
#include <cstdint>

namespace tp {

constexpr uint16_t PARAMS_VERSION = 2;  // 2: sec_delay default 1 -> 2 (the measured loop delay), sec_hp_hz
constexpr uint32_t PARAMS_MAGIC = 0x4E455054u;  // "TPEN"

enum ParamId : uint8_t {
  P_STEP_SIZE = 0,          // mu (LMS family), mu_1 of Fx-LMS/NLMS
  P_STEP_SIZE_2,            // mu_2: normalised step (NLMS family)
  P_REGULARIZATION,         // eps added to the input energy (NLMS family)
  P_FORGETTING_FACTOR,      // lambda (RLS)
  P_INIT_COVARIANCE,        // delta: P(0) = delta * I (RLS, Kalman)
  P_PROCESS_NOISE,          // q: Q = q I (Kalman)
  P_MEASUREMENT_NOISE,      // r (Kalman)
  P_N_TAPS,                 // adaptive filter length L
  P_MAX_DUTY,               // upper limit of the PWM duty (fraction)
  P_DUTY_BIAS,              // duty at zero command (fraction)
  P_MOTOR_GAIN,             // duty per g of commanded motor acceleration
  P_SOFT_START_S,           // duty limit ramps from 0 to max over this time after motor on
  P_AXIS,                   // control axis 0=x 1=y 2=z
  P_HP_CUTOFF_HZ,           // DC-blocker cutoff on the control axis
  P_SAMPLE_RATE_HZ,         // control loop rate (hardware timer)
  P_ODR_HZ,                 // ADXL345 output data rate (100..3200, powers of two x 100 / 3200)
  P_RANGE_G,                // ADXL345 range (2, 4, 8, 16)
  P_SEC_DELAY,              // secondary-path estimate: pure delay, samples
  P_SEC_TAU_MS,             // secondary-path estimate: first-order motor time constant, ms
  P_SEC_GAIN,               // secondary-path estimate: static gain (g per g commanded)
  P_SEC_HP_HZ,              // secondary-path estimate: the motor's high-pass corner, Hz (0: none)
  P_COUNT
};

struct ParamInfo {
  const char* name;
  float def, lo, hi;
  bool integer;
  bool restart;  // takes effect only after the sensor/timer are reconfigured
};

extern const ParamInfo PARAM_INFO[P_COUNT];

struct Params {
  float v[P_COUNT];
  void defaults();
  // Clamp-free check: true when value is inside the range (and an integer where required).
  static bool valid(uint8_t id, float value);
};

// EEPROM image: magic u32, version u16, size u16, float v[P_COUNT], crc32 u32 (little-endian).
constexpr size_t PARAMS_IMAGE_SIZE = 4 + 2 + 2 + 4 * P_COUNT + 4;
void params_to_image(const Params& p, uint8_t* out);
// Returns false (and leaves p untouched) when the image is absent, of another version or corrupt.
bool params_from_image(const uint8_t* in, Params& p);

}  // namespace tp

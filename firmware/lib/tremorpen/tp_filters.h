// The seven adaptive filters of tremorlab.adaptive, ported line by line to float32.
//
// Every filter is split into the two halves of one sample so that the same code serves the
// golden-vector check (where the plant is simulated, exactly as in the Python step functions)
// and the pen (where the plant is physical and the error is measured by the accelerometer):
//
//   y = f.push(x)      shift the delay line(s), (Kalman: predict P), compute the output
//   f.adapt(e)         update the weights from the error e(n)
//
// Equation numbers refer to the docstrings of tremorlab/adaptive/{lms,nlms,fxlms,rls,kalman}.py:
//   LMS      push: (1)-(2)          adapt: (4)-(5)            e = d - y is (3)
//   NLMS     push: (1)-(2)          adapt: (4)-(6)
//   Fx-*     push: (1)-(2)          plant: (3)-(5)            adapt: (6)-(10)
//   RLS      push: (1)-(2)          adapt: (4)-(7)
//   Kalman   push: (1)-(3)          adapt: (5)-(8)            e is the innovation (4)
// Summation order is the same as in Python (k ascending), so the only difference from the
// float64 reference is float32 rounding.
#pragma once
#include <cstdint>

namespace tp {

constexpr int MAX_TAPS = 16;
constexpr int MAX_SEC = 16;

enum Algorithm : uint8_t {
  ALGO_OFF = 0,
  ALGO_LMS = 1,
  ALGO_NLMS = 2,
  ALGO_FXLMS = 3,
  ALGO_FXNLMS = 4,
  ALGO_FXLMS_NLMS = 5,
  ALGO_RLS = 6,
  ALGO_KALMAN = 7,
  ALGO_COUNT
};

const char* algorithm_name(uint8_t algo);
inline bool is_filtered_x(uint8_t a) { return a == ALGO_FXLMS || a == ALGO_FXNLMS || a == ALGO_FXLMS_NLMS; }

struct FilterConfig {
  uint8_t algo = ALGO_OFF;
  int n_taps = 2;
  float mu1 = 0.0f;                 // LMS / Fx-LMS step; Fx-LMS/NLMS unnormalised part
  float mu2 = 0.0f;                 // NLMS / Fx-NLMS step; Fx-LMS/NLMS normalised part
  float regularization = 1e-10f;    // eps of the NLMS family
  float forgetting_factor = 0.999f; // RLS lambda
  float p0 = 1.0f;                  // P(0) = p0 I  (RLS: p0 = 1 / delta)
  float process_noise = 0.0f;       // Kalman q
  float measurement_noise = 1.0f;   // Kalman r
  int n_sec = 1;                    // taps of the secondary-path estimate S^
  float sec[MAX_SEC] = {1.0f};
};

class AdaptiveFilter {
 public:
  // Returns false (filter unchanged) when the configuration is out of range.
  bool configure(const FilterConfig& c);
  // New scalars (step sizes, S^, ...) keeping weights and state; false when the algorithm or
  // the lengths differ (then configure() is needed).
  bool retune(const FilterConfig& c);
  void reset();
  float push(float x);
  void adapt(float e);
  const FilterConfig& config() const { return c_; }
  const float* weights() const { return w_; }
  int n_taps() const { return c_.n_taps; }

 private:
  void adapt_lms(float e);
  void adapt_nlms(float e);
  void adapt_fx(float e);
  void adapt_rls(float e);
  void adapt_kalman(float e);
  static bool configure_check(const FilterConfig& c);
  FilterConfig c_;
  int n_ref_ = 1;                      // length of the reference line (max(L, M^) for Fx)
  float w_[MAX_TAPS] = {};
  float u_[MAX_TAPS > MAX_SEC ? MAX_TAPS : MAX_SEC] = {};  // reference delay line (xb of Fx)
  float fb_[MAX_TAPS] = {};            // filtered-reference delay line (Fx)
  float P_[MAX_TAPS * MAX_TAPS] = {};  // RLS inverse correlation / Kalman covariance
  float pu_[MAX_TAPS] = {};
};

// FIR used for the simulated secondary path in the golden check: yb delay line and output.
class Fir {
 public:
  bool configure(const float* taps, int n);
  float step(float in);  // (3)-(4) of the Fx step: shift, then sum
  void reset();

 private:
  int n_ = 1;
  float h_[MAX_SEC] = {};
  float z_[MAX_SEC] = {};
};

}  // namespace tp

#include "tp_filters.h"

namespace tp {

const char* algorithm_name(uint8_t algo) {
  static const char* const names[ALGO_COUNT] = {"off", "lms", "nlms", "fxlms", "fxnlms", "fxlms_nlms", "rls", "kalman"};
  return algo < ALGO_COUNT ? names[algo] : "?";
}

bool AdaptiveFilter::configure_check(const FilterConfig& c) {
  if (c.algo >= ALGO_COUNT || c.n_taps < 1 || c.n_taps > MAX_TAPS || c.n_sec < 1 || c.n_sec > MAX_SEC) return false;
  if (!(c.forgetting_factor > 0.0f && c.forgetting_factor <= 1.0f) || !(c.measurement_noise > 0.0f) ||
      !(c.p0 > 0.0f) || c.process_noise < 0.0f || !(c.regularization > 0.0f))
    return false;
  return true;
}

bool AdaptiveFilter::configure(const FilterConfig& c) {
  if (!configure_check(c)) return false;
  c_ = c;
  n_ref_ = is_filtered_x(c.algo) && c.n_sec > c.n_taps ? c.n_sec : c.n_taps;
  reset();
  return true;
}

bool AdaptiveFilter::retune(const FilterConfig& c) {
  if (c.algo != c_.algo || c.n_taps != c_.n_taps || c.n_sec != c_.n_sec) return false;
  if (!configure_check(c)) return false;
  c_ = c;  // P(0) only takes effect at the next reset()
  return true;
}

void AdaptiveFilter::reset() {
  const int L = c_.n_taps;
  for (int k = 0; k < MAX_TAPS; ++k) w_[k] = fb_[k] = pu_[k] = 0.0f;
  for (float& v : u_) v = 0.0f;
  for (int k = 0; k < MAX_TAPS * MAX_TAPS; ++k) P_[k] = 0.0f;
  for (int i = 0; i < L; ++i) P_[i * L + i] = c_.p0;
}

__attribute__((noinline)) float AdaptiveFilter::push(float x) {
  const int L = c_.n_taps;
  for (int k = n_ref_ - 1; k > 0; --k) u_[k] = u_[k - 1];  // (1)
  u_[0] = x;
  if (c_.algo == ALGO_KALMAN)
    for (int i = 0; i < L; ++i) P_[i * L + i] += c_.process_noise;  // Kalman (2): predict
  float y = 0.0f;  // output
  for (int k = 0; k < L; ++k) y += w_[k] * u_[k];
  return y;
}

// One routine per algorithm (noinline: `make sizes` reports each one's code size).
#define TP_NOINLINE __attribute__((noinline))

TP_NOINLINE void AdaptiveFilter::adapt_lms(float e) {
  const int L = c_.n_taps;
  const float g = c_.mu1 * e;                          // (4)
  for (int k = 0; k < L; ++k) w_[k] += g * u_[k];      // (5)
}

TP_NOINLINE void AdaptiveFilter::adapt_nlms(float e) {
  const int L = c_.n_taps;
  float p = c_.regularization;                         // (4)
  for (int k = 0; k < L; ++k) p += u_[k] * u_[k];
  const float g = c_.mu2 * e / p;                      // (5)
  for (int k = 0; k < L; ++k) w_[k] += g * u_[k];      // (6)
}

TP_NOINLINE void AdaptiveFilter::adapt_fx(float e) {
  const int L = c_.n_taps;
  float xf = 0.0f;                                     // (6)
  for (int k = 0; k < c_.n_sec; ++k) xf += c_.sec[k] * u_[k];
  for (int k = L - 1; k > 0; --k) fb_[k] = fb_[k - 1]; // (7)
  fb_[0] = xf;
  float p = c_.regularization;                         // (8)
  for (int k = 0; k < L; ++k) p += fb_[k] * fb_[k];
  const float mu1 = c_.algo == ALGO_FXNLMS ? 0.0f : c_.mu1;
  const float mu2 = c_.algo == ALGO_FXLMS ? 0.0f : c_.mu2;
  const float g = (mu1 + mu2 / p) * e;                 // (9)
  for (int k = 0; k < L; ++k) w_[k] += g * fb_[k];     // (10)
}

TP_NOINLINE void AdaptiveFilter::adapt_rls(float e) {
  const int L = c_.n_taps;
  const float lam = c_.forgetting_factor;
  for (int i = 0; i < L; ++i) {                        // (4)
    float acc = 0.0f;
    for (int j = 0; j < L; ++j) acc += P_[i * L + j] * u_[j];
    pu_[i] = acc;
  }
  float den = lam;                                     // (5)
  for (int i = 0; i < L; ++i) den += u_[i] * pu_[i];
  for (int i = 0; i < L; ++i) w_[i] += (pu_[i] / den) * e;  // (6)
  for (int i = 0; i < L; ++i)                          // (7) symmetric form
    for (int j = 0; j < L; ++j) P_[i * L + j] = (P_[i * L + j] - pu_[i] * pu_[j] / den) / lam;
}

TP_NOINLINE void AdaptiveFilter::adapt_kalman(float e) {
  const int L = c_.n_taps;
  for (int i = 0; i < L; ++i) {                        // (5)
    float acc = 0.0f;
    for (int j = 0; j < L; ++j) acc += P_[i * L + j] * u_[j];
    pu_[i] = acc;
  }
  float s = c_.measurement_noise;                      // (6)
  for (int i = 0; i < L; ++i) s += u_[i] * pu_[i];
  for (int i = 0; i < L; ++i) w_[i] += (pu_[i] / s) * e;    // (7)
  for (int i = 0; i < L; ++i)                          // (8) symmetric form
    for (int j = 0; j < L; ++j) P_[i * L + j] = P_[i * L + j] - pu_[i] * pu_[j] / s;
}

void AdaptiveFilter::adapt(float e) {
  switch (c_.algo) {
    case ALGO_LMS: adapt_lms(e); break;
    case ALGO_NLMS: adapt_nlms(e); break;
    case ALGO_FXLMS:
    case ALGO_FXNLMS:
    case ALGO_FXLMS_NLMS: adapt_fx(e); break;
    case ALGO_RLS: adapt_rls(e); break;
    case ALGO_KALMAN: adapt_kalman(e); break;
    default: break;
  }
}

bool Fir::configure(const float* taps, int n) {
  if (n < 1 || n > MAX_SEC) return false;
  n_ = n;
  for (int k = 0; k < MAX_SEC; ++k) h_[k] = k < n ? taps[k] : 0.0f;
  reset();
  return true;
}

void Fir::reset() {
  for (float& v : z_) v = 0.0f;
}

float Fir::step(float in) {
  for (int k = n_ - 1; k > 0; --k) z_[k] = z_[k - 1];
  z_[0] = in;
  float s = 0.0f;
  for (int k = 0; k < n_; ++k) s += h_[k] * z_[k];
  return s;
}

}  // namespace tp

// The controller: sensor sample -> residual -> reference -> adaptive filter -> motor duty, the
// safety rules, and the command set of the wire protocol.  No hardware access: the sketch
// (src/main.cpp) gives it a Link (serial out) and a Board (EEPROM, sensor restart, clock).
//
// Per sample n (f_s = sample_rate_hz, all accelerations in g, c = control axis):
//   a(n)  = mean of the FIFO entries read at this tick / 256             (full resolution)
//   e(n)  = HP_dc{a_c}(n)          the residual vibration at the sensor (DC blocker: no gravity)
//   x(n)  = e(n) + sum_{k>=1} s^[k] h(n-k),   h = HP_dc HP_m y_a
//           internal-model reference: the tremor alone, the motor's predicted share removed
//   Fx-LMS, Fx-NLMS, Fx-LMS/NLMS (filtered-x: adapt on the measured residual):
//     y(n)  = filter.push(x(n));  filter.adapt(e(n))   (tremorlab.adaptive.fxlms eqs. 1-2, 6-10)
//   LMS, NLMS, RLS, Kalman (modified filtered-x, Bjarnason 1992; tremorlab.adaptive.anc):
//     g(n)  = HP_dc HP_m x(n)
//     xf(n) = sum_k s^[k] g(n-k)                    x through the whole secondary-path estimate
//     z(n)  = filter.push(xf(n))                    the filter's own output: its estimate of x(n)
//     filter.adapt(x(n) - z(n))                     its own equations, input xf, desired x
//     y(n)  = sum_{k<L} w[k] x(n-k)                 the same weights on x drive the motor
//   duty  = r(t) clamp(bias + G (-y(n)), 0, max_duty)      motor command -y(n) g, G duty per g
//   y_a(n)= -duty(n) / G     the output the motor really applies (up to a constant that the
//                            high-passes remove): soft start, saturation, switching off included
// r(t) ramps 0 -> 1 over soft_start_s after the motor is switched on (soft start).
//
// Secondary path, from y_a to e: S^ = HP_dc HP_m s^, where
//   s^[k] = 0 for k < sec_delay, sec_gain (1 - b) b^(k - sec_delay) after (b = exp(-1/(tau f_s)),
//           tau = sec_tau_ms), truncated to MAX_SEC taps: the motor's dead time and lag;
//   HP_m  = first-order high-pass at sec_hp_hz (0: none): a vibration motor makes no static force;
//   HP_dc = the DC blocker of e (hp_cutoff_hz), which the motor's share passes like the tremor.
// The default delay of 2 samples is the emulated pen's, measured: a duty written at tick n
// first shows in the samples read at tick n+2 (1 ms motor dead time; the samples read at tick
// n+1 were taken before it ended).  On a real pen, identify S and set sec_* to match.
//
// Why LMS, NLMS, RLS and Kalman run in the modified filtered-x arrangement: their equations take
// the error as d - (their own output).  Fed e(n) with the regressor x(n) (as if S were a unit
// gain), their mean update is R^-1 E[u (S u)^T] (w_o - w) (RLS, Kalman; LMS, NLMS without the
// R^-1): on the emulated pen's reference (pd phantom, 1 kHz, sensor noise) two of the four
// eigenvalues of R^-1 E[u (S u)^T] have a negative real part (-0.044 +- 0.028j), so the
// whitening filters (RLS, Kalman), which adapt as fast in those noise directions as along the
// tremor, drift away and the loop amplifies the tremor (LMS, NLMS drift too, slower).  With input
// xf and desired x they minimise sum (x - w^T xf)^2, which is the residual the loop would have
// with fixed weights w (exactly when S^ = S): an open-loop identification, stable for any
// algorithm.  It relies on S^ (its errors bias the weights); the filtered-x algorithms adapt on
// the measured e instead and only need S^ within 90 degrees of S.
#pragma once
#include <cstddef>
#include <cstdint>

#include "tp_filters.h"
#include "tp_params.h"
#include "tp_protocol.h"

namespace tp {

constexpr uint8_t FW_MAJOR = 1, FW_MINOR = 1, FW_PATCH = 0;

enum Fault : uint8_t { FAULT_NONE = 0, FAULT_SENSOR_ABSENT = 1, FAULT_SENSOR_STALLED = 2, FAULT_DIVERGED = 3 };

class Link {
 public:
  virtual ~Link() = default;
  // Send one encoded frame; a droppable frame (telemetry) may be dropped when the output
  // buffer is full (return false); replies are never dropped.
  virtual bool write_frame(const uint8_t* frame, size_t n, bool droppable) = 0;
};

class Board {
 public:
  virtual ~Board() = default;
  virtual bool save_params(const uint8_t* image, size_t n) = 0;
  // Re-apply sample rate, output data rate and range (timer + sensor); false if the sensor
  // does not answer.
  virtual bool restart_sampling(const Params& p) = 0;
};

// First-order high-pass (DC blocker): y(n) = a (y(n-1) + u(n) - u(n-1)), a = exp(-2 pi f_c / f_s).
// With f_c = 0 (a = 1) it passes its input unchanged (from the zero state).
struct HighPass {
  float a = 1.0f, y = 0.0f, u_prev = 0.0f;
  float step(float u) {
    y = a * (y + u - u_prev);
    u_prev = u;
    return y;
  }
  void prime(float u) {  // as if u had always been the input: the next output starts at 0
    y = 0.0f;
    u_prev = u;
  }
};

class Controller {
 public:
  Controller(Link& link, Board& board) : link_(link), board_(board) { params_.defaults(); }

  // Load parameters (from an EEPROM image; defaults when absent or corrupt) and set up the filter.
  // Returns true when the image was valid.
  bool begin(const uint8_t* eeprom_image);
  const Params& params() const { return params_; }

  // One sensor sample: `n_entries` FIFO entries whose raw counts sum to `sum` (per axis).
  // Returns the PWM duty in [0, max_duty].
  float process(const int32_t sum[3], int n_entries, const int16_t last[3], uint32_t t_us);
  // A tick with no new sensor sample (FIFO empty) or a bus error: counts towards the stall fault.
  void missed_sample(bool bus_error);
  void overrun() { ++status_.overruns; }
  void set_cpu_us(float us) { status_.cpu_us = us; }
  void sensor_fault(Fault f);
  void sensor_recovered();

  // Feed received bytes; handles complete command frames.
  void receive(const uint8_t* data, size_t n, uint32_t t_us);

  bool motor_on() const { return motor_on_; }
  bool streaming() const { return streaming_; }
  uint8_t fault() const { return fault_; }
  uint8_t algorithm() const { return algo_; }
  float duty() const { return duty_; }
  const AdaptiveFilter& filter() const { return filter_; }
  const Status& status();

 private:
  void handle(const Frame& f, uint32_t t_us);
  void ack(const Frame& f, uint8_t status, float value);
  void send(uint8_t type, const uint8_t* payload, size_t len, bool droppable);
  bool apply_param(uint8_t id, float value);
  void rebuild_filter(bool reset);
  void motor_off();

  Link& link_;
  Board& board_;
  Params params_;
  AdaptiveFilter filter_;
  Decoder decoder_;
  uint8_t algo_ = ALGO_KALMAN;
  bool motor_on_ = false, streaming_ = false;
  uint8_t fault_ = FAULT_NONE;
  uint32_t motor_on_us_ = 0;
  uint16_t tx_seq_ = 0, cfg_ = 0;
  uint32_t index_ = 0;
  int stall_ = 0;
  bool have_prev_ = false;
  HighPass hp_e_;             // the DC blocker of the measurement
  HighPass ya_m_, ya_dc_;     // y_a through HP_m, then HP_dc
  HighPass x_m_, x_dc_;       // x through HP_m, then HP_dc (modified filtered-x)
  float sec_[MAX_SEC] = {};   // s^
  float h_[MAX_SEC] = {};     // HP_dc HP_m y_a: h(n-1), h(n-2), ...
  float r_[MAX_SEC] = {};     // x(n), x(n-1), ...: the motor's regressor, read up to n_taps
  static_assert(MAX_TAPS <= MAX_SEC, "r_ holds the regressor of the longest filter");
  float g_[MAX_SEC] = {};     // HP_dc HP_m x: g(n), g(n-1), ...
  float mse_ = 0.0f, duty_ = 0.0f;
  Status status_{};
};

}  // namespace tp

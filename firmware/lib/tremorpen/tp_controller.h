// The controller: sensor sample -> residual -> reference -> adaptive filter -> motor duty, the
// safety rules, and the command set of the wire protocol.  No hardware access: the sketch
// (src/main.cpp) gives it a Link (serial out) and a Board (EEPROM, sensor restart, clock).
//
// Per sample n (f_s = sample_rate_hz, all accelerations in g, c = control axis):
//   a(n)  = mean of the FIFO entries read at this tick / 256             (full resolution)
//   e(n)  = alpha (e(n-1) + a_c(n) - a_c(n-1)),  alpha = exp(-2 pi f_hp / f_s)
//           the residual vibration the accelerometer measures (DC blocker removes gravity)
//   x(n)  = e(n) + sum_{k>=1} s^[k] h(n-k),  h = y_a through the same DC blocker as e
//           internal-model reference: the tremor alone, the motor's predicted share removed
//   y(n)  = filter.push(x(n));   filter.adapt(e(n))
//           Fx-* adapt on S^-filtered x (tremorlab.adaptive.fxlms eqs. 6-10); LMS, NLMS, RLS
//           and Kalman adapt on x itself, i.e. they take the secondary path as a unit gain
//   duty  = r(t) clamp(bias + G (-y(n)), 0, max_duty)      motor command -y(n) g, G duty per g
//   y_a(n)= -r(t) (clamp(...) - bias) / G                   the output the motor really applies
// r(t) ramps 0 -> 1 over soft_start_s after the motor is switched on (soft start).
// s^ = secondary-path estimate: sec_delay samples of delay, then a first-order lag with time
// constant sec_tau_ms and static gain sec_gain, truncated to MAX_SEC taps.
#pragma once
#include <cstddef>
#include <cstdint>

#include "tp_filters.h"
#include "tp_params.h"
#include "tp_protocol.h"

namespace tp {

constexpr uint8_t FW_MAJOR = 1, FW_MINOR = 0, FW_PATCH = 0;

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
  float a_prev_ = 0.0f, e_prev_ = 0.0f, alpha_ = 1.0f;
  float sec_[MAX_SEC] = {};
  int n_sec_ = 1;
  float ya_[MAX_SEC] = {};  // applied outputs, high-passed: HP(y_a)(n-1), HP(y_a)(n-2), ...
  float ya_hp_ = 0.0f, ya_prev_ = 0.0f;
  float mse_ = 0.0f, duty_ = 0.0f;
  Status status_{};
};

}  // namespace tp

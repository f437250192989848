#include "tp_controller.h"
#include "tp_adxl345.h"

#include <cmath>
#include <cstring>

namespace tp {

namespace {
constexpr float kTwoPi = 6.28318530718f;
constexpr int kStallTicks = 50;      // ticks without a sensor sample before the stall fault
constexpr float kDivergedG = 50.0f;  // |y| above this (g) is divergence
float clampf(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }
}  // namespace

bool Controller::begin(const uint8_t* image) {
  params_.defaults();
  bool ok = image != nullptr && params_from_image(image, params_);
  rebuild_filter(true);
  return ok;
}

void Controller::rebuild_filter(bool reset) {
  const float* v = params_.v;
  const float fs = v[P_SAMPLE_RATE_HZ];
  // the DC blocker, and the secondary-path estimate: HP_dc HP_m s^ (see the header)
  const float a_dc = std::exp(-kTwoPi * v[P_HP_CUTOFF_HZ] / fs), a_m = std::exp(-kTwoPi * v[P_SEC_HP_HZ] / fs);
  hp_e_.a = ya_dc_.a = x_dc_.a = a_dc;
  ya_m_.a = x_m_.a = a_m;
  // s^: delay D, then g (1 - a) a^j
  const int D = int(v[P_SEC_DELAY]);
  const float a = std::exp(-1000.0f / (v[P_SEC_TAU_MS] * fs));
  for (int k = 0; k < MAX_SEC; ++k)
    sec_[k] = k < D ? 0.0f : v[P_SEC_GAIN] * (1.0f - a) * std::pow(a, float(k - D));
  FilterConfig c;
  c.algo = algo_;
  c.n_taps = int(v[P_N_TAPS]);
  c.mu1 = v[P_STEP_SIZE];
  c.mu2 = v[P_STEP_SIZE_2];
  c.regularization = v[P_REGULARIZATION];
  c.forgetting_factor = v[P_FORGETTING_FACTOR];
  c.p0 = v[P_INIT_COVARIANCE];
  c.process_noise = v[P_PROCESS_NOISE];
  c.measurement_noise = v[P_MEASUREMENT_NOISE];
  c.n_sec = MAX_SEC;
  for (int k = 0; k < MAX_SEC; ++k) c.sec[k] = sec_[k];
  if (reset || !filter_.retune(c)) filter_.configure(c);
}

void Controller::motor_off() {
  motor_on_ = false;
  duty_ = 0.0f;
}

void Controller::sensor_fault(Fault f) {
  fault_ = f;
  motor_off();
}

void Controller::sensor_recovered() {
  if (fault_ == FAULT_SENSOR_ABSENT || fault_ == FAULT_SENSOR_STALLED) fault_ = FAULT_NONE;
  stall_ = 0;
  have_prev_ = false;
}

void Controller::missed_sample(bool bus_error) {
  if (bus_error) {
    sensor_fault(FAULT_SENSOR_ABSENT);
    return;
  }
  if (++stall_ >= kStallTicks && fault_ == FAULT_NONE) sensor_fault(FAULT_SENSOR_STALLED);
}

float Controller::process(const int32_t sum[3], int n, const int16_t last[3], uint32_t t_us) {
  const float* v = params_.v;
  stall_ = 0;
  if (fault_ == FAULT_SENSOR_STALLED) fault_ = FAULT_NONE;  // samples flow again; the motor stays off
  const int axis = int(v[P_AXIS]);
  const float a = float(sum[axis]) / (float(n) * adxl::COUNTS_PER_G);
  // (1) residual: DC blocker on the control axis (primed on the first sample: no gravity step)
  if (!have_prev_) hp_e_.prime(a);
  have_prev_ = true;
  const float e = hp_e_.step(a);
  // (2) internal-model reference; delay lines of x and of x through HP_dc HP_m
  float x = e;
  for (int k = 1; k < MAX_SEC; ++k) x += sec_[k] * h_[k - 1];
  for (int k = MAX_SEC - 1; k > 0; --k) {
    r_[k] = r_[k - 1];
    g_[k] = g_[k - 1];
  }
  r_[0] = x;
  g_[0] = x_dc_.step(x_m_.step(x));
  // (3) filter (see the header: filtered-x, or modified filtered-x)
  float y = 0.0f;
  if (algo_ != ALGO_OFF) {
    if (is_filtered_x(algo_)) {
      y = filter_.push(x);
      filter_.adapt(e);
    } else {
      float xf = 0.0f;
      for (int k = 0; k < MAX_SEC; ++k) xf += sec_[k] * g_[k];
      const float z = filter_.push(xf);
      filter_.adapt(x - z);
      const float* w = filter_.weights();
      for (int k = 0; k < filter_.n_taps(); ++k) y += w[k] * r_[k];
    }
    if (!std::isfinite(y) || std::fabs(y) > kDivergedG) {
      fault_ = FAULT_DIVERGED;
      filter_.reset();
      y = 0.0f;
    }
  }
  // (4) motor, within the safe limits
  uint8_t flags = 0;
  if (motor_on_ && fault_ == FAULT_NONE && algo_ != ALGO_OFF) {
    const float soft = v[P_SOFT_START_S];
    const float r = soft > 0.0f ? clampf(float(uint32_t(t_us - motor_on_us_)) * 1e-6f / soft, 0.0f, 1.0f) : 1.0f;
    if (r < 1.0f) flags |= FLAG_SOFT_START;
    const float want = v[P_DUTY_BIAS] + v[P_MOTOR_GAIN] * (-y);
    const float cmd = clampf(want, 0.0f, v[P_MAX_DUTY]);
    if (cmd != want) flags |= FLAG_SATURATED;
    duty_ = r * cmd;
  } else {
    if (fault_ != FAULT_NONE) motor_on_ = false;
    duty_ = 0.0f;
  }
  // the motor's share of the measurement, as the model sees it: the applied output
  // y_a = -duty / G (up to a constant, which the high-passes remove; soft start and switching
  // off included) through HP_m and the sensor's DC blocker
  const float ya = v[P_MOTOR_GAIN] > 0.0f ? -duty_ / v[P_MOTOR_GAIN] : 0.0f;
  for (int k = MAX_SEC - 1; k > 0; --k) h_[k] = h_[k - 1];
  h_[0] = ya_dc_.step(ya_m_.step(ya));
  // (5) statistics and telemetry
  const float beta = 1.0f - 1.0f / v[P_SAMPLE_RATE_HZ];
  mse_ = beta * mse_ + (1.0f - beta) * e * e;
  ++status_.samples;
  if (streaming_) flags |= FLAG_STREAMING;
  if (motor_on_) flags |= FLAG_MOTOR_ON;
  if (fault_ != FAULT_NONE) flags |= FLAG_FAULT;
  Sample s{};
  s.index = index_++;
  s.t_us = t_us;
  for (int k = 0; k < 3; ++k) s.acc[k] = last[k];
  s.x = x;
  s.e = e;
  s.y = y;
  s.duty = uint16_t(std::lround(duty_ * 10000.0f));
  s.algo = algo_;
  s.flags = flags;
  s.cfg = cfg_;
  if (streaming_) {
    uint8_t p[SAMPLE_SIZE];
    pack_sample(s, p);
    send(MSG_SAMPLE, p, SAMPLE_SIZE, true);
  }
  return duty_;
}

void Controller::send(uint8_t type, const uint8_t* payload, size_t len, bool droppable) {
  uint8_t frame[FRAME_MAX];
  const size_t n = encode_frame(type, tx_seq_++, payload, len, frame);
  if (link_.write_frame(frame, n, droppable)) {
    ++status_.frames_sent;
  } else {
    ++status_.frames_dropped;
  }
}

void Controller::ack(const Frame& f, uint8_t st, float value) {
  uint8_t p[8];
  p[0] = f.type;
  put_u16(p + 1, f.seq);
  p[3] = st;
  put_f32(p + 4, value);
  send(MSG_ACK, p, 8, false);
}

void Controller::receive(const uint8_t* data, size_t n, uint32_t t_us) {
  Frame f;
  for (size_t i = 0; i < n; ++i)
    if (decoder_.feed(data[i], f)) handle(f, t_us);
}

bool Controller::apply_param(uint8_t id, float value) {
  Params old = params_;
  params_.v[id] = value;
  if (PARAM_INFO[id].restart || id == P_SAMPLE_RATE_HZ) {
    if (params_.v[P_ODR_HZ] < params_.v[P_SAMPLE_RATE_HZ] || !board_.restart_sampling(params_)) {
      params_ = old;
      return false;
    }
    have_prev_ = false;
  }
  rebuild_filter(id == P_N_TAPS || id == P_INIT_COVARIANCE);
  return true;
}

void Controller::handle(const Frame& f, uint32_t t_us) {
  const uint8_t* p = f.payload;
  auto need = [&](size_t n) {
    if (f.len == n) return true;
    ack(f, ACK_BAD_LENGTH, float(n));
    return false;
  };
  switch (f.type) {
    case MSG_HELLO: {
      if (!need(1)) return;
      if (p[0] != PROTOCOL_VERSION) return ack(f, ACK_BAD_VERSION, float(PROTOCOL_VERSION));
      uint8_t out[32];
      const char name[] = "tremorpen-teensy41";
      out[0] = PROTOCOL_VERSION;
      out[1] = FW_MAJOR;
      out[2] = FW_MINOR;
      out[3] = FW_PATCH;
      out[4] = uint8_t(PARAMS_VERSION);
      put_u16(out + 5, uint16_t(params_.v[P_SAMPLE_RATE_HZ]));
      out[7] = P_COUNT;
      out[8] = ALGO_COUNT;
      std::memcpy(out + 9, name, sizeof(name) - 1);
      send(MSG_HELLO_ACK, out, 9 + sizeof(name) - 1, false);
      return;
    }
    case MSG_SET_PARAM: {
      if (!need(5)) return;
      const uint8_t id = p[0];
      const float value = get_f32(p + 1);
      if (id >= P_COUNT) return ack(f, ACK_BAD_PARAM, 0.0f);
      if (!Params::valid(id, value)) return ack(f, ACK_BAD_VALUE, params_.v[id]);
      if (!apply_param(id, value)) return ack(f, ACK_BAD_VALUE, params_.v[id]);
      cfg_ = f.seq;
      return ack(f, ACK_OK, params_.v[id]);
    }
    case MSG_GET_PARAM: {
      if (!need(1)) return;
      if (p[0] >= P_COUNT) return ack(f, ACK_BAD_PARAM, 0.0f);
      uint8_t out[5];
      out[0] = p[0];
      put_f32(out + 1, params_.v[p[0]]);
      return send(MSG_PARAM, out, 5, false);
    }
    case MSG_SELECT_ALGO: {
      if (!need(1)) return;
      if (p[0] >= ALGO_COUNT) return ack(f, ACK_BAD_VALUE, float(algo_));
      algo_ = p[0];
      rebuild_filter(true);
      if (fault_ == FAULT_DIVERGED) fault_ = FAULT_NONE;
      cfg_ = f.seq;
      return ack(f, ACK_OK, float(algo_));
    }
    case MSG_MOTOR: {
      if (!need(1)) return;
      if (p[0]) {
        if (fault_ != FAULT_NONE) return ack(f, ACK_FAULT, float(fault_));
        if (!motor_on_) motor_on_us_ = t_us;
        motor_on_ = true;
      } else {
        motor_off();
      }
      cfg_ = f.seq;
      return ack(f, ACK_OK, motor_on_ ? 1.0f : 0.0f);
    }
    case MSG_STREAM: {
      if (!need(1)) return;
      streaming_ = p[0] != 0;
      cfg_ = f.seq;
      return ack(f, ACK_OK, streaming_ ? 1.0f : 0.0f);
    }
    case MSG_GET_STATUS: {
      uint8_t out[STATUS_SIZE];
      pack_status(status(), out);
      return send(MSG_STATUS, out, STATUS_SIZE, false);
    }
    case MSG_SAVE: {
      uint8_t img[PARAMS_IMAGE_SIZE];
      params_to_image(params_, img);
      return ack(f, board_.save_params(img, sizeof(img)) ? ACK_OK : ACK_STORAGE, 0.0f);
    }
    case MSG_RESET_FILTER: {
      filter_.reset();
      if (fault_ == FAULT_DIVERGED) fault_ = FAULT_NONE;
      cfg_ = f.seq;
      return ack(f, ACK_OK, 0.0f);
    }
    case MSG_DEFAULTS: {
      Params old = params_;
      params_.defaults();
      if (!board_.restart_sampling(params_)) {
        params_ = old;
        return ack(f, ACK_FAULT, 0.0f);
      }
      have_prev_ = false;
      rebuild_filter(true);
      cfg_ = f.seq;
      return ack(f, ACK_OK, 0.0f);
    }
    default:
      return ack(f, ACK_UNKNOWN, 0.0f);
  }
}

const Status& Controller::status() {
  uint8_t flags = 0;
  if (streaming_) flags |= FLAG_STREAMING;
  if (motor_on_) flags |= FLAG_MOTOR_ON;
  if (fault_ != FAULT_NONE) flags |= FLAG_FAULT;
  status_.algo = algo_;
  status_.flags = flags;
  status_.fault = fault_;
  status_.rx_bad = decoder_.bad;
  status_.mse_db = mse_ > 0.0f ? 10.0f * std::log10(mse_) : -200.0f;
  return status_;
}

}  // namespace tp

// Host tests of the controller: commands and replies, parameter validation, EEPROM image,
// safety rules (max duty, soft start, faults), and the internal-model cancellation loop.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "tp_adxl345.h"
#include "tp_controller.h"

using namespace tp;

namespace {
int fails = 0;
#define EXPECT(c)                                                  \
  do {                                                             \
    if (!(c)) {                                                    \
      std::printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);     \
      ++fails;                                                     \
    }                                                              \
  } while (0)

struct FakeLink : Link {
  std::vector<Frame> frames;
  Decoder dec;
  bool full = false;
  bool write_frame(const uint8_t* f, size_t n, bool droppable) override {
    if (full && droppable) return false;
    Frame fr;
    for (size_t i = 0; i < n; ++i)
      if (dec.feed(f[i], fr)) frames.push_back(fr);
    return true;
  }
  const Frame* last(uint8_t type) const {
    for (auto it = frames.rbegin(); it != frames.rend(); ++it)
      if (it->type == type) return &*it;
    return nullptr;
  }
};
struct FakeBoard : Board {
  std::vector<uint8_t> eeprom;
  bool sensor = true;
  int restarts = 0;
  bool save_params(const uint8_t* img, size_t n) override {
    eeprom.assign(img, img + n);
    return true;
  }
  bool restart_sampling(const Params&) override {
    ++restarts;
    return sensor;
  }
};

uint16_t g_seq = 0;
void command(Controller& c, uint8_t type, std::vector<uint8_t> payload, uint32_t t_us = 0) {
  uint8_t fr[FRAME_MAX];
  size_t n = encode_frame(type, g_seq++, payload.data(), payload.size(), fr);
  c.receive(fr, n, t_us);
}
std::vector<uint8_t> set_param(uint8_t id, float v) {
  std::vector<uint8_t> p(5);
  p[0] = id;
  put_f32(p.data() + 1, v);
  return p;
}
uint8_t ack_status(const FakeLink& l) {
  const Frame* f = l.last(MSG_ACK);
  return f ? f->payload[3] : 255;
}
float ack_value(const FakeLink& l) { return get_f32(l.last(MSG_ACK)->payload + 4); }

// Sample of `g` on axis 0 (plus 1 g on z), as one FIFO entry.
float feed(Controller& c, float g, uint32_t t_us) {
  int16_t last[3] = {int16_t(std::lround(g * 256.0f)), 0, 256};
  int32_t sum[3] = {last[0], last[1], last[2]};
  return c.process(sum, 1, last, t_us);
}
}  // namespace

int main() {
  {  // handshake, version mismatch, unknown message, bad length
    FakeLink l;
    FakeBoard b;
    Controller c(l, b);
    c.begin(nullptr);
    command(c, MSG_HELLO, {PROTOCOL_VERSION});
    const Frame* h = l.last(MSG_HELLO_ACK);
    EXPECT(h && h->payload[0] == PROTOCOL_VERSION && h->payload[7] == P_COUNT && h->payload[8] == ALGO_COUNT);
    command(c, MSG_HELLO, {uint8_t(PROTOCOL_VERSION + 1)});
    EXPECT(ack_status(l) == ACK_BAD_VERSION);
    command(c, 0x3F, {});
    EXPECT(ack_status(l) == ACK_UNKNOWN);
    command(c, MSG_SET_PARAM, {1, 2});
    EXPECT(ack_status(l) == ACK_BAD_LENGTH);
  }
  {  // parameters: range checks, integer checks, read back, EEPROM image round trip
    FakeLink l;
    FakeBoard b;
    Controller c(l, b);
    c.begin(nullptr);
    command(c, MSG_SET_PARAM, set_param(P_MAX_DUTY, 0.95f));  // above the hard limit 0.9
    EXPECT(ack_status(l) == ACK_BAD_VALUE && std::fabs(c.params().v[P_MAX_DUTY] - 0.8f) < 1e-7f);
    command(c, MSG_SET_PARAM, set_param(P_N_TAPS, 2.5f));
    EXPECT(ack_status(l) == ACK_BAD_VALUE);
    command(c, MSG_SET_PARAM, set_param(P_ODR_HZ, 1000.0f));  // not an ADXL345 rate
    EXPECT(ack_status(l) == ACK_BAD_VALUE);
    command(c, MSG_SET_PARAM, set_param(99, 1.0f));
    EXPECT(ack_status(l) == ACK_BAD_PARAM);
    command(c, MSG_SET_PARAM, set_param(P_STEP_SIZE_2, 0.25f));
    EXPECT(ack_status(l) == ACK_OK && ack_value(l) == 0.25f);
    command(c, MSG_GET_PARAM, {P_STEP_SIZE_2});
    EXPECT(l.last(MSG_PARAM) && get_f32(l.last(MSG_PARAM)->payload + 1) == 0.25f);
    command(c, MSG_SET_PARAM, set_param(P_ODR_HZ, 3200.0f));
    EXPECT(ack_status(l) == ACK_OK && b.restarts == 1);
    command(c, MSG_SAVE, {});
    EXPECT(ack_status(l) == ACK_OK && b.eeprom.size() == PARAMS_IMAGE_SIZE);
    FakeLink l2;
    Controller c2(l2, b);
    EXPECT(c2.begin(b.eeprom.data()) && c2.params().v[P_STEP_SIZE_2] == 0.25f && c2.params().v[P_ODR_HZ] == 3200.0f);
    std::vector<uint8_t> bad = b.eeprom;
    bad[10] ^= 1;  // corrupt: CRC fails -> defaults
    Controller c3(l2, b);
    EXPECT(!c3.begin(bad.data()) && c3.params().v[P_STEP_SIZE_2] == PARAM_INFO[P_STEP_SIZE_2].def);
    std::vector<uint8_t> erased(PARAMS_IMAGE_SIZE, 0xFF);
    EXPECT(!c3.begin(erased.data()));
  }
  {  // safety: motor limits, soft start, max duty, faults switch the motor off
    FakeLink l;
    FakeBoard b;
    Controller c(l, b);
    c.begin(nullptr);
    command(c, MSG_SELECT_ALGO, {ALGO_FXNLMS});
    command(c, MSG_MOTOR, {1}, 0);
    EXPECT(c.motor_on());
    // a 0.5 g tremor needs more than the allowed duty: the output saturates at max_duty
    float max_duty = 0.0f, early = 0.0f, lag = 0.0f, prev = 0.0f;
    const float a = std::exp(-1000.0f / (5.0f * 1000.0f));
    for (uint32_t i = 0; i < 3000; ++i) {
      lag = a * lag + (1.0f - a) * (prev > 0.0f ? (prev - 0.4f) / 2.0f : 0.0f);
      const float d = feed(c, 0.5f * std::sin(0.0314f * float(i)) + lag, i * 1000u);
      prev = d;
      max_duty = std::fmax(max_duty, d);
      if (i < 100) early = std::fmax(early, d);  // first 0.1 s of a 0.5 s soft start
    }
    EXPECT(c.fault() == FAULT_NONE && max_duty > 0.79f && max_duty <= 0.8f + 1e-6f);
    EXPECT(early <= 0.2f * 0.8f + 1e-6f);
    for (int i = 0; i < 49; ++i) c.missed_sample(false);
    EXPECT(c.fault() == FAULT_NONE);
    c.missed_sample(false);
    EXPECT(c.fault() == FAULT_SENSOR_STALLED && !c.motor_on() && c.duty() == 0.0f);
    command(c, MSG_MOTOR, {1});
    EXPECT(ack_status(l) == ACK_FAULT && !c.motor_on());
    feed(c, 0.0f, 4000000u);  // samples flow again: fault clears, motor stays off
    EXPECT(c.fault() == FAULT_NONE && !c.motor_on() && c.duty() == 0.0f);
    c.missed_sample(true);  // bus error
    EXPECT(c.fault() == FAULT_SENSOR_ABSENT && !c.motor_on());
  }
  {  // telemetry: streaming, sequence numbers, dropped frames counted, cfg follows commands
    FakeLink l;
    FakeBoard b;
    Controller c(l, b);
    c.begin(nullptr);
    command(c, MSG_STREAM, {1});
    const uint16_t stream_seq = uint16_t(g_seq - 1);
    for (uint32_t i = 0; i < 10; ++i) feed(c, 0.0f, i * 1000u);
    l.full = true;
    for (uint32_t i = 10; i < 15; ++i) feed(c, 0.0f, i * 1000u);
    l.full = false;
    for (uint32_t i = 15; i < 20; ++i) feed(c, 0.0f, i * 1000u);
    Sample s;
    unpack_sample(l.last(MSG_SAMPLE)->payload, s);
    EXPECT(s.index == 19 && s.cfg == stream_seq && (s.flags & FLAG_STREAMING) && s.algo == ALGO_KALMAN);
    EXPECT(l.dec.lost == 5);
    command(c, MSG_GET_STATUS, {});
    const Frame* st = l.last(MSG_STATUS);
    EXPECT(st && get_u32(st->payload + 4) == 20 && get_u32(st->payload + 12) == 5);
  }
  {  // the loop cancels a sinusoidal disturbance through a simulated secondary path, every algorithm
    // plant = the default secondary-path estimate: the motor acts two samples late (a command
    // written at tick n first shows in the samples read at tick n+2), through the first-order
    // lag and the motor's 1 Hz high-pass (no static force)
    for (uint8_t algo = ALGO_LMS; algo < ALGO_COUNT; ++algo) {
      FakeLink l;
      FakeBoard b;
      Controller c(l, b);
      c.begin(nullptr);
      command(c, MSG_SELECT_ALGO, {algo});
      command(c, MSG_SET_PARAM, set_param(P_SOFT_START_S, 0.0f));
      command(c, MSG_MOTOR, {1});
      const float fs = 1000.0f, a = std::exp(-1000.0f / (5.0f * fs));
      const float bias = c.params().v[P_DUTY_BIAS], gain = c.params().v[P_MOTOR_GAIN];
      const float a_m = std::exp(-6.2831853f * 1.0f / fs);
      float lag = 0.0f, hp = 0.0f, lag_1 = 0.0f, duty_1 = bias, duty_2 = bias, p_off = 0.0f, p_on = 0.0f;
      for (uint32_t i = 0; i < 20000; ++i) {
        const float t = float(i) / fs;
        const float dist = 0.05f * std::sin(6.2831853f * 5.0f * t);
        lag = a * lag + (1.0f - a) * (duty_2 - bias) / gain;  // g of motor acceleration
        hp = a_m * (hp + lag - lag_1);
        lag_1 = lag;
        const float meas = dist + hp;
        const float d = feed(c, meas, i * 1000u);
        duty_2 = duty_1;
        duty_1 = c.motor_on() ? d : bias;
        if (i >= 2000 && i < 4000) p_off += dist * dist;
        if (i >= 18000) p_on += meas * meas;
      }
      const float atten_db = 10.0f * std::log10(p_on / p_off);
      std::printf("algo=%s attenuation=%.1f dB\n", algorithm_name(algo), double(atten_db));
      EXPECT(c.fault() == FAULT_NONE && atten_db < -10.0f);
    }
  }
  std::printf("%s (%d failures)\n", fails ? "FAILED" : "OK", fails);
  return fails ? 1 : 0;
}

// The simulated sensor: an ADXL345 at 0x53 behind Wire (registers, FIFO in stream mode, full
// resolution, output data rate and range as configured), fed by a tremor file plus gravity and
// noise, and by the simulated motor (PWM duty -> delay -> first-order lag -> high-pass -> g).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "Arduino.h"
#include "Wire.h"
#include "emu.h"
#include "tp_adxl345.h"

namespace emu {
namespace {

// ---- tremor source ---------------------------------------------------------------------------
struct Tremor {
  double rate = 0.0;
  size_t n = 0;
  std::vector<float> a;  // n x 3, g
  bool load(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    char magic[4];
    uint32_t version = 0, n_samples = 0, n_axes = 0;
    float rate_hz = 0;
    bool ok = std::fread(magic, 1, 4, f) == 4 && std::memcmp(magic, "TPTR", 4) == 0 &&
              std::fread(&version, 4, 1, f) == 1 && version == 1 && std::fread(&rate_hz, 4, 1, f) == 1 &&
              std::fread(&n_samples, 4, 1, f) == 1 && std::fread(&n_axes, 4, 1, f) == 1 && n_axes == 3 &&
              rate_hz > 0 && n_samples > 1;
    if (ok) {
      a.resize(size_t(n_samples) * 3);
      ok = std::fread(a.data(), 4, a.size(), f) == a.size();
      rate = rate_hz;
      n = n_samples;
    }
    std::fclose(f);
    return ok;
  }
  void at(double t, double out[3]) const {
    if (n == 0) {
      out[0] = out[1] = out[2] = 0.0;
      return;
    }
    double pos = std::fmod(t * rate, double(n));
    size_t i = size_t(pos);
    double frac = pos - double(i);
    size_t j = (i + 1) % n;
    for (int k = 0; k < 3; ++k) out[k] = (1.0 - frac) * a[i * 3 + k] + frac * a[j * 3 + k];
  }
} g_tremor;

// ---- simulated ADXL345 ----------------------------------------------------------------------
struct SimAdxl {
  uint8_t reg[64] = {};
  std::deque<int16_t> fifo;  // 3 per entry
  uint64_t next_sample_us = 0;
  std::mt19937_64 rng;
  std::normal_distribution<double> gauss{0.0, 1.0};
  double lag = 0.0, hp_y = 0.0, hp_x = 0.0;  // motor state
  int16_t data[3] = {0, 0, 0};
  uint64_t samples = 0;

  void init(unsigned seed) {
    rng.seed(seed);
    reg[tp::adxl::DEVID] = tp::adxl::DEVID_VALUE;
    reg[tp::adxl::BW_RATE] = 0x0A;
  }
  double odr() const {
    static const double rates[16] = {0.10, 0.20, 0.39, 0.78, 1.56, 3.13, 6.25, 12.5, 25, 50, 100, 200, 400, 800, 1600, 3200};
    return rates[reg[tp::adxl::BW_RATE] & 0x0F];
  }
  bool measuring() const { return reg[tp::adxl::POWER_CTL] & tp::adxl::POWER_MEASURE; }
  void generate(uint64_t t_us) {
    const double t = double(t_us) * 1e-6, dt = 1.0 / odr();
    double a[3];
    g_tremor.at(t, a);
    a[2] += 1.0;  // gravity, pen upright
    // motor: dead time, first-order lag, DC-free (an eccentric-mass motor gives no static force)
    const double u = duty_at(t_us > uint64_t(g_opt.motor_delay_us) ? t_us - uint64_t(g_opt.motor_delay_us) : 0);
    const double al = std::exp(-dt / (g_opt.motor_tau_ms * 1e-3));
    lag = al * lag + (1.0 - al) * u;
    const double ah = std::exp(-2.0 * M_PI * g_opt.motor_hp_hz * dt);
    hp_y = ah * (hp_y + lag - hp_x);
    hp_x = lag;
    a[0] += g_opt.motor_g * hp_y;
    const double sigma = g_opt.noise_mg * 1e-3 * std::sqrt(odr() / 100.0);
    const int range = 2 << (reg[tp::adxl::DATA_FORMAT] & 3);
    const double lim = range * 256.0;
    for (int k = 0; k < 3; ++k) {
      double c = std::round((a[k] + sigma * gauss(rng)) * 256.0);
      if (c > lim - 1) c = lim - 1;
      if (c < -lim) c = -lim;
      data[k] = int16_t(c);
    }
    ++samples;
    if ((reg[tp::adxl::FIFO_CTL] & 0xC0) == tp::adxl::FIFO_STREAM) {
      if (fifo.size() >= 32 * 3) fifo.erase(fifo.begin(), fifo.begin() + 3);  // stream: oldest dropped
      fifo.insert(fifo.end(), data, data + 3);
    }
  }
  void catch_up() {
    const uint64_t now = now_us64();
    if (!measuring()) {
      next_sample_us = now;
      return;
    }
    const double period = 1e6 / odr();
    int guard = 0;
    while (next_sample_us <= now && guard++ < 4096) {
      generate(next_sample_us);
      next_sample_us += uint64_t(period);
    }
    if (guard >= 4096) next_sample_us = now;
  }
  void write(uint8_t r, uint8_t v) {
    catch_up();
    if (r >= 64 || r == tp::adxl::DEVID || r == tp::adxl::FIFO_STATUS) return;
    reg[r] = v;
    if (r == tp::adxl::FIFO_CTL && (v & 0xC0) == 0) fifo.clear();  // bypass mode clears the FIFO
    if (r == tp::adxl::POWER_CTL && measuring()) next_sample_us = now_us64();
  }
  void read(uint8_t r, uint8_t* out, uint8_t n) {
    catch_up();
    const bool data_read = r >= tp::adxl::DATAX0 && r <= tp::adxl::DATAX0 + 5;
    int16_t entry[3] = {data[0], data[1], data[2]};
    if (data_read && !fifo.empty()) {
      for (int k = 0; k < 3; ++k) entry[k] = fifo[size_t(k)];
    }
    for (uint8_t i = 0; i < n; ++i) {
      const uint8_t a = uint8_t(r + i);
      if (a == tp::adxl::FIFO_STATUS) {
        out[i] = uint8_t(fifo.size() / 3 > 32 ? 32 : fifo.size() / 3);
      } else if (a >= tp::adxl::DATAX0 && a <= tp::adxl::DATAX0 + 5) {
        const int k = (a - tp::adxl::DATAX0) / 2;
        const uint16_t v = uint16_t(entry[k]);
        out[i] = (a - tp::adxl::DATAX0) % 2 ? uint8_t(v >> 8) : uint8_t(v & 0xFF);
      } else {
        out[i] = a < 64 ? reg[a] : 0;
      }
    }
    if (data_read && !fifo.empty()) fifo.erase(fifo.begin(), fifo.begin() + 3);
  }
} g_adxl;

bool sensor_alive() {
  return !(g_opt.sensor_fail_after >= 0 && double(now_us64()) * 1e-6 >= g_opt.sensor_fail_after);
}

// I2C transaction state
uint8_t g_i2c_addr = 0;
std::vector<uint8_t> g_i2c_out;
std::deque<uint8_t> g_i2c_in;
uint8_t g_reg_ptr = 0;

}  // namespace

bool load_tremor(const std::string& path) { return g_tremor.load(path); }
void sensor_init(unsigned seed) { g_adxl.init(seed); }

}  // namespace emu

using namespace emu;

TwoWire Wire;
void TwoWire::begin() {}
void TwoWire::setClock(uint32_t) {}
void TwoWire::beginTransmission(uint8_t addr) {
  g_i2c_addr = addr;
  g_i2c_out.clear();
}
size_t TwoWire::write(uint8_t b) {
  g_i2c_out.push_back(b);
  return 1;
}
uint8_t TwoWire::endTransmission(bool) {
  if (g_i2c_addr != tp::adxl::I2C_ADDR || !sensor_alive()) return 2;  // address NACK
  if (g_i2c_out.empty()) return 0;
  g_reg_ptr = g_i2c_out[0];
  for (size_t i = 1; i < g_i2c_out.size(); ++i) g_adxl.write(uint8_t(g_reg_ptr + i - 1), g_i2c_out[i]);
  return 0;
}
uint8_t TwoWire::requestFrom(uint8_t addr, uint8_t n) {
  g_i2c_in.clear();
  if (addr != tp::adxl::I2C_ADDR || !sensor_alive()) return 0;
  uint8_t buf[64];
  if (n > 64) n = 64;
  g_adxl.read(g_reg_ptr, buf, n);
  g_i2c_in.insert(g_i2c_in.end(), buf, buf + n);
  return n;
}
int TwoWire::available() { return int(g_i2c_in.size()); }
int TwoWire::read() {
  if (g_i2c_in.empty()) return -1;
  int v = g_i2c_in.front();
  g_i2c_in.pop_front();
  return v;
}

// Tremor pen firmware for the Teensy 4.1 (Arduino/Teensyduino).
//
// Hardware: ADXL345 on I2C (Wire: SDA pin 18, SCL pin 19, address 0x53), coin vibration motor
// driven through a logic-level N-MOSFET from PWM pin 2 (flyback diode across the motor), LED
// on pin 13.  See book/pen.md for the wiring.
//
// A hardware timer (IntervalTimer) ticks at sample_rate_hz; the tick only counts.  loop() then
// drains the sensor FIFO, runs the controller (tp::Controller: filter, safety rules, telemetry)
// and sets the PWM duty.  Bus work stays out of the interrupt.  Commands arrive over USB serial
// in the framed protocol of tp_protocol.h.  Parameters live in EEPROM with a magic, a version
// and a CRC; a missing or corrupt image falls back to the defaults.
//
// The same file compiles on the host against firmware/host (the host HAL), which is how the
// tests and `tremorlab pen emulate` run it.
#include <Arduino.h>
#include <EEPROM.h>
#include <IntervalTimer.h>
#include <Wire.h>

#include <cmath>

#include "tp_adxl345.h"
#include "tp_controller.h"

namespace {

constexpr uint8_t PIN_MOTOR = 2;
constexpr uint8_t PIN_LED = 13;
constexpr int EEPROM_ADDR = 0;
constexpr float PWM_HZ = 20000.0f;  // above hearing
constexpr int PWM_BITS = 12;
constexpr int PWM_MAX = (1 << PWM_BITS) - 1;
constexpr uint32_t SENSOR_RETRY_MS = 500;

class WireBus : public tp::SensorBus {
 public:
  bool write_reg(uint8_t reg, uint8_t value) override {
    Wire.beginTransmission(tp::adxl::I2C_ADDR);
    Wire.write(reg);
    Wire.write(value);
    return Wire.endTransmission() == 0;
  }
  bool read_regs(uint8_t reg, uint8_t* out, uint8_t n) override {
    Wire.beginTransmission(tp::adxl::I2C_ADDR);
    Wire.write(reg);
    if (Wire.endTransmission(false) != 0) return false;  // repeated start
    if (Wire.requestFrom(tp::adxl::I2C_ADDR, n) != n) return false;
    for (uint8_t i = 0; i < n; ++i) out[i] = uint8_t(Wire.read());
    return true;
  }
};

class SerialLink : public tp::Link {
 public:
  bool write_frame(const uint8_t* frame, size_t n, bool droppable) override {
    if (droppable && Serial.availableForWrite() < int(n)) return false;  // never block the loop for telemetry
    Serial.write(frame, n);
    return true;
  }
};

volatile uint32_t g_ticks = 0;
void on_tick() { g_ticks = g_ticks + 1; }

WireBus g_bus;
tp::Adxl345 g_sensor(g_bus);
IntervalTimer g_timer;
bool g_sensor_ok = false;
uint32_t g_last_retry_ms = 0;
float g_cpu_us = 0.0f;

class TeensyBoard : public tp::Board {
 public:
  bool save_params(const uint8_t* image, size_t n) override {
    for (size_t i = 0; i < n; ++i) EEPROM.update(EEPROM_ADDR + int(i), image[i]);
    for (size_t i = 0; i < n; ++i)
      if (EEPROM.read(EEPROM_ADDR + int(i)) != image[i]) return false;
    return true;
  }
  bool restart_sampling(const tp::Params& p) override {
    g_timer.end();
    g_sensor_ok = g_sensor.begin(p.v[tp::P_ODR_HZ], p.v[tp::P_RANGE_G]);
    noInterrupts();
    g_ticks = 0;
    interrupts();
    g_timer.begin(on_tick, 1e6f / p.v[tp::P_SAMPLE_RATE_HZ]);
    return g_sensor_ok;
  }
};

SerialLink g_link;
TeensyBoard g_board;
tp::Controller g_ctl(g_link, g_board);

void write_motor(float duty) {
  if (duty < 0.0f) duty = 0.0f;
  analogWrite(PIN_MOTOR, int(std::lround(duty * PWM_MAX)));
}

}  // namespace

void setup() {
  pinMode(PIN_MOTOR, OUTPUT);
  analogWriteResolution(PWM_BITS);
  analogWriteFrequency(PIN_MOTOR, PWM_HZ);
  analogWrite(PIN_MOTOR, 0);  // motor off until asked
  pinMode(PIN_LED, OUTPUT);
  Serial.begin(115200);  // USB: the baud rate is ignored
  Wire.begin();
  Wire.setClock(400000);
  uint8_t image[tp::PARAMS_IMAGE_SIZE];
  for (size_t i = 0; i < sizeof(image); ++i) image[i] = EEPROM.read(EEPROM_ADDR + int(i));
  g_ctl.begin(image);
  if (!g_board.restart_sampling(g_ctl.params())) g_ctl.sensor_fault(tp::FAULT_SENSOR_ABSENT);
}

void loop() {
  uint8_t rx[64];
  int n = Serial.available();
  while (n > 0) {
    const size_t got = Serial.readBytes(reinterpret_cast<char*>(rx), n < 64 ? size_t(n) : sizeof(rx));
    g_ctl.receive(rx, got, micros());
    n = Serial.available();
  }

  noInterrupts();
  const uint32_t pending = g_ticks;
  g_ticks = 0;
  interrupts();
  if (pending == 0) return;
  for (uint32_t k = 1; k < pending; ++k) g_ctl.overrun();

  const uint32_t t0 = micros();
  if (!g_sensor_ok) {  // sensor absent: retry now and then, motor stays off
    if (millis() - g_last_retry_ms >= SENSOR_RETRY_MS) {
      g_last_retry_ms = millis();
      g_sensor_ok = g_sensor.begin(g_ctl.params().v[tp::P_ODR_HZ], g_ctl.params().v[tp::P_RANGE_G]);
      if (g_sensor_ok) g_ctl.sensor_recovered();
    }
    write_motor(0.0f);
    digitalWrite(PIN_LED, (millis() / 100) & 1);  // fast blink: fault
    return;
  }
  int32_t sum[3];
  int16_t last[3];
  const int got = g_sensor.drain(sum, last);
  if (got > 0) {
    g_ctl.process(sum, got, last, t0);
  } else {
    g_ctl.missed_sample(got < 0);
    if (got < 0) g_sensor_ok = false;
  }
  write_motor(g_ctl.fault() == tp::FAULT_NONE ? g_ctl.duty() : 0.0f);
  digitalWrite(PIN_LED, g_ctl.fault() != tp::FAULT_NONE ? (millis() / 100) & 1 : (g_ctl.motor_on() ? HIGH : LOW));
  const float dt = float(micros() - t0);
  g_cpu_us = g_cpu_us == 0.0f ? dt : 0.99f * g_cpu_us + 0.01f * dt;
  g_ctl.set_cpu_us(g_cpu_us);
}

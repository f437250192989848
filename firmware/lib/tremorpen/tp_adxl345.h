// ADXL345 register map and a bus-independent driver (the sketch supplies I2C or SPI access).
#pragma once
#include <cstdint>

namespace tp {

namespace adxl {
constexpr uint8_t I2C_ADDR = 0x53;  // SDO/ALT ADDRESS tied low
constexpr uint8_t DEVID = 0x00, DEVID_VALUE = 0xE5;
constexpr uint8_t BW_RATE = 0x2C, POWER_CTL = 0x2D, INT_ENABLE = 0x2E, DATA_FORMAT = 0x31;
constexpr uint8_t DATAX0 = 0x32, FIFO_CTL = 0x38, FIFO_STATUS = 0x39;
constexpr uint8_t POWER_MEASURE = 0x08;
constexpr uint8_t FORMAT_FULL_RES = 0x08;
constexpr uint8_t FIFO_STREAM = 0x80;   // FIFO_CTL bits 7:6 = 10
constexpr float COUNTS_PER_G = 256.0f;  // full resolution: 3.9 mg/LSB at every range
// BW_RATE rate code for an output data rate in Hz (100..3200), 0 when unsupported.
uint8_t rate_code(float odr_hz);
uint8_t range_code(float range_g);  // DATA_FORMAT bits 1:0
}  // namespace adxl

class SensorBus {
 public:
  virtual ~SensorBus() = default;
  virtual bool write_reg(uint8_t reg, uint8_t value) = 0;
  virtual bool read_regs(uint8_t reg, uint8_t* out, uint8_t n) = 0;
};

class Adxl345 {
 public:
  explicit Adxl345(SensorBus& bus) : bus_(bus) {}
  // Checks the device id, sets range (full resolution), output data rate, FIFO in stream mode
  // and starts measuring.  Returns false when the sensor does not answer or has another id.
  bool begin(float odr_hz, float range_g);
  // Drains the FIFO (at most 32 entries) and returns how many samples were read; `sum` gets the
  // per-axis sum of the raw counts and `last` the newest sample.  -1 on a bus error.
  int drain(int32_t sum[3], int16_t last[3]);

 private:
  SensorBus& bus_;
};

}  // namespace tp

#include "tp_adxl345.h"

namespace tp {
namespace adxl {
uint8_t rate_code(float odr_hz) {
  const float odr[] = {100, 200, 400, 800, 1600, 3200};
  for (uint8_t k = 0; k < 6; ++k)
    if (odr[k] == odr_hz) return uint8_t(0x0A + k);
  return 0;
}
uint8_t range_code(float range_g) {
  if (range_g <= 2) return 0;
  if (range_g <= 4) return 1;
  if (range_g <= 8) return 2;
  return 3;
}
}  // namespace adxl

bool Adxl345::begin(float odr_hz, float range_g) {
  uint8_t id = 0;
  if (!bus_.read_regs(adxl::DEVID, &id, 1) || id != adxl::DEVID_VALUE) return false;
  const uint8_t rc = adxl::rate_code(odr_hz);
  if (rc == 0) return false;
  return bus_.write_reg(adxl::POWER_CTL, 0) &&  // standby while configuring
         bus_.write_reg(adxl::DATA_FORMAT, uint8_t(adxl::FORMAT_FULL_RES | adxl::range_code(range_g))) &&
         bus_.write_reg(adxl::BW_RATE, rc) && bus_.write_reg(adxl::INT_ENABLE, 0) &&
         bus_.write_reg(adxl::FIFO_CTL, 0) &&  // bypass clears the FIFO
         bus_.write_reg(adxl::FIFO_CTL, adxl::FIFO_STREAM) &&
         bus_.write_reg(adxl::POWER_CTL, adxl::POWER_MEASURE);
}

int Adxl345::drain(int32_t sum[3], int16_t last[3]) {
  uint8_t st = 0;
  if (!bus_.read_regs(adxl::FIFO_STATUS, &st, 1)) return -1;
  const int n = st & 0x3F;
  sum[0] = sum[1] = sum[2] = 0;
  for (int i = 0; i < n; ++i) {
    uint8_t b[6];
    if (!bus_.read_regs(adxl::DATAX0, b, 6)) return -1;  // one multi-byte read pops one entry
    for (int k = 0; k < 3; ++k) {
      last[k] = int16_t(uint16_t(b[2 * k]) | (uint16_t(b[2 * k + 1]) << 8));
      sum[k] += last[k];
    }
  }
  return n;
}

}  // namespace tp

#pragma once
#include "Arduino.h"

class TwoWire {
 public:
  void begin();
  void setClock(uint32_t hz);
  void beginTransmission(uint8_t addr);
  size_t write(uint8_t b);
  uint8_t endTransmission(bool stop = true);
  uint8_t requestFrom(uint8_t addr, uint8_t n);
  int available();
  int read();
};
extern TwoWire Wire;

#pragma once
#include "Arduino.h"

class EEPROMClass {
 public:
  uint8_t read(int addr);
  void write(int addr, uint8_t value);
  void update(int addr, uint8_t value);
  uint16_t length() { return 4284; }  // Teensy 4.1 emulated EEPROM size
};
extern EEPROMClass EEPROM;

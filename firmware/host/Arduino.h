// Host HAL: the few Arduino/Teensyduino calls the sketch uses, implemented on Linux so that
// src/main.cpp compiles and runs unchanged in tests and in the emulator (see hal_host.cpp).
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

#define OUTPUT 1
#define INPUT 0
#define HIGH 1
#define LOW 0

uint32_t millis();
uint32_t micros();
void delay(uint32_t ms);
void delayMicroseconds(uint32_t us);
void pinMode(uint8_t pin, uint8_t mode);
void digitalWrite(uint8_t pin, uint8_t value);
void analogWrite(uint8_t pin, int value);
void analogWriteFrequency(uint8_t pin, float hz);
void analogWriteResolution(uint8_t bits);
void noInterrupts();
void interrupts();

class usb_serial_class {
 public:
  void begin(uint32_t baud);
  int available();
  int read();
  size_t readBytes(char* buf, size_t n);
  size_t write(const uint8_t* buf, size_t n);
  int availableForWrite();
  void flush();
  explicit operator bool() const { return true; }
};
extern usb_serial_class Serial;

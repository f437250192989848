#pragma once
#include "Arduino.h"

class IntervalTimer {
 public:
  bool begin(void (*fn)(), float period_us);
  void end();
};

// SPDX-License-Identifier: MIT
// main() of the CI core (tools/packaging/arduino-ci): setup(), then loop()
// a fixed number of times (a real core loops forever; under QEMU the run has
// to end), then exit(0) through semihosting. A sketch that fails calls
// exit(1) itself or faults (the start-up code turns a fault into exit 1).
#include "Arduino.h"

#ifndef STARLING_CI_LOOPS
#define STARLING_CI_LOOPS 20000L
#endif

SerialPort Serial;
static unsigned long g_ticks = 0;  // a millisecond per loop(): simulated time
unsigned long millis() { return g_ticks; }
unsigned long micros() { return g_ticks * 1000UL; }
void delay(unsigned long ms) { g_ticks += ms; }

int main() {
  setup();
  for (long i = 0; i < STARLING_CI_LOOPS; ++i) {
    loop();
    ++g_ticks;
  }
  fflush(stdout);
  return 0;
}

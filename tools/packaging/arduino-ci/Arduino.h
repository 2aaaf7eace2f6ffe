// SPDX-License-Identifier: MIT
// Arduino.h of the CI core (tools/packaging/arduino-ci): the part of the
// Arduino API a sketch's setup()/loop(), Serial and millis() need, over
// newlib's semihosting stdio, for sketches run under QEMU. Not a real core.
#pragma once
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void setup();
void loop();
unsigned long millis();
unsigned long micros();
void delay(unsigned long ms);

class SerialPort {
 public:
  void begin(unsigned long) {}
  explicit operator bool() const { return true; }
  void print(const char* s) { fputs(s, stdout); }
  void print(char c) { putchar(c); }
  void print(int v) { printf("%d", v); }
  void print(long v) { printf("%ld", v); }
  void print(unsigned v) { printf("%u", v); }
  void print(unsigned long v) { printf("%lu", v); }
  void print(double v, int digits = 2) { printf("%.*f", digits, v); }
  template <class T>
  void println(T v) { print(v); print('\n'); }
  void println(double v, int digits) { print(v, digits); print('\n'); }
  void println() { print('\n'); }
};
extern SerialPort Serial;

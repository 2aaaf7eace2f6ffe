// STARLING_PORT=<name> in the environment selects the port on first use;
// argv[1] is the name the test expects to be running.
#include <cstring>

#include "check.hpp"
#include "starling/starling.hpp"

static const char* g_expect = "scalar";

TEST_CASE(environment_selects_port) {
  CHECK(std::strcmp(starling::active_port(), g_expect) == 0);
}

int main(int argc, char** argv) {
  if (argc > 1) g_expect = argv[1];
  return check::run_all();
}

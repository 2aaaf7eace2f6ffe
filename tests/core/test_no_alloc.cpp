// SPDX-License-Identifier: MIT
// Proves the library allocates nothing: malloc, calloc, realloc, free and
// every operator new/delete are replaced by counting versions, and the
// whole public API is driven while counting. (Under AddressSanitizer the C
// allocator belongs to ASan, so only operator new/delete are replaced then.)
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <limits>
#include <new>

#include "check.hpp"
#include "starling/starling.h"
#include "starling/starling.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define STARLING_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STARLING_ASAN 1
#endif
#endif

namespace {
volatile bool g_counting = false;
volatile long g_allocs = 0;
void note() {
  if (g_counting) g_allocs = g_allocs + 1;
}
}  // namespace

#if !defined(STARLING_ASAN) && defined(__GLIBC__)
extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void __libc_free(void*);
void* malloc(size_t n) {
  note();
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t m) {
  note();
  return __libc_calloc(n, m);
}
void* realloc(void* p, size_t n) {
  note();
  return __libc_realloc(p, n);
}
void free(void* p) {
  if (p) note();
  __libc_free(p);
}
}
#define STARLING_COUNTS_MALLOC 1
#endif

void* operator new(size_t n) {
  note();
  void* p = std::malloc(n ? n : 1);
  if (!p) std::abort();
  return p;
}
void* operator new[](size_t n) { return operator new(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  note();
  return std::malloc(n ? n : 1);
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return operator new(n, std::nothrow); }
void operator delete(void* p) noexcept {
  if (p) note();
  std::free(p);
}
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, size_t) noexcept { operator delete(p); }
void operator delete[](void* p, size_t) noexcept { operator delete(p); }

using namespace starling;

namespace {
float sphere(const float* x, int n) {
  float s = 0;
  for (int i = 0; i < n; ++i) s += x[i] * x[i];
  return s;
}
double sphere_d(const double* x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) s += x[i] * x[i];
  return s;
}

// NelderMead, Spsa and Anneal: C++ (float and double, safe tuning,
// save/load) and C.
template <class Opt, class Real, class Cfg>
void drive_one(Opt& o, Opt& other, const Cfg& base, const Real* lo, const Real* hi) {
  struct Pred {
    static bool ok(const Real* x, int, void*) { return x[0] < Real(0.5); }
  };
  static uint8_t state[4096];
  Cfg c = base;
  c.max_iter = 40;
  c.max_evals = 120;
  (void)validate(c);
  (void)o.set_feasible(Pred::ok, nullptr, 4);
  (void)o.set_trust_radius(0.3f);
  if (o.init(lo, hi, 4, 0, c, 5) != Status::Ok) return;
  const Real start[4] = {-1, -1, -1, -1};
  (void)o.set_start(start);
  for (int k = 0; k < 30; ++k)
    if (const Real* x = o.ask()) (void)o.tell(k % 7 == 3 ? std::numeric_limits<Real>::quiet_NaN() : x[0] * x[0] + x[1]);
  size_t n = 0;
  (void)o.save(state, sizeof state, &n);
  (void)other.load(state, n);
  state[n / 2] ^= 1;
  (void)other.load(state, n);
  (void)o.minimize([](const Real* x, int) { return x[0] * x[0] + x[2]; }, [](Real, long, int) {});
  (void)o.best_position();
  (void)o.init(hi, lo, 4, 0, c, 5);
  (void)o.set_feasible(nullptr);
  (void)o.set_trust_radius(0.f);
}

void drive_single_point() {
  const float lo[4] = {-3, -3, -3, -3}, hi[4] = {1, 2, 3, 4};
  const double lod[4] = {-3, -3, -3, -3}, hid[4] = {1, 2, 3, 4};
  static NelderMead<4> nm, nm2;
  static NelderMead<4, double> nmd, nmd2;
  static Spsa<4> sp, sp2;
  static Spsa<4, double> spd, spd2;
  static Anneal<4> sa, sa2;
  static Anneal<4, double> sad, sad2;
  drive_one(nm, nm2, NelderMeadConfig{}, lo, hi);
  drive_one(nmd, nmd2, NelderMeadConfig{}, lod, hid);
  drive_one(sp, sp2, SpsaConfig{}, lo, hi);
  drive_one(spd, spd2, SpsaConfig{}, lod, hid);
  drive_one(sa, sa2, AnnealConfig{}, lo, hi);
  drive_one(sad, sad2, AnnealConfig{}, lod, hid);
  auto cost = [](const float* x, int d, void*) { return sphere(x, d); };
  static uint8_t state[4096];
  size_t n = 0;
  static starling_nelder_mead cnm, cnm2;
  starling_nelder_mead_config cn;
  (void)starling_nelder_mead_config_default(&cn);
  cn.max_evals = 50;
  if (starling_nelder_mead_init(&cnm, lo, hi, 4, &cn, 1) == STARLING_OK) {
    (void)starling_nelder_mead_set_trust_radius(&cnm, 0.2f);
    (void)starling_nelder_mead_minimize(&cnm, cost, nullptr);
    (void)starling_nelder_mead_save(&cnm, state, sizeof state, &n);
    (void)starling_nelder_mead_load(&cnm2, state, n);
  }
  static starling_spsa csp, csp2;
  starling_spsa_config cs;
  (void)starling_spsa_config_default(&cs);
  cs.max_evals = 50;
  if (starling_spsa_init(&csp, lo, hi, 4, &cs, 1) == STARLING_OK) {
    (void)starling_spsa_minimize(&csp, cost, nullptr);
    (void)starling_spsa_save(&csp, state, sizeof state, &n);
    (void)starling_spsa_load(&csp2, state, n);
    (void)starling_spsa_theta(&csp2);
  }
  static starling_anneal csa, csa2;
  starling_anneal_config ca;
  (void)starling_anneal_config_default(&ca);
  ca.max_evals = 50;
  if (starling_anneal_init(&csa, lo, hi, 4, &ca, 1) == STARLING_OK) {
    (void)starling_anneal_minimize(&csa, cost, nullptr);
    (void)starling_anneal_save(&csa, state, sizeof state, &n);
    (void)starling_anneal_load(&csa2, state, n);
  }
}

// De and Cmaes: the same drive (population 0 = their default), their batch
// ask/tell, and C.
template <class Opt, class Real>
void drive_batch(Opt& o) {
  const Real* xs[8];
  for (int round = 0; round < 3; ++round) {
    const int n = o.ask_batch(xs, 8);
    for (int k = 0; k < n; ++k) (void)o.tell_batch(k, xs[k][0] + xs[k][1]);
  }
}

void drive_generational() {
  const float lo[4] = {-3, -3, -3, -3}, hi[4] = {1, 2, 3, 4};
  const double lod[4] = {-3, -3, -3, -3}, hid[4] = {1, 2, 3, 4};
  static De<4, 12> de, de2;
  static De<4, 12, double> ded, ded2;
  static Cmaes<4, 12> es, es2;
  static Cmaes<4, 12, double> esd, esd2;
  drive_one(de, de2, DeConfig{}, lo, hi);
  drive_one(ded, ded2, DeConfig{}, lod, hid);
  drive_one(es, es2, CmaesConfig{}, lo, hi);
  drive_one(esd, esd2, CmaesConfig{}, lod, hid);
  DeConfig dc;
  dc.max_evals = 100;
  if (de.init(lo, hi, 4, 0, dc, 3) == Status::Ok) drive_batch<De<4, 12>, float>(de);
  CmaesConfig cc;
  cc.max_evals = 100;
  if (esd.init(lod, hid, 4, 0, cc, 3) == Status::Ok) drive_batch<Cmaes<4, 12, double>, double>(esd);
  auto cost = [](const float* x, int d, void*) { return sphere(x, d); };
  static uint8_t state[8192];
  size_t n = 0;
  static starling_de cde, cde2;
  starling_de_config cd;
  (void)starling_de_config_default(&cd);
  cd.max_evals = 60;
  if (starling_de_init(&cde, lo, hi, 4, 0, &cd, 1) == STARLING_OK) {
    (void)starling_de_set_trust_radius(&cde, 0.2f);
    (void)starling_de_minimize(&cde, cost, nullptr);
    (void)starling_de_save(&cde, state, sizeof state, &n);
    (void)starling_de_load(&cde2, state, n);
  }
  static starling_cmaes ces, ces2;
  starling_cmaes_config ce;
  (void)starling_cmaes_config_default(&ce);
  ce.max_evals = 60;
  if (starling_cmaes_init(&ces, lo, hi, 4, 0, &ce, 1) == STARLING_OK) {
    (void)starling_cmaes_minimize(&ces, cost, nullptr);
    (void)starling_cmaes_save(&ces, state, sizeof state, &n);
    (void)starling_cmaes_load(&ces2, state, n);
  }
}

void drive_everything() {
  // PRNG
  Rng g(5);
  volatile uint32_t sink = 0;
  for (int i = 0; i < 100; ++i) sink = sink + g.next_u32();
  volatile float u = g.uniform() + g.uniform(-1.f, 1.f);
  g.set_position(17);
  (void)u;
  (void)sink;
  // Every variant, topology and boundary, float and double, ask/tell and
  // minimize, each stop criterion, every error path.
  static Pso<6, 12> pso;
  static Pso<6, 12, double> psod;
  const float lo[6] = {-3, -3, -3, -3, -3, -3}, hi[6] = {1, 2, 3, 4, 5, 6};
  const double lod[6] = {-3, -3, -3, -3, -3, -3}, hid[6] = {1, 2, 3, 4, 5, 6};
  for (int v = 0; v < 3; ++v)
    for (int t = 0; t < 2; ++t)
      for (int b = 0; b < 3; ++b) {
        PsoConfig c = v == 2 ? PsoConfig::empso() : v == 1 ? PsoConfig::inertia() : PsoConfig{};
        c.topology = static_cast<Topology>(t);
        c.boundary = static_cast<Boundary>(b);
        c.max_iter = 20;
        c.stall_iter = 5;
        c.random_per_particle = b == 1;
        c.bias_correction = t == 1;
        (void)validate(c);
        if (pso.init(lo, hi, 6, 12, c, 3) == Status::Ok) {
          (void)pso.minimize(sphere, [](float, long, int) {});
        }
        if (psod.init(lod, hid, 6, 12, c, 3) == Status::Ok) {
          while (const double* x = psod.ask()) (void)psod.tell(sphere_d(x, 6));
        }
      }
  PsoConfig c;
  c.max_evals = 30;
  c.target = 1e-3f;
  (void)pso.init(lo, hi, 6, 12, c, 1);
  while (pso.ask() != nullptr) (void)pso.tell(std::nanf(""));
  (void)pso.tell(1.f);
  (void)pso.best_position();
  (void)pso.best_value();
  (void)pso.stop_reason();
  // Safe tuning and save/resume.
  {
    struct Pred {
      static bool ok(const float* x, int dims, void*) { return dims < 1 || x[0] < 0.5f; }
    };
    static uint8_t state[Pso<6, 12>::kMaxSaveSize];
    static Pso<6, 12> other;
    const float start[6] = {-1, -1, -1, -1, -1, -1};
    c.max_evals = 60;
    (void)pso.set_feasible(Pred::ok, nullptr, 4);
    (void)pso.set_trust_radius(0.2f);
    (void)pso.init(lo, hi, 6, 12, c, 2);
    (void)pso.set_start(start);
    for (int k = 0; k < 20; ++k)
      if (const float* x = pso.ask()) (void)pso.tell(sphere(x, 6));
    size_t n = 0;
    (void)pso.save_size();
    (void)pso.save(state, sizeof state, &n);
    (void)other.set_feasible(Pred::ok);
    (void)other.load(state, n);
    state[3] = 0;
    (void)other.load(state, n);
    (void)other.minimize(sphere);
    (void)pso.infeasible_count();
    (void)pso.fallback_count();
    (void)pso.set_feasible(nullptr);
    (void)pso.set_trust_radius(0.f);
    c.max_evals = 30;
  }
  (void)pso.init(lo, hi, 7, 12, c, 1);
  (void)pso.init(hi, lo, 6, 12, c, 1);
  (void)pso.init(nullptr, hi, 6, 12, c, 1);
  (void)pso.ask();
  (void)pso.tell(0.f);
  (void)status_name(Status::Corrupt);

  // int8 arithmetic, valid and invalid.
  int32_t mult = 0;
  int shift = 0;
  quantize_multiplier(0.0123, &mult, &shift);
  volatile int32_t r = requantize(123456, mult, shift);
  (void)r;
  static int8_t in[2 * 24], w[16 * 24], out[2 * 16];
  static int32_t bias[16];
  for (int i = 0; i < 2 * 24; ++i) in[i] = static_cast<int8_t>(i * 7 - 100);
  for (int i = 0; i < 16 * 24; ++i) w[i] = static_cast<int8_t>(i * 13 % 255 - 127);
  FcParams fp{24, 16, 5, -3, &mult, &shift, false, -128, 127};
  (void)fully_connected_s8(fp, in, w, bias, out, 2);
  fp.act_min = 100;
  fp.act_max = 0;
  (void)fully_connected_s8(fp, in, w, bias, out, 2);
  (void)fully_connected_s8(fp, nullptr, w, bias, out, 2);

  // QNet: LUT construction, validation, inference, the blob loader.
  static int8_t lut[256];
  (void)make_tanh_lut(0.05f, 0, 1.0f / 128, 0, lut);
  (void)make_sigmoid_lut(0.05f, 0, 1.0f / 256, -128, lut);
  mult = 1 << 30;
  shift = -6;
  fp = FcParams{24, 16, 5, -3, &mult, &shift, false, -128, 127};
  static const QLayer layers[3] = {qnet_fc(fp, w, bias), qnet_lut(16, lut), qnet_argmax(16)};
  const QModel model{layers, 3, 24};
  static QNet<1024> net;
  if (net.init(model) == Status::Ok) {
    int cls = -1;
    (void)net.classify(in, &cls);
    (void)net.run(in, out);
  }
  static uint8_t blob[64] = {'S', 'Q', 'N', 'T'};
  static QModelStorage<4> storage;
  (void)load_qmodel(blob, sizeof blob, storage);
  static float pos[16 * 24];
  to_int8_lattice(pos, 16 * 24, w);
  (void)crc32(blob, sizeof blob);

  // The C API.
  static starling_pso cp;
  starling_pso_config cc;
  (void)starling_pso_config_default(&cc);
  if (starling_pso_init(&cp, lo, hi, 6, 12, &cc, 9) == STARLING_OK) {
    while (const float* x = starling_pso_ask(&cp)) (void)starling_pso_tell(&cp, sphere(x, 6));
  }
  (void)starling_pso_best_position(&cp);
  (void)starling_pso_init(&cp, hi, lo, 6, 12, &cc, 9);
  (void)starling_pso_tell(&cp, 1.f);
  (void)starling_status_name(STARLING_CORRUPT);
  // C API: safe tuning and save/resume.
  {
    struct Pred {
      static bool ok(const float* x, int, void*) { return x[0] < 0.5f; }
    };
    static uint8_t state[8192];
    static starling_pso fresh;
    const float start[6] = {-1, -1, -1, -1, -1, -1};
    cc.max_evals = 40;
    if (starling_pso_init(&cp, lo, hi, 6, 12, &cc, 9) == STARLING_OK) {
      (void)starling_pso_set_feasible(&cp, Pred::ok, nullptr, 4);
      (void)starling_pso_set_trust_radius(&cp, 0.3f);
      (void)starling_pso_set_start(&cp, start);
      for (int k = 0; k < 15; ++k)
        if (const float* x = starling_pso_ask(&cp)) (void)starling_pso_tell(&cp, sphere(x, 6));
      size_t n = 0;
      (void)starling_pso_save_size(&cp);
      (void)starling_pso_save(&cp, state, sizeof state, &n);
      (void)starling_pso_load(&fresh, state, n);
      (void)starling_pso_set_feasible(&fresh, Pred::ok, nullptr, 4);
      (void)starling_pso_minimize(&fresh, [](const float* x, int d, void*) { return sphere(x, d); },
                                  nullptr);
      (void)starling_pso_infeasible_count(&fresh);
      (void)starling_pso_fallback_count(&fresh);
      state[0] = 0;
      (void)starling_pso_load(&cp, state, n);
    }
  }
  drive_single_point();
  drive_generational();
}
}  // namespace

TEST_CASE(public_api_makes_no_allocation) {
  // Sanity: the counters do see an allocation.
  g_allocs = 0;
  g_counting = true;
  // Direct calls of the global functions: unlike a new-expression (which
  // clang may elide at -O2 and above), they cannot be optimized away.
  void* volatile probe = ::operator new(sizeof(int));
  ::operator delete(probe);
#ifdef STARLING_COUNTS_MALLOC
  void* volatile m = std::malloc(16);
  std::free(m);
#endif
  g_counting = false;
  CHECK(g_allocs >= 2);

  g_allocs = 0;
  g_counting = true;
  drive_everything();
  g_counting = false;
  CHECK_EQ(g_allocs, 0L);
}

int main() { return check::run_all(); }

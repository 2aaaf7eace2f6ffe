// SPDX-License-Identifier: MIT
// starling/detail/generation.hpp: the hand-out of one generation's candidates
// for the generational methods (De, Cmaes): one at a time through ask/tell, or
// all at once through ask_batch/tell_batch with the costs told in any order and
// applied in candidate order (so a batch run is the serial run, bit for bit).
#pragma once
#include <cmath>
#include <limits>

#include "starling/detail/opt_core.hpp"

namespace starling {
namespace detail {

/// Where the hand-out of the current generation stands. Trivially copyable,
/// zero bits until start.
template <class Real>
struct GenCursor {
  using Base = OptCore<Real>;
  int cursor = 0;      // the next candidate to hand out
  int batch_n = 0;     // candidates of the open batch (0: none)
  int batch_told = 0;  // of which told

  void restart() noexcept { cursor = batch_n = batch_told = 0; }

  /// Candidate `cursor` (row cursor·stride of rows), through the envelope the
  /// first time it is asked; nullptr when not running, a batch is open or
  /// nothing safe exists.
  Real* ask(Base& base, const typename Base::Box& b, Real* rows, int stride) noexcept {
    if (!base.running() || batch_n > 0) return nullptr;
    Real* x = rows + cursor * stride;
    if (!base.pending()) {
      if (!base.filter(b, x, cursor)) return nullptr;
      base.set_pending(true);
    }
    return x;
  }

  /// Opens a batch of the candidates cursor .. size − 1 (at most cap and the
  /// evaluations left), marks their costs NaN (not told), and lists them.
  int ask_batch(Base& base, const typename Base::Box& b, Real* rows, int stride, Real* cost, int size,
                const Real** xs, int cap) noexcept {
    if (!base.running() || cap < 1 || xs == nullptr) return 0;
    if (batch_n == 0) {
      int n = size - cursor;
      if (n > cap) n = cap;
      if (base.evals_left() < n) n = static_cast<int>(base.evals_left());
      for (int k = 0; k < n; ++k) {
        const int idx = cursor + k;
        if (k == 0 && base.pending()) continue;  // asked already: filtered
        if (!base.try_filter(b, rows + idx * stride, idx)) {
          // Nothing safe known yet for this one: a serial run would have
          // stopped at the first candidate, or asked this one later with an
          // incumbent to fall back on; the batch ends before it.
          if (k == 0) {
            base.stop(StopReason::Infeasible);
            return 0;
          }
          n = k;
          break;
        }
      }
      base.set_pending(false);
      for (int k = 0; k < n; ++k) cost[cursor + k] = std::numeric_limits<Real>::quiet_NaN();
      batch_n = n;
      batch_told = 0;
    }
    for (int k = 0; k < batch_n && k < cap; ++k) xs[k] = rows + (cursor + k) * stride;
    return batch_n;
  }

  /// Stores candidate k's cost; when the batch is complete, calls
  /// apply(cost) for each candidate in order while the run goes on (apply
  /// is the optimizer's one-candidate tell, which advances the cursor).
  template <class Apply>
  Status tell_batch(Base& base, Real* cost, int k, Real c, Apply&& apply) noexcept {
    if (!base.ready()) return Status::NotReady;
    if (!base.running()) return Status::Done;
    if (batch_n == 0) return Status::NotReady;
    if (k < 0 || k >= batch_n) return Status::InvalidArgument;
    Real& slot = cost[cursor + k];
    if (!std::isnan(slot)) return Status::NotReady;  // told already
    slot = Base::sanitize(c);
    if (++batch_told < batch_n) return Status::Ok;
    const int n = batch_n, first = cursor;
    batch_n = 0;
    batch_told = 0;
    int j = 0;
    for (; j < n && base.running(); ++j) apply(cost[first + j]);
    // A stop inside the batch (Target) leaves the later costs unapplied: they
    // go back to NaN (not told), the state of the serial run, which never
    // asked for them (and what the state checks require).
    for (; j < n; ++j) cost[first + j] = std::numeric_limits<Real>::quiet_NaN();
    return Status::Ok;
  }
};

}  // namespace detail
}  // namespace starling

/* SPDX-License-Identifier: MIT */
/* starling/version.h: the library's version, as compile-time macros and as a
 * run-time string (C99 and C++).
 *
 * This header is the one source of truth for the version: CMake reads it,
 * and tools/check_version.py (run by CI) fails when meson.build,
 * library.json, the Arduino and ESP-IDF metadata or CHANGELOG.md disagree.
 * Versions follow Semantic Versioning; while the major version is 0, a minor
 * release may change the API.
 *
 * The macros say which headers a program was compiled against;
 * starling_version() says which library it was linked with. A program can
 * compare the two to catch a stale library:
 *
 *   if (strcmp(starling_version(), STARLING_VERSION) != 0) ...mismatch...
 */
#ifndef STARLING_VERSION_H
#define STARLING_VERSION_H

/** Major version: incremented for incompatible API changes. */
#define STARLING_VERSION_MAJOR 0
/** Minor version: incremented for added functionality (and, while the major
 *  version is 0, for API changes). */
#define STARLING_VERSION_MINOR 1
/** Patch version: incremented for fixes. */
#define STARLING_VERSION_PATCH 0
/** The version as a string literal, "MAJOR.MINOR.PATCH". */
#define STARLING_VERSION "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/** The version of the linked library, "MAJOR.MINOR.PATCH": a pointer to a
 *  static string (never NULL, never freed). O(1), no side effects. */
const char* starling_version(void);

#ifdef __cplusplus
}  /* extern "C" */

namespace starling {
/** The version of the linked library, "MAJOR.MINOR.PATCH" (the same string
 *  as starling_version()). O(1), no side effects. */
const char* version() noexcept;
}  // namespace starling
#endif

#endif /* STARLING_VERSION_H */

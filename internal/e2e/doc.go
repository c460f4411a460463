// Package e2e holds end-to-end tests: real servers (in-process on loopback,
// or the built binary) driven by the real Huawei Cloud Go SDK and by raw
// HTTP for protocol details. Every test runs on SQLite, and on PostgreSQL
// too when IIC_TEST_POSTGRES_URL is set.
//
// TestBadInputSweep (badinput_test.go) walks every mounted signed operation
// (App.Ops) with about a thousand bad inputs: odd path ids (300 characters,
// unicode, %2F, .., %00, invalid UTF-8), hostile bodies (empty, malformed,
// wrong top-level type, every top-level field of the wrong type, deep
// nesting, 2 MiB), out-of-range limit and forged markers, and valid bodies
// of the main writes with one leaf at a time made bad (a NUL, 70,000
// characters, a negative, fractional or huge number). Operations and their
// fields come from the SDK clients by reflection (request metadata and
// models), plus a small table for the iic-only operations. Every answer must
// be a 4xx error envelope with X-Request-Id (a 2xx only where the input is
// valid, e.g. {} when no field is required), and a rejected write must leave
// a fingerprint of the stored state (the lists of everything the writes can
// touch) unchanged. Failures are listed together; SWEEP_DEBUG=1 prints every
// answer.
package e2e

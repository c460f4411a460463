// Package store is iic's storage contract: one interface per aggregate, the
// sentinel errors every backend returns, and transactions.
//
// Rules every backend follows (the conformance suite in storetest checks them):
//   - A missing row is ErrNotFound; a uniqueness or foreign-key violation is
//     ErrConflict. Both are wrapped with %w and tested with errors.Is.
//   - Times are stored as UTC with millisecond precision.
//   - List methods return rows in ascending Seq order, starting after the
//     given position (0 = from the start); Seq is assigned by the backend,
//     strictly increasing, and never reused.
//   - WithTx runs fn in one transaction: fn's writes land together or not at
//     all; an error from fn (or a panic) rolls back.
//
// This package imports nothing from the rest of iic and nothing from net/http.
package store

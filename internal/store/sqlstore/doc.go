// Package sqlstore implements the store contract on SQLite (modernc.org/sqlite,
// pure Go) and PostgreSQL (pgx through database/sql).
//
// Queries are written once, in the subset both engines understand, with ?
// placeholders (rebound to $n for PostgreSQL). Only the DDL differs per
// dialect: migrations/sqlite and migrations/postgres hold forward-only,
// numbered steps applied at Open, one transaction per step, under a
// PostgreSQL advisory lock so that replicas starting together apply each step
// once. Timestamps are stored as Unix milliseconds (UTC).
//
// SQLite runs in WAL mode with foreign keys on and a busy timeout; writes go
// through one connection (BEGIN IMMEDIATE), reads through a pool of read-only
// connections, so readers never wait for the writer.
package sqlstore

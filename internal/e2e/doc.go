// Package e2e holds end-to-end tests: real servers (in-process on loopback,
// or the built binary) driven by the real Huawei Cloud Go SDK and by raw
// HTTP for protocol details. Every test runs on SQLite, and on PostgreSQL
// too when IIC_TEST_POSTGRES_URL is set.
package e2e

// Package archtest holds tests of the project's structure: the layer rule
// of the README's architecture section, checked against the real import
// graph (go list).
package archtest

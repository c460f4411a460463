// Package aksk implements the Huawei Cloud SDK's AK/SK request signature,
// SDK-HMAC-SHA256 (docs/signing.md), for verifying requests and for
// signing them in tests and the CLI.
//
// The canonical request is rebuilt from the wire request exactly as the SDK
// builds it: method; the decoded path with every segment re-escaped and a
// trailing '/'; the query with keys and values sorted and escaped; exactly
// the headers named in SignedHeaders (lower-case name, trimmed value, repeated
// values sorted, no line for a header that is absent); the signed-header
// list; and the payload hash (X-Sdk-Content-Sha256 when present, else the
// SHA-256 of the exact body bytes). The signature is
// hex(HMAC-SHA256(SK, "SDK-HMAC-SHA256\n" + X-Sdk-Date + "\n" + hex(SHA-256(canonical request)))).
//
// This package has no notion of accounts or clocks: it parses, canonicalizes
// and compares. Parse errors never echo secrets.
package aksk

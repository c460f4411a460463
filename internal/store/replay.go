package store

import (
	"context"
	"time"
)

// Signatures records the signatures of accepted signed writes, so that a
// captured request cannot be replayed while its X-Sdk-Date is still within
// the accepted window. Rows are keyed by the raw signature (an HMAC that
// reveals nothing about the secret) and kept until their expiry; replicas
// sharing a database share the record.
type Signatures interface {
	// Claim records sig as first used at now, until expires, and returns
	// now; when sig is already recorded with an expiry after now it
	// changes nothing and returns when sig was first used. An expired
	// record is taken over.
	Claim(ctx context.Context, sig []byte, now, expires time.Time) (firstUsed time.Time, err error)
	// Release forgets sig, so that the same signed request may be sent
	// again (after a server fault, when the first attempt had no effect).
	Release(ctx context.Context, sig []byte) error
	// Sweep deletes up to limit records that expired before now and
	// returns how many it deleted.
	Sweep(ctx context.Context, now time.Time, limit int) (int, error)
}

package httpx

import (
	"context"
	"log/slog"
	"sync/atomic"
)

// info is the per-request state the middleware shares with handlers.
type info struct {
	requestID string
	route     string // the matched route pattern, for metrics
	body      []byte
	base      *slog.Logger // the server's logger; logger() adds the request id
	log       atomic.Pointer[slog.Logger]
	principal string      // access key of the caller, for the access log
	writeErr  ErrorWriter // the claiming surface's error writer; nil = the envelope
}

type infoKey struct{}

func infoFrom(ctx context.Context) *info {
	i, _ := ctx.Value(infoKey{}).(*info)
	if i == nil {
		return &info{base: slog.Default()}
	}
	return i
}

// logger is the request's logger, tagged with its id: made on first use
// (most requests log nothing at the configured level, and tagging a logger
// costs an allocation and the attribute's formatting).
func (i *info) logger() *slog.Logger {
	if l := i.log.Load(); l != nil {
		return l
	}
	l := i.base
	if i.requestID != "" {
		l = l.With("request_id", i.requestID)
	}
	if !i.log.CompareAndSwap(nil, l) {
		return i.log.Load()
	}
	return l
}

// RequestID returns the request's id ("" outside the middleware).
func RequestID(ctx context.Context) string { return infoFrom(ctx).requestID }

// Body returns the request body the middleware read (nil if none).
func Body(ctx context.Context) []byte { return infoFrom(ctx).body }

// Logger returns a logger that tags lines with the request id.
func Logger(ctx context.Context) *slog.Logger { return infoFrom(ctx).logger() }

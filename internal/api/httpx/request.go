package httpx

import (
	"context"
	"log/slog"
)

// info is the per-request state the middleware shares with handlers.
type info struct {
	requestID string
	route     string // the matched route pattern, for metrics
	body      []byte
	log       *slog.Logger
	principal string      // access key of the caller, for the access log
	writeErr  ErrorWriter // the claiming surface's error writer; nil = the envelope
}

type infoKey struct{}

func infoFrom(ctx context.Context) *info {
	i, _ := ctx.Value(infoKey{}).(*info)
	if i == nil {
		return &info{log: slog.Default()}
	}
	return i
}

// RequestID returns the request's id ("" outside the middleware).
func RequestID(ctx context.Context) string { return infoFrom(ctx).requestID }

// Body returns the request body the middleware read (nil if none).
func Body(ctx context.Context) []byte { return infoFrom(ctx).body }

// Logger returns a logger that tags lines with the request id.
func Logger(ctx context.Context) *slog.Logger { return infoFrom(ctx).log }

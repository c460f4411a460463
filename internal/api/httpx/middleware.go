package httpx

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/metrics"
)

// Middleware wraps the whole server.
type Middleware struct {
	Log     *slog.Logger
	Metrics *metrics.Registry
	IDs     ids.Generator
	// BodyBudget bounds the bytes of request bodies in memory at once
	// (0 = DefaultBodyBudget); a body that cannot get its bytes before
	// its deadline is refused. BodyTimeout is how long a client has to
	// send its body (0 = DefaultBodyTimeout).
	BodyBudget  int64
	BodyTimeout time.Duration
	// Dialects picks, per request, the surface whose ErrorWriter answers
	// its errors (nil: the envelope for every request).
	Dialects *Dialects

	once sync.Once
	bb   *byteBudget
}

func (m *Middleware) budget() *byteBudget {
	m.once.Do(func() {
		n := m.BodyBudget
		if n <= 0 {
			n = DefaultBodyBudget
		}
		m.bb = newByteBudget(n)
	})
	return m.bb
}

// BodyBytesInUse reports the bytes of request bodies held right now.
func (m *Middleware) BodyBytesInUse() int64 { return m.budget().inUse() }

// Wrap returns h behind request ids, the body limits (size, deadline,
// budget), panic recovery, the access log and metrics.
func (m *Middleware) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rid := m.IDs.RequestID()
		in := &info{requestID: rid, route: "unmatched", base: m.Log, writeErr: m.Dialects.writerFor(r)}
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, in))
		w.Header().Set("X-Request-Id", rid)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				in.logger().Error("panic serving request", "panic", p, "stack", string(debug.Stack()))
				if !sw.wrote {
					WriteError(sw, r, apierr.IIC1260.New())
				}
			}
			d := time.Since(start)
			if m.Metrics != nil {
				m.Metrics.Observe(in.route, sw.status(), d)
			}
			if m.Log.Enabled(r.Context(), slog.LevelInfo) {
				in.logger().Info("request", "method", r.Method, "path", r.URL.Path, "route", in.route, "status", sw.status(),
					"duration_ms", float64(d.Microseconds())/1000, "bytes", sw.n, "ak", in.principal, "remote", r.RemoteAddr)
			}
		}()
		if r.Body != nil && r.Body != http.NoBody {
			body, held, err := m.readBody(sw, r)
			defer m.budget().release(held)
			if err != nil {
				// The rest of the body is not read: close the connection.
				sw.Header().Set("Connection", "close")
				WriteError(sw, r, err)
				return
			}
			r.Body.Close()
			in.body = body
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		h.ServeHTTP(sw, r)
	})
}

// statusWriter records the status and size of the response.
type statusWriter struct {
	http.ResponseWriter
	code  int
	n     int
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.code, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.code, w.wrote = http.StatusOK, true
	}
	n, err := w.ResponseWriter.Write(p)
	w.n += n
	return n, err
}

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

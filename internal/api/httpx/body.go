package httpx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/iic-project/iic/internal/apierr"
)

// MaxBody is the largest request body accepted (1 MiB).
const MaxBody = 1 << 20

// Markers inside the errors of bodies the middleware refuses (errors.Is),
// so that a dialect can answer them as such; the envelope ignores them.
var (
	// ErrBodyTooLarge: the body exceeds MaxBody (400 IIC.400; SCIM: 413).
	ErrBodyTooLarge = errors.New("request body exceeds MaxBody")
	// ErrBodyTimeout: the body did not arrive before the body deadline
	// (400 IIC.400; a dialect may answer 408).
	ErrBodyTimeout = errors.New("request body deadline exceeded")
	// ErrBodyBudget: the shared body budget had no room for the body
	// before its deadline (500 IIC.1260; a dialect may answer 503).
	ErrBodyBudget = errors.New("request body budget exhausted")
)

func bodyTooLarge() error {
	return errors.Join(apierr.IIC400_400.New("the request body exceeds the 1 MiB limit"), ErrBodyTooLarge)
}

// Defaults of the body reader (see Middleware).
const (
	// DefaultBodyBudget bounds the bytes of request bodies held in memory
	// at once, across all requests. Bodies are read before the signature
	// can be checked (it covers their hash), so this is what unauthenticated
	// clients can make the server hold.
	DefaultBodyBudget = 32 << 20
	// DefaultBodyTimeout is how long a client has to send its body once
	// its headers have arrived.
	DefaultBodyTimeout = 15 * time.Second
)

// byteBudget is a counting semaphore of bytes.
type byteBudget struct {
	mu      sync.Mutex
	used    int64
	max     int64
	waiters int
	freed   chan struct{} // closed (and replaced) when bytes are returned and someone waits
}

func newByteBudget(max int64) *byteBudget {
	return &byteBudget{max: max, freed: make(chan struct{})}
}

// acquire takes n bytes, waiting for them until ctx ends. A request for
// more than the whole budget can never succeed and fails at once.
func (b *byteBudget) acquire(ctx context.Context, n int64) error {
	if n > b.max {
		return ErrBodyBudget
	}
	for {
		b.mu.Lock()
		if b.used+n <= b.max {
			b.used += n
			b.mu.Unlock()
			return nil
		}
		b.waiters++
		ch := b.freed
		b.mu.Unlock()
		select {
		case <-ch:
			b.mu.Lock()
			b.waiters--
			b.mu.Unlock()
		case <-ctx.Done():
			b.mu.Lock()
			b.waiters--
			b.mu.Unlock()
			return ErrBodyBudget
		}
	}
}

func (b *byteBudget) release(n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	if b.waiters > 0 {
		close(b.freed)
		b.freed = make(chan struct{})
	}
	b.mu.Unlock()
}

// inUse reports the bytes currently held (for tests and metrics).
func (b *byteBudget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// readBody reads r's body within the body deadline, growing its buffer as
// bytes arrive (a slow client holds only what it sent) and charging every
// buffer to the budget. It returns the body and the bytes to give back
// when the request ends. Errors are ready for WriteError.
func (m *Middleware) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int64, error) {
	if r.ContentLength > MaxBody {
		return nil, 0, bodyTooLarge()
	}
	timeout := m.BodyTimeout
	if timeout <= 0 {
		timeout = DefaultBodyTimeout
	}
	deadline := time.Now().Add(timeout)
	// The connection's read deadline cuts a client that stops sending; the
	// context bounds the wait for budget.
	if err := http.NewResponseController(w).SetReadDeadline(deadline); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return nil, 0, apierr.IIC400_400.New("the request body could not be read")
	}
	ctx, cancel := context.WithDeadline(r.Context(), deadline)
	defer cancel()

	target := int64(MaxBody + 1)
	if r.ContentLength >= 0 {
		target = r.ContentLength
	}
	var (
		buf  []byte
		held int64
	)
	fail := func(err error) ([]byte, int64, error) { return nil, held, err }
	for {
		if len(buf) == cap(buf) {
			if int64(cap(buf)) >= target {
				// Declared length reached: the next read must be EOF.
				var one [1]byte
				n, err := r.Body.Read(one[:])
				if n > 0 {
					return fail(apierr.IIC400_400.New("the request body is longer than its Content-Length"))
				}
				if err == io.EOF || err == nil && target == 0 {
					return buf, held, nil
				}
				if err != nil {
					return fail(readError(err))
				}
				continue
			}
			next := min(max(2*int64(cap(buf)), 4<<10), target)
			if err := m.budget().acquire(ctx, next); err != nil {
				Logger(r.Context()).Warn("request body refused: body budget exhausted", "budget_bytes", m.budget().max, "wanted", next)
				return fail(errors.Join(apierr.IIC1260.New(), ErrBodyBudget))
			}
			grown := make([]byte, len(buf), next)
			copy(grown, buf)
			m.budget().release(int64(cap(buf)))
			held += next - int64(cap(buf))
			buf = grown
		}
		n, err := r.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if len(buf) > MaxBody {
			return fail(bodyTooLarge())
		}
		if err == io.EOF {
			return buf, held, nil
		}
		if err != nil {
			return fail(readError(err))
		}
	}
}

func readError(err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return errors.Join(apierr.IIC400_400.New("the request body did not arrive in time"), ErrBodyTimeout)
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return bodyTooLarge()
	}
	return apierr.IIC400_400.New("the request body could not be read")
}

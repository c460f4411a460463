package e2e

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/testenv"
)

// 200 unauthenticated clients each announce a 1 MiB body and send all but
// its last byte. The server holds at most its body budget (32 MiB) of
// them, signed requests without a body are served meanwhile, the stalled
// uploads are cut at the body deadline with the error envelope, and the
// budget is returned.
func TestSlowUploadsAreBounded(t *testing.T) {
	budget := int64(httpx.DefaultBodyBudget)
	if v := os.Getenv("IIC_TEST_BODY_BUDGET"); v != "" { // to see the test fail without a budget
		budget, _ = strconv.ParseInt(v, 10, 64)
	}
	srv := testenv.Start(t, testenv.Options{BodyBudget: budget, BodyTimeout: 3 * time.Second})
	addr := srv.URL[len("http://"):]
	const clients, size = 200, 1 << 20
	payload := make([]byte, size-1) // shared by every writer: the test's own memory stays small
	for i := range payload {
		payload[i] = 'a'
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	conns := make([]net.Conn, clients)
	var wg sync.WaitGroup
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns[i] = c
		wg.Add(1)
		go func() {
			defer wg.Done()
			fmt.Fprintf(c, "POST /v1/iic/access-keys HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", size)
			c.SetWriteDeadline(time.Now().Add(10 * time.Second))
			c.Write(payload)
		}()
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	// Let the uploads fill the budget.
	var held int64
	for i := 0; i < 100; i++ {
		time.Sleep(20 * time.Millisecond)
		if held = srv.App.BodyBytesInUse(); held >= budget-size {
			break
		}
	}
	if held > budget {
		t.Fatalf("%d body bytes held, budget %d", held, budget)
	}
	runtime.GC()
	var during runtime.MemStats
	runtime.ReadMemStats(&during)
	grown := int64(during.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("200 stalled 1 MiB uploads: %d body bytes held, live heap +%.1f MiB", held, float64(grown)/(1<<20))
	if grown > 64<<20 {
		t.Fatalf("live heap grew by %.0f MiB with 200 stalled uploads (budget %d MiB)", float64(grown)/(1<<20), budget>>20)
	}

	if _, err := srv.Center(t).ListInstances(&model.ListInstancesRequest{}); err != nil {
		t.Fatalf("signed request during the flood: %v", err)
	}

	// At the body deadline every stalled upload gets an answer.
	answered := 0
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode >= 400 && resp.Header.Get("X-Request-Id") != "" {
			answered++
		}
	}
	if answered != clients {
		t.Fatalf("%d of %d stalled uploads got an error envelope", answered, clients)
	}
	wg.Wait()
	for i := 0; i < 100 && srv.App.BodyBytesInUse() != 0; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if n := srv.App.BodyBytesInUse(); n != 0 {
		t.Fatalf("%d body bytes still held after the uploads ended", n)
	}
}

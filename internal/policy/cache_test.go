package policy

import (
	"errors"
	"fmt"
	"sync"
	"testing"
)

func TestCache(t *testing.T) {
	c := NewCache(2)
	a, b, d := []byte(v5(allowAll)), []byte(v11(`{"Effect":"Allow","Action":["ecs:*:*"]}`)), []byte(v5(`{"Effect":"Deny","Action":["*"]}`))

	ca1, err := c.Get(a)
	if err != nil {
		t.Fatal(err)
	}
	ca2, _ := c.Get(a)
	if ca1 != ca2 {
		t.Error("second Get of the same text returned a different *Compiled")
	}
	c.Get(b)
	c.Get(a) // a is now most recent; b is the LRU entry
	c.Get(d) // evicts b
	if c.Len() != 2 {
		t.Errorf("Len = %d, want 2", c.Len())
	}
	if ca3, _ := c.Get(a); ca3 != ca1 {
		t.Error("a was evicted instead of b")
	}
	hits, misses := c.Hits(), c.Misses()
	c.Get(b)
	if c.Misses() != misses+1 || c.Hits() != hits {
		t.Error("b should have been evicted")
	}
	if got, want := c.Hits(), uint64(3); got != want {
		t.Errorf("Hits = %d, want %d", got, want)
	}
	if _, err := c.Get([]byte(`{"Version":"5.0"}`)); err == nil {
		t.Error("invalid document: want error")
	}
	var pe *ParseError
	if _, err := c.Get(padded(t, MaxDocumentChars+1)); !errors.Is(err, ErrTooLarge) || !errors.As(err, &pe) {
		t.Errorf("oversized document: err = %v", err)
	}
}

func TestCacheConcurrent(t *testing.T) {
	c := NewCache(8)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				doc := v5(fmt.Sprintf(`{"Sid":"s%d","Effect":"Allow","Action":["*"]}`, (i+g)%16))
				if _, err := c.Get([]byte(doc)); err != nil {
					t.Error(err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	if c.Hits()+c.Misses() != 1600 || c.Len() > 8 {
		t.Errorf("hits %d misses %d len %d", c.Hits(), c.Misses(), c.Len())
	}
}

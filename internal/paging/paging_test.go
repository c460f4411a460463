package paging

import "testing"

func TestMarkerRoundTripAndTamper(t *testing.T) {
	s := NewSigner([]byte("k"))
	m := s.Marker("instances:acct", 42)
	if len(m) != MarkerLen {
		t.Fatalf("marker length %d, want %d", len(m), MarkerLen)
	}
	if pos, err := s.Position("instances:acct", m); err != nil || pos != 42 {
		t.Fatalf("Position = %d, %v", pos, err)
	}
	if _, err := s.Position("users:acct", m); err == nil {
		t.Fatal("marker accepted for another list")
	}
	b := []byte(m)
	b[3] ^= 1
	if _, err := s.Position("instances:acct", string(b)); err == nil {
		t.Fatal("tampered marker accepted")
	}
	if _, err := NewSigner([]byte("other")).Position("instances:acct", m); err == nil {
		t.Fatal("marker accepted under another key")
	}
	for _, bad := range []string{"", "short", m + "x", "************************"} {
		if _, err := s.Position("instances:acct", bad); err == nil {
			t.Fatalf("bad marker %q accepted", bad)
		}
	}
}

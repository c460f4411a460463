package secrets

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestSealOpen(t *testing.T) {
	k, err := New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	ct := k.Seal([]byte("secret"), []byte("row-1"))
	if bytes.Contains(ct, []byte("secret")) {
		t.Fatal("plaintext visible in ciphertext")
	}
	pt, err := k.Open(ct, []byte("row-1"))
	if err != nil || string(pt) != "secret" {
		t.Fatalf("Open = %q, %v", pt, err)
	}
	if _, err := k.Open(ct, []byte("row-2")); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("other aad: %v, want ErrCorrupt", err)
	}
	ct[len(ct)-1] ^= 1
	if _, err := k.Open(ct, []byte("row-1")); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("tampered: %v, want ErrCorrupt", err)
	}
	other, _ := New(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(k.Seal([]byte("x"), nil), nil); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("wrong key: %v, want ErrWrongKey", err)
	}
	if bytes.Equal(k.Derive("a"), k.Derive("b")) || !bytes.Equal(k.Derive("a"), k.Derive("a")) {
		t.Fatal("Derive is not purpose-bound and deterministic")
	}
}

func TestLoadMasterCreatesOnceConcurrently(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	keys := make([][]byte, 8)
	for i := range keys {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			k, err := LoadMaster("", dir)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		}(i)
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if !bytes.Equal(k, keys[0]) {
			t.Fatal("concurrent starts produced different master keys")
		}
	}
	st, err := os.Stat(filepath.Join(dir, KeyFileName))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", st.Mode().Perm(), err)
	}
}

func TestLoadMasterFromEnv(t *testing.T) {
	hex64 := "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	k, err := LoadMaster(hex64, t.TempDir())
	if err != nil || k[31] != 0x1f {
		t.Fatalf("hex key: %v %v", k, err)
	}
	if _, err := LoadMaster("too-short", t.TempDir()); err == nil {
		t.Fatal("short key accepted")
	}
}

// TokenSum and TokenHash are the SHA-256 of the token, for tokens shorter
// and longer than TokenSum's stack buffer.
func TestTokenSum(t *testing.T) {
	for _, token := range []string{"", "tok", strings.Repeat("a", 80), strings.Repeat("b", 128), strings.Repeat("c", 129), strings.Repeat("d", 4096)} {
		want := sha256.Sum256([]byte(token))
		if got := TokenSum(token); got != want {
			t.Errorf("TokenSum of %d bytes = %x, want %x", len(token), got, want)
		}
		if got := TokenHash(token); !bytes.Equal(got, want[:]) {
			t.Errorf("TokenHash of %d bytes = %x, want %x", len(token), got, want)
		}
	}
	token := strings.Repeat("e", 80)
	if n := testing.AllocsPerRun(100, func() { TokenSum(token) }); n != 0 {
		t.Errorf("TokenSum of an 80-byte token allocates %v times", n)
	}
}

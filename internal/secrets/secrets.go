// Package secrets encrypts data at rest (secret keys, TOTP seeds, signing
// keys) with AES-256-GCM under one master key, and derives purpose-bound
// sub-keys from it (for example the MAC key of pagination markers).
//
// Ciphertext layout: version byte 1 | 4-byte key id | 12-byte nonce | sealed.
// The key id is the first 4 bytes of SHA-256(master key), so a value sealed
// under another key fails with ErrWrongKey instead of decrypting to garbage.
// Callers pass associated data naming the row a value belongs to, so a
// ciphertext copied into another row does not open.
package secrets

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

const version = 1

// TokenHash is the stored form of every bearer-style token (security tokens
// of temporary credentials, portal session tokens, e-mailed and MFA
// registration one-time tokens, SCIM bearer tokens): SHA-256. The tokens
// are long random strings, so neither salt nor a slow hash is needed, and a
// look-up by hash finds them.
func TokenHash(token string) []byte {
	h := TokenSum(token)
	return h[:]
}

// TokenSum is TokenHash as an array; for a token of up to 128 bytes it
// does not allocate.
func TokenSum(token string) [sha256.Size]byte {
	var buf [128]byte
	return sha256.Sum256(append(buf[:0], token...))
}

var (
	// ErrWrongKey means the value was sealed under a different master key.
	ErrWrongKey = errors.New("secrets: value was sealed with a different master key")
	// ErrCorrupt means the value is malformed or was altered.
	ErrCorrupt = errors.New("secrets: value is corrupt or was tampered with")
)

// Keyring seals and opens values under one master key.
type Keyring struct {
	aead  cipher.AEAD
	keyID [4]byte
	key   []byte
}

// New builds a Keyring from a 32-byte master key.
func New(master []byte) (*Keyring, error) {
	if len(master) != 32 {
		return nil, fmt.Errorf("secrets: master key must be 32 bytes, got %d", len(master))
	}
	block, err := aes.NewCipher(master)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	k := &Keyring{aead: aead, key: append([]byte(nil), master...)}
	sum := sha256.Sum256(master)
	copy(k.keyID[:], sum[:4])
	return k, nil
}

// Seal encrypts plaintext bound to aad.
func (k *Keyring) Seal(plaintext, aad []byte) []byte {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("secrets: crypto/rand failed: " + err.Error())
	}
	out := make([]byte, 0, 1+4+len(nonce)+len(plaintext)+k.aead.Overhead())
	out = append(out, version)
	out = append(out, k.keyID[:]...)
	out = append(out, nonce...)
	return k.aead.Seal(out, nonce, plaintext, aad)
}

// Open decrypts a value made by Seal with the same aad.
func (k *Keyring) Open(sealed, aad []byte) ([]byte, error) {
	ns := k.aead.NonceSize()
	if len(sealed) < 1+4+ns+k.aead.Overhead() || sealed[0] != version {
		return nil, ErrCorrupt
	}
	if !bytes.Equal(sealed[1:5], k.keyID[:]) {
		return nil, ErrWrongKey
	}
	pt, err := k.aead.Open(nil, sealed[5:5+ns], sealed[5+ns:], aad)
	if err != nil {
		return nil, ErrCorrupt
	}
	return pt, nil
}

// Derive returns a 32-byte key for one purpose (HKDF-SHA256, info = purpose).
func (k *Keyring) Derive(purpose string) []byte {
	out, err := hkdf.Key(sha256.New, k.key, nil, "iic/"+purpose, 32)
	if err != nil {
		panic("secrets: hkdf: " + err.Error())
	}
	return out
}

// KeyFileName is the master key file created in the data directory when
// IIC_MASTER_KEY is not set.
const KeyFileName = "master.key"

// LoadMaster returns the master key: the value of env (32 bytes as base64 or
// 64 hex characters) when it is non-empty, else the key in
// <dataDir>/master.key, which is created (mode 0600, 32 random bytes,
// base64) if it does not exist. Creation is exclusive, so two processes
// starting together on one data dir end up with the same key.
func LoadMaster(env, dataDir string) ([]byte, error) {
	if env != "" {
		return decodeKey(env, "IIC_MASTER_KEY")
	}
	path := filepath.Join(dataDir, KeyFileName)
	if b, err := os.ReadFile(path); err == nil {
		return decodeKey(string(b), path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read master key: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	// Write a complete file under a temporary name, then hard-link it into
	// place: the link either creates master.key whole or fails because
	// another process got there first, in which case its key is used.
	tmp, err := os.CreateTemp(dataDir, ".master-key-*")
	if err != nil {
		return nil, fmt.Errorf("create master key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, err
	}
	if _, err := tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("write master key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read master key: %w", err)
		}
		return decodeKey(string(b), path)
	} else if err != nil {
		return nil, fmt.Errorf("create master key: %w", err)
	}
	return key, nil
}

func decodeKey(s, source string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	return nil, fmt.Errorf("master key from %s must be 32 bytes as base64 or 64 hex characters", source)
}

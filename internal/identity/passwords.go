package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/argon2id"
	"github.com/iic-project/iic/internal/store"
)

// MaxPasswordLength bounds every password (the policy sets the minimum).
const MaxPasswordLength = 128

const (
	argonKeyLen  = 32
	argonSaltLen = 16
)

// HashPassword returns the Argon2id PHC string of password with the default
// parameters (DefaultArgon2).
func HashPassword(password string) (string, error) {
	return NewArgon2(DefaultArgon2).Hash(password)
}

func phc(password string, salt []byte, m uint32, t uint32, p uint8, n uint32) string {
	key := argon2id.Key([]byte(password), salt, t, m, p, n)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2id.Version, m, t, p, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// hashGenerated is how generated one-time passwords are stored: salted
// SHA-256, "$sha256$<salt>$<sum>" (unpadded standard base64). A one-time
// password is drawn by GeneratePassword from crypto/rand (16 or more
// characters of a 71-character alphabet, over 95 bits), works once and is
// replaced at first sign-in: like the bearer tokens we store as SHA-256, it
// cannot be guessed offline even from a fast hash, and a slow hash would
// cost ~30 ms of CPU on every CreateUser and reset. Passwords that people
// choose are always Argon2id (HashPassword).
func hashGenerated(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	return sha256PHC(password, salt), nil
}

func sha256PHC(password string, salt []byte) string {
	sum := sha256.Sum256(append(append([]byte{}, salt...), password...))
	b64 := base64.RawStdEncoding
	return "$sha256$" + b64.EncodeToString(salt) + "$" + b64.EncodeToString(sum[:])
}

// CheckPasswordHash reports whether password matches hash: an Argon2id
// PHC string, a salted SHA-256 of a generated one-time password
// (hashGenerated), or a bcrypt hash (imported users). The comparison is
// constant-time; an unparsable hash matches nothing.
func CheckPasswordHash(hash, password string) bool {
	if rest, ok := strings.CutPrefix(hash, "$sha256$"); ok {
		salt64, _, ok := strings.Cut(rest, "$")
		salt, err := base64.RawStdEncoding.DecodeString(salt64)
		if !ok || err != nil || len(salt) == 0 {
			return false
		}
		return subtle.ConstantTimeCompare([]byte(sha256PHC(password, salt)), []byte(hash)) == 1
	}
	if strings.HasPrefix(hash, "$2") {
		return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
	}
	ph, ok := parseArgon2(hash)
	if !ok {
		return false
	}
	got := argon2id.Key([]byte(password), ph.salt, ph.params.Iterations, ph.params.MemoryKiB, ph.params.Parallelism, uint32(len(ph.key)))
	return subtle.ConstantTimeCompare(got, ph.key) == 1
}

// argon2Hash is a parsed Argon2id PHC string.
type argon2Hash struct {
	params    Argon2Params
	salt, key []byte
}

// parseArgon2 parses "$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<key>"
// (unpadded standard base64), refusing parameters outside what any server
// would configure (m up to 1 GiB, t up to 16), so a stored hash cannot make
// a check arbitrarily costly.
func parseArgon2(hash string) (argon2Hash, bool) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2id.Version) {
		return argon2Hash{}, false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || fmt.Sprintf("m=%d,t=%d,p=%d", m, t, p) != parts[3] {
		return argon2Hash{}, false
	}
	if m == 0 || m > maxArgonMemoryKiB || t == 0 || t > maxArgonIterations || p == 0 || p > maxArgonParallelism || m < 8*uint32(p) {
		return argon2Hash{}, false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) == 0 || len(key) < 16 || len(key) > 128 {
		return argon2Hash{}, false
	}
	return argon2Hash{params: Argon2Params{MemoryKiB: m, Iterations: t, Parallelism: p}, salt: salt, key: key}, true
}

// PasswordPolicy is an identity store's password rules, with the SDK's
// field meanings.
type PasswordPolicy struct {
	MinimumLength    int
	RequireLowercase bool
	RequireUppercase bool
	RequireNumbers   bool
	RequireSymbols   bool
	MaxPasswordAge   int // days; 0 = passwords never expire
	ReusePrevention  int // previous passwords that may not be reused
}

// DefaultPasswordPolicy applies to a store whose policy was never changed.
var DefaultPasswordPolicy = PasswordPolicy{MinimumLength: 8, RequireLowercase: true, RequireUppercase: true,
	RequireNumbers: true, RequireSymbols: true, MaxPasswordAge: 0, ReusePrevention: 1}

// Ranges of the policy fields.
const (
	MinPolicyLength     = 8
	MaxPolicyLength     = 64
	MaxPolicyAgeDays    = 1095
	MaxPolicyReuseCount = 24
)

// PasswordPolicyUpdate changes the fields that are non-nil.
type PasswordPolicyUpdate struct {
	MinimumLength    *int
	RequireLowercase *bool
	RequireUppercase *bool
	RequireNumbers   *bool
	RequireSymbols   *bool
	MaxPasswordAge   *int
	ReusePrevention  *int
}

func fromStorePolicy(p store.PasswordPolicy) PasswordPolicy {
	return PasswordPolicy{MinimumLength: p.MinLength, RequireLowercase: p.RequireLowercase, RequireUppercase: p.RequireUppercase,
		RequireNumbers: p.RequireNumbers, RequireSymbols: p.RequireSymbols, MaxPasswordAge: p.MaxAgeDays, ReusePrevention: p.ReusePrevention}
}

func (s *Service) policy(ctx context.Context, tx store.Store, storeID string) (PasswordPolicy, error) {
	p, err := tx.UserSecrets().GetPasswordPolicy(ctx, storeID)
	if errors.Is(err, store.ErrNotFound) {
		return DefaultPasswordPolicy, nil
	}
	if err != nil {
		return PasswordPolicy{}, err
	}
	return fromStorePolicy(p), nil
}

// GetPasswordPolicy returns the store's password policy.
func (s *Service) GetPasswordPolicy(ctx context.Context, storeID string) (PasswordPolicy, error) {
	return s.policy(ctx, s.Store, storeID)
}

// UpdatePasswordPolicy changes the given fields of the store's policy. It
// applies to passwords set from then on.
func (s *Service) UpdatePasswordPolicy(ctx context.Context, storeID string, u PasswordPolicyUpdate) (PasswordPolicy, error) {
	inRange := func(field string, v *int, min, max int) error {
		if v != nil && (*v < min || *v > max) {
			return badRequest("password_policy.%s must be from %d to %d", field, min, max)
		}
		return nil
	}
	if err := errors.Join(inRange("minimum_password_length", u.MinimumLength, MinPolicyLength, MaxPolicyLength),
		inRange("max_password_age", u.MaxPasswordAge, 0, MaxPolicyAgeDays),
		inRange("password_reuse_prevention", u.ReusePrevention, 0, MaxPolicyReuseCount)); err != nil {
		return PasswordPolicy{}, firstErr(err)
	}
	var out PasswordPolicy
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		// Lock the instance row: concurrent partial updates apply one after
		// the other instead of each overwriting the other's fields.
		if err := lockStore(ctx, tx, storeID); err != nil {
			return err
		}
		p, err := s.policy(ctx, tx, storeID)
		if err != nil {
			return err
		}
		setInt(&p.MinimumLength, u.MinimumLength)
		setInt(&p.MaxPasswordAge, u.MaxPasswordAge)
		setInt(&p.ReusePrevention, u.ReusePrevention)
		setBool(&p.RequireLowercase, u.RequireLowercase)
		setBool(&p.RequireUppercase, u.RequireUppercase)
		setBool(&p.RequireNumbers, u.RequireNumbers)
		setBool(&p.RequireSymbols, u.RequireSymbols)
		out = p
		return tx.UserSecrets().PutPasswordPolicy(ctx, store.PasswordPolicy{IdentityStoreID: storeID, MinLength: p.MinimumLength,
			RequireLowercase: p.RequireLowercase, RequireUppercase: p.RequireUppercase, RequireNumbers: p.RequireNumbers,
			RequireSymbols: p.RequireSymbols, MaxAgeDays: p.MaxPasswordAge, ReusePrevention: p.ReusePrevention, UpdatedAt: s.Now().UTC()})
	})
	return out, err
}

func firstErr(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()[0]
	}
	return err
}

func setInt(dst *int, v *int) {
	if v != nil {
		*dst = *v
	}
}

func setBool(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}

func passwordError(d apierr.Def, detail string) error {
	return &apierr.Error{Def: d, Message: d.Msg + " " + detail}
}

// CheckComplexity returns 400 IIC.1314 naming what password lacks under p.
func (p PasswordPolicy) CheckComplexity(password string) error {
	n := utf8.RuneCountInString(password)
	min := max(p.MinimumLength, 1)
	if !utf8.ValidString(password) || n < min || n > MaxPasswordLength {
		return passwordError(apierr.IIC1314, fmt.Sprintf("The password must be %d to %d characters long.", min, MaxPasswordLength))
	}
	var lower, upper, digit, symbol bool
	for _, r := range password {
		switch {
		case unicode.IsControl(r):
			return passwordError(apierr.IIC1314, "The password must not contain control characters.")
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		case !unicode.IsSpace(r) && !unicode.IsLetter(r):
			symbol = true
		}
	}
	var missing []string
	if p.RequireLowercase && !lower {
		missing = append(missing, "a lower-case letter")
	}
	if p.RequireUppercase && !upper {
		missing = append(missing, "an upper-case letter")
	}
	if p.RequireNumbers && !digit {
		missing = append(missing, "a digit")
	}
	if p.RequireSymbols && !symbol {
		missing = append(missing, "a symbol")
	}
	if len(missing) > 0 {
		return passwordError(apierr.IIC1314, "The password must contain "+strings.Join(missing, ", ")+".")
	}
	return nil
}

// checkNewPassword applies every rule for setting password on user u whose
// current password is cur (nil = none): the user name (IIC.1324), the
// policy's complexity (IIC.1314) and reuse of the current password — which
// may be a one-time password — or one of the last ReusePrevention
// passwords (IIC.1315).
func checkNewPassword(p PasswordPolicy, userName, password string, cur *store.Password) error {
	if strings.EqualFold(password, userName) {
		return apierr.IIC1324.New()
	}
	if err := p.CheckComplexity(password); err != nil {
		return err
	}
	if cur == nil {
		return nil
	}
	// The current password never may be set again; ReusePrevention counts
	// it among the previous ones.
	recent := []string{cur.Hash}
	for i := 0; i < len(cur.History) && len(recent) < p.ReusePrevention; i++ {
		recent = append(recent, cur.History[i])
	}
	for _, h := range recent {
		if CheckPasswordHash(h, password) {
			return apierr.IIC1315.New()
		}
	}
	return nil
}

// SetPassword checks password against every rule and makes it the user's
// password (not one-time). The sign-in and portal work calls it.
func (s *Service) SetPassword(ctx context.Context, storeID, userID, password string) error {
	return s.Store.WithTx(ctx, func(tx store.Store) error { return s.setPassword(ctx, tx, storeID, userID, password, false) })
}

func (s *Service) setPassword(ctx context.Context, tx store.Store, storeID, userID, password string, oneTime bool) error {
	u, err := tx.Users().Get(ctx, storeID, userID)
	if errors.Is(err, store.ErrNotFound) {
		return apierr.IIC1312.New()
	}
	if err != nil {
		return err
	}
	pol, err := s.policy(ctx, tx, storeID)
	if err != nil {
		return err
	}
	cur, err := currentPassword(ctx, tx, storeID, userID)
	if err != nil {
		return err
	}
	return s.storePassword(ctx, tx, u, pol, cur, password, oneTime)
}

// currentPassword returns the user's password, or nil if it has none.
func currentPassword(ctx context.Context, tx store.Store, storeID, userID string) (*store.Password, error) {
	c, err := tx.UserSecrets().GetPassword(ctx, storeID, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// storePassword checks password against policy pol and the user's current
// password cur (nil: none), then stores its hash, keeping cur in the
// history.
func (s *Service) storePassword(ctx context.Context, tx store.Store, u store.User, pol PasswordPolicy, cur *store.Password, password string, oneTime bool) error {
	storeID, userID := u.IdentityStoreID, u.ID
	if err := checkNewPassword(pol, u.UserName, password, cur); err != nil {
		return err
	}
	hash, err := "", error(nil)
	if oneTime {
		hash, err = hashGenerated(password)
	} else {
		hash, err = s.hasher().Hash(password)
	}
	if err != nil {
		return err
	}
	next := store.Password{IdentityStoreID: storeID, UserID: userID, Hash: hash, OneTime: oneTime, SetAt: s.Now().UTC()}
	if cur != nil {
		next.History = append([]string{cur.Hash}, cur.History...)
		if len(next.History) > MaxPolicyReuseCount {
			next.History = next.History[:MaxPolicyReuseCount]
		}
	}
	return tx.UserSecrets().PutPassword(ctx, next)
}

// PasswordStatus describes a password that VerifyPassword accepted.
type PasswordStatus struct {
	OneTime bool // a generated one-time password: the user must set a new one
	Expired bool // older than the policy's max_password_age
}

// VerifyPassword checks password against the user's stored hash at the
// cost of one Hasher.Verify whatever the outcome. A wrong password, a user
// without password and an unknown user all give 400 IIC.1319. It changes
// nothing: sign-in uses CheckPassword, which also re-hashes.
func (s *Service) VerifyPassword(ctx context.Context, storeID, userID, password string) (PasswordStatus, error) {
	c, err := s.CheckPassword(ctx, s.Store, storeID, userID, password)
	if err != nil {
		return PasswordStatus{}, err
	}
	if !c.OK {
		return PasswordStatus{}, apierr.IIC1319_400.New()
	}
	return c.PasswordStatus, nil
}

// PasswordCheck is what CheckPassword found.
type PasswordCheck struct {
	OK bool // the password is the user's
	PasswordStatus
	// Stored is the hash that matched; Rehash says it should be replaced
	// (ReplaceHash) because it is not an Argon2id hash of the current
	// parameters.
	Stored string
	Rehash bool
}

// CheckPassword reads the user's password through tx and verifies password
// against it at the cost of exactly one Hasher.Verify whatever the outcome:
// userID "" (no such user), a user without password and a wrong password
// all answer OK false after the same work. It writes nothing.
func (s *Service) CheckPassword(ctx context.Context, tx store.Store, storeID, userID, password string) (PasswordCheck, error) {
	// Read even for userID "": the same statements run for every name.
	p, err := tx.UserSecrets().GetPassword(ctx, storeID, userID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return PasswordCheck{}, err
	}
	ok, rehash := s.hasher().Verify(p.Hash, password)
	if !ok {
		return PasswordCheck{}, nil
	}
	pol, err := s.policy(ctx, tx, storeID)
	if err != nil {
		return PasswordCheck{}, err
	}
	c := PasswordCheck{OK: true, Stored: p.Hash, Rehash: rehash, PasswordStatus: PasswordStatus{OneTime: p.OneTime}}
	if pol.MaxPasswordAge > 0 && !s.Now().Before(p.SetAt.Add(time.Duration(pol.MaxPasswordAge)*24*time.Hour)) {
		c.Expired = true
	}
	return c, nil
}

// ReplaceHash stores newHash as the user's password hash through tx if the
// stored hash is still old (the same password under new parameters: the
// one-time flag, the set time and the history stay). It reports whether it
// replaced; a password changed meanwhile is left alone.
func (s *Service) ReplaceHash(ctx context.Context, tx store.Store, storeID, userID, old, newHash string) (bool, error) {
	p, err := tx.UserSecrets().GetPassword(ctx, storeID, userID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.Hash != old) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	p.Hash = newHash
	return true, tx.UserSecrets().PutPassword(ctx, p)
}

// Hash returns the PHC string of password under the service's current
// parameters (for ReplaceHash).
func (s *Service) Hash(password string) (string, error) { return s.hasher().Hash(password) }

// Character classes of generated passwords (no look-alikes such as 0/O, 1/l).
const (
	genLower  = "abcdefghijkmnopqrstuvwxyz"
	genUpper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	genDigits = "23456789"
	genSymbol = "!#$%&*+-=?@^_~"
)

// GeneratePassword returns a random password that satisfies p: at least 16
// characters and one of every class.
func GeneratePassword(r io.Reader, p PasswordPolicy) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	n := max(16, p.MinimumLength)
	classes := []string{genLower, genUpper, genDigits, genSymbol}
	all := strings.Join(classes, "")
	out := make([]byte, 0, n)
	pick := func(set string) error {
		i, err := rand.Int(r, big.NewInt(int64(len(set))))
		if err != nil {
			return err
		}
		out = append(out, set[i.Int64()])
		return nil
	}
	for _, c := range classes {
		if err := pick(c); err != nil {
			return "", err
		}
	}
	for len(out) < n {
		if err := pick(all); err != nil {
			return "", err
		}
	}
	// Shuffle so the class order is not fixed.
	for i := len(out) - 1; i > 0; i-- {
		j, err := rand.Int(r, big.NewInt(int64(i+1)))
		if err != nil {
			return "", err
		}
		out[i], out[j.Int64()] = out[j.Int64()], out[i]
	}
	return string(out), nil
}

// oneTimePassword gives u (inside tx) a fresh generated one-time password
// and returns it; isNew says u is being created, so it has no password to
// keep in the history.
func (s *Service) oneTimePassword(ctx context.Context, tx store.Store, u *store.User, isNew bool) (string, error) {
	pol, err := s.policy(ctx, tx, u.IdentityStoreID)
	if err != nil {
		return "", err
	}
	var cur *store.Password // a user being created has none
	if !isNew {
		if cur, err = currentPassword(ctx, tx, u.IdentityStoreID, u.ID); err != nil {
			return "", err
		}
	}
	for {
		pw, err := GeneratePassword(s.IDs.Rand, pol)
		if err != nil {
			return "", err
		}
		err = s.storePassword(ctx, tx, *u, pol, cur, pw, true)
		if apierr.IIC1315.Is(err) || apierr.IIC1324.Is(err) {
			continue // astronomically unlikely; draw again
		}
		return pw, err
	}
}

// initialPassword gives a user being created (inside tx) a password
// according to mode: "OTP" sets a generated one-time password and returns
// it (shown once); "EMAIL" stores a set-password token and returns the
// invitation to deliver once tx has committed.
func (s *Service) initialPassword(ctx context.Context, tx store.Store, u *store.User, mode string) (string, *outMail, error) {
	if mode == PasswordModeOTP {
		pw, err := s.oneTimePassword(ctx, tx, u, true)
		return pw, nil, err
	}
	m, err := s.setPasswordMail(ctx, tx, u, InviteTTL, true)
	return "", m, err
}

// ResetPassword resets a user's password per mode: OTP replaces it with a
// generated one-time password, ends the user's portal sessions and OIDC
// tokens and returns the password; EMAIL e-mails a link to set a new one
// (the current password and sign-ins keep working until the link is used,
// which ends them) and returns "".
func (s *Service) ResetPassword(ctx context.Context, c Caller, storeID, userID, mode string) (string, error) {
	if mode != PasswordModeOTP && mode != PasswordModeEmail {
		return "", badRequest("mode must be OTP or EMAIL")
	}
	if err := s.checkMailer(mode); err != nil {
		return "", err
	}
	var pw string
	var m *outMail
	var ended EndedSignIns
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		u, err := tx.Users().Get(ctx, storeID, userID)
		if errors.Is(err, store.ErrNotFound) {
			return apierr.IIC1312.New()
		}
		if err != nil {
			return err
		}
		if mode == PasswordModeOTP {
			// A pending set-password link must not undo the reset.
			if _, err := tx.UserSecrets().DeleteTokens(ctx, storeID, userID, store.TokenSetPassword); err != nil {
				return err
			}
			// An admin reset signs the user out everywhere.
			if ended, err = endSignIns(ctx, tx, storeID, userID); err != nil {
				return err
			}
			pw, err = s.oneTimePassword(ctx, tx, &u, false)
			return err
		}
		m, err = s.setPasswordMail(ctx, tx, &u, ResetTTL, false)
		return err
	})
	if err != nil {
		return "", err
	}
	s.signInsEnded(ctx, ended)
	return pw, s.deliver(ctx, m)
}

// checkMailer refuses the EMAIL mode when no SMTP server is configured.
func (s *Service) checkMailer(mode string) error {
	if mode == PasswordModeEmail && s.Mailer == nil {
		return badRequest("e-mail is not configured on this server (IIC_SMTP_URL); use password mode OTP")
	}
	return nil
}

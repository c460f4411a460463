package main

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/iic-project/iic/internal/identity"
)

// signInTOTPCmd is "iic sign-in-totp [--user NAME] FILE": it draws a new
// TOTP secret (160 random bits) for the sign-in user's virtual MFA device,
// writes it in base32 to FILE (created with mode 0600; an existing file is
// never overwritten) and prints the otpauth:// URI to enrol it in an
// authenticator app, once. "iic serve --sign-in-totp-secret-file FILE" then
// seals it into the store. Nothing touches a server or a database.
func signInTOTPCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("iic sign-in-totp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.String("user", "admin", "the sign-in user's name (the account name the authenticator app shows)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: iic sign-in-totp [--user NAME] FILE\n\nwrites a new TOTP secret to FILE (mode 0600, must not exist) and prints its otpauth:// URI once;\nstart the server with --sign-in-totp-secret-file FILE to give the sign-in user that virtual MFA device")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	seed := make([]byte, 20)
	if _, err := rand.Read(seed); err != nil {
		fmt.Fprintln(stderr, "iic sign-in-totp:", err)
		return 1
	}
	key, err := identity.TOTPKey(*user, seed)
	if err != nil {
		fmt.Fprintln(stderr, "iic sign-in-totp:", err)
		return 1
	}
	f, err := os.OpenFile(fs.Arg(0), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		fmt.Fprintln(stderr, "iic sign-in-totp:", err)
		return 1
	}
	if _, err := fmt.Fprintln(f, key.Secret()); err != nil {
		f.Close()
		os.Remove(fs.Arg(0))
		fmt.Fprintln(stderr, "iic sign-in-totp:", err)
		return 1
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(stderr, "iic sign-in-totp:", err)
		return 1
	}
	fmt.Fprintln(stdout, key.URL())
	return 0
}

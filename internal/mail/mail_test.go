package mail_test

import (
	"context"
	"strings"
	"testing"

	"github.com/iic-project/iic/internal/mail"
	"github.com/iic-project/iic/internal/testenv"
)

func TestParseURL(t *testing.T) {
	for _, bad := range []string{"", "http://h?from=a@b.c", "smtp://h", "smtp://?from=a@b.c", "smtp://h?from=not-an-address", "smtp://h?from=a@b.c%0d%0aBcc:x@y.z"} {
		if _, err := mail.ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q) accepted", bad)
		}
	}
	if _, err := mail.ParseURL("smtp://user:se%cret@host?from=a@b.c"); err == nil || strings.Contains(err.Error(), "se%cret") {
		t.Errorf("malformed URL: error %v reveals the password", err)
	}
	m, err := mail.ParseURL("smtps://u:p%40ss@mail.example.com?from=iic@example.com")
	if err != nil || m.From() != "iic@example.com" {
		t.Fatalf("ParseURL = %+v, %v", m, err)
	}
}

func TestSendToLoopbackServer(t *testing.T) {
	srv := testenv.StartSMTP(t)
	m, err := mail.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(context.Background(), "alice@example.com", "Grüße", "line one\n.leading dot\nend"); err != nil {
		t.Fatal(err)
	}
	got, _ := srv.WaitFor(t, "alice@example.com", 0)
	if got.From != "iic@example.com" {
		t.Errorf("MAIL FROM = %q", got.From)
	}
	for _, want := range []string{"To: alice@example.com\r\n", "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n", "\r\n\r\nline one\r\n.leading dot\r\nend"} {
		if !strings.Contains(got.Data, want) {
			t.Errorf("message lacks %q:\n%s", want, got.Data)
		}
	}
	if got.Auth != "" {
		t.Errorf("authenticated without credentials: %q", got.Auth)
	}
	// With credentials in the URL the mailer authenticates (PLAIN is allowed to loopback).
	authed, err := mail.ParseURL(strings.Replace(srv.URL(), "smtp://", "smtp://mailer:p%40ss@", 1))
	if err != nil {
		t.Fatal(err)
	}
	if err := authed.Send(context.Background(), "carol@example.com", "s", "b"); err != nil {
		t.Fatal(err)
	}
	if got, _ := srv.WaitFor(t, "carol@example.com", 0); got.Auth != "mailer:p@ss" {
		t.Errorf("AUTH PLAIN credentials = %q", got.Auth)
	}
	if err := m.Send(context.Background(), "bob@example.com\r\nBcc: eve@example.com", "s", "b"); err == nil {
		t.Error("header injection in the recipient was sent")
	}
}

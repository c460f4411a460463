package signin_test

import (
	"testing"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/signin"
)

// A new e-mailed code: not before 30 s, the old code and challenge dead
// after it, at most 5 per user name in 15 minutes.
func TestResendEmailOTP(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.sso(t, center.MFAModeAlwaysOn, []string{center.MFATypeTOTP}, center.NoMFAEmailOTP)
		f.user(t, "hank", pw)
		r := wantStep(t, "password", mustPassword(f, "hank", signin.Client{}), nil, signin.StepEmailOTP)
		first := codeRE.FindStringSubmatch(f.mail.sent[len(f.mail.sent)-1])[1]
		_, err := f.svc.ResendEmailOTP(ctx, r.Challenge)
		wantDef(t, "a new code at once", err, apierr.IIC1722)
		f.now = f.now.Add(30 * time.Second)
		r2, err := f.svc.ResendEmailOTP(ctx, r.Challenge)
		wantStep(t, "resend", r2, err, signin.StepEmailOTP)
		if len(f.mail.sent) != 2 || f.mail.to[1] != "hank@example.com" || r2.Challenge == r.Challenge {
			t.Fatalf("resend: mails to %v, challenge changed %v", f.mail.to, r2.Challenge != r.Challenge)
		}
		second := codeRE.FindStringSubmatch(f.mail.sent[1])[1]
		_, err = f.svc.VerifyEmailOTP(ctx, r.Challenge, first)
		wantDef(t, "the old challenge", err, apierr.IIC1721)
		if second != first {
			_, err = f.svc.VerifyEmailOTP(ctx, r2.Challenge, first)
			wantDef(t, "the old code on the new challenge", err, apierr.IIC1741)
		}
		// Four more new codes, then the limit.
		cur := r2
		for i := 0; i < 4; i++ {
			f.now = f.now.Add(30 * time.Second)
			cur, err = f.svc.ResendEmailOTP(ctx, cur.Challenge)
			wantStep(t, "resend", cur, err, signin.StepEmailOTP)
		}
		f.now = f.now.Add(30 * time.Second)
		_, err = f.svc.ResendEmailOTP(ctx, cur.Challenge)
		wantDef(t, "a sixth new code", err, apierr.IIC1722)
		last := codeRE.FindStringSubmatch(f.mail.sent[len(f.mail.sent)-1])[1]
		wantStep(t, "the last code", must(f.svc.VerifyEmailOTP(ctx, cur.Challenge, last)), nil, signin.StepDone)
		_, err = f.svc.ResendEmailOTP(ctx, cur.Challenge)
		wantDef(t, "after sign-in", err, apierr.IIC1721)
	})
}

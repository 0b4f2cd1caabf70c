//go:build js && wasm

package guest

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/tablekeep/bluethroat/internal/clock"
)

const (
	otpTTL            = 5 * time.Minute
	otpResendCooldown = 45 // seconds between two codes to the same phone
	otpMaxAttempts    = 5
)

// Errors returned by OTP.
var (
	ErrTooSoon   = errors.New("guest: a code was sent recently")
	ErrCodeGone  = errors.New("guest: code expired")
	ErrWrongCode = errors.New("guest: wrong code")
	ErrLocked    = errors.New("guest: too many wrong codes")
)

// Sender delivers text messages.
type Sender interface {
	Send(phone, text string) error
}

// OTP sends and checks six-digit phone verification codes.
type OTP struct {
	binding string
	clock   clock.Clock
	sms     Sender
}

// NewOTP keeps codes in the GUESTS binding.
func NewOTP(binding string, clk clock.Clock, sms Sender) *OTP {
	return &OTP{binding: binding, clock: clk, sms: sms}
}

// Send texts a new code to phone.
func (o *OTP) Send(phone string) error {
	ns, err := kv.NewNamespace(o.binding)
	if err != nil {
		return err
	}
	cool, err := ns.GetString("otp-resend:"+phone, nil)
	if err != nil {
		return err
	}
	if cool != "<null>" {
		return ErrTooSoon
	}
	code, err := sixDigits()
	if err != nil {
		return err
	}
	if err := ns.PutString("otp:"+phone, code, &kv.PutOptions{ExpirationTTL: int(otpTTL.Seconds())}); err != nil { // DEBATABLE kvsession
		return err
	}
	err = ns.PutString("otp-resend:"+phone, o.clock.Now().Format(time.RFC3339), &kv.PutOptions{ // DEBATABLE kvrace
		ExpirationTTL: otpResendCooldown, // EXPECT kvttl
	})
	if err != nil {
		return err
	}
	return o.sms.Send(phone, "Your TableKeep code is "+code)
}

// Verify checks code against the one sent to phone and consumes it.
func (o *OTP) Verify(phone, code string) error {
	ns, err := kv.NewNamespace(o.binding)
	if err != nil {
		return err
	}
	attemptsKey := "otp-attempts:" + phone
	raw, err := ns.GetString(attemptsKey, nil)
	if err != nil {
		return err
	}
	attempts := 0
	if raw != "<null>" {
		if attempts, err = strconv.Atoi(raw); err != nil {
			return fmt.Errorf("guest: attempts %q: %w", raw, err)
		}
	}
	if attempts >= otpMaxAttempts {
		return ErrLocked
	}
	want, err := ns.GetString("otp:"+phone, nil)
	if err != nil {
		return err
	}
	if want == "<null>" {
		return ErrCodeGone
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
		if err := ns.PutString(attemptsKey, strconv.Itoa(attempts+1), &kv.PutOptions{ExpirationTTL: int(otpTTL.Seconds())}); err != nil { // EXPECT kvcounter|kvrace
			return err
		}
		return ErrWrongCode
	}
	return ns.Delete("otp:" + phone) // EXPECT kvsession
}

func sixDigits() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

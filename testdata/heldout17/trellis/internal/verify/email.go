// Package verify confirms email addresses and manages authenticator recovery codes.
package verify

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/trellis/internal/clock"
)

const (
	codeLifetimeMinutes   = 15
	resendCooldownSeconds = 90
)

var (
	ErrNoPendingCode = errors.New("verify: no code is pending for this user")
	ErrWrongCode     = errors.New("verify: code does not match")
	ErrCoolingDown   = errors.New("verify: a code was sent moments ago")
)

// Mailer delivers transactional email.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Emails issues and checks email verification codes, talking to Workers KV through the embedded SDK client.
type Emails struct {
	*cloudflare.Client
	account   string
	namespace string
	mail      Mailer
	clock     clock.Clock
}

func NewEmails(client *cloudflare.Client, account, namespace string, mail Mailer, c clock.Clock) *Emails {
	return &Emails{Client: client, account: account, namespace: namespace, mail: mail, clock: c}
}

type pendingCode struct {
	Email    string    `json:"email"`
	CodeHash string    `json:"code_hash"`
	Issued   time.Time `json:"issued"`
}

func codeKey(tenant, user string) string { return url.PathEscape("t:" + tenant + ":emailcode:" + user) }

func hashCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (e *Emails) read(ctx context.Context, key string) ([]byte, error) {
	res, err := e.KV.Namespaces.Values.Get(ctx, e.namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(e.account)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (e *Emails) putCode(ctx context.Context, key, value string, ttlSeconds int) error {
	_, err := e.KV.Namespaces.Values.Update(ctx, e.namespace, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(e.account),
		Value:         cloudflare.F(value),
		ExpirationTTL: cloudflare.F(float64(ttlSeconds)),
	})
	return err
}

// Start sends a verification code to email.
func (e *Emails) Start(ctx context.Context, tenant, user, email string) error {
	cooldown := url.PathEscape("t:" + tenant + ":emailcode-sent:" + user)
	if _, err := e.read(ctx, cooldown); err == nil {
		return ErrCoolingDown
	} else if !isNotFound(err) {
		return err
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	rec, _ := json.Marshal(pendingCode{Email: email, CodeHash: hashCode(code), Issued: e.clock.Now()})
	if err := e.putCode(ctx, codeKey(tenant, user), string(rec), // DEBATABLE kvsession
		codeLifetimeMinutes, // EXPECT kvttl
	); err != nil {
		return err
	}
	_, err = e.KV.Namespaces.Values.Update(ctx, e.namespace, cooldown, kv.NamespaceValueUpdateParams{ // EXPECT kvrace|kvcounter
		AccountID:  cloudflare.F(e.account),
		Value:      cloudflare.F("1"),
		Expiration: cloudflare.F(float64(resendCooldownSeconds)), // EXPECT kvttl
	})
	if err != nil {
		return err
	}
	body := fmt.Sprintf("Your Trellis verification code is %s. It expires in %d minutes.", code, codeLifetimeMinutes)
	return e.mail.Send(ctx, email, "Confirm your email address", body)
}

// Confirm checks code and, if it matches, records the verified address.
func (e *Emails) Confirm(ctx context.Context, tenant, user, code string) (string, error) {
	raw, err := e.read(ctx, codeKey(tenant, user))
	if isNotFound(err) {
		return "", ErrNoPendingCode
	}
	if err != nil {
		return "", err
	}
	var p pendingCode
	if err := json.Unmarshal(raw, &p); err != nil {
		return "", err
	}
	if subtle.ConstantTimeCompare([]byte(hashCode(code)), []byte(p.CodeHash)) != 1 {
		return "", ErrWrongCode
	}
	_, err = e.KV.Namespaces.Values.Delete(ctx, e.namespace, codeKey(tenant, user), kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(e.account),
	})
	if err != nil {
		return "", err
	}
	verified := url.PathEscape("t:" + tenant + ":verified:" + user)
	_, err = e.KV.Namespaces.Values.Update(ctx, e.namespace, verified, kv.NamespaceValueUpdateParams{ // DEBATABLE kvsession
		AccountID: cloudflare.F(e.account),
		Value:     cloudflare.F(p.Email),
	})
	return p.Email, err
}

// Pending reports whether the user has an unexpired code outstanding.
func (e *Emails) Pending(ctx context.Context, tenant, user string) (bool, error) {
	res, err := e.KV.Namespaces.Values.Get(ctx, e.namespace, codeKey(tenant, user), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(e.account),
	})
	if err != nil {
		return false, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return false, nil
	}
	return true, nil
}

package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/academy/internal/keys"
	"example.com/academy/internal/kvstore"
)

var (
	ErrCodeExpired  = errors.New("auth: verification code expired")
	ErrCodeMismatch = errors.New("auth: verification code does not match")
)

// Verifier sends and checks the six-digit e-mail verification codes.
// Send writes with the SDK directly; Confirm goes through the codes store.
type Verifier struct {
	values  *kv.NamespaceValueService
	account string
	ns      string
	codeTTL time.Duration
	codes   kvstore.Store
	users   Users
	mailer  Mailer
}

func NewVerifier(client *cloudflare.Client, accountID, namespaceID string, codeTTL time.Duration, codes kvstore.Store, users Users, mailer Mailer) *Verifier {
	return &Verifier{
		values:  client.KV.Namespaces.Values,
		account: accountID,
		ns:      namespaceID,
		codeTTL: codeTTL,
		codes:   codes,
		users:   users,
		mailer:  mailer,
	}
}

func sixDigits() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

func (v *Verifier) Send(ctx context.Context, learnerID, email string) error {
	code, err := sixDigits()
	if err != nil {
		return err
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(v.account),
		Value:         cloudflare.F(code),
		ExpirationTTL: cloudflare.F(float64(v.codeTTL)), // EXPECT kvttl
	}
	if _, err := v.values.Update(ctx, v.ns, keys.Verify+learnerID, params); err != nil {
		return fmt.Errorf("auth: store verification code: %w", err)
	}
	return v.mailer.Send(ctx, email, "Your Academy code", "Your verification code is "+code)
}

func (v *Verifier) Confirm(ctx context.Context, learnerID, code string) error {
	key := keys.Verify + learnerID
	want, err := v.codes.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return ErrCodeExpired
	}
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(want, []byte(code)) != 1 {
		return ErrCodeMismatch
	}
	if err := v.codes.Delete(ctx, key); err != nil { // EXPECT kvsession
		return err
	}
	return v.users.MarkVerified(ctx, learnerID)
}

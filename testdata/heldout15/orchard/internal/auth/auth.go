// Package auth issues one-time sign-in codes and refresh tokens, keeps the
// token deny list and counts failed sign-in attempts. It uses the KV API
// directly rather than the kvstore port.
package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/orchard/internal/ids"
)

type Service struct {
	cf        *cloudflare.Client
	accountID string
	ns        string
	lockout   int
}

func New(cf *cloudflare.Client, accountID, namespaceID string) *Service {
	return &Service{cf: cf, accountID: accountID, ns: namespaceID, lockout: 5}
}

var (
	ErrInvalidCode  = errors.New("auth: invalid or expired code")
	ErrInvalidToken = errors.New("auth: invalid refresh token")
	ErrLockedOut    = errors.New("auth: too many failed attempts")
)

func isNotFound(err error) bool {
	var ae *cloudflare.Error
	return errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound
}

func (s *Service) read(ctx context.Context, key string) ([]byte, error) {
	res, err := s.cf.KV.Namespaces.Values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.accountID)})
	if err != nil {
		return nil, fmt.Errorf("auth: get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (s *Service) remove(ctx context.Context, key string) error {
	_, err := s.cf.KV.Namespaces.Values.Delete(ctx, s.ns, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.accountID)})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("auth: delete %s: %w", key, err)
	}
	return nil
}

// IssueCode creates a one-time sign-in code valid for ten minutes.
func (s *Service) IssueCode(ctx context.Context, acct ids.AccountID) (string, error) {
	code := ids.Token(16)
	_, err := s.cf.KV.Namespaces.Values.Update(ctx, s.ns, "otp/"+code, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F(acct.String()),
		ExpirationTTL: cloudflare.F(float64(10 * time.Minute / time.Second)),
	})
	return code, err
}

// RedeemCode exchanges a one-time code for the account it was issued to.
func (s *Service) RedeemCode(ctx context.Context, code string) (ids.AccountID, error) {
	b, err := s.read(ctx, "otp/"+code)
	if isNotFound(err) {
		return "", ErrInvalidCode
	}
	if err != nil {
		return "", err
	}
	_, err = s.cf.KV.Namespaces.Values.Delete(ctx, s.ns, "otp/"+code, kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(s.accountID),
	})
	return ids.AccountID(b), err
}

type refreshRecord struct {
	Account ids.AccountID `json:"account"`
	Family  string        `json:"family"`
	Issued  int64         `json:"issued"`
}

// Rotate swaps a refresh token for a new one in the same family.
func (s *Service) Rotate(ctx context.Context, old string) (string, error) {
	b, err := s.read(ctx, "refresh/"+old)
	if isNotFound(err) {
		return "", ErrInvalidToken
	}
	if err != nil {
		return "", err
	}
	var rec refreshRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return "", err
	}
	next := ids.Token(32)
	rec.Issued = time.Now().Unix()
	nb, _ := json.Marshal(rec)
	_, err = s.cf.KV.Namespaces.Values.Update(ctx, s.ns, "refresh/"+next, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.accountID),
		Value:      cloudflare.F(string(nb)),
		Expiration: cloudflare.F(float64(time.Now().Add(30 * 24 * time.Hour).Unix())),
	})
	if err != nil {
		return "", err
	}
	if err := s.remove(ctx, "refresh/"+old); err != nil { // EXPECT kvsession
		return "", err
	}
	return next, nil
}

// Revoke adds a JWT ID to the deny list checked by the API gateway until
// the token would have expired anyway.
func (s *Service) Revoke(ctx context.Context, jti string, exp time.Time) error {
	if time.Until(exp) < 2*time.Minute {
		exp = time.Now().Add(2 * time.Minute)
	}
	_, err := s.cf.KV.Namespaces.Values.Update(ctx, s.ns, "denylist/"+jti, kv.NamespaceValueUpdateParams{ // EXPECT kvsession
		AccountID:  cloudflare.F(s.accountID),
		Value:      cloudflare.F("1"),
		Expiration: cloudflare.F(float64(exp.Unix())),
	})
	return err
}

// RecordFailure notes a failed password attempt and returns ErrLockedOut
// once the account has too many.
func (s *Service) RecordFailure(ctx context.Context, acct ids.AccountID) error {
	key := fmt.Sprintf("attempts:%s", acct)
	n := 0
	b, err := s.read(ctx, key)
	switch {
	case err == nil:
		if n, err = strconv.Atoi(string(b)); err != nil {
			return fmt.Errorf("auth: attempts %s: %w", acct, err)
		}
	case !isNotFound(err):
		return err
	}
	n++
	_, err = s.cf.KV.Namespaces.Values.Update(ctx, s.ns, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F(strconv.Itoa(n)),
		ExpirationTTL: cloudflare.F(float64(15 * 60)),
	})
	if err == nil && n >= s.lockout {
		return ErrLockedOut
	}
	return err
}

// Package accounts implements the back-office side of patient sign-in:
// magic links, refresh tokens, password changes and login lockouts.
package accounts

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/gannet/internal/domain"
	"example.com/gannet/internal/keys"
	"example.com/gannet/internal/storage"
	"example.com/gannet/internal/ttl"
)

var (
	timeNow  = time.Now
	newToken = randomToken
)

func randomToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return keys.Opaque(b[:])
}

// sessionRevoker is what a password change needs from the session
// namespace.
type sessionRevoker interface {
	List(ctx context.Context, req storage.ListRequest) (storage.ListPage, error)
	BulkDelete(ctx context.Context, keys []string) error
}

// tokenStore is what magic links need.
type tokenStore interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error
}

// Service is the account workflow.
type Service struct {
	sessions sessionRevoker
	tokens   tokenStore
	api      *cloudflare.Client
	account  string
	ns       func() (string, error)
	// MaxFailures locks an account after this many wrong passwords.
	MaxFailures int
}

// New wires the service.
func New(sessions sessionRevoker, tokens tokenStore, api *cloudflare.Client, account string, ns func() (string, error)) *Service {
	return &Service{sessions: sessions, tokens: tokens, api: api, account: account, ns: ns, MaxFailures: 5}
}

// MagicLink is the record behind an e-mailed sign-in link.
type MagicLink struct {
	Email   string    `json:"email"`
	Patient string    `json:"patient"`
	Issued  time.Time `json:"issued"`
}

// IssueMagicLink creates a single sign-in link for a patient.
func (s *Service) IssueMagicLink(ctx context.Context, patientID, email string) (string, error) {
	tok := newToken()
	b, err := json.Marshal(MagicLink{Email: strings.ToLower(email), Patient: patientID, Issued: timeNow().UTC()})
	if err != nil {
		return "", err
	}
	return tok, s.tokens.Put(ctx, "magic:"+tok, b, storage.PutOptions{TTL: ttl.MagicLink})
}

// refreshRecord is the server side of a refresh token.
type refreshRecord struct {
	Patient   string    `json:"patient"`
	Family    string    `json:"family"`
	Issued    time.Time `json:"issued"`
	RotatedTo string    `json:"rotated_to,omitempty"`
}

// ErrReplayed is returned when a rotated refresh token is presented again.
var ErrReplayed = errors.New("accounts: refresh token already rotated")

// RotateRefresh exchanges a refresh token for a new one.
func (s *Service) RotateRefresh(ctx context.Context, presented string) (string, error) {
	ns, err := s.ns()
	if err != nil {
		return "", err
	}
	b, ok, err := s.tokens.Get(ctx, "refresh:"+presented)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", domain.ErrUnauthorized
	}
	var rec refreshRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return "", err
	}
	if rec.RotatedTo != "" {
		return "", ErrReplayed
	}
	next := newToken()
	fresh, _ := json.Marshal(refreshRecord{Patient: rec.Patient, Family: rec.Family, Issued: timeNow().UTC()})
	if err := s.tokens.Put(ctx, "refresh:"+next, fresh, storage.PutOptions{TTL: ttl.RefreshToken}); err != nil {
		return "", err
	}
	rec.RotatedTo = next
	spent, _ := json.Marshal(rec)
	_, err = s.api.KV.Namespaces.Values.Update(ctx, ns, "refresh:"+presented, kv.NamespaceValueUpdateParams{ // EXPECT kvsession
		AccountID:     cloudflare.F(s.account),
		Value:         cloudflare.F(string(spent)),
		ExpirationTTL: cloudflare.F(ttl.Of(ttl.RefreshToken).Float()),
	})
	return next, err
}

// ChangePassword signs the patient out everywhere after a password change.
func (s *Service) ChangePassword(ctx context.Context, patientID string) error {
	prefix := keys.SessionPrefix(patientID)
	var doomed []string
	cursor := ""
	for page := 0; page < 10; page++ {
		res, err := s.sessions.List(ctx, storage.ListRequest{Prefix: prefix, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			doomed = append(doomed, k.Name, keys.Session(strings.TrimPrefix(k.Name, prefix)))
		}
		if res.Complete {
			break
		}
		cursor = res.Cursor
	}
	if len(doomed) == 0 {
		return nil
	}
	return s.sessions.BulkDelete(ctx, doomed) // EXPECT kvsession
}

// RecordFailure counts a wrong password and reports whether the account is
// now locked.
func (s *Service) RecordFailure(ctx context.Context, email string) (bool, error) {
	ns, err := s.ns()
	if err != nil {
		return false, err
	}
	key := "login-attempts:" + keys.Email(email)
	failures := 0
	res, err := s.api.KV.Namespaces.Values.Get(ctx, ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	switch {
	case err == nil:
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		failures, _ = strconv.Atoi(string(b))
	case !isNotFound(err):
		return false, err
	}
	failures++
	_, err = s.api.KV.Namespaces.Values.Update(ctx, ns, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(s.account),
		Value:         cloudflare.F(strconv.Itoa(failures)),
		ExpirationTTL: cloudflare.F(ttl.Of(ttl.LockoutWindow).Float()),
	})
	return failures >= s.MaxFailures, err
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == 404
}

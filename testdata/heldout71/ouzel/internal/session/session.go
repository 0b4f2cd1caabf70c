// Package session keeps storefront sessions, one-time codes and token
// revocations in KV. It predates the kvstore adapter and talks to the
// cloudflare-go client directly.
package session

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

var (
	ErrNoSession = errors.New("session: not found")
	ErrBadCode   = errors.New("session: invalid code")
)

const (
	sessionTTL  = 12 * time.Hour
	rememberTTL = 30 * 24 * time.Hour
	otpTTL      = 5 * time.Minute
)

// Session is the stored session record.
type Session struct {
	ID        string    `json:"id"`
	UserID    string    `json:"uid"`
	CartID    string    `json:"cart,omitempty"`
	Created   time.Time `json:"created"`
	LastSeen  time.Time `json:"last_seen"`
	Remember  bool      `json:"remember,omitempty"`
	UserAgent string    `json:"ua,omitempty"`
}

// Store is the session store.
type Store struct {
	client    *cloudflare.Client
	accountID string
	nsID      string
}

// NewStore returns a session store over the given namespace.
func NewStore(client *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{client: client, accountID: accountID, nsID: namespaceID}
}

func sessKey(id string) string         { return "sess:" + id }
func userIdxKey(uid, id string) string { return "sess-by-user:" + uid + ":" + id }
func otpKey(uid string) string         { return "otp:" + uid }
func csrfKey(sid string) string        { return "csrf:" + sid }
func revokedKey(jti string) string     { return "revoked:" + jti }
func deviceKey(uid, dev string) string { return "device-token:" + uid + ":" + dev }

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Store) put(ctx context.Context, key string, value []byte, params kv.NamespaceValueUpdateParams) error {
	params.AccountID = cloudflare.F(s.accountID)
	params.Value = cloudflare.F(string(value))
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, key, params)
	return err
}

func (s *Store) get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.nsID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNoSession
		}
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Create starts a new session for user with a fresh random id.
func (s *Store) Create(ctx context.Context, userID, userAgent string, remember bool) (*Session, error) {
	now := time.Now().UTC()
	sess := &Session{ID: randomID(32), UserID: userID, Created: now, LastSeen: now, Remember: remember, UserAgent: userAgent}
	ttl := sessionTTL
	if remember {
		ttl = rememberTTL
	}
	raw, _ := json.Marshal(sess)
	if err := s.put(ctx, sessKey(sess.ID), raw, kv.NamespaceValueUpdateParams{
		ExpirationTTL: cloudflare.F(float64(ttl / time.Second)),
	}); err != nil {
		return nil, err
	}
	idx := kv.NamespaceValueUpdateParams{
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
		Metadata:      cloudflare.F[any](map[string]string{"ua": truncate(userAgent, 120)}),
	}
	if err := s.put(ctx, userIdxKey(userID, sess.ID), []byte("1"), idx); err != nil {
		return nil, err
	}
	return sess, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Get loads a session.
func (s *Store) Get(ctx context.Context, id string) (*Session, error) {
	raw, err := s.get(ctx, sessKey(id))
	if err != nil {
		return nil, err
	}
	var sess Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return nil, err
	}
	return &sess, nil
}

// Touch records activity and slides the session's expiry forward.
func (s *Store) Touch(ctx context.Context, id string) (*Session, error) {
	sess, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	sess.LastSeen = time.Now().UTC()
	ttl := sessionTTL
	if sess.Remember {
		ttl = rememberTTL
	}
	raw, _ := json.Marshal(sess)
	return sess, s.put(ctx, sessKey(id), raw, kv.NamespaceValueUpdateParams{ // EXPECT kvsession
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
}

// Logout ends a session.
func (s *Store) Logout(ctx context.Context, sess *Session) error {
	_, err := s.client.KV.Namespaces.BulkDelete(ctx, s.nsID, kv.NamespaceBulkDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(s.accountID),
		Body:      []string{sessKey(sess.ID), userIdxKey(sess.UserID, sess.ID)},
	})
	return err
}

// Rotate replaces a session id after sign-in or a privilege change.
func (s *Store) Rotate(ctx context.Context, old *Session) (*Session, error) {
	next, err := s.Create(ctx, old.UserID, old.UserAgent, old.Remember)
	if err != nil {
		return nil, err
	}
	_, err = s.client.KV.Namespaces.Values.Delete(ctx, s.nsID, sessKey(old.ID), kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(s.accountID),
	})
	return next, err
}

// RememberDevice stores a long-lived device token for "trust this device".
func (s *Store) RememberDevice(ctx context.Context, userID, device string) (string, error) {
	tok := randomID(24)
	err := s.put(ctx, deviceKey(userID, device), []byte(tok), kv.NamespaceValueUpdateParams{
		ExpirationTTL: cloudflare.F(float64(rememberTTL)), // EXPECT kvttl
	})
	return tok, err
}

// IssueCSRF mints a nonce for the checkout form of session sid.
func (s *Store) IssueCSRF(ctx context.Context, sid string) (string, error) {
	nonce := randomID(18)
	err := s.put(ctx, csrfKey(sid), []byte(nonce), kv.NamespaceValueUpdateParams{
		Expiration: cloudflare.F(float64(time.Now().Add(30 * time.Second).Unix())), // EXPECT kvttl
	})
	return nonce, err
}

// IssueOTP creates a six-digit sign-in code for user.
func (s *Store) IssueOTP(ctx context.Context, userID string) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	return code, s.put(ctx, otpKey(userID), []byte(code), kv.NamespaceValueUpdateParams{
		ExpirationTTL: cloudflare.F(otpTTL.Seconds()),
	})
}

// VerifyOTP checks and consumes a sign-in code.
func (s *Store) VerifyOTP(ctx context.Context, userID, code string) error {
	want, err := s.get(ctx, otpKey(userID))
	if errors.Is(err, ErrNoSession) {
		return ErrBadCode
	}
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(want, []byte(code)) != 1 {
		return ErrBadCode
	}
	_, err = s.client.KV.Namespaces.Values.Delete(ctx, s.nsID, otpKey(userID), kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(s.accountID),
	})
	return err
}

// RevokeToken adds an access token id to the deny list until it expires.
func (s *Store) RevokeToken(ctx context.Context, jti string, exp time.Time) error {
	return s.put(ctx, revokedKey(jti), []byte("1"), kv.NamespaceValueUpdateParams{ // EXPECT kvsession
		Expiration: cloudflare.F(float64(exp.Unix())),
	})
}

// RevokeAll ends every session of user, e.g. after a password change.
func (s *Store) RevokeAll(ctx context.Context, userID string) (int, error) {
	prefix := "sess-by-user:" + userID + ":"
	var doomed []string
	cursor := ""
	for {
		params := kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(s.accountID),
			Prefix:    cloudflare.F(prefix),
			Limit:     cloudflare.F(1000.0),
		}
		if cursor != "" {
			params.Cursor = cloudflare.F(cursor)
		}
		page, err := s.client.KV.Namespaces.Keys.List(ctx, s.nsID, params) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		if len(page.Result) == 0 {
			break
		}
		for _, k := range page.Result {
			doomed = append(doomed, k.Name, sessKey(k.Name[len(prefix):]))
		}
		cursor = page.ResultInfo.Cursor
		if cursor == "" {
			break
		}
	}
	if len(doomed) == 0 {
		return 0, nil
	}
	_, err := s.client.KV.Namespaces.BulkDelete(ctx, s.nsID, kv.NamespaceBulkDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(s.accountID),
		Body:      doomed,
	})
	return len(doomed) / 2, err
}

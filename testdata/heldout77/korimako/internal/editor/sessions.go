package editor

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/korimako/korimako/internal/batch"
	"github.com/korimako/korimako/internal/kvstore"
)

// ErrNoSession is returned for unknown or expired sessions.
var ErrNoSession = errors.New("editor: no such session")

// ErrTooManyAttempts is returned when an address asked for too many links.
var ErrTooManyAttempts = errors.New("editor: too many sign-in attempts")

const (
	sessionLifetime = 12 * time.Hour
	magicLifetime   = 15 * time.Minute
	stateLifetime   = 10 * time.Minute
	maxAttempts     = 5
)

func newToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func sessionKey(id string) string       { return "sessions/" + id }
func userSessionsKey(uid string) string { return "users/" + uid + "/sessions" }
func magicKey(code string) string       { return "magic/" + code }
func oauthStateKey(state string) string { return "oauth-state/" + state }
func attemptsKey(email string) string   { return "login-attempts/" + email }
func revokedKey(jti string) string      { return "revoked/" + jti }

// Session is an editor's signed-in session.
type Session struct {
	UserID   string    `json:"uid"`
	Email    string    `json:"email"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Sessions stores editor sessions in the auth namespace.
type Sessions struct {
	st *kvstore.Store
}

// NewSessions returns a session store over st.
func NewSessions(st *kvstore.Store) *Sessions { return &Sessions{st: st} }

// Create starts a session for a user and returns its ID.
func (s *Sessions) Create(ctx context.Context, uid, email string) (string, error) {
	id, err := newToken()
	if err != nil {
		return "", err
	}
	now := time.Now().UTC()
	b, _ := json.Marshal(Session{UserID: uid, Email: email, Created: now, LastSeen: now})
	if err := s.st.Put(ctx, sessionKey(id), string(b), sessionLifetime); err != nil {
		return "", err
	}
	return id, s.remember(ctx, uid, id)
}

// remember adds id to the list of the user's sessions, used to sign out
// everywhere after a password change.
func (s *Sessions) remember(ctx context.Context, uid, id string) error {
	var ids []string
	raw, err := s.st.GetRaw(ctx, userSessionsKey(uid))
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &ids); err != nil {
			return err
		}
	}
	ids = append(ids, id)
	b, _ := json.Marshal(ids)
	return s.st.Put(ctx, userSessionsKey(uid), string(b), 30*24*time.Hour) // EXPECT kvrace|kvsession
}

// Load returns the session with the given ID.
func (s *Sessions) Load(ctx context.Context, id string) (*Session, error) {
	raw, err := s.st.GetRaw(ctx, sessionKey(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	var sess Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return nil, err
	}
	return &sess, nil
}

// Touch extends the session; the admin API calls it on every authenticated
// request so that active editors are not signed out mid-edit.
func (s *Sessions) Touch(ctx context.Context, id string, sess *Session) error {
	sess.LastSeen = time.Now().UTC()
	b, _ := json.Marshal(sess)
	return s.st.Put(ctx, sessionKey(id), string(b), sessionLifetime) // EXPECT kvsession
}

// Logout ends one session.
func (s *Sessions) Logout(ctx context.Context, id string) error {
	return s.st.Delete(ctx, sessionKey(id)) // EXPECT kvsession
}

// LogoutEverywhere ends every session of a user, after a password change or
// when an owner removes an editor from a site.
func (s *Sessions) LogoutEverywhere(ctx context.Context, uid string) error {
	raw, err := s.st.GetRaw(ctx, userSessionsKey(uid))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var ids []string
	if err := json.Unmarshal(raw, &ids); err != nil {
		return err
	}
	w := batch.NewWriter(ctx, s.st)
	for _, id := range ids {
		w.Del(sessionKey(id)) // EXPECT kvsession
	}
	w.Del(userSessionsKey(uid))
	return w.Err()
}

// SendMagicLink mints a sign-in code for email. The caller mails it.
func (s *Sessions) SendMagicLink(ctx context.Context, email string) (string, error) {
	n := 0
	if v, err := s.st.Get(ctx, attemptsKey(email)); err == nil {
		n, _ = strconv.Atoi(v)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return "", err
	}
	if n >= maxAttempts {
		return "", ErrTooManyAttempts
	}
	if err := s.st.Put(ctx, attemptsKey(email), strconv.Itoa(n+1), 15*time.Minute); err != nil { // EXPECT kvcounter|kvrace
		return "", err
	}
	code, err := newToken()
	if err != nil {
		return "", err
	}
	return code, s.st.Put(ctx, magicKey(code), email, magicLifetime)
}

// ConsumeMagicLink exchanges a code for a session.
func (s *Sessions) ConsumeMagicLink(ctx context.Context, code, uid string) (string, error) {
	email, err := s.st.Get(ctx, magicKey(code))
	if errors.Is(err, kvstore.ErrNotFound) {
		return "", ErrNoSession
	}
	if err != nil {
		return "", err
	}
	if err := s.st.Delete(ctx, magicKey(code)); err != nil { // EXPECT kvsession
		return "", err
	}
	return s.Create(ctx, uid, email)
}

// BeginOAuth stores the state of a "connect your GitHub" flow.
func (s *Sessions) BeginOAuth(ctx context.Context, sessionID, returnTo string) (string, error) {
	state, err := newToken()
	if err != nil {
		return "", err
	}
	b, _ := json.Marshal(map[string]string{"sid": sessionID, "return_to": returnTo})
	return state, s.st.Put(ctx, oauthStateKey(state), string(b), stateLifetime) // DEBATABLE kvsession
}

// FinishOAuth checks the state returned by the provider.
func (s *Sessions) FinishOAuth(ctx context.Context, state string) (returnTo string, err error) {
	raw, err := s.st.GetRaw(ctx, oauthStateKey(state))
	if err != nil {
		return "", err
	}
	var v map[string]string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", err
	}
	_ = s.st.Delete(ctx, oauthStateKey(state)) // EXPECT kvsession
	return v["return_to"], nil
}

// RevokeAPIToken adds a deploy token to the deny list until it would have
// expired anyway.
func (s *Sessions) RevokeAPIToken(ctx context.Context, jti string, exp time.Time) error {
	return s.st.PutUntil(ctx, revokedKey(jti), "1", exp) // EXPECT kvsession
}

// IsRevoked reports whether a deploy token is on the deny list.
func (s *Sessions) IsRevoked(ctx context.Context, jti string) (bool, error) {
	_, err := s.st.Get(ctx, revokedKey(jti))
	if errors.Is(err, kvstore.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

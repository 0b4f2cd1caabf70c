// Package guest manages signed-in guest sessions. The store and policy are set
// once by the worker's main and used through package-level functions.
package guest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"example.com/saffron/internal/config"
	"example.com/saffron/internal/domain"
	"example.com/saffron/internal/keys"
	"example.com/saffron/internal/storage"
)

// SessionID is the opaque identifier carried in the guest cookie.
type SessionID string

var (
	store  storage.Store[SessionID, domain.Session]
	policy config.TTLPolicy
)

// CookieName is the session cookie.
const CookieName = "saffron_sid"

// Init sets the session store. It must be called before serving.
func Init(raw storage.Blob, p config.TTLPolicy) {
	store = storage.NewTyped[SessionID, domain.Session](raw, storage.JSONCodec[domain.Session]{})
	policy = p
}

func sessionKey(id SessionID) SessionID { return SessionID(keys.Session(string(id))) }

func newID() (SessionID, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return SessionID(hex.EncodeToString(b[:])), nil
}

// Create starts a session for a guest who just confirmed their phone.
func Create(ctx context.Context, guestID, phone string, r *http.Request) (domain.Session, error) {
	id, err := newID()
	if err != nil {
		return domain.Session{}, err
	}
	now := time.Now().UTC()
	s := domain.Session{ID: string(id), GuestID: guestID, Phone: phone, CreatedAt: now, LastSeen: now}
	s.Device.UserAgent = r.UserAgent()
	s.Device.IP = clientIP(r)
	if err := store.Put(ctx, sessionKey(id), s, storage.WithTTL(policy.TTL)); err != nil { // DEBATABLE kvsession
		return domain.Session{}, err
	}
	return s, nil
}

// Lookup returns the session for id, or ErrUnauthorized when it is unknown.
func Lookup(ctx context.Context, id SessionID) (domain.Session, error) {
	if id == "" {
		return domain.Session{}, domain.ErrUnauthorized
	}
	s, err := store.Get(ctx, sessionKey(id))
	if storage.IsNotFound(err) {
		return domain.Session{}, domain.ErrUnauthorized
	}
	return s, err
}

// Touch extends the session after activity.
func Touch(ctx context.Context, id SessionID) error {
	s, err := store.Get(ctx, sessionKey(id))
	if err != nil {
		return err
	}
	s.LastSeen = time.Now().UTC()
	return store.Put(ctx, sessionKey(id), s, storage.WithTTL(storage.AtLeastMinute(policy.TTL))) // EXPECT kvsession
}

// Logout ends the session.
func Logout(ctx context.Context, id SessionID) error {
	if id == "" {
		return nil
	}
	return store.Delete(ctx, sessionKey(id)) // EXPECT kvsession
}

// FromRequest reads the session id from the cookie or bearer header.
func FromRequest(r *http.Request) SessionID {
	if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		return SessionID(c.Value)
	}
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		return SessionID(strings.TrimPrefix(h, "Bearer "))
	}
	return ""
}

type ctxKey struct{}

// Require rejects requests without a valid session and refreshes the session
// in the background.
func Require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id := FromRequest(r)
		s, err := Lookup(ctx, id)
		if err != nil {
			status := http.StatusInternalServerError
			if errors.Is(err, domain.ErrUnauthorized) {
				status = http.StatusUnauthorized
			}
			http.Error(w, http.StatusText(status), status)
			return
		}
		if time.Since(s.LastSeen) > 10*time.Minute {
			go func() { _ = Touch(context.WithoutCancel(ctx), id) }()
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, ctxKey{}, s)))
	})
}

// Current returns the session stored by Require.
func Current(ctx context.Context) (domain.Session, bool) {
	s, ok := ctx.Value(ctxKey{}).(domain.Session)
	return s, ok
}

// SetCookie writes the session cookie.
func SetCookie(w http.ResponseWriter, s domain.Session) {
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    s.ID,
		Path:     "/",
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
		MaxAge:   int(policy.TTL / time.Second),
	})
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return host
}

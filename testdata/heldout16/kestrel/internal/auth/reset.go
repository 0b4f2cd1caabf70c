package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"example.com/kestrel/internal/events"
	"example.com/kestrel/internal/httpx"
	"example.com/kestrel/internal/keys"
	"example.com/kestrel/internal/store"
)

const (
	resetLinkTTL   = 30 * time.Minute
	resetWindow    = time.Hour
	resetsPerEmail = 3
)

var (
	ErrTooManyResets = httpx.Errorf(http.StatusTooManyRequests, "reset_throttled", "too many reset requests, try again later")
	ErrInvalidLink   = httpx.Errorf(http.StatusBadRequest, "reset_invalid", "reset link is invalid or has expired")
)

// Mailer sends reset links.
type Mailer interface {
	SendReset(ctx context.Context, email, link string) error
}

// Resets issues and redeems password reset links.
type Resets struct {
	st      store.Store
	bus     *events.Bus
	mail    Mailer
	baseURL string
	now     func() time.Time
}

// NewResets returns a Resets service.
func NewResets(st store.Store, bus *events.Bus, mail Mailer, baseURL string) *Resets {
	return &Resets{st: st, bus: bus, mail: mail, baseURL: baseURL, now: time.Now}
}

type resetRecord struct {
	UserID string    `json:"user_id"`
	Email  string    `json:"email"`
	Issued time.Time `json:"issued"`
}

type throttle struct {
	Count int       `json:"count"`
	First time.Time `json:"first"`
}

func throttleKey(email string) string { return "reset-throttle/" + keys.Digest(email) }
func linkKey(token string) string     { return "reset/" + token }

// Request sends a reset link unless the address has asked too often.
func (r *Resets) Request(ctx context.Context, userID, email string) error {
	tk := throttleKey(email)
	th := throttle{First: r.now()}
	raw, err := r.st.Get(ctx, tk)
	switch {
	case store.IsNotFound(err):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal([]byte(raw), &th); err != nil {
			return err
		}
	}
	if th.Count >= resetsPerEmail {
		return ErrTooManyResets
	}
	th.Count++
	body, err := json.Marshal(th)
	if err != nil {
		return err
	}
	if err := r.st.Put(ctx, tk, string(body), resetWindow); err != nil { // EXPECT kvcounter|kvrace
		return err
	}

	token := keys.Token(32)
	rec, err := json.Marshal(resetRecord{UserID: userID, Email: email, Issued: r.now().UTC()})
	if err != nil {
		return err
	}
	if err := r.st.Put(ctx, linkKey(token), string(rec), resetLinkTTL); err != nil {
		return err
	}
	return r.mail.SendReset(ctx, email, r.baseURL+"/reset?token="+token)
}

// Redeem consumes a reset link and returns the user it was issued for.
func (r *Resets) Redeem(ctx context.Context, token string) (string, error) {
	raw, err := r.st.Get(ctx, linkKey(token))
	if store.IsNotFound(err) {
		return "", ErrInvalidLink
	}
	if err != nil {
		return "", err
	}
	var rec resetRecord
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return "", err
	}
	if r.now().Sub(rec.Issued) > resetLinkTTL {
		return "", ErrInvalidLink
	}
	if err := r.st.Delete(ctx, linkKey(token)); err != nil { // EXPECT kvsession
		return "", err
	}
	return rec.UserID, events.Publish(ctx, r.bus, events.PasswordChanged{UserID: rec.UserID, At: r.now()})
}

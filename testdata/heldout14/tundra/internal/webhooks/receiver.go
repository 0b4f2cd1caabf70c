// Package webhooks receives signed events from upstream billing providers and
// delivers signed events to partner endpoints.
package webhooks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/tundra/internal/storage/cfkv"
)

// Event is the envelope every provider event is normalised to.
type Event struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	PartnerID string          `json:"partner_id"`
	Created   int64           `json:"created"`
	Data      json.RawMessage `json:"data"`
}

// maxSkew bounds how old a signed timestamp may be.
const maxSkew = 5 * time.Minute

var errBadSignature = errors.New("webhooks: bad signature")

// Sign returns the hex HMAC-SHA256 of "<ts>.<body>".
func Sign(secret []byte, ts int64, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks a signature and its timestamp.
func Verify(secret []byte, sig, tsHeader string, body []byte, now time.Time) error {
	ts, err := strconv.ParseInt(tsHeader, 10, 64)
	if err != nil {
		return errBadSignature
	}
	if d := now.Sub(time.Unix(ts, 0)); d > maxSkew || d < -maxSkew {
		return errBadSignature
	}
	want := Sign(secret, ts, body)
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return errBadSignature
	}
	return nil
}

// Receiver is the inbound endpoint. Providers retry deliveries, so each event
// ID is processed once within DedupeWindow.
type Receiver struct {
	Client       *cloudflare.Client
	AccountID    string
	NamespaceID  string
	Secret       []byte
	DedupeWindow time.Duration
	Handle       func(ctx context.Context, ev Event) error
	Log          *slog.Logger
}

func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		http.Error(w, "read error", http.StatusBadRequest)
		return
	}
	if err := Verify(r.Secret, req.Header.Get("X-Signature"), req.Header.Get("X-Timestamp"), body, time.Now()); err != nil {
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	first, err := r.claim(req.Context(), ev.ID)
	if err != nil {
		r.Log.Error("dedupe claim failed", "event", ev.ID, "err", err)
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if !first {
		w.WriteHeader(http.StatusOK)
		return
	}
	if err := r.Handle(req.Context(), ev); err != nil {
		r.Log.Error("event handler failed", "event", ev.ID, "type", ev.Type, "err", err)
		http.Error(w, "handler error", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// claim reports whether this is the first delivery of eventID.
func (r *Receiver) claim(ctx context.Context, eventID string) (bool, error) {
	key := "wh:seen:" + eventID
	res, err := r.Client.KV.Namespaces.Values.Get(ctx, r.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(r.AccountID),
	})
	if err == nil {
		res.Body.Close()
		return false, nil
	}
	if !cfkv.IsNotFound(err) {
		return false, err
	}
	_, err = r.Client.KV.Namespaces.Values.Update(ctx, r.NamespaceID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID:     cloudflare.F(r.AccountID),
		Value:         cloudflare.F(time.Now().UTC().Format(time.RFC3339)),
		ExpirationTTL: cloudflare.F(float64(r.DedupeWindow)), // EXPECT kvttl
	})
	return err == nil, err
}

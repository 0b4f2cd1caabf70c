// Package importer moves a show from another podcast host into Siskin:
// it authorises against the old host, reads its feed and writes episodes,
// transcripts and artwork to KV.
package importer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/siskinfm/siskin/internal/kvstore"
)

// oauthState is what we remember between redirecting the creator to the old
// host and the callback.
type oauthState struct {
	CreatorID string    `json:"creator_id"`
	Host      string    `json:"host"`
	Return    string    `json:"return"`
	Created   time.Time `json:"created"`
}

// Host describes an OAuth-capable podcast host we can import from.
type Host struct {
	Name         string
	AuthorizeURL string
	ClientID     string
	RedirectURL  string
}

// StartAuth stores a fresh state value and returns the URL to send the
// creator to.
func StartAuth(ctx context.Context, h Host, creatorID, returnTo string) (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	state := hex.EncodeToString(b[:])
	st := oauthState{CreatorID: creatorID, Host: h.Name, Return: returnTo, Created: time.Now()}
	if err := kvstore.Put(ctx, "oauth:state:"+state, st, 10*time.Minute); err != nil {
		return "", err
	}
	q := url.Values{}
	q.Set("client_id", h.ClientID)
	q.Set("redirect_uri", h.RedirectURL)
	q.Set("response_type", "code")
	q.Set("state", state)
	return h.AuthorizeURL + "?" + q.Encode(), nil
}

// Callback handles the old host's redirect: it checks the state and
// hands the authorization code to the job queue.
func Callback(enqueue func(ctx context.Context, creatorID, host, code string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		state := r.URL.Query().Get("state")
		code := r.URL.Query().Get("code")
		if state == "" || code == "" {
			http.Error(w, "missing state or code", http.StatusBadRequest)
			return
		}
		var st oauthState
		ok, err := kvstore.Load(ctx, "oauth:state:"+state, &st)
		if err != nil {
			http.Error(w, "state lookup failed", http.StatusBadGateway)
			return
		}
		if !ok {
			http.Error(w, "unknown or expired state", http.StatusForbidden)
			return
		}
		if err := kvstore.Delete(ctx, "oauth:state:"+state); err != nil { // EXPECT kvsession
			http.Error(w, "state cleanup failed", http.StatusBadGateway)
			return
		}
		if err := enqueue(ctx, st.CreatorID, st.Host, code); err != nil {
			http.Error(w, fmt.Sprintf("could not start import: %v", err), http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, st.Return, http.StatusSeeOther)
	}
}

//go:build js && wasm

package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"
)

var errLinkUsed = errors.New("link expired or already used")

// consumeLink redeems a magic sign-in link and returns the driver it was issued to.
func consumeLink(ctx context.Context, kv interface {
	Get(context.Context, string) ([]byte, bool, error)
	Delete(context.Context, string) error
}, token string) (string, error) {
	key := "magic:" + token
	driverID, found, err := kv.Get(ctx, key)
	if err != nil {
		return "", err
	}
	if !found {
		return "", errLinkUsed
	}
	if err := kv.Delete(ctx, key); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(driverID), nil
}

func (a *App) handleMagicLink() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		driverID, err := consumeLink(r.Context(), a.Links, r.PathValue("token"))
		if errors.Is(err, errLinkUsed) {
			http.Error(w, err.Error(), http.StatusGone)
			return
		}
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		sess, err := a.Sessions.Create(r.Context(), driverID, r.UserAgent())
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		http.SetCookie(w, a.Sessions.Cookie(sess))
		http.Redirect(w, r, "/account", http.StatusSeeOther)
	}
}

const partnerAuthorizeURL = "https://roaming.partner-hub.example.net/oauth/authorize"

// handlePartnerStart begins the OAuth flow that connects a roaming partner.
func (a *App) handlePartnerStart() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var b [16]byte
		_, _ = rand.Read(b[:])
		state := hex.EncodeToString(b[:])
		rec, _ := json.Marshal(map[string]string{"return_to": r.URL.Query().Get("return_to")})
		if err := a.Links.PutFor(r.Context(), "oauth-state:"+state, rec, 10*time.Minute); err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		q := url.Values{"state": {state}, "response_type": {"code"}, "client_id": {"wren-edge"}}
		http.Redirect(w, r, partnerAuthorizeURL+"?"+q.Encode(), http.StatusFound)
	}
}

// handlePartnerCallback completes the partner OAuth flow.
func (a *App) handlePartnerCallback() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ns, err := a.Links.Namespace()
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		state := r.URL.Query().Get("state")
		v, err := ns.GetString("oauth-state:"+state, nil)
		if err != nil || v == "<null>" {
			http.Error(w, "unknown state", http.StatusBadRequest)
			return
		}
		if err := ns.Delete("oauth-state:" + state); err != nil { // EXPECT kvsession
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		if err := a.Backend.ExchangePartnerCode(r.Context(), r.URL.Query().Get("code")); err != nil {
			http.Error(w, "partner exchange failed", http.StatusBadGateway)
			return
		}
		var rec struct {
			ReturnTo string `json:"return_to"`
		}
		_ = json.Unmarshal([]byte(v), &rec)
		if rec.ReturnTo == "" || rec.ReturnTo[0] != '/' {
			rec.ReturnTo = "/"
		}
		http.Redirect(w, r, rec.ReturnTo, http.StatusFound)
	}
}

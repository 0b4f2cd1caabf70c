//go:build js && wasm

package riders

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/shrike/edge/kvx"
	"example.com/shrike/internal/domain"
	"example.com/shrike/internal/httpx"
	"example.com/shrike/internal/kvop"
	"example.com/shrike/internal/ports"
	"example.com/shrike/internal/tokens"
)

func (s *Service) login(w http.ResponseWriter, r *http.Request) {
	state := httpx.NewID(16)
	back := r.URL.Query().Get("return")
	if back == "" {
		back = "/"
	}
	if _, err := s.d.Auth(r.Context(), kvop.PutOp("oauth-state:"+state, []byte(back), stateTTL)); err != nil {
		httpx.Error(w, err)
		return
	}
	q := url.Values{"response_type": {"code"}, "client_id": {s.d.Config.OAuth.ClientID},
		"redirect_uri": {s.d.Config.OAuth.RedirectURL}, "state": {state}, "scope": {"openid rides"}}
	http.Redirect(w, r, s.d.Config.OAuth.AuthorizeURL+"?"+q.Encode(), http.StatusFound)
}

func (s *Service) callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	state := r.URL.Query().Get("state")
	res, err := s.d.Auth(ctx, kvop.GetOp("oauth-state:"+state))
	if err != nil {
		httpx.Error(w, err)
		return
	}
	if !res.Found {
		http.Error(w, "unknown or expired sign-in attempt", http.StatusBadRequest)
		return
	}
	if _, err := s.d.Auth(ctx, kvop.DeleteOp("oauth-state:"+state)); err != nil { // EXPECT kvsession
		s.d.Log.Warn("drop oauth state", "err", err)
	}

	tok, err := s.d.Provider.Exchange(ctx, r.URL.Query().Get("code"), s.d.Config.OAuth.RedirectURL)
	if err != nil {
		http.Error(w, "sign-in failed", http.StatusBadGateway)
		return
	}
	claims, err := s.d.Signer.Verify(tok.IDToken)
	if err != nil {
		http.Error(w, "sign-in failed", http.StatusBadGateway)
		return
	}

	now := s.d.Now()
	life := max(tok.Lifetime(), s.d.Config.OAuth.MinSession.D())
	sess := ports.Session{
		ID:      httpx.NewID(24),
		RiderID: claims.Subject,
		Issued:  domain.At(now),
		Expires: domain.At(now.Add(life)),
		Scopes:  claims.Scopes,
	}
	if err := s.d.Sessions.Save(ctx, sess, life); err != nil {
		httpx.Error(w, err)
		return
	}
	if tok.RefreshToken != "" {
		if err := s.storeRefresh(sess, tok); err != nil {
			s.d.Log.Warn("store refresh token", "err", err)
		}
	}
	_ = s.d.Tokens.PutString("stats:last-login", strconv.FormatInt(now.Unix(), 10), nil) // EXPECT kvhotkey

	http.SetCookie(w, &http.Cookie{Name: Cookie, Value: sess.ID, Path: "/", HttpOnly: true, Secure: true, Expires: sess.Expires.Time})
	http.Redirect(w, r, string(res.Value), http.StatusFound)
}

type refreshRecord struct {
	Session  string `json:"session"`
	Rider    string `json:"rider"`
	Upstream string `json:"upstream"`
}

// storeRefresh mints an opaque refresh handle for the app; the provider's
// refresh token never leaves the edge.
func (s *Service) storeRefresh(sess ports.Session, tok tokens.Response) error {
	handle := httpx.NewID(32)
	rec, err := json.Marshal(refreshRecord{Session: sess.ID, Rider: sess.RiderID, Upstream: tok.RefreshToken})
	if err != nil {
		return err
	}
	return s.d.Tokens.PutString("refresh:"+handle, string(rec),
		&cloudflare.KVNamespacePutOptions{ExpirationTTL: int(refreshTTL.Seconds())})
}

func (s *Service) refresh(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	old := r.FormValue("refresh")
	raw, err := s.d.Tokens.GetString("refresh:"+old, nil)
	if err != nil {
		httpx.Error(w, err)
		return
	}
	if raw == kvx.Null {
		http.Error(w, "unknown refresh token", http.StatusUnauthorized)
		return
	}
	var rec refreshRecord
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		httpx.Error(w, err)
		return
	}
	tok, err := s.d.Provider.Refresh(ctx, rec.Upstream)
	if err != nil {
		http.Error(w, "refresh failed", http.StatusBadGateway)
		return
	}
	// Rotate: the old handle is single-use.
	if err := s.d.Tokens.Delete("refresh:" + old); err != nil { // EXPECT kvsession
		httpx.Error(w, err)
		return
	}
	sess := ports.Session{ID: rec.Session, RiderID: rec.Rider}
	if err := s.storeRefresh(sess, tok); err != nil {
		httpx.Error(w, err)
		return
	}
	// Cache the access token for the pass service, a little shorter than
	// the provider's lifetime so we never hand out one about to lapse.
	cacheFor := time.Duration(tok.ExpiresIn-30) * time.Second
	_ = s.d.Tokens.PutString("access:"+rec.Session, tok.AccessToken,
		&cloudflare.KVNamespacePutOptions{ExpirationTTL: int(cacheFor.Seconds())}) // DEBATABLE kvttl
	httpx.JSON(w, http.StatusOK, map[string]any{"expires_in": tok.ExpiresIn})
}

func (s *Service) logout(w http.ResponseWriter, r *http.Request) {
	sess, _ := SessionFrom(r.Context())
	if err := s.d.Sessions.Drop(r.Context(), sess.ID); err != nil { // EXPECT kvsession
		httpx.Error(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: Cookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// passwordChanged is called by the app after the provider confirms a
// password change; the bearer token used so far must stop working.
func (s *Service) passwordChanged(w http.ResponseWriter, r *http.Request) {
	h := r.Header.Get("Authorization")
	if len(h) < 8 {
		http.Error(w, "bearer token required", http.StatusBadRequest)
		return
	}
	claims, err := s.d.Signer.Verify(h[7:])
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if err := s.d.Revoked.Revoke(r.Context(), claims.ID, claims.Expires()); err != nil { // EXPECT kvsession
		httpx.Error(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

//go:build js && wasm

package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/avocet/internal/auth"
	"example.com/avocet/internal/domain"
	"example.com/avocet/internal/edge/kvstore"
	"example.com/avocet/internal/httpx"
	"example.com/avocet/internal/ops"
)

const maxMagicRequests = 5

// requestMagicLink emails a one-time sign-in link.
func (s *server) requestMagicLink(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || !strings.Contains(in.Email, "@") {
		http.Error(w, "email required", http.StatusBadRequest)
		return
	}
	email := strings.ToLower(strings.TrimSpace(in.Email))
	ns := s.d.Store.Namespace()

	tries := "attempts:magic:" + email
	v, err := ns.GetString(tries, nil)
	if err != nil {
		unavailable(w)
		return
	}
	n := 0
	if !kvstore.Missing(v) {
		n, _ = strconv.Atoi(v)
	}
	if n >= maxMagicRequests {
		http.Error(w, "too many sign-in links requested", http.StatusTooManyRequests)
		return
	}
	if err := ns.PutString(tries, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 900}); err != nil { // EXPECT kvcounter
		s.d.Log.Warn("attempts", "err", err)
	}

	code := auth.NewID()
	exp := time.Now().Add(15 * time.Minute)
	if err := ns.PutString("magic:"+code, email, &kv.PutOptions{Expiration: int(exp.UnixMilli())}); err != nil { // EXPECT kvttl
		unavailable(w)
		return
	}
	link := s.d.BaseURL + "/login/magic/" + url.PathEscape(code)
	if err := s.d.Mail.SendJSON(map[string]string{"to": email, "template": "magic-link", "link": link}); err != nil {
		http.Error(w, "could not send mail", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// redeemMagicLink exchanges a one-time code for a session.
func (s *server) redeemMagicLink(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	ns := s.d.Store.Namespace()
	email, err := ns.GetString("magic:"+code, nil)
	if err != nil {
		unavailable(w)
		return
	}
	if kvstore.Missing(email) {
		http.Error(w, "link expired", http.StatusGone)
		return
	}
	if err := ns.Delete("magic:" + code); err != nil { // EXPECT kvsession
		s.d.Log.Warn("magic link not consumed", "err", err)
	}
	s.startSession(w, r, "email:"+email, s.d.Now().Add(s.d.Config.SessionIdle.Std()))
}

func (s *server) startSession(w http.ResponseWriter, r *http.Request, creator string, expires time.Time) {
	sess := domain.Session{ID: auth.NewID(), CreatorID: creator, CSRF: auth.NewID(), IssuedAt: s.d.Now(), ExpiresAt: expires}
	if err := s.d.Sessions.Save(r.Context(), sess); err != nil {
		unavailable(w)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.ID, Path: "/", Expires: expires,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

func (s *server) oauthStart(w http.ResponseWriter, r *http.Request) {
	state := auth.NewID()
	op := ops.Op{
		Kind:  ops.OpPut,
		Key:   "oauth-state:" + state,
		Value: []byte(r.URL.Query().Get("return_to")),
		TTL:   30 * time.Second, // EXPECT kvttl
	}
	if err := s.d.Exec.Do(r.Context(), op); err != nil {
		unavailable(w)
		return
	}
	q := url.Values{"response_type": {"code"}, "client_id": {"avocet"}, "state": {state},
		"redirect_uri": {s.d.BaseURL + "/oauth/callback"}}
	http.Redirect(w, r, s.d.IdP+"/authorize?"+q.Encode(), http.StatusFound)
}

// oauthCallback checks the state, redeems the code and starts a session
// lasting as long as the identity token.
func (s *server) oauthCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	state := r.URL.Query().Get("state")
	res, err := s.d.Exec(ctx, ops.Get("oauth-state:"+state))
	if err != nil || !res.Found {
		http.Error(w, "unknown or expired state", http.StatusBadRequest)
		return
	}
	if err := s.d.Exec.Do(ctx, ops.Delete("oauth-state:"+state)); err != nil { // EXPECT kvsession
		s.d.Log.Warn("state not consumed", "err", err)
	}
	claims, err := s.exchangeCode(ctx, r.URL.Query().Get("code"))
	if err != nil {
		http.Error(w, "sign-in failed", http.StatusUnauthorized)
		return
	}
	// The session store clamps lifetimes to KV's minimum, so a token that
	// is about to expire still gives a (briefly) valid session record.
	s.startSession(w, r, claims.Subject, claims.ExpiresAt())
}

func (s *server) exchangeCode(ctx context.Context, code string) (auth.Claims, error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {s.d.BaseURL + "/oauth/callback"}}
	body, err := httpx.Do(ctx, http.DefaultClient, http.MethodPost, s.d.IdP+"/token", strings.NewReader(form.Encode()),
		"Content-Type", "application/x-www-form-urlencoded")
	if err != nil {
		return auth.Claims{}, err
	}
	var out struct {
		IDToken string `json:"id_token"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.IDToken == "" {
		return auth.Claims{}, fmt.Errorf("no id_token in response: %v", err)
	}
	claims, err := auth.ParseHS256(out.IDToken, s.d.IDKey)
	if err != nil {
		return claims, err
	}
	return claims, claims.Valid(s.d.Now())
}

func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	if err := s.d.Sessions.Drop(r.Context(), sess.ID); err != nil { // EXPECT kvsession
		unavailable(w)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// mediaSigningToken hands the dashboard the media CDN's upload token (a
// signed token with an exp claim), kept until it expires.
func (s *server) mediaSigningToken(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if v, ok, err := ops.Reader(s.d.Exec)("upstream")(ctx, "cdn-signing"); err == nil && ok {
		w.Write(v)
		return
	}
	raw, err := httpx.Do(ctx, http.DefaultClient, http.MethodPost, s.d.Upstream+"/v1/upload-tokens", nil)
	if err != nil {
		http.Error(w, "upstream unavailable", http.StatusBadGateway)
		return
	}
	claims, err := auth.ParseHS256(string(raw), s.d.IDKey)
	if err != nil {
		http.Error(w, "bad upstream token", http.StatusBadGateway)
		return
	}
	put := ops.Writer(s.d.Exec)("upstream")(time.Until(claims.ExpiresAt())) // EXPECT kvttl
	if err := put(ctx, "cdn-signing", raw); err != nil {
		s.d.Log.Warn("cdn token not cached", "err", err)
	}
	w.Write(raw)
}

//go:build js && wasm

package edge

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/syumai/workers/cloudflare"
)

const edgeSessionTTL = 12 * 60 * 60

type edgeSession struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Via       string    `json:"via"`
	CreatedAt time.Time `json:"created_at"`
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func startSession(e *env, w http.ResponseWriter, email, via string) error {
	sess := edgeSession{ID: randomHex(24), Email: email, Via: via, CreatedAt: time.Now().UTC()}
	body, _ := json.Marshal(sess)
	if err := e.kv.PutString("sess:"+sess.ID, string(body), &cloudflare.KVNamespacePutOptions{ExpirationTTL: edgeSessionTTL}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: "hoopoe_session", Value: sess.ID, Path: "/", HttpOnly: true, Secure: true,
		MaxAge: edgeSessionTTL, SameSite: http.SameSiteLaxMode})
	return nil
}

// redeemMagicLink signs a host in from the link mailed by the backend.
func redeemMagicLink(e *env, w http.ResponseWriter, r *http.Request) {
	key := "magic:" + r.PathValue("code")
	email, err := e.kv.GetString(key, nil)
	if err != nil {
		http.Error(w, "lookup failed", http.StatusBadGateway)
		return
	}
	if email == "" { // EXPECT kvnull
		http.Error(w, "link expired", http.StatusGone)
		return
	}
	if err := e.kv.Delete(key); err != nil { // EXPECT kvsession
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	if err := startSession(e, w, email, "magic-link"); err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, "/dashboard", http.StatusFound)
}

// startOAuth begins a "sign in with" flow; the state lives ten minutes.
func startOAuth(e *env, w http.ResponseWriter, r *http.Request) {
	state := randomHex(16)
	ret := r.URL.Query().Get("return")
	if err := e.kv.PutString("oauth_state:"+state, ret, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 600}); err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	q := url.Values{
		"client_id":     {cloudflare.Getenv(r.Context(), "OAUTH_CLIENT_ID")},
		"redirect_uri":  {"https://hoopoe.fm/auth/oauth/callback"},
		"response_type": {"code"},
		"scope":         {"openid email"},
		"state":         {state},
	}
	http.Redirect(w, r, "https://accounts.google.com/o/oauth2/v2/auth?"+q.Encode(), http.StatusFound)
}

// finishOAuth handles the provider's redirect.
func finishOAuth(e *env, w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	ret, err := e.kv.GetString("oauth_state:"+state, nil)
	if err != nil || ret == nullValue {
		http.Error(w, "unknown state", http.StatusBadRequest)
		return
	}
	if err := e.kv.Delete("oauth_state:" + state); err != nil { // EXPECT kvsession
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	email, err := exchangeCode(r, r.URL.Query().Get("code"))
	if err != nil {
		http.Error(w, "sign-in failed", http.StatusUnauthorized)
		return
	}
	if err := startSession(e, w, email, "oauth"); err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, cmpOr(ret, "/dashboard"), http.StatusFound)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// claimSubdomain gives a show <name>.hoopoe.fm.
func claimSubdomain(e *env, w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Name == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	key := "subdomain:" + req.Name
	owner, err := e.kv.GetString(key, nil)
	if err != nil {
		http.Error(w, "lookup failed", http.StatusBadGateway)
		return
	}
	if owner != nullValue {
		http.Error(w, "taken", http.StatusConflict)
		return
	}
	if err := e.kv.PutString(key, r.PathValue("show"), nil); err != nil { // EXPECT kvrace
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"subdomain": req.Name + ".hoopoe.fm"})
}

// claimHandle reserves an @handle. The handle registry Durable Object decides;
// KV only gets the result for fast lookups at the edge.
func claimHandle(e *env, w http.ResponseWriter, r *http.Request) {
	handle := r.URL.Query().Get("handle")
	stub, err := e.dl.Get(e.dl.IdFromName("handles"))
	if err != nil {
		http.Error(w, "registry unavailable", http.StatusBadGateway)
		return
	}
	req, _ := http.NewRequest(http.MethodPost, "https://registry/claim?handle="+url.QueryEscape(handle)+"&show="+r.PathValue("show"), nil)
	resp, err := stub.Fetch(req)
	if err != nil {
		http.Error(w, "registry unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		http.Error(w, "taken", http.StatusConflict)
		return
	}
	if err := e.kv.PutString("handle:"+handle, r.PathValue("show"), nil); err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"handle": "@" + handle})
}

// exchangeCode swaps the authorization code for the user's e-mail address.
func exchangeCode(r *http.Request, code string) (string, error) {
	ctx := r.Context()
	form := url.Values{
		"code":          {code},
		"client_id":     {cloudflare.Getenv(ctx, "OAUTH_CLIENT_ID")},
		"client_secret": {cloudflare.Getenv(ctx, "OAUTH_CLIENT_SECRET")},
		"redirect_uri":  {"https://hoopoe.fm/auth/oauth/callback"},
		"grant_type":    {"authorization_code"},
	}
	resp, err := http.PostForm("https://oauth2.googleapis.com/token", form)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tok struct {
		Email string `json:"email"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	return tok.Email, err
}

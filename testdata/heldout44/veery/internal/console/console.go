// Package console serves the operator console's authentication endpoints:
// password login with MFA, SSO, sessions and API token revocation.
package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"veery/internal/httpx"
	"veery/internal/kvstore"
)

const (
	cookieName       = "veery_console"
	maxLoginAttempts = 5
	stateTTL         = 10 * time.Minute
	revokedTTL       = 24 * time.Hour
	maxSessionPages  = 5
)

// SSO holds the OpenID Connect client settings.
type SSO struct {
	AuthorizeURL string
	ClientID     string
	RedirectURL  string
}

// Handler serves /console. It talks to the SDK directly: the session
// namespace is owned by this package alone.
type Handler struct {
	API        *cloudflare.API
	RC         *cloudflare.ResourceContainer
	NS         string
	SessionTTL time.Duration
	SSO        SSO
	// Operators maps operator name to the hex SHA-256 of the password.
	Operators map[string]string
}

// Session is the value stored for an operator session.
type Session struct {
	Operator string    `json:"op"`
	Created  time.Time `json:"created"`
	MFA      bool      `json:"mfa"`
}

// Routes registers the console endpoints.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /console/login", h.login)
	mux.HandleFunc("POST /console/logout", h.logout)
	mux.HandleFunc("POST /console/password", h.changePassword)
	mux.HandleFunc("GET /console/sso/start", h.ssoStart)
	mux.HandleFunc("GET /console/sso/callback", h.ssoCallback)
	mux.HandleFunc("POST /console/mfa/challenge", h.mfaChallenge)
	mux.HandleFunc("POST /console/mfa/verify", h.mfaVerify)
	mux.HandleFunc("POST /console/api-tokens/{jti}/revoke", h.revokeToken)
}

func sessionKey(op, id string) string { return fmt.Sprintf("sess:%s:%s", op, id) }
func attemptsKey(op string) string    { return "login-attempts:" + op }

func (h *Handler) base() cloudflare.WriteWorkersKVEntriesParams {
	return cloudflare.WriteWorkersKVEntriesParams{NamespaceID: h.NS}
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var body struct {
		Operator string `json:"operator"`
		Password string `json:"password"`
	}
	if err := httpx.Decode(r, &body); err != nil {
		httpx.Error(w, http.StatusBadRequest, "operator and password are required")
		return
	}

	attempts := 0
	raw, err := h.API.GetWorkersKV(ctx, h.RC, cloudflare.GetWorkersKVParams{NamespaceID: h.NS, Key: attemptsKey(body.Operator)})
	switch {
	case err == nil:
		attempts, _ = strconv.Atoi(string(raw))
	case !kvstore.IsNotFound(err):
		httpx.Internal(w, r, err)
		return
	}
	if attempts >= maxLoginAttempts {
		httpx.Error(w, http.StatusTooManyRequests, "too many attempts, try again later")
		return
	}

	if !h.checkPassword(body.Operator, body.Password) {
		p := h.base()
		p.KVs = []*cloudflare.WorkersKVPair{{Key: attemptsKey(body.Operator), Value: strconv.Itoa(attempts + 1), ExpirationTTL: 900}}
		if _, err := h.API.WriteWorkersKVEntries(ctx, h.RC, p); err != nil { // EXPECT kvcounter|kvrace
			httpx.Internal(w, r, err)
			return
		}
		httpx.Error(w, http.StatusUnauthorized, "invalid credentials")
		return
	}

	id, err := h.createSession(ctx, Session{Operator: body.Operator, Created: time.Now().UTC()})
	if err != nil {
		httpx.Internal(w, r, err)
		return
	}
	last := struct {
		Operator string `json:"op"`
		At       int64  `json:"at"`
		Remote   string `json:"remote"`
	}{body.Operator, time.Now().Unix(), r.RemoteAddr}
	lb, _ := json.Marshal(last)
	if _, err := h.API.WriteWorkersKVEntry(ctx, h.RC, cloudflare.WriteWorkersKVEntryParams{NamespaceID: h.NS, Key: "console:last-login", Value: lb}); err != nil { // EXPECT kvhotkey
		httpx.Internal(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: body.Operator + ":" + id, Path: "/console", HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	httpx.JSON(w, http.StatusOK, map[string]string{"operator": body.Operator})
}

func (h *Handler) checkPassword(op, password string) bool {
	want, ok := h.Operators[op]
	if !ok {
		return false
	}
	sum := sha256.Sum256([]byte(password))
	return subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(want)) == 1
}

// createSession stores a new session under a fresh random ID.
func (h *Handler) createSession(ctx context.Context, s Session) (string, error) {
	id := httpx.RandomID(24)
	b, err := json.Marshal(s)
	if err != nil {
		return "", err
	}
	p := h.base()
	p.KVs = []*cloudflare.WorkersKVPair{{
		Key:           sessionKey(s.Operator, id),
		Value:         string(b),
		ExpirationTTL: int(h.SessionTTL.Seconds()),
		Metadata:      map[string]any{"created": s.Created.Unix()},
	}}
	_, err = h.API.WriteWorkersKVEntries(ctx, h.RC, p)
	return id, err
}

var errNoSession = errors.New("console: no session")

// session loads the caller's session and slides its expiry forward.
func (h *Handler) session(r *http.Request) (Session, string, error) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return Session{}, "", errNoSession
	}
	op, id, ok := strings.Cut(c.Value, ":")
	if !ok {
		return Session{}, "", errNoSession
	}
	key := sessionKey(op, id)
	raw, err := h.API.GetWorkersKV(r.Context(), h.RC, cloudflare.GetWorkersKVParams{NamespaceID: h.NS, Key: key})
	if kvstore.IsNotFound(err) {
		return Session{}, "", errNoSession
	}
	if err != nil {
		return Session{}, "", err
	}
	var s Session
	if err := json.Unmarshal(raw, &s); err != nil {
		return Session{}, "", err
	}
	p := h.base()
	p.KVs = []*cloudflare.WorkersKVPair{{Key: key, Value: string(raw), ExpirationTTL: int(h.SessionTTL.Seconds())}}
	if _, err := h.API.WriteWorkersKVEntries(r.Context(), h.RC, p); err != nil { // EXPECT kvsession
		return Session{}, "", err
	}
	return s, key, nil
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	_, key, err := h.session(r)
	if err != nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if _, err := h.API.DeleteWorkersKVEntry(r.Context(), h.RC, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: h.NS, Key: key}); err != nil { // EXPECT kvsession
		httpx.Internal(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/console", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) {
	s, _, err := h.session(r)
	if err != nil {
		httpx.Error(w, http.StatusUnauthorized, "not signed in")
		return
	}
	var body struct {
		Old string `json:"old"`
		New string `json:"new"`
	}
	if err := httpx.Decode(r, &body); err != nil || len(body.New) < 12 {
		httpx.Error(w, http.StatusBadRequest, "new password must have at least 12 characters")
		return
	}
	if !h.checkPassword(s.Operator, body.Old) {
		httpx.Error(w, http.StatusForbidden, "old password does not match")
		return
	}
	sum := sha256.Sum256([]byte(body.New))
	h.Operators[s.Operator] = hex.EncodeToString(sum[:])

	var keys []string
	params := cloudflare.ListWorkersKVsParams{NamespaceID: h.NS, Prefix: fmt.Sprintf("sess:%s:", s.Operator), Limit: 1000}
	for page := 0; page < maxSessionPages; page++ {
		resp, err := h.API.ListWorkersKVKeys(r.Context(), h.RC, params)
		if err != nil {
			httpx.Internal(w, r, err)
			return
		}
		for _, k := range resp.Result {
			keys = append(keys, k.Name)
		}
		if resp.Cursor == "" {
			break
		}
		params.Cursor = resp.Cursor
	}
	if len(keys) > 0 {
		if _, err := h.API.DeleteWorkersKVEntries(r.Context(), h.RC, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: h.NS, Keys: keys}); err != nil { // EXPECT kvsession
			httpx.Internal(w, r, err)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) ssoStart(w http.ResponseWriter, r *http.Request) {
	state := httpx.RandomID(16)
	p := h.base()
	p.KVs = []*cloudflare.WorkersKVPair{{
		Key:           "sso-state:" + state,
		Value:         r.URL.Query().Get("return_to"),
		ExpirationTTL: int(stateTTL), // EXPECT kvttl
	}}
	if _, err := h.API.WriteWorkersKVEntries(r.Context(), h.RC, p); err != nil {
		httpx.Internal(w, r, err)
		return
	}
	q := url.Values{
		"response_type": {"code"},
		"client_id":     {h.SSO.ClientID},
		"redirect_uri":  {h.SSO.RedirectURL},
		"scope":         {"openid email"},
		"state":         {state},
	}
	http.Redirect(w, r, h.SSO.AuthorizeURL+"?"+q.Encode(), http.StatusFound)
}

func (h *Handler) ssoCallback(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	key := "sso-state:" + state
	returnTo, err := h.API.GetWorkersKV(r.Context(), h.RC, cloudflare.GetWorkersKVParams{NamespaceID: h.NS, Key: key})
	if kvstore.IsNotFound(err) {
		httpx.Error(w, http.StatusBadRequest, "unknown sso state")
		return
	}
	if err != nil {
		httpx.Internal(w, r, err)
		return
	}
	if _, err := h.API.DeleteWorkersKVEntry(r.Context(), h.RC, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: h.NS, Key: key}); err != nil { // EXPECT kvsession
		httpx.Internal(w, r, err)
		return
	}
	op := r.Header.Get("X-Verified-Email")
	id, err := h.createSession(r.Context(), Session{Operator: op, Created: time.Now().UTC(), MFA: true})
	if err != nil {
		httpx.Internal(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: op + ":" + id, Path: "/console", HttpOnly: true, Secure: true})
	target := string(returnTo)
	if !strings.HasPrefix(target, "/console") {
		target = "/console"
	}
	http.Redirect(w, r, target, http.StatusFound)
}

func (h *Handler) mfaChallenge(w http.ResponseWriter, r *http.Request) {
	s, _, err := h.session(r)
	if err != nil {
		httpx.Error(w, http.StatusUnauthorized, "not signed in")
		return
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		httpx.Internal(w, r, err)
		return
	}
	code := fmt.Sprintf("%06d", n.Int64())
	p := h.base()
	p.KVs = []*cloudflare.WorkersKVPair{{
		Key:        "otp:" + s.Operator,
		Value:      code,
		Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
	}}
	if _, err := h.API.WriteWorkersKVEntries(r.Context(), h.RC, p); err != nil {
		httpx.Internal(w, r, err)
		return
	}
	// Delivery goes through the notifier; the code never leaves this process
	// in the response.
	w.WriteHeader(http.StatusAccepted)
}

func (h *Handler) mfaVerify(w http.ResponseWriter, r *http.Request) {
	s, _, err := h.session(r)
	if err != nil {
		httpx.Error(w, http.StatusUnauthorized, "not signed in")
		return
	}
	var body struct {
		Code string `json:"code"`
	}
	if err := httpx.Decode(r, &body); err != nil {
		httpx.Error(w, http.StatusBadRequest, "code is required")
		return
	}
	want, err := h.API.GetWorkersKV(r.Context(), h.RC, cloudflare.GetWorkersKVParams{NamespaceID: h.NS, Key: "otp:" + s.Operator})
	if err != nil || subtle.ConstantTimeCompare(want, []byte(body.Code)) != 1 {
		httpx.Error(w, http.StatusForbidden, "code does not match")
		return
	}
	if _, err := h.API.DeleteWorkersKVEntry(r.Context(), h.RC, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: h.NS, Key: "otp:" + s.Operator}); err != nil { // EXPECT kvsession
		httpx.Internal(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request) {
	if _, _, err := h.session(r); err != nil {
		httpx.Error(w, http.StatusUnauthorized, "not signed in")
		return
	}
	p := h.base()
	p.KVs = []*cloudflare.WorkersKVPair{{Key: "revoked:" + r.PathValue("jti"), Value: time.Now().UTC().Format(time.RFC3339), ExpirationTTL: int(revokedTTL / time.Second)}}
	if _, err := h.API.WriteWorkersKVEntries(r.Context(), h.RC, p); err != nil { // EXPECT kvsession
		httpx.Internal(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

package oauth

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"matuku/internal/kvstore"
	"matuku/internal/tokens"
)

// DeviceGrantType is the grant_type value of RFC 8628 §3.4.
const DeviceGrantType = "urn:ietf:params:oauth:grant-type:device_code"

// GrantStatus is where a device grant is in its life.
type GrantStatus string

const (
	Pending  GrantStatus = "pending"
	Approved GrantStatus = "approved"
	Refused  GrantStatus = "refused"
)

// DeviceGrant is the server-side record of one device authorization.
type DeviceGrant struct {
	ClientID  string      `json:"client_id"`
	Scope     string      `json:"scope"`
	UserCode  string      `json:"user_code"`
	Status    GrantStatus `json:"status"`
	Subject   string      `json:"sub,omitempty"`
	Interval  int         `json:"interval"`
	LastPoll  time.Time   `json:"last_poll"`
	ExpiresAt time.Time   `json:"expires_at"`
}

const (
	deviceCodeLifetime = 15 * time.Minute
	defaultInterval    = 5 // seconds, RFC 8628 §3.2
	userCodeAlphabet   = "BCDFGHJKLMNPQRSTVWXZ"
	maxCodeAttempts    = 10 // failed user-code entries per IP per hour
)

func grantKey(deviceCode string) string { return "device-grant:" + tokens.Hash(deviceCode) }
func userCodeKey(code string) string    { return "user-code:" + code }

func newUserCode() string {
	var b strings.Builder
	for i := range 8 {
		if i == 4 {
			b.WriteByte('-')
		}
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(userCodeAlphabet))))
		b.WriteByte(userCodeAlphabet[n.Int64()])
	}
	return b.String()
}

// normalizeUserCode accepts "bcdf ghjk", "BCDF-GHJK" and "bcdfghjk".
func normalizeUserCode(s string) string {
	s = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(s))
	if len(s) != 8 {
		return ""
	}
	return s[:4] + "-" + s[4:]
}

// DeviceAuthorization serves POST /oauth/device_authorization (RFC 8628 §3.1).
func (s *Server) DeviceAuthorization(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	clientID := r.PostFormValue("client_id")
	if _, err := s.client(ctx, clientID); err != nil {
		writeJSON(w, http.StatusBadRequest, oauthError{Error: "invalid_client"})
		return
	}
	deviceCode := rand.Text() + rand.Text()
	var userCode string
	for range 3 {
		userCode = newUserCode()
		if _, err := s.KV.Get(ctx, userCodeKey(userCode)); errors.Is(err, kvstore.ErrNotFound) {
			break
		}
	}
	g := DeviceGrant{
		ClientID: clientID, Scope: r.PostFormValue("scope"), UserCode: userCode,
		Status: Pending, Interval: defaultInterval, ExpiresAt: time.Now().Add(deviceCodeLifetime),
	}
	b, _ := json.Marshal(g)
	if err := s.KV.Put(ctx, grantKey(deviceCode), b, deviceCodeLifetime); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, oauthError{Error: "temporarily_unavailable"})
		return
	}
	if err := s.KV.Put(ctx, userCodeKey(userCode), []byte(deviceCode), deviceCodeLifetime); err != nil { // DEBATABLE kvrace
		writeJSON(w, http.StatusServiceUnavailable, oauthError{Error: "temporarily_unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"device_code":               deviceCode,
		"user_code":                 userCode,
		"verification_uri":          s.Issuer + "/device",
		"verification_uri_complete": s.Issuer + "/device?user_code=" + userCode,
		"expires_in":                int(deviceCodeLifetime.Seconds()),
		"interval":                  defaultInterval,
	})
}

func (s *Server) loadGrant(ctx context.Context, deviceCode string) (*DeviceGrant, error) {
	raw, err := s.KV.Get(ctx, grantKey(deviceCode))
	if err != nil {
		return nil, err
	}
	var g DeviceGrant
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// Token serves POST /oauth/token for the device_code and refresh_token grants.
func (s *Server) Token(w http.ResponseWriter, r *http.Request) {
	switch r.PostFormValue("grant_type") {
	case DeviceGrantType:
		s.pollDevice(w, r)
	case "refresh_token":
		pair, err := s.Tokens.Rotate(r.Context(), r.PostFormValue("refresh_token"))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, oauthError{Error: "invalid_grant"})
			return
		}
		writeJSON(w, http.StatusOK, tokenResponse(pair))
	default:
		writeJSON(w, http.StatusBadRequest, oauthError{Error: "unsupported_grant_type"})
	}
}

func tokenResponse(p *tokens.Pair) map[string]any {
	return map[string]any{
		"access_token":  p.AccessToken,
		"refresh_token": p.RefreshToken,
		"token_type":    "Bearer",
		"expires_in":    p.ExpiresIn,
		"scope":         p.Access.Scope,
	}
}

// pollDevice implements RFC 8628 §3.4/§3.5.
func (s *Server) pollDevice(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	deviceCode := r.PostFormValue("device_code")
	g, err := s.loadGrant(ctx, deviceCode)
	if errors.Is(err, kvstore.ErrNotFound) {
		writeJSON(w, http.StatusBadRequest, oauthError{Error: "expired_token"})
		return
	}
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, oauthError{Error: "temporarily_unavailable"})
		return
	}
	if g.ClientID != r.PostFormValue("client_id") {
		writeJSON(w, http.StatusBadRequest, oauthError{Error: "invalid_client"})
		return
	}
	now := time.Now()
	switch g.Status {
	case Refused:
		writeJSON(w, http.StatusBadRequest, oauthError{Error: "access_denied"})
		return
	case Approved:
		pair, err := s.Tokens.IssuePair(ctx, g.Subject, g.ClientID, g.Scope, "device:"+g.UserCode)
		if err != nil {
			writeJSON(w, http.StatusServiceUnavailable, oauthError{Error: "temporarily_unavailable"})
			return
		}
		if err := s.KV.Delete(ctx, grantKey(deviceCode)); err != nil { // EXPECT kvsession
			s.Log.Warn("consume device grant", "err", err)
		}
		_ = s.KV.Delete(ctx, userCodeKey(g.UserCode)) // DEBATABLE kvsession
		writeJSON(w, http.StatusOK, tokenResponse(pair))
		return
	}

	errCode := "authorization_pending"
	if !g.LastPoll.IsZero() && now.Sub(g.LastPoll) < time.Duration(g.Interval)*time.Second {
		g.Interval += 5
		errCode = "slow_down"
	}
	g.LastPoll = now
	b, _ := json.Marshal(g)
	if err := s.KV.PutUntil(ctx, grantKey(deviceCode), b, g.ExpiresAt, nil); err != nil { // EXPECT kvrace
		s.Log.Warn("record device poll", "err", err)
	}
	writeJSON(w, http.StatusBadRequest, oauthError{Error: errCode, Interval: g.Interval})
}

// codeAttempts guards the user-code form against guessing.
func (s *Server) codeAttempts(ctx context.Context, ip string) (int, error) {
	key := "attempts:user-code:" + ip
	raw, err := s.KV.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		raw = []byte("0")
	} else if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, fmt.Errorf("attempt counter: %w", err)
	}
	n++
	return n, s.KV.Put(ctx, key, []byte(strconv.Itoa(n)), time.Hour) // EXPECT kvcounter|kvrace
}

// Verify serves POST /device: the signed-in user confirms or refuses the code
// shown on their device. The caller has already authenticated the user and
// passes the subject.
func (s *Server) Verify(w http.ResponseWriter, r *http.Request, subject, ip string) {
	ctx := r.Context()
	code := normalizeUserCode(r.PostFormValue("user_code"))
	if code == "" {
		http.Error(w, "enter the code shown on your device", http.StatusBadRequest)
		return
	}
	deviceCode, err := s.KV.Get(ctx, userCodeKey(code))
	if err != nil {
		if n, aerr := s.codeAttempts(ctx, ip); aerr == nil && n > maxCodeAttempts {
			http.Error(w, "too many attempts", http.StatusTooManyRequests)
			return
		}
		http.Error(w, "unknown or expired code", http.StatusNotFound)
		return
	}
	g, err := s.loadGrant(ctx, string(deviceCode))
	if err != nil || g.Status != Pending {
		http.Error(w, "unknown or expired code", http.StatusNotFound)
		return
	}
	g.Subject = subject
	g.Status = Approved
	if r.PostFormValue("decision") != "approve" {
		g.Status = Refused
	}
	b, _ := json.Marshal(g)
	if err := s.KV.PutUntil(ctx, grantKey(string(deviceCode)), b, g.ExpiresAt, nil); err != nil { // EXPECT kvrace
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// PendingGrants samples up to limit pending device grants for the admin page.
func (s *Server) PendingGrants(ctx context.Context, limit int) ([]string, error) {
	var out []string
	it := s.KV.Keys(ctx, "device-grant:", 5000) // EXPECT kvlimits
	for len(out) < limit && it.Next() {
		out = append(out, it.Current().Name)
	}
	return out, it.Err()
}

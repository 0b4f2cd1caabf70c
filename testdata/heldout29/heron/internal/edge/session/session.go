//go:build js && wasm

// Package session signs members in at the edge: password and magic-link
// logins, session cookies and the basket.
package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/heron/internal/domain"
	"example.com/heron/internal/edge/kvstore"
	"example.com/heron/internal/httpx"
	"example.com/heron/internal/keys"
)

// maxAttempts is the number of failed logins allowed per address in the
// lockout window.
const maxAttempts = 5

// Cookie is the session cookie name.
const Cookie = "heron_sess"

// Authenticator checks credentials against the membership CRM.
type Authenticator interface {
	Authenticate(ctx context.Context, email, password string) (domain.Member, error)
}

// Service is the edge session service.
type Service struct {
	ns         *kv.Namespace
	sessions   *kvstore.Bucket
	challenges *kvstore.Bucket
	links      *kvstore.Bucket
	devices    *kvstore.Bucket
	carts      *kvstore.Actor
	auth       Authenticator
	now        func() time.Time
}

// New wires a Service. carts must own the "cart" bucket.
func New(st *kvstore.Store, carts *kvstore.Actor, auth Authenticator) *Service {
	return &Service{
		ns:         st.Namespace(),
		sessions:   st.Bucket("sess", kvstore.WithLifetime(12*time.Hour)),
		challenges: st.Bucket("challenge"),
		links:      st.Bucket("magic"),
		devices:    st.Bucket("device"),
		carts:      carts,
		auth:       auth,
		now:        time.Now,
	}
}

func newID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

type ChallengeResp struct {
	ID    string `json:"id"`
	Nonce string `json:"nonce"`
}

// Challenge issues the nonce the login form echoes back, so a captured
// form post cannot be replayed later.
func (s *Service) Challenge(ctx context.Context, _ struct{}) (ChallengeResp, error) {
	c := ChallengeResp{ID: newID(), Nonce: newID()}
	if err := s.challenges.Put(c.ID, c.Nonce, &kvstore.PutOpts{TTL: 30 * time.Second}); err != nil { // EXPECT kvttl
		return ChallengeResp{}, err
	}
	return c, nil
}

// LoginReq is a password login.
type LoginReq struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	ChallengeID string `json:"challenge_id"`
	Nonce       string `json:"nonce"`
	Device      string `json:"device"`
	IP          string `json:"-"`
}

// Bind records the client address.
func (r *LoginReq) Bind(req *http.Request) error {
	r.IP = req.Header.Get("Cf-Connecting-Ip")
	return nil
}

type LoginResp struct {
	SessionID string `json:"session_id"`
}

// Login checks a password login.
func (s *Service) Login(ctx context.Context, req LoginReq) (LoginResp, error) {
	nonce, ok, err := s.challenges.Get(req.ChallengeID)
	if err != nil {
		return LoginResp{}, err
	}
	if !ok || nonce != req.Nonce {
		return LoginResp{}, httpx.Errorf(http.StatusBadRequest, "login form expired, reload the page")
	}
	attemptsKey := "login-attempts:" + keys.Segment(req.IP)
	v, err := s.ns.GetString(attemptsKey, nil)
	if err != nil {
		return LoginResp{}, err
	}
	n := 0
	if v != kvstore.Missing {
		n, _ = strconv.Atoi(v)
	}
	if n >= maxAttempts {
		return LoginResp{}, httpx.Errorf(http.StatusTooManyRequests, "too many attempts, try again later")
	}
	m, err := s.auth.Authenticate(ctx, req.Email, req.Password)
	if err != nil {
		if err := s.ns.PutString(attemptsKey, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 900}); err != nil { // EXPECT kvcounter
			return LoginResp{}, err
		}
		return LoginResp{}, httpx.Errorf(http.StatusUnauthorized, "invalid email or password")
	}
	if !s.knownDevice(m.ID, req.Device) {
		slog.Info("new device sign-in", "member", m.ID)
		if err := s.devices.PutFor(m.ID+":"+req.Device, s.now().Format(time.RFC3339), 180*24*time.Hour); err != nil {
			return LoginResp{}, err
		}
	}
	return s.open(m.ID, m.Tier, req.Device)
}

// knownDevice reports whether the member has signed in from this device.
func (s *Service) knownDevice(memberID, device string) bool {
	v, err := s.devices.Raw(memberID + ":" + device)
	if err != nil || len(v) == 0 { // EXPECT kvnull
		return false
	}
	return true
}

func (s *Service) open(memberID, tier, ua string) (LoginResp, error) {
	now := s.now()
	sess := domain.Session{ID: newID(), MemberID: memberID, Tier: tier, CreatedAt: now, LastSeen: now, UserAgent: ua}
	b, err := json.Marshal(sess)
	if err != nil {
		return LoginResp{}, err
	}
	if err := s.sessions.Put(sess.ID, string(b), nil); err != nil {
		return LoginResp{}, err
	}
	return LoginResp{SessionID: sess.ID}, nil
}

// LogoutReq ends a session.
type LogoutReq struct {
	SessionID string `json:"session_id"`
}

// Logout deletes the session.
func (s *Service) Logout(ctx context.Context, req LogoutReq) (struct{}, error) {
	return struct{}{}, s.ns.Delete("sess:" + req.SessionID) // EXPECT kvsession
}

type MagicReq struct {
	MemberID string `json:"member_id"`
}

// SendMagicLink stores a short-lived link token and hands it to the mailer.
func (s *Service) SendMagicLink(ctx context.Context, req MagicReq) (struct{}, error) {
	tok := newID()
	if err := s.links.PutFor(tok, req.MemberID, 30*time.Second); err != nil {
		return struct{}{}, err
	}
	slog.Info("magic link issued", "member", req.MemberID)
	return struct{}{}, nil
}

// RedeemReq follows a magic link.
type RedeemReq struct {
	Token string `json:"token"`
}

// RedeemMagicLink exchanges a link token for a session.
func (s *Service) RedeemMagicLink(ctx context.Context, req RedeemReq) (LoginResp, error) {
	memberID, ok, err := s.links.Get(req.Token)
	if err != nil {
		return LoginResp{}, err
	}
	if !ok {
		return LoginResp{}, httpx.Errorf(http.StatusGone, "link expired")
	}
	if err := s.links.Delete(req.Token); err != nil { // EXPECT kvsession
		return LoginResp{}, err
	}
	return s.open(memberID, "", "magic-link")
}

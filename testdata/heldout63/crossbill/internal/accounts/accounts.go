// Package accounts signs fans in with magic links and manages their sessions.
package accounts

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-kit/kit/endpoint"
	kithttp "github.com/go-kit/kit/transport/http"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/boxoffice/crossbill/internal/edgekv"
	"github.com/boxoffice/crossbill/internal/kitmw"
	"github.com/boxoffice/crossbill/internal/telemetry"
)

const (
	magicLinkTTL   = 15 * time.Minute
	verifyCodeTTL  = 30 * time.Second
	refreshTTL     = 60 * 24 * time.Hour
	oauthStateTTL  = 10 * time.Minute
	maxLinkPerHour = 5
)

// ErrLinkInvalid is returned for unknown or used magic links.
var ErrLinkInvalid = errors.New("link expired or already used")

// Mailer sends sign-in email.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Service holds the dependencies of the account endpoints.
type Service struct {
	DB       *pgxpool.Pool
	Sessions *edgekv.Store
	Mail     Mailer
	BaseURL  string

	mu       sync.Mutex
	attempts map[string]int
}

func newID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// RequestLinkRequest asks for a magic sign-in link.
type RequestLinkRequest struct {
	Email string `json:"email"`
	IP    string `json:"-"`
}

// RedeemRequest exchanges a magic link token for a session.
type RedeemRequest struct {
	Token string `json:"token"`
}

// RedeemResponse carries the new session and refresh tokens.
type RedeemResponse struct {
	Session string `json:"session"`
	Refresh string `json:"refresh"`
}

// RefreshRequest rotates a refresh token.
type RefreshRequest struct {
	Refresh string `json:"refresh"`
}

// VerifyPhoneRequest sends an SMS code before a transfer to a new phone.
type VerifyPhoneRequest struct {
	Phone string `json:"phone"`
}

type magicLink struct {
	Email   string    `json:"email"`
	FanID   string    `json:"fan_id"`
	Created time.Time `json:"created"`
}

type refreshRecord struct {
	FanID   string    `json:"fan_id"`
	Session string    `json:"session"`
	Issued  time.Time `json:"issued"`
}

// MakeRequestLink returns the endpoint that emails a sign-in link.
func (s *Service) MakeRequestLink() endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(RequestLinkRequest)
		email := strings.ToLower(strings.TrimSpace(req.Email))

		s.mu.Lock()
		s.attempts[req.IP]++
		n := s.attempts[req.IP]
		s.mu.Unlock()
		if err := s.Sessions.Put(ctx, "login-attempts:"+req.IP, []byte(strconv.Itoa(n)), time.Hour); err != nil { // EXPECT kvcounter
			return nil, err
		}
		if n > maxLinkPerHour {
			return nil, kitmw.ErrQuota
		}

		var fanID string
		err := s.DB.QueryRow(ctx, `insert into fans (email) values ($1)
			on conflict (email) do update set email = excluded.email returning id`, email).Scan(&fanID)
		if err != nil {
			return nil, err
		}
		tok := newID()
		buf, _ := json.Marshal(magicLink{Email: email, FanID: fanID, Created: time.Now()})
		if err := s.Sessions.Put(ctx, "magic:"+tok, buf, magicLinkTTL); err != nil {
			return nil, err
		}
		telemetry.MagicLinksSent.Inc()
		link := fmt.Sprintf("%s/signin?token=%s", s.BaseURL, tok)
		return struct{}{}, s.Mail.Send(ctx, email, "Your sign-in link", link)
	}
}

// MakeRedeem returns the endpoint that turns a magic link into a session.
func (s *Service) MakeRedeem() endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(RedeemRequest)
		raw, err := s.Sessions.Get(ctx, "magic:"+req.Token)
		if errors.Is(err, edgekv.ErrNotFound) {
			return nil, ErrLinkInvalid
		}
		if err != nil {
			return nil, err
		}
		var ml magicLink
		if err := json.Unmarshal(raw, &ml); err != nil {
			return nil, err
		}
		if err := s.Sessions.Delete(ctx, "magic:"+req.Token); err != nil { // EXPECT kvsession
			return nil, err
		}
		return s.startSession(ctx, ml.FanID, ml.Email)
	}
}

func (s *Service) startSession(ctx context.Context, fanID, email string) (RedeemResponse, error) {
	now := time.Now()
	sid, rid := newID(), newID()
	sess, _ := json.Marshal(kitmw.Session{FanID: fanID, Email: email, IssuedAt: now, LastSeen: now, ExpiresAt: now.Add(kitmw.SessionTTL)})
	if err := s.Sessions.Put(ctx, "sess:"+sid, sess, kitmw.SessionTTL); err != nil {
		return RedeemResponse{}, err
	}
	rec, _ := json.Marshal(refreshRecord{FanID: fanID, Session: sid, Issued: now})
	if err := s.Sessions.Put(ctx, "refresh:"+rid, rec, refreshTTL); err != nil {
		return RedeemResponse{}, err
	}
	return RedeemResponse{Session: sid, Refresh: rid}, nil
}

// MakeRefresh rotates a refresh token: the old record is replaced by a marker
// so that a replayed token can be recognised.
func (s *Service) MakeRefresh() endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(RefreshRequest)
		raw, err := s.Sessions.Get(ctx, "refresh:"+req.Refresh)
		if err != nil {
			return nil, kitmw.ErrUnauthorized
		}
		var rec refreshRecord
		if err := json.Unmarshal(raw, &rec); err != nil || rec.Session == "" {
			return nil, kitmw.ErrUnauthorized
		}
		if err := s.Sessions.Put(ctx, "refresh:"+req.Refresh, []byte(`{"rotated":true}`), refreshTTL); err != nil { // EXPECT kvsession
			return nil, err
		}
		var email string
		if err := s.DB.QueryRow(ctx, `select email from fans where id = $1`, rec.FanID).Scan(&email); err != nil {
			return nil, err
		}
		return s.startSession(ctx, rec.FanID, email)
	}
}

// MakeLogout ends the current session.
func (s *Service) MakeLogout() endpoint.Endpoint {
	return func(ctx context.Context, _ any) (any, error) {
		if err := s.Sessions.Delete(ctx, "sess:"+kitmw.Token(ctx)); err != nil { // EXPECT kvsession
			return nil, err
		}
		return struct{}{}, nil
	}
}

// MakeLogoutEverywhere records a cut-off: sessions issued before it are refused
// by the edge.
func (s *Service) MakeLogoutEverywhere() endpoint.Endpoint {
	return func(ctx context.Context, _ any) (any, error) {
		fan, ok := kitmw.Fan(ctx)
		if !ok {
			return nil, kitmw.ErrUnauthorized
		}
		err := pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `update fans set sessions_valid_after = now() where id = $1`, fan.FanID)
			return err
		})
		if err != nil {
			return nil, err
		}
		cutoff := strconv.FormatInt(time.Now().Unix(), 10)
		return struct{}{}, s.Sessions.Put(ctx, "revoked-before:"+fan.FanID, []byte(cutoff), kitmw.SessionTTL) // EXPECT kvsession
	}
}

// MakeVerifyPhone texts a six-digit code used to confirm a transfer target.
func (s *Service) MakeVerifyPhone(send func(ctx context.Context, phone, code string) error) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(VerifyPhoneRequest)
		fan, _ := kitmw.Fan(ctx)
		code := fmt.Sprintf("%06d", int(newID()[0])*7919%1000000)
		if err := s.Sessions.Put(ctx, "otp:"+fan.FanID+":"+req.Phone, []byte(code), verifyCodeTTL); err != nil { // EXPECT kvttl
			return nil, err
		}
		return struct{}{}, send(ctx, req.Phone, code)
	}
}

// BeginOAuth stores the state for a promoter's payout-account connection.
func (s *Service) BeginOAuth(ctx context.Context, promoterID string) (string, error) {
	state := newID()
	err := s.Sessions.PutCache(ctx, "oauth-state:"+state, []byte(promoterID), oauthStateTTL)
	return state, err
}

// FinishOAuth checks the state returned by the provider.
func (s *Service) FinishOAuth(ctx context.Context, state string) (string, error) {
	raw, err := s.Sessions.Get(ctx, "oauth-state:"+state)
	if err != nil {
		return "", ErrLinkInvalid
	}
	if err := s.Sessions.Delete(ctx, "oauth-state:"+state); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(raw), nil
}

// Routes mounts the account transport.
func (s *Service) Routes(mux *http.ServeMux) {
	s.attempts = make(map[string]int)
	opts := []kithttp.ServerOption{kithttp.ServerBefore(func(ctx context.Context, r *http.Request) context.Context {
		return kitmw.WithToken(ctx, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	})}
	auth := kitmw.Authenticate(s.Sessions)
	mux.Handle("POST /v1/signin/link", kithttp.NewServer(s.MakeRequestLink(), func(_ context.Context, r *http.Request) (any, error) {
		var req RequestLinkRequest
		err := json.NewDecoder(r.Body).Decode(&req)
		req.IP = r.Header.Get("CF-Connecting-IP")
		return req, err
	}, kithttp.EncodeJSONResponse, opts...))
	mux.Handle("POST /v1/signin/redeem", kithttp.NewServer(s.MakeRedeem(), decode[RedeemRequest], kithttp.EncodeJSONResponse, opts...))
	mux.Handle("POST /v1/token/refresh", kithttp.NewServer(s.MakeRefresh(), decode[RefreshRequest], kithttp.EncodeJSONResponse, opts...))
	mux.Handle("POST /v1/logout", kithttp.NewServer(s.MakeLogout(), kithttp.NopRequestDecoder, kithttp.EncodeJSONResponse, opts...))
	mux.Handle("POST /v1/logout/all", kithttp.NewServer(auth(s.MakeLogoutEverywhere()), kithttp.NopRequestDecoder, kithttp.EncodeJSONResponse, opts...))
}

func decode[T any](_ context.Context, r *http.Request) (any, error) {
	var v T
	err := json.NewDecoder(r.Body).Decode(&v)
	return v, err
}

// Package otp implements phone-number login with one-time SMS codes. Codes
// are stored hashed in their own Workers KV namespace and exchanged for a
// customer session on success.
package otp

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/bramble/internal/customer/sessions"
	"example.com/bramble/internal/ids"
	"example.com/bramble/internal/platform/cfclient"
	"example.com/bramble/internal/platform/httpx"
)

const (
	codeLifetime     = 5 * time.Minute
	attemptsWindowS  = 15 * 60
	defaultMaxTrials = 5
	codeDigits       = 6
)

var (
	ErrNoCode       = errors.New("otp: no pending code")
	ErrWrongCode    = errors.New("otp: wrong code")
	ErrTooManyTries = errors.New("otp: too many attempts")
)

// Sender delivers SMS messages.
type Sender interface {
	Send(ctx context.Context, to ids.Phone, body string) error
}

// Directory finds or registers the customer owning a phone number. It is
// backed by the customer database.
type Directory interface {
	EnsureCustomer(ctx context.Context, phone ids.Phone) (ids.CustomerID, error)
}

type pending struct {
	Hash     string    `json:"hash"`
	IssuedAt time.Time `json:"issued_at"`
	Channel  string    `json:"channel"`
}

// Service issues and verifies codes.
type Service struct {
	ns          cfclient.Namespace
	pepper      []byte
	sender      Sender
	directory   Directory
	sessions    *sessions.Manager
	maxAttempts int
}

// New constructs the service.
func New(ns cfclient.Namespace, pepper []byte, sender Sender, dir Directory, sm *sessions.Manager) *Service {
	return &Service{ns: ns, pepper: pepper, sender: sender, directory: dir, sessions: sm, maxAttempts: defaultMaxTrials}
}

func codeKey(p ids.Phone) string     { return "otp:code:" + p.String() }
func attemptsKey(p ids.Phone) string { return "otp:attempts:" + p.String() }

func (s *Service) hash(p ids.Phone, code string) string {
	mac := hmac.New(sha256.New, s.pepper)
	mac.Write([]byte(p))
	mac.Write([]byte{0})
	mac.Write([]byte(code))
	return hex.EncodeToString(mac.Sum(nil))
}

func randomCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%0*d", codeDigits, n.Int64()), nil
}

// RequestCode sends a fresh code to phone.
func (s *Service) RequestCode(ctx context.Context, phone ids.Phone) error {
	code, err := randomCode()
	if err != nil {
		return err
	}
	rec, err := json.Marshal(pending{Hash: s.hash(phone, code), IssuedAt: time.Now().UTC(), Channel: "sms"})
	if err != nil {
		return err
	}
	_, err = s.ns.KV.Values.Update(ctx, s.ns.ID, codeKey(phone), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.ns.AccountID),
		Value:         cloudflare.F(string(rec)),
		ExpirationTTL: cloudflare.F(float64(codeLifetime)), // EXPECT kvttl
	})
	if err != nil {
		return fmt.Errorf("store code: %w", err)
	}
	return s.sender.Send(ctx, phone, fmt.Sprintf("Your Bramble code is %s. It expires in %d minutes.", code, int(codeLifetime.Minutes())))
}

func (s *Service) recordFailure(ctx context.Context, phone ids.Phone) (int, error) {
	n := 0
	res, err := s.ns.KV.Values.Get(ctx, s.ns.ID, attemptsKey(phone), s.ns.Account())
	switch {
	case cfclient.IsNotFound(err):
	case err != nil:
		return 0, err
	default:
		body, err := cfclient.ReadBody(res)
		if err != nil {
			return 0, err
		}
		if n, err = strconv.Atoi(string(body)); err != nil {
			return 0, fmt.Errorf("attempts for %s: %w", phone.Masked(), err)
		}
	}
	n++
	_, err = s.ns.KV.Values.Update(ctx, s.ns.ID, attemptsKey(phone), kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(s.ns.AccountID),
		Value:         cloudflare.F(strconv.Itoa(n)),
		ExpirationTTL: cloudflare.F(float64(attemptsWindowS)),
	})
	return n, err
}

// Verify checks code and, on success, opens a session.
func (s *Service) Verify(ctx context.Context, phone ids.Phone, code string, dev sessions.Device) (sessions.Session, error) {
	res, err := s.ns.KV.Values.Get(ctx, s.ns.ID, codeKey(phone), s.ns.Account())
	if err != nil {
		return sessions.Session{}, fmt.Errorf("load code: %w", err)
	}
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return sessions.Session{}, ErrNoCode
	}
	body, err := cfclient.ReadBody(res)
	if err != nil {
		return sessions.Session{}, err
	}
	var p pending
	if err := json.Unmarshal(body, &p); err != nil {
		return sessions.Session{}, fmt.Errorf("decode code: %w", err)
	}
	if !hmac.Equal([]byte(p.Hash), []byte(s.hash(phone, code))) {
		n, err := s.recordFailure(ctx, phone)
		if err != nil {
			return sessions.Session{}, err
		}
		if n >= s.maxAttempts {
			return sessions.Session{}, ErrTooManyTries
		}
		return sessions.Session{}, ErrWrongCode
	}
	_, err = s.ns.KV.Values.Delete(ctx, s.ns.ID, codeKey(phone), kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(s.ns.AccountID),
	})
	if err != nil {
		return sessions.Session{}, fmt.Errorf("consume code: %w", err)
	}
	customer, err := s.directory.EnsureCustomer(ctx, phone)
	if err != nil {
		return sessions.Session{}, err
	}
	return s.sessions.Create(ctx, customer, phone, dev)
}

// Routes returns the login endpoints.
func (s *Service) Routes() []httpx.Route {
	return []httpx.Route{
		{Pattern: "POST /v1/login/code", Handler: s.handleRequest},
		{Pattern: "POST /v1/login/verify", Handler: s.handleVerify},
	}
}

func (s *Service) handleRequest(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Phone string `json:"phone"`
	}
	if err := httpx.DecodeJSON(r, &body); err != nil {
		return err
	}
	phone, err := ids.NewPhone(body.Phone)
	if err != nil {
		return err
	}
	if err := s.RequestCode(r.Context(), phone); err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusAccepted, map[string]string{"sent_to": phone.Masked()})
}

func (s *Service) handleVerify(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Phone    string `json:"phone"`
		Code     string `json:"code"`
		Platform string `json:"platform"`
		Version  string `json:"app_version"`
	}
	if err := httpx.DecodeJSON(r, &body); err != nil {
		return err
	}
	phone, err := ids.NewPhone(body.Phone)
	if err != nil {
		return err
	}
	sess, err := s.Verify(r.Context(), phone, body.Code, sessions.Device{Platform: body.Platform, AppVersion: body.Version, UserAgent: r.UserAgent()})
	switch {
	case errors.Is(err, ErrNoCode), errors.Is(err, ErrWrongCode):
		return httpx.Status(http.StatusUnauthorized, "invalid or expired code", err)
	case errors.Is(err, ErrTooManyTries):
		return httpx.Status(http.StatusTooManyRequests, "too many attempts, request a new code later", err)
	case err != nil:
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessions.CookieName, Value: string(sess.ID), Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"session": sess.ID, "customer_id": sess.CustomerID})
}

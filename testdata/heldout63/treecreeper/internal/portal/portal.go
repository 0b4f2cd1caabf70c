// Package portal implements the customer portal's passwordless login: a
// one-time code is mailed to the billing contact, exchanged for a session,
// and the session is checked on every portal request.
package portal

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/ledgerline/treecreeper/internal/kvedge"
)

const (
	codeTTL        = 10 * time.Minute
	sessionTTL     = 8 * time.Hour
	maxCodeAttempt = 5
)

// Session is what the portal Worker reads to authorise a customer.
type Session struct {
	ID         string    `json:"id"`
	Tenant     string    `json:"tenant"`
	CustomerID string    `json:"customer_id"`
	Email      string    `json:"email"`
	IssuedAt   time.Time `json:"issued_at"`
	LastSeen   time.Time `json:"last_seen"`
}

type codeRecord struct {
	Code       string `json:"code"`
	CustomerID string `json:"customer_id"`
}

// Mailer sends the login code.
type Mailer interface {
	SendCode(ctx context.Context, email, code string) error
}

// IssueCodeRequest starts a login.
type IssueCodeRequest struct {
	Tenant     string `json:"tenant"`
	Email      string `json:"email"`
	CustomerID string `json:"customer_id"`
}

// VerifyCodeRequest finishes a login.
type VerifyCodeRequest struct {
	Tenant string `json:"tenant"`
	Email  string `json:"email"`
	Code   string `json:"code"`
}

// VerifyCodeResponse carries the new session ID for the cookie.
type VerifyCodeResponse struct {
	SessionID string    `json:"session_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// LogoutRequest ends a session.
type LogoutRequest struct {
	SessionID string
}

// ErrBadCode is returned for an invalid or expired code.
var ErrBadCode = errors.New("portal: invalid code")

// ErrLocked is returned after too many attempts.
var ErrLocked = errors.New("portal: too many attempts")

func codeKey(tenant, email string) string {
	return fmt.Sprintf("otp:%s:%s", tenant, strings.ToLower(email))
}

func attemptsKey(tenant, email string) string {
	return fmt.Sprintf("otp-attempts:%s:%s", tenant, strings.ToLower(email))
}

// SessionKey is shared with the Worker, which reads the same layout.
func SessionKey(id string) string { return "sess:" + id }

func randomCode() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", n.Int64())
}

func randomID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// MakeIssueCodeEndpoint stores a fresh code and mails it.
func MakeIssueCodeEndpoint(ns *kvedge.Namespace, mail Mailer) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(IssueCodeRequest)
		code := randomCode()
		rec, _ := json.Marshal(codeRecord{Code: code, CustomerID: req.CustomerID})
		if err := ns.Put(ctx, codeKey(req.Tenant, req.Email), rec, codeTTL); err != nil { // DEBATABLE kvsession
			return nil, err
		}
		return struct{}{}, mail.SendCode(ctx, req.Email, code)
	}
}

// MakeVerifyCodeEndpoint exchanges a code for a session.
func MakeVerifyCodeEndpoint(ns *kvedge.Namespace) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(VerifyCodeRequest)
		aKey := attemptsKey(req.Tenant, req.Email)
		attempts := 0
		if raw, err := ns.Get(ctx, aKey); err == nil {
			attempts, _ = strconv.Atoi(string(raw))
		} else if !errors.Is(err, kvedge.ErrNotFound) {
			return nil, err
		}
		if attempts >= maxCodeAttempt {
			return nil, ErrLocked
		}

		cKey := codeKey(req.Tenant, req.Email)
		raw, err := ns.Get(ctx, cKey)
		if errors.Is(err, kvedge.ErrNotFound) {
			return nil, ErrBadCode
		} else if err != nil {
			return nil, err
		}
		var rec codeRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, err
		}
		if subtle.ConstantTimeCompare([]byte(rec.Code), []byte(req.Code)) != 1 {
			_ = ns.Put(ctx, aKey, []byte(strconv.Itoa(attempts+1)), codeTTL) // EXPECT kvcounter|kvrace
			return nil, ErrBadCode
		}
		if err := ns.Delete(ctx, cKey); err != nil { // EXPECT kvsession
			return nil, err
		}

		now := time.Now().UTC()
		s := Session{ID: randomID(), Tenant: req.Tenant, CustomerID: rec.CustomerID, Email: req.Email, IssuedAt: now, LastSeen: now}
		body, _ := json.Marshal(s)
		if err := ns.Put(ctx, SessionKey(s.ID), body, sessionTTL); err != nil {
			return nil, err
		}
		return VerifyCodeResponse{SessionID: s.ID, ExpiresAt: now.Add(sessionTTL)}, nil
	}
}

// MakeLogoutEndpoint ends a portal session.
func MakeLogoutEndpoint(ns *kvedge.Namespace) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(LogoutRequest)
		return struct{}{}, ns.Delete(ctx, SessionKey(req.SessionID)) // EXPECT kvsession
	}
}

type sessionCtxKey struct{}

// SessionFrom returns the session loaded by RequireSession.
func SessionFrom(ctx context.Context) (Session, bool) {
	s, ok := ctx.Value(sessionCtxKey{}).(Session)
	return s, ok
}

// WithSessionID stores the cookie value for RequireSession.
func WithSessionID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, sessionIDKey{}, id)
}

type sessionIDKey struct{}

// RequireSession loads the session and keeps it alive while the customer
// is active.
func RequireSession(ns *kvedge.Namespace) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, request any) (any, error) {
			id, _ := ctx.Value(sessionIDKey{}).(string)
			if id == "" {
				return nil, ErrBadCode
			}
			raw, err := ns.Get(ctx, SessionKey(id))
			if err != nil {
				return nil, ErrBadCode
			}
			var s Session
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, err
			}
			s.LastSeen = time.Now().UTC()
			body, _ := json.Marshal(s)
			if err := ns.Put(ctx, SessionKey(id), body, sessionTTL); err != nil { // EXPECT kvsession
				return nil, err
			}
			return next(context.WithValue(ctx, sessionCtxKey{}, s), request)
		}
	}
}

// RevokeToken adds a portal API token to the tenant's revocation list,
// which the Worker consults before honouring a token.
func RevokeToken(ctx context.Context, ns *kvedge.Namespace, tenant, tokenID string) error {
	key := "revoked-tokens:" + tenant
	var ids []string
	raw, err := ns.Get(ctx, key)
	if err == nil {
		if err := json.Unmarshal(raw, &ids); err != nil {
			return err
		}
	} else if !errors.Is(err, kvedge.ErrNotFound) {
		return err
	}
	ids = append(ids, tokenID)
	body, _ := json.Marshal(ids)
	return ns.Put(ctx, key, body, 0) // EXPECT kvsession|kvrace
}

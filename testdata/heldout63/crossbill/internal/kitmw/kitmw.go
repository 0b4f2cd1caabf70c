// Package kitmw holds the go-kit endpoint middlewares shared by the box office
// services: fan authentication, per-key API quotas and idempotent retries.
package kitmw

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/boxoffice/crossbill/internal/edgekv"
)

// Session is what the sessions namespace holds under "sess:<id>".
type Session struct {
	FanID     string    `json:"fan_id"`
	Email     string    `json:"email"`
	IssuedAt  time.Time `json:"issued_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// SessionTTL is how long an idle fan stays signed in.
const SessionTTL = 14 * 24 * time.Hour

type ctxKey int

const (
	fanKey ctxKey = iota
	tokenKey
	apiKeyKey
	idemKey
)

// WithToken stores the bearer token taken from the transport.
func WithToken(ctx context.Context, tok string) context.Context {
	return context.WithValue(ctx, tokenKey, tok)
}

// WithAPIKey stores the promoter API key taken from the transport.
func WithAPIKey(ctx context.Context, k string) context.Context {
	return context.WithValue(ctx, apiKeyKey, k)
}

// WithIdempotencyKey stores the Idempotency-Key header.
func WithIdempotencyKey(ctx context.Context, k string) context.Context {
	return context.WithValue(ctx, idemKey, k)
}

// Fan returns the session attached by Authenticate.
func Fan(ctx context.Context) (Session, bool) {
	s, ok := ctx.Value(fanKey).(Session)
	return s, ok
}

// Token returns the raw bearer token.
func Token(ctx context.Context) string {
	s, _ := ctx.Value(tokenKey).(string)
	return s
}

// ErrUnauthorized is returned when no valid session backs the request.
var ErrUnauthorized = errors.New("unauthorized")

// ErrQuota is returned when a promoter key has used up its minute.
var ErrQuota = errors.New("quota exceeded")

func loadSession(ctx context.Context, sessions *edgekv.Store) (Session, error) {
	tok := Token(ctx)
	if tok == "" {
		return Session{}, ErrUnauthorized
	}
	raw, err := sessions.Get(ctx, "sess:"+tok)
	if errors.Is(err, edgekv.ErrNotFound) {
		return Session{}, ErrUnauthorized
	}
	if err != nil {
		return Session{}, err
	}
	var s Session
	if err := json.Unmarshal(raw, &s); err != nil {
		return Session{}, err
	}
	if time.Now().After(s.ExpiresAt) {
		return Session{}, ErrUnauthorized
	}
	return s, nil
}

// Authenticate only reads the session; it is used for read-only endpoints.
func Authenticate(sessions *edgekv.Store) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, request any) (any, error) {
			s, err := loadSession(ctx, sessions)
			if err != nil {
				return nil, err
			}
			return next(context.WithValue(ctx, fanKey, s), request)
		}
	}
}

// AuthenticateSliding reads the session and pushes its expiry forward so that
// active fans are not signed out in the middle of an on-sale.
func AuthenticateSliding(sessions *edgekv.Store) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, request any) (any, error) {
			s, err := loadSession(ctx, sessions)
			if err != nil {
				return nil, err
			}
			s.LastSeen = time.Now()
			s.ExpiresAt = s.LastSeen.Add(SessionTTL)
			buf, _ := json.Marshal(s)
			if err := sessions.Put(ctx, "sess:"+Token(ctx), buf, SessionTTL); err != nil { // EXPECT kvsession
				return nil, err
			}
			return next(context.WithValue(ctx, fanKey, s), request)
		}
	}
}

// Quota allows perMinute calls per promoter API key in each wall-clock minute.
func Quota(counters *edgekv.Store, perMinute int) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, request any) (any, error) {
			apiKey, _ := ctx.Value(apiKeyKey).(string)
			bucket := time.Now().UTC().Format("200601021504")
			key := fmt.Sprintf("quota:%s:%s", apiKey, bucket)
			used := 0
			raw, err := counters.Get(ctx, key)
			switch {
			case errors.Is(err, edgekv.ErrNotFound):
			case err != nil:
				return nil, err
			default:
				if used, err = strconv.Atoi(string(raw)); err != nil {
					return nil, err
				}
			}
			if used >= perMinute {
				return nil, ErrQuota
			}
			if err := counters.Put(ctx, key, []byte(strconv.Itoa(used+1)), 2*time.Minute); err != nil { // EXPECT kvcounter|kvrace
				return nil, err
			}
			return next(ctx, request)
		}
	}
}

type storedResponse struct {
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

// Idempotent replays the stored response of an earlier call that carried the
// same Idempotency-Key, and stores the response of a first call for a day.
func Idempotent(store *edgekv.Store, scope string) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, request any) (any, error) {
			ik, _ := ctx.Value(idemKey).(string)
			if ik == "" {
				return next(ctx, request)
			}
			key := "idem:" + scope + ":" + ik
			if raw, err := store.Get(ctx, key); err == nil {
				var sr storedResponse
				if json.Unmarshal(raw, &sr) == nil {
					return sr.Body, nil
				}
			} else if !errors.Is(err, edgekv.ErrNotFound) {
				return nil, err
			}
			resp, err := next(ctx, request)
			if err != nil {
				return nil, err
			}
			body, err := json.Marshal(resp)
			if err != nil {
				return resp, nil
			}
			buf, _ := json.Marshal(storedResponse{Status: 200, Body: body})
			_ = store.Put(ctx, key, buf, 24*time.Hour) // DEBATABLE kvrace
			return resp, nil
		}
	}
}

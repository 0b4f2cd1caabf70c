package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/hoopoefm/hoopoe/internal/kvrest"
	"github.com/hoopoefm/hoopoe/internal/metrics"
)

type ctxKey int

const (
	ctxSession ctxKey = iota
	ctxCookie
	ctxAPIKey
	ctxIdempotencyKey
)

// SessionFrom returns the session that SessionAuth attached to ctx.
func SessionFrom(ctx context.Context) (Session, bool) {
	s, ok := ctx.Value(ctxSession).(Session)
	return s, ok
}

// SessionAuth requires a valid session cookie (put into the context by the
// transport) and keeps the session alive while it is used.
func SessionAuth(s *Service) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, request any) (any, error) {
			id, _ := ctx.Value(ctxCookie).(string)
			if id == "" {
				return nil, ErrUnauthorized
			}
			sess, err := s.LoadSession(ctx, id)
			if err != nil {
				return nil, err
			}
			if err := s.Touch(ctx, sess); err != nil {
				return nil, err
			}
			return next(context.WithValue(ctx, ctxSession, sess), request)
		}
	}
}

// Plans maps a plan to its daily API call allowance.
var Plans = map[string]int{"hobby": 1_000, "pro": 50_000, "network": 500_000}

// Quota limits API-key callers to their plan's daily allowance.
func Quota(s *Service, kv *kvrest.Store, m *metrics.Collectors) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, request any) (any, error) {
			secret, _ := ctx.Value(ctxAPIKey).(string)
			key, err := s.LookupAPIKey(ctx, secret)
			if err != nil {
				return nil, err
			}
			day := time.Now().UTC().Format("20060102")
			qk := fmt.Sprintf("quota:%d:%s", key.HostID, day)
			used := 0
			raw, err := kv.Get(ctx, qk)
			switch {
			case errors.Is(err, kvrest.ErrNotFound):
			case err != nil:
				return nil, err
			default:
				used, _ = strconv.Atoi(string(raw))
			}
			if used >= Plans[key.Plan] {
				m.QuotaRejected.WithLabelValues(key.Plan).Inc()
				return nil, fmt.Errorf("daily quota of %d calls used", Plans[key.Plan])
			}
			if err := kv.PutTTL(ctx, qk, []byte(strconv.Itoa(used+1)), 48*time.Hour); err != nil { // EXPECT kvcounter|kvrace
				return nil, err
			}
			return next(ctx, request)
		}
	}
}

// Idempotency replays the stored response of a request that carried the same
// Idempotency-Key header.
type Idempotency struct {
	KV  *kvrest.Store
	TTL time.Duration
}

type storedResponse struct {
	Op   string          `json:"op"`
	Body json.RawMessage `json:"body"`
}

// Middleware returns the endpoint middleware for one operation.
func (i *Idempotency) Middleware(op string) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, request any) (any, error) {
			ik, _ := ctx.Value(ctxIdempotencyKey).(string)
			if ik == "" {
				return next(ctx, request)
			}
			sess, _ := SessionFrom(ctx)
			key := fmt.Sprintf("idem:%d:%s", sess.HostID, ik)
			raw, err := i.KV.Get(ctx, key)
			if err == nil {
				var prev storedResponse
				if json.Unmarshal(raw, &prev) == nil && prev.Op == op {
					var resp apiKeyResponse
					if err := json.Unmarshal(prev.Body, &resp); err == nil {
						return resp, nil
					}
				}
			} else if !errors.Is(err, kvrest.ErrNotFound) {
				return nil, err
			}
			resp, err := next(ctx, request)
			if err != nil {
				return nil, err
			}
			body, _ := json.Marshal(resp)
			rec, _ := json.Marshal(storedResponse{Op: op, Body: body})
			if err := i.KV.PutTTL(ctx, key, rec, max(i.TTL, 24*time.Hour)); err != nil { // DEBATABLE kvrace
				return nil, err
			}
			return resp, nil
		}
	}
}

package billing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/ledgerline/treecreeper/internal/kvedge"
	"github.com/ledgerline/treecreeper/internal/telemetry"
)

type ctxKey int

const (
	tenantCtxKey ctxKey = iota
	apiKeyCtxKey
	idemCtxKey
)

// WithAPIKey stores the raw bearer token for the auth middleware.
func WithAPIKey(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, apiKeyCtxKey, token)
}

// WithIdempotencyKey stores the Idempotency-Key header.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idemCtxKey, key)
}

// TenantFrom returns the tenant resolved by the auth middleware.
func TenantFrom(ctx context.Context) string {
	t, _ := ctx.Value(tenantCtxKey).(string)
	return t
}

// ErrUnauthorized is returned for unknown or revoked API keys.
var ErrUnauthorized = errors.New("billing: unauthorized")

// ErrQuotaExceeded is returned when a tenant has used its monthly links.
var ErrQuotaExceeded = errors.New("billing: monthly quota exceeded")

type apiKeyRecord struct {
	Tenant  string `json:"tenant"`
	Revoked bool   `json:"revoked"`
}

// AuthMiddleware resolves the tenant from the API key. Keys are provisioned
// by the dashboard and are read-only here.
func AuthMiddleware(ns *kvedge.Namespace) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, request any) (any, error) {
			token, _ := ctx.Value(apiKeyCtxKey).(string)
			sum := sha256.Sum256([]byte(token))
			raw, err := ns.Get(ctx, "apikey:"+hex.EncodeToString(sum[:]))
			if errors.Is(err, kvedge.ErrNotFound) {
				return nil, ErrUnauthorized
			}
			if err != nil {
				return nil, err
			}
			var rec apiKeyRecord
			if err := json.Unmarshal(raw, &rec); err != nil || rec.Revoked {
				return nil, ErrUnauthorized
			}
			return next(context.WithValue(ctx, tenantCtxKey, rec.Tenant), request)
		}
	}
}

// QuotaMiddleware enforces the monthly number of payment links per tenant.
func QuotaMiddleware(ns *kvedge.Namespace, limit int) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, request any) (any, error) {
			tenant := TenantFrom(ctx)
			key := fmt.Sprintf("quota-used:%s:%s", tenant, time.Now().UTC().Format("200601"))
			used := 0
			raw, err := ns.Get(ctx, key)
			switch {
			case err == nil:
				used, _ = strconv.Atoi(string(raw))
			case !errors.Is(err, kvedge.ErrNotFound):
				return nil, err
			}
			if used >= limit {
				telemetry.EndpointRequests.WithLabelValues("quota", "rejected").Inc()
				return nil, ErrQuotaExceeded
			}
			resp, err := next(ctx, request)
			if err != nil {
				return nil, err
			}
			if err := ns.Put(ctx, key, []byte(strconv.Itoa(used+1)), 40*24*time.Hour); err != nil { // EXPECT kvcounter|kvrace
				return nil, err
			}
			return resp, nil
		}
	}
}

type storedResponse struct {
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

// IdempotencyMiddleware replays the stored response for a repeated
// Idempotency-Key and records the first response otherwise.
func IdempotencyMiddleware(ns *kvedge.Namespace) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, request any) (any, error) {
			idem, _ := ctx.Value(idemCtxKey).(string)
			if idem == "" {
				return next(ctx, request)
			}
			key := "idem:" + TenantFrom(ctx) + ":" + idem
			if raw, err := ns.Get(ctx, key); err == nil {
				var prev storedResponse
				if json.Unmarshal(raw, &prev) == nil {
					var out CreateLinkResponse
					if json.Unmarshal(prev.Body, &out) == nil {
						return out, nil
					}
				}
			} else if !errors.Is(err, kvedge.ErrNotFound) {
				return nil, err
			}
			resp, err := next(ctx, request)
			if err != nil {
				return nil, err
			}
			body, _ := json.Marshal(resp)
			rec, _ := json.Marshal(storedResponse{Status: 200, Body: body})
			if err := ns.Put(ctx, key, rec, 24*time.Hour); err != nil { // DEBATABLE kvrace
				return nil, err
			}
			return resp, nil
		}
	}
}

// InstrumentingMiddleware counts endpoint results in Prometheus.
func InstrumentingMiddleware(name string) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, request any) (resp any, err error) {
			defer func() {
				result := "ok"
				if err != nil {
					result = "error"
				}
				telemetry.EndpointRequests.WithLabelValues(name, result).Inc()
			}()
			return next(ctx, request)
		}
	}
}

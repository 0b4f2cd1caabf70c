package apikeys

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"connectrpc.com/connect"

	"github.com/dunlin-dev/dunlin/internal/kvstore"
)

// idempotencyWindow is how long a client may replay an Idempotency-Key.
const idempotencyWindow = 24 * time.Hour

// lastUsedResolution limits how often the last-used time of a key is
// refreshed.
const lastUsedResolution = time.Hour

type callerKey struct{}

// Caller is the authenticated API key behind a request.
type Caller struct {
	Tenant string
	KeyID  string
	Plan   string
	Scopes []string
}

// CallerFrom returns the caller that Authenticate put on the context.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}

// Authenticate resolves the bearer API key of every call and puts the
// Caller, with the tenant's plan, on the context.
func Authenticate(keys, plans *kvstore.Namespace) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			secret, ok := strings.CutPrefix(req.Header().Get("Authorization"), "Bearer ")
			if !ok {
				return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("missing bearer key"))
			}
			id, _, ok := strings.Cut(strings.TrimPrefix(secret, "dk_"), "_")
			if !ok {
				return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("malformed key"))
			}
			raw, err := keys.Get(ctx, recordKey(id))
			if errors.Is(err, kvstore.ErrNotFound) {
				return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("unknown key"))
			} else if err != nil {
				return nil, connect.NewError(connect.CodeUnavailable, err)
			}
			var rec keyRecord
			if err := json.Unmarshal(raw, &rec); err != nil {
				return nil, connect.NewError(connect.CodeInternal, err)
			}
			if subtle.ConstantTimeCompare([]byte(rec.SecretHash), []byte(hashSecret(secret))) != 1 {
				return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("unknown key"))
			}
			if time.Since(rec.LastUsedAt) > lastUsedResolution {
				rec.LastUsedAt = time.Now().UTC()
				if body, err := json.Marshal(rec); err == nil {
					if err := keys.Put(ctx, recordKey(id), body); err != nil { // EXPECT kvrace
						slog.WarnContext(ctx, "api key: last-used update failed", "key", id, "err", err)
					}
				}
			}
			plan := "free"
			if raw, err := plans.Get(ctx, "plan:"+rec.TenantID); err == nil {
				var p struct {
					Plan string `json:"plan"`
				}
				if json.Unmarshal(raw, &p) == nil && p.Plan != "" {
					plan = p.Plan
				}
			} else if !errors.Is(err, kvstore.ErrNotFound) {
				return nil, connect.NewError(connect.CodeUnavailable, err)
			}
			ctx = context.WithValue(ctx, callerKey{}, Caller{Tenant: rec.TenantID, KeyID: rec.ID, Plan: plan, Scopes: rec.Scopes})
			return next(ctx, req)
		}
	}
}

// EnforceQuota rejects calls once the tenant has used its monthly allowance
// and counts the calls that succeed.
func EnforceQuota(usage *kvstore.Namespace, limits map[string]int64) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			c, ok := CallerFrom(ctx)
			if !ok || req.Spec().IdempotencyLevel == connect.IdempotencyNoSideEffects {
				return next(ctx, req)
			}
			limit, ok := limits[c.Plan]
			if !ok {
				limit = limits["free"]
			}
			key := quotaKey(c.Tenant, time.Now())
			var used int64
			raw, err := usage.Get(ctx, key)
			switch {
			case errors.Is(err, kvstore.ErrNotFound):
			case err != nil:
				return nil, connect.NewError(connect.CodeUnavailable, err)
			default:
				if used, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
					return nil, connect.NewError(connect.CodeInternal, fmt.Errorf("quota %s: %w", key, err))
				}
			}
			if used >= limit {
				return nil, connect.NewError(connect.CodeResourceExhausted, fmt.Errorf("monthly quota of %d calls used", limit))
			}
			resp, err := next(ctx, req)
			if err == nil {
				if err := usage.Put(ctx, key, []byte(strconv.FormatInt(used+1, 10))); err != nil { // EXPECT kvcounter|kvrace
					slog.WarnContext(ctx, "quota: count not saved", "tenant", c.Tenant, "err", err)
				}
			}
			return resp, err
		}
	}
}

// Idempotency turns a replayed Idempotency-Key into AlreadyExists instead of
// running the mutation twice.
func Idempotency(ns *kvstore.Namespace) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			ik := req.Header().Get("Idempotency-Key")
			c, ok := CallerFrom(ctx)
			if ik == "" || !ok || req.Spec().IdempotencyLevel == connect.IdempotencyNoSideEffects {
				return next(ctx, req)
			}
			key := "idem:" + c.Tenant + ":" + req.Spec().Procedure + ":" + ik
			if _, err := ns.Get(ctx, key); err == nil {
				return nil, connect.NewError(connect.CodeAlreadyExists, fmt.Errorf("idempotency key %q was already used", ik))
			} else if !errors.Is(err, kvstore.ErrNotFound) {
				return nil, connect.NewError(connect.CodeUnavailable, err)
			}
			stamp := []byte(time.Now().UTC().Format(time.RFC3339))
			if err := ns.PutTTL(ctx, key, stamp, idempotencyWindow); err != nil { // EXPECT kvrace
				return nil, connect.NewError(connect.CodeUnavailable, err)
			}
			return next(ctx, req)
		}
	}
}

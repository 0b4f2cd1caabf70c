// Package rpcauth holds the Connect interceptors every backend RPC service is
// mounted with: dispatcher console sessions, partner API keys, daily partner
// quotas and idempotent retries of mutating calls.
package rpcauth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"connectrpc.com/connect"

	"github.com/fleetbite/woodcock/internal/kvstore"
)

type ctxKey int

const (
	partnerKey ctxKey = iota
	consoleUserKey
)

// PartnerFrom returns the partner an API key belongs to, or "".
func PartnerFrom(ctx context.Context) string {
	p, _ := ctx.Value(partnerKey).(string)
	return p
}

// ConsoleUserFrom returns the dispatcher signed in to the console, or "".
func ConsoleUserFrom(ctx context.Context) string {
	u, _ := ctx.Value(consoleUserKey).(string)
	return u
}

var (
	errNoCredentials = errors.New("missing credentials")
	errBadKey        = errors.New("invalid API key")
	errDuplicate     = errors.New("request with this Idempotency-Key was already processed")
)

type apiKeyRecord struct {
	Partner      string   `json:"partner"`
	SecretSHA256 []byte   `json:"secretSha256"`
	Procedures   []string `json:"procedures"` // empty means all
	Disabled     bool     `json:"disabled"`
}

func (r apiKeyRecord) allows(procedure string) bool {
	if len(r.Procedures) == 0 {
		return true
	}
	for _, p := range r.Procedures {
		if p == procedure || (strings.HasSuffix(p, "/") && strings.HasPrefix(procedure, p)) {
			return true
		}
	}
	return false
}

// parseAPIKey splits "Bearer fbk_<id>.<secret>".
func parseAPIKey(header string) (id, secret string, ok bool) {
	token, found := strings.CutPrefix(header, "Bearer fbk_")
	if !found {
		return "", "", false
	}
	return strings.Cut(token, ".")
}

// APIKeys authenticates partner integrations by API key.
func APIKeys(ns *kvstore.Namespace) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if ConsoleUserFrom(ctx) != "" {
				return next(ctx, req)
			}
			keyID, secret, ok := parseAPIKey(req.Header().Get("Authorization"))
			if !ok {
				return nil, connect.NewError(connect.CodeUnauthenticated, errNoCredentials)
			}
			raw, err := ns.Get(ctx, "apikey:"+keyID)
			if errors.Is(err, kvstore.ErrNotFound) {
				return nil, connect.NewError(connect.CodeUnauthenticated, errBadKey)
			} else if err != nil {
				return nil, connect.NewError(connect.CodeUnavailable, err)
			}
			var rec apiKeyRecord
			if err := json.Unmarshal(raw, &rec); err != nil {
				return nil, connect.NewError(connect.CodeInternal, err)
			}
			sum := sha256.Sum256([]byte(secret))
			if rec.Disabled || subtle.ConstantTimeCompare(sum[:], rec.SecretSHA256) != 1 {
				return nil, connect.NewError(connect.CodeUnauthenticated, errBadKey)
			}
			if !rec.allows(req.Spec().Procedure) {
				return nil, connect.NewError(connect.CodePermissionDenied, fmt.Errorf("key %s may not call %s", keyID, req.Spec().Procedure))
			}
			stamp := []byte(time.Now().UTC().Format(time.RFC3339))
			if err := ns.Put(ctx, "apikey:last-used:"+keyID, stamp, 0); err != nil { // DEBATABLE kvhotkey
				slog.WarnContext(ctx, "api key usage not recorded", "key", keyID, "err", err)
			}
			return next(context.WithValue(ctx, partnerKey, rec.Partner), req)
		}
	}
}

// Quota enforces a daily call budget per partner.
func Quota(ns *kvstore.Namespace, perDay int) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			partner := PartnerFrom(ctx)
			if partner == "" {
				return next(ctx, req)
			}
			key := "quota:" + partner + ":" + time.Now().UTC().Format("20060102")
			used := 0
			raw, err := ns.Get(ctx, key)
			switch {
			case err == nil:
				used, _ = strconv.Atoi(string(raw))
			case !errors.Is(err, kvstore.ErrNotFound):
				return nil, connect.NewError(connect.CodeUnavailable, err)
			}
			if used >= perDay {
				return nil, connect.NewError(connect.CodeResourceExhausted, fmt.Errorf("daily quota of %d calls used", perDay))
			}
			if err := ns.Put(ctx, key, []byte(strconv.Itoa(used+1)), 48*time.Hour); err != nil { // EXPECT kvcounter|kvrace
				return nil, connect.NewError(connect.CodeUnavailable, err)
			}
			return next(ctx, req)
		}
	}
}

type consoleSession struct {
	User          string    `json:"user"`
	Roles         []string  `json:"roles"`
	ExpiresAt     time.Time `json:"expiresAt"`
	LastProcedure string    `json:"lastProcedure"`
}

const consoleIdle = 30 * time.Minute

// ConsoleSessions signs in dispatchers who call the API from the console.
// Calls without the console header pass through to the API key check.
func ConsoleSessions(ns *kvstore.Namespace) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			sid := req.Header().Get("X-Console-Session")
			if sid == "" {
				return next(ctx, req)
			}
			key := "console:sess:" + sid
			raw, err := ns.Get(ctx, key)
			if err != nil {
				return nil, connect.NewError(connect.CodeUnauthenticated, errNoCredentials)
			}
			var sess consoleSession
			if err := json.Unmarshal(raw, &sess); err != nil || time.Now().After(sess.ExpiresAt) {
				return nil, connect.NewError(connect.CodeUnauthenticated, errNoCredentials)
			}
			sess.ExpiresAt = time.Now().Add(consoleIdle)
			sess.LastProcedure = req.Spec().Procedure
			out, _ := json.Marshal(sess)
			if err := ns.Put(ctx, key, out, consoleIdle); err != nil { // EXPECT kvsession|kvrace
				slog.WarnContext(ctx, "console session not extended", "user", sess.User, "err", err)
			}
			return next(context.WithValue(ctx, consoleUserKey, sess.User), req)
		}
	}
}

// Idempotency rejects a mutating call whose Idempotency-Key was already
// processed within window.
func Idempotency(ns *kvstore.Namespace, window time.Duration) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			idem := req.Header().Get("Idempotency-Key")
			if idem == "" || req.Spec().IdempotencyLevel == connect.IdempotencyNoSideEffects {
				return next(ctx, req)
			}
			owner := PartnerFrom(ctx)
			if owner == "" {
				owner = "console:" + ConsoleUserFrom(ctx)
			}
			key := "idem:" + owner + ":" + idem
			if _, err := ns.Get(ctx, key); err == nil {
				return nil, connect.NewError(connect.CodeAlreadyExists, errDuplicate)
			} else if !errors.Is(err, kvstore.ErrNotFound) {
				return nil, connect.NewError(connect.CodeUnavailable, err)
			}
			res, err := next(ctx, req)
			if err != nil {
				return nil, err
			}
			ttl := max(2*window, 3*time.Second)                                         // EXPECT kvttl
			if err := ns.Put(ctx, key, []byte(req.Spec().Procedure), ttl); err != nil { // EXPECT kvrace
				slog.WarnContext(ctx, "idempotency key not stored", "key", idem, "err", err)
			}
			return res, nil
		}
	}
}

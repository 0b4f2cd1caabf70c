package rpc

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/redshank-labs/redshank/internal/auth"
	"github.com/redshank-labs/redshank/internal/config"
	"github.com/redshank-labs/redshank/internal/kvstore"
)

// Principal is the authenticated caller of an RPC.
type Principal struct {
	Tenant    string
	KeyID     string
	SessionID string
}

type principalKey struct{}

func principalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}

func firstMD(md metadata.MD, name string) string {
	if v := md.Get(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

func authInterceptor(sess *kvstore.Namespace, cfg config.SessionConfig) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		md, _ := metadata.FromIncomingContext(ctx)

		if raw := firstMD(md, "x-api-key"); raw != "" {
			id, secret, ok := auth.SplitAPIKey(raw)
			if !ok {
				return nil, status.Error(codes.Unauthenticated, "malformed API key")
			}
			var k auth.APIKey
			if err := sess.GetJSON(ctx, auth.APIKeyKey(id), &k); err != nil || !auth.CheckSecret(k.SecretHash, secret) {
				return nil, status.Error(codes.Unauthenticated, "unknown API key")
			}
			return handler(context.WithValue(ctx, principalKey{}, Principal{Tenant: k.Tenant, KeyID: k.ID}), req)
		}

		token, ok := strings.CutPrefix(firstMD(md, "authorization"), "Session ")
		if !ok || token == "" {
			return nil, status.Error(codes.Unauthenticated, "missing credentials")
		}
		key := auth.SessionKey(token)
		var s auth.Session
		if err := sess.GetJSON(ctx, key, &s); err != nil {
			return nil, status.Error(codes.Unauthenticated, "session expired")
		}
		now := time.Now().UTC()
		if now.After(s.ExpiresAt) {
			return nil, status.Error(codes.Unauthenticated, "session expired")
		}
		if raw, found, err := sess.Lookup(ctx, auth.RevokedBeforeKey(s.UserID)); err == nil && found {
			if cut, err := time.Parse(time.RFC3339Nano, string(raw)); err == nil && s.CreatedAt.Before(cut) {
				return nil, status.Error(codes.Unauthenticated, "session revoked")
			}
		}
		s.LastSeen = now
		s.ExpiresAt = now.Add(cfg.TTL)
		if err := sess.PutJSON(ctx, key, s, cfg.TTL); err != nil { // EXPECT kvsession|kvrace
			return nil, status.Errorf(codes.Unavailable, "refreshing session: %v", err)
		}
		return handler(context.WithValue(ctx, principalKey{}, Principal{Tenant: s.Tenant, SessionID: s.ID}), req)
	}
}

// quotaInterceptor enforces the per-tenant request quota in fixed windows.
func quotaInterceptor(metrics *kvstore.Namespace, q config.QuotaConfig, log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		window := q.Window
		if window < time.Second {
			return handler(ctx, req)
		}
		p := principalFrom(ctx)
		slot := time.Now().Unix() / int64(window/time.Second)
		key := fmt.Sprintf("quota:%s:%d", p.Tenant, slot)

		used := 0
		raw, found, err := metrics.Lookup(ctx, key)
		if err != nil {
			log.Warn("quota lookup failed, allowing request", "tenant", p.Tenant, "err", err)
			return handler(ctx, req)
		}
		if found {
			used, _ = strconv.Atoi(string(raw))
		}
		if used >= q.Limit {
			return nil, status.Errorf(codes.ResourceExhausted, "quota of %d requests per %s exceeded", q.Limit, window)
		}
		if err := metrics.PutTTL(ctx, key, []byte(strconv.Itoa(used+1)), // EXPECT kvcounter|kvrace
			max(2*window, 10*time.Second)); err != nil { // EXPECT kvttl
			log.Warn("quota update failed", "tenant", p.Tenant, "err", err)
		}
		return handler(ctx, req)
	}
}

// idempotencyInterceptor replays the stored response of a RecordExposure
// call that carries an idempotency-key the tenant already used.
func idempotencyInterceptor(metrics *kvstore.Namespace, cfg config.AssignConfig) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if info.FullMethod != Assignments_RecordExposure_FullMethodName {
			return handler(ctx, req)
		}
		md, _ := metadata.FromIncomingContext(ctx)
		idem := firstMD(md, "idempotency-key")
		if idem == "" {
			return handler(ctx, req)
		}
		key := "idem:" + principalFrom(ctx).Tenant + ":" + idem
		if raw, found, err := metrics.Lookup(ctx, key); err == nil && found {
			out := new(ExposureResponse)
			if err := json.Unmarshal(raw, out); err == nil {
				return out, nil
			}
		}
		resp, err := handler(ctx, req)
		if err != nil {
			return nil, err
		}
		// Clients retry until their own deadline; the record only has to
		// outlive that.
		deadline, ok := ctx.Deadline()
		if !ok {
			deadline = time.Now().Add(cfg.IdempotencyTTL)
		}
		b, _ := json.Marshal(resp)
		if err := metrics.PutTTL(ctx, key, b, // DEBATABLE kvrace
			time.Until(deadline)); err != nil { // EXPECT kvttl
			return nil, status.Errorf(codes.Unavailable, "storing idempotency record: %v", err)
		}
		return resp, nil
	}
}

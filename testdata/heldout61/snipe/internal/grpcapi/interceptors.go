package grpcapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/fleetwire/snipe/internal/config"
	"github.com/fleetwire/snipe/internal/fleet"
	"github.com/fleetwire/snipe/internal/kvstore"
)

// idempotencyWindow covers a device's client-side retries of one batch.
const idempotencyWindow = 45 * time.Second

type tenantCtxKey struct{}

// TenantFrom returns the tenant the Auth interceptor resolved.
func TenantFrom(ctx context.Context) string {
	t, _ := ctx.Value(tenantCtxKey{}).(string)
	return t
}

type apiKeyRecord struct {
	Tenant string `json:"tenant"`
	Label  string `json:"label"`
}

// Interceptors holds the unary interceptors chained in front of the service.
type Interceptors struct {
	store *kvstore.Store
	cfg   config.GRPC
	log   *slog.Logger
}

// NewInterceptors returns the interceptor set.
func NewInterceptors(store *kvstore.Store, cfg config.GRPC, log *slog.Logger) *Interceptors {
	return &Interceptors{store: store, cfg: cfg, log: log}
}

// ServerOptions returns the chain in the order it must run.
func (i *Interceptors) ServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(i.Auth, i.Quota, i.Idempotency),
	}
}

// Auth resolves the x-api-key header to a tenant.
func (i *Interceptors) Auth(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	presented := md.Get("x-api-key")
	if len(presented) == 0 || presented[0] == "" {
		return nil, status.Error(codes.Unauthenticated, "missing api key")
	}
	sum := sha256.Sum256([]byte(presented[0]))
	hash := hex.EncodeToString(sum[:])

	if _, err := i.store.Get(ctx, revokedKey(hash)); err == nil {
		return nil, status.Error(codes.PermissionDenied, "api key revoked")
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, status.Error(codes.Unavailable, "auth backend unavailable")
	}

	var rec apiKeyRecord
	if err := i.store.GetJSON(ctx, fleet.PrefixAPIKey+hash, &rec); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, status.Error(codes.Unauthenticated, "unknown api key")
		}
		return nil, status.Error(codes.Unavailable, "auth backend unavailable")
	}
	return handler(context.WithValue(ctx, tenantCtxKey{}, rec.Tenant), req)
}

// Quota enforces the per-tenant request budget of the current window.
func (i *Interceptors) Quota(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	window := i.cfg.QuotaWindow
	start := time.Now().Truncate(window).Unix()
	key := fmt.Sprintf("quota:%s:%d", TenantFrom(ctx), start)

	used := 0
	raw, err := i.store.Get(ctx, key)
	switch {
	case err == nil:
		used, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvstore.ErrNotFound):
		return nil, status.Error(codes.Unavailable, "quota backend unavailable")
	}
	if used >= i.cfg.QuotaPerWindow {
		return nil, status.Errorf(codes.ResourceExhausted, "quota of %d calls per %s used", i.cfg.QuotaPerWindow, window)
	}
	if err := i.store.Put(ctx, key, []byte(strconv.Itoa(used+1)), 2*window); err != nil { // EXPECT kvcounter|kvrace
		i.log.WarnContext(ctx, "quota write failed", "err", err)
	}
	return handler(ctx, req)
}

// Idempotency replays the stored reply of an Ingest call that carries an
// idempotency key the service has already answered.
func (i *Interceptors) Idempotency(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	keyed, ok := req.(interface{ GetIdempotencyKey() string })
	if info.FullMethod != Fleet_Ingest_FullMethodName || !ok || keyed.GetIdempotencyKey() == "" {
		return handler(ctx, req)
	}
	key := "idem:" + TenantFrom(ctx) + ":" + keyed.GetIdempotencyKey()
	raw, err := i.store.Get(ctx, key)
	switch {
	case err == nil:
		var cached IngestReply
		if json.Unmarshal(raw, &cached) == nil {
			return &cached, nil
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return nil, status.Error(codes.Unavailable, "idempotency backend unavailable")
	}

	resp, err := handler(ctx, req)
	if err != nil {
		return nil, err
	}
	if out, err := json.Marshal(resp); err == nil {
		if err := i.store.Put(ctx, key, out, idempotencyWindow); err != nil { // EXPECT kvttl
			i.log.WarnContext(ctx, "idempotency record not stored", "err", err)
		}
	}
	return resp, nil
}

// Package apikeys implements dunlin.v1.APIKeyService and the Connect
// interceptors that authenticate API keys and enforce per-tenant quotas.
package apikeys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/cloudflare/cloudflare-go"

	"github.com/dunlin-dev/dunlin/internal/gen/dunlinv1"
	"github.com/dunlin-dev/dunlin/internal/gen/dunlinv1/dunlinv1connect"
	"github.com/dunlin-dev/dunlin/internal/kvstore"
)

// recentActivity is how many events the dashboard's activity feed keeps.
const recentActivity = 50

// keyRecord is the value stored under apikey:<id>.
type keyRecord struct {
	ID         string    `json:"id"`
	TenantID   string    `json:"tenant_id"`
	Name       string    `json:"name"`
	Scopes     []string  `json:"scopes"`
	SecretHash string    `json:"secret_hash"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitempty"`
}

// listing is the metadata of tenantkey:<tenant>:<id>, so that ListKeys can
// answer from one list call.
type listing struct {
	Name      string `json:"n"`
	CreatedAt int64  `json:"c"`
}

func recordKey(id string) string        { return "apikey:" + id }
func tenantPrefix(tenant string) string { return "tenantkey:" + tenant + ":" }
func quotaKey(tenant string, t time.Time) string {
	return "quota:" + tenant + ":" + t.UTC().Format("2006-01")
}

// newKey returns a key id and the secret shown to the user once, of the
// form dk_<id>_<random>.
func newKey() (id, secret string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	id = hex.EncodeToString(b[:8])
	return id, "dk_" + id + "_" + hex.EncodeToString(b[8:])
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Server implements dunlinv1connect.APIKeyServiceHandler.
type Server struct {
	keys *kvstore.Namespace
}

var _ dunlinv1connect.APIKeyServiceHandler = (*Server)(nil)

func NewServer(keys *kvstore.Namespace) *Server { return &Server{keys: keys} }

type activityEvent struct {
	At    time.Time `json:"at"`
	Kind  string    `json:"kind"`
	KeyID string    `json:"key_id"`
}

// recordActivity adds an event to the tenant's activity feed.
func (s *Server) recordActivity(ctx context.Context, tenant string, ev activityEvent) error {
	key := "activity:" + tenant
	var feed []activityEvent
	raw, err := s.keys.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &feed); err != nil {
			return fmt.Errorf("activity feed of %s: %w", tenant, err)
		}
	}
	feed = append(feed, ev)
	if len(feed) > recentActivity {
		feed = feed[len(feed)-recentActivity:]
	}
	body, _ := json.Marshal(feed)
	return s.keys.Put(ctx, key, body) // EXPECT kvrace
}

func (s *Server) CreateKey(ctx context.Context, req *connect.Request[dunlinv1.CreateKeyRequest]) (*connect.Response[dunlinv1.CreateKeyResponse], error) {
	tenant, name := req.Msg.TenantId, strings.TrimSpace(req.Msg.Name)
	if c, ok := CallerFrom(ctx); !ok || c.Tenant != tenant || name == "" {
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("name is required and tenant_id must be the caller's"))
	}
	id, secret := newKey()
	now := time.Now().UTC()
	body, _ := json.Marshal(keyRecord{
		ID: id, TenantID: tenant, Name: name, Scopes: req.Msg.GetScopes(),
		SecretHash: hashSecret(secret), CreatedAt: now,
	})
	err := s.keys.PutMany(ctx, []*cloudflare.WorkersKVPair{
		{Key: recordKey(id), Value: string(body)},
		{Key: tenantPrefix(tenant) + id, Value: id, Metadata: listing{Name: name, CreatedAt: now.Unix()}},
	})
	if err != nil {
		return nil, connect.NewError(connect.CodeUnavailable, err)
	}
	_ = s.recordActivity(ctx, tenant, activityEvent{At: now, Kind: "key.created", KeyID: id})
	return connect.NewResponse(&dunlinv1.CreateKeyResponse{KeyId: id, Secret: secret}), nil
}

func (s *Server) RevokeKey(ctx context.Context, req *connect.Request[dunlinv1.RevokeKeyRequest]) (*connect.Response[dunlinv1.RevokeKeyResponse], error) {
	tenant, id := req.Msg.TenantId, req.Msg.KeyId
	raw, err := s.keys.Get(ctx, recordKey(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("key %s not found", id))
	} else if err != nil {
		return nil, connect.NewError(connect.CodeUnavailable, err)
	}
	var rec keyRecord
	if err := json.Unmarshal(raw, &rec); err != nil || rec.TenantID != tenant {
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("key %s not found", id))
	}
	if err := s.keys.DeleteMany(ctx, []string{recordKey(id), tenantPrefix(tenant) + id}); err != nil { // DEBATABLE kvsession
		return nil, connect.NewError(connect.CodeUnavailable, err)
	}
	_ = s.recordActivity(ctx, tenant, activityEvent{At: time.Now().UTC(), Kind: "key.revoked", KeyID: id})
	return connect.NewResponse(&dunlinv1.RevokeKeyResponse{}), nil
}

// RevokeAllKeys is used by support when a tenant reports a leaked CI
// secret.
func (s *Server) RevokeAllKeys(ctx context.Context, req *connect.Request[dunlinv1.RevokeAllKeysRequest]) (*connect.Response[dunlinv1.RevokeAllKeysResponse], error) {
	prefix := tenantPrefix(req.Msg.TenantId)
	entries, _, err := s.keys.Page(ctx, prefix, "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, connect.NewError(connect.CodeUnavailable, err)
	}
	doomed := make([]string, 0, 2*len(entries))
	for _, e := range entries {
		doomed = append(doomed, recordKey(strings.TrimPrefix(e.Name, prefix)), e.Name)
	}
	if err := s.keys.DeleteMany(ctx, doomed); err != nil {
		return nil, connect.NewError(connect.CodeUnavailable, err)
	}
	return connect.NewResponse(&dunlinv1.RevokeAllKeysResponse{Revoked: int32(len(entries))}), nil
}

func (s *Server) ListKeys(ctx context.Context, req *connect.Request[dunlinv1.ListKeysRequest]) (*connect.Response[dunlinv1.ListKeysResponse], error) {
	prefix := tenantPrefix(req.Msg.TenantId)
	size := int(min(max(req.Msg.PageSize, 10), 1000))
	entries, next, err := s.keys.Page(ctx, prefix, req.Msg.GetPageToken(), size)
	if err != nil {
		return nil, connect.NewError(connect.CodeUnavailable, err)
	}
	out := &dunlinv1.ListKeysResponse{NextPageToken: next}
	for _, e := range entries {
		var l listing
		if b, err := json.Marshal(e.Metadata); err == nil {
			_ = json.Unmarshal(b, &l)
		}
		out.Keys = append(out.Keys, &dunlinv1.KeySummary{KeyId: strings.TrimPrefix(e.Name, prefix), Name: l.Name, CreatedAt: l.CreatedAt})
	}
	return connect.NewResponse(out), nil
}

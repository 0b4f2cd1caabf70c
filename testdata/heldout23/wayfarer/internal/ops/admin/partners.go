// Package admin implements the ops console: partner management, data
// migrations, audits and config sync.
package admin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/wayfarer/internal/domain"
	"example.com/wayfarer/internal/ops/cfkv"
	"example.com/wayfarer/internal/ops/restkv"
	"example.com/wayfarer/internal/storage"
)

// Admin holds the clients the console needs.
type Admin struct {
	store     *cfkv.Store // main namespace
	sessions  *cfkv.Store // sessions namespace
	rest      *restkv.Client
	kvs       *storage.KV
	retention time.Duration
	now       func() time.Time
}

func New(store, sessions *cfkv.Store, rest *restkv.Client, retention time.Duration) *Admin {
	return &Admin{store: store, sessions: sessions, rest: rest, kvs: storage.NewKV(store), retention: retention, now: time.Now}
}

func hashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// IssueKey creates a partner API key and returns its secret, which is
// shown once and never stored.
func (a *Admin) IssueKey(ctx context.Context, partnerID, plan string, scopes []string) (string, error) {
	secret := "wf_" + domain.NewID(24)
	pk := domain.PartnerKey{
		ID: domain.NewID(6), PartnerID: partnerID, Hash: hashKey(secret),
		Scopes: scopes, Plan: plan, CreatedAt: a.now().UTC(),
	}
	raw, err := json.Marshal(pk)
	if err != nil {
		return "", err
	}
	if err := a.store.Put(ctx, "partner-key:"+pk.Hash, raw); err != nil {
		return "", err
	}
	return secret, a.store.Put(ctx, "partner-key-by-id:"+pk.ID, []byte(pk.Hash))
}

// RevokeKey deletes a partner key. Keys are rotated with an overlap, so
// the old key is only revoked once the partner has switched.
func (a *Admin) RevokeKey(ctx context.Context, keyID string) error {
	hash, err := a.store.Get(ctx, "partner-key-by-id:"+keyID)
	if err != nil {
		return fmt.Errorf("key %s: %w", keyID, err)
	}
	if err := a.store.Delete(ctx, "partner-key:"+string(hash)); err != nil { // DEBATABLE kvsession
		return err
	}
	return a.store.Delete(ctx, "partner-key-by-id:"+keyID)
}

// SetWebhook changes where booking events for a partner are delivered.
func (a *Admin) SetWebhook(ctx context.Context, partnerID, webhook string) error {
	api, rc, ns := a.store.API()
	key := "partner-config:" + partnerID
	cfg := domain.PartnerConfig{PartnerID: partnerID}
	raw, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: key}) // EXPECT kvnull
	if err == nil {
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return fmt.Errorf("partner config %s: %w", partnerID, err)
		}
	}
	cfg.WebhookURL = webhook
	out, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	_, err = api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: key, Value: out}) // EXPECT kvrace
	return err
}

// GrantQuota adds extra calls to a partner's monthly allowance.
func (a *Admin) GrantQuota(ctx context.Context, partnerID string, extra int) (int, error) {
	api, rc, ns := a.store.API()
	key := "quota:" + partnerID + ":monthly"
	current := 0
	raw, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: key})
	switch {
	case err == nil:
		if current, err = strconv.Atoi(strings.TrimSpace(string(raw))); err != nil {
			return 0, fmt.Errorf("quota %s: %w", partnerID, err)
		}
	case !cfkv.IsNotFound(err):
		return 0, err
	}
	next := current + extra
	_, err = api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: key, Value: []byte(strconv.Itoa(next))}) // EXPECT kvcounter
	return next, err
}

// RevokeSessions invalidates every session a traveller holds, after a
// password reset or a suspected takeover.
func (a *Admin) RevokeSessions(ctx context.Context, travellerID string) error {
	api, rc, ns := a.sessions.API()
	stamp := []byte(strconv.FormatInt(a.now().Unix(), 10))
	_, err := api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: "sessions-revoked-before:" + travellerID, Value: stamp}) // EXPECT kvsession
	return err
}

// PartnerIDs lists configured partners.
func (a *Admin) PartnerIDs(ctx context.Context) ([]string, error) {
	api, rc, ns := a.store.API()
	res, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{NamespaceID: ns, Prefix: "partner-config:"}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		ids = append(ids, strings.TrimPrefix(k.Name, "partner-config:"))
	}
	slices.Sort(ids)
	return ids, nil
}

// NotifyPartners posts a maintenance notice to every partner's webhook.
func (a *Admin) NotifyPartners(ctx context.Context, hc *http.Client, notice string, log io.Writer) error {
	ids, err := a.PartnerIDs(ctx)
	if err != nil {
		return err
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = "partner-config:" + id
	}
	configs, err := a.rest.GetMany(ctx, keys)
	if err != nil {
		return err
	}
	for _, id := range ids {
		var cfg domain.PartnerConfig
		if err := json.Unmarshal(configs["partner-config:"+id], &cfg); err != nil || cfg.WebhookURL == "" {
			continue
		}
		body := strings.NewReader(fmt.Sprintf(`{"type":"maintenance","message":%q}`, notice))
		res, err := hc.Post(cfg.WebhookURL, "application/json", body)
		if err != nil {
			fmt.Fprintf(log, "%s: %v\n", id, err)
			continue
		}
		res.Body.Close()
		fmt.Fprintf(log, "%s: %s\n", id, res.Status)
	}
	return nil
}

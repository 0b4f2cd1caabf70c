package previewengine

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/hashicorp/vault/sdk/logical"

	"github.com/rosefinch-dev/rosefinch/internal/kvstore"
)

type sweepReport struct {
	At      time.Time `json:"at"`
	Scanned int       `json:"scanned"`
	Expired int       `json:"expired"`
	Roles   int       `json:"roles"`
}

// periodic runs once a minute on the active node.
func (b *backend) periodic(ctx context.Context, req *logical.Request) error {
	ns, cfg, err := b.kv(ctx, req.Storage)
	if err != nil {
		return nil // not configured yet
	}
	report := sweepReport{At: time.Now().UTC()}

	if b.anyExpiredTokens(ctx, ns) {
		if err := b.sweepTokens(ctx, ns, cfg, &report); err != nil {
			b.Logger().Warn("token sweep failed", "error", err)
		}
	}
	if err := b.publishEdgeRoles(ctx, req.Storage, ns, &report); err != nil {
		b.Logger().Warn("role publish failed", "error", err)
	}
	if err := b.snapshotQuotas(ctx, ns); err != nil {
		b.Logger().Warn("quota snapshot failed", "error", err)
	}
	return ns.PutJSON(ctx, "engine:last-sweep", report, 0)
}

// anyExpiredTokens peeks at the first few access tokens to decide whether a
// sweep is worth its list operations.
func (b *backend) anyExpiredTokens(ctx context.Context, ns *kvstore.Namespace) bool {
	page, err := ns.Client.KV.Namespaces.Keys.List(ctx, ns.ID, kv.NamespaceKeyListParams{ // DEBATABLE kvlist
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F("access-token:"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return true
	}
	now := float64(time.Now().Unix())
	for _, k := range page.Result {
		if k.Expiration != 0 && k.Expiration < now+300 {
			return true
		}
	}
	return len(page.Result) > 0
}

// sweepTokens removes access tokens whose environment was torn down. It reads
// at most cfg.SweepPages pages and resumes from the saved cursor next time.
func (b *backend) sweepTokens(ctx context.Context, ns *kvstore.Namespace, cfg *engineConfig, report *sweepReport) error {
	cursor := ""
	if raw, err := ns.Get(ctx, "sweep:cursor"); err == nil {
		cursor = string(raw)
	}
	live, err := liveEnvs(ctx, ns)
	if err != nil {
		return err
	}
	for range max(cfg.SweepPages, 1) {
		keys, next, err := ns.Page(ctx, "access-token:", cursor, 1000)
		if err != nil {
			return err
		}
		report.Scanned += len(keys)
		var stale []string
		for _, k := range keys {
			meta, _ := k.Metadata.(map[string]interface{})
			if env, _ := meta["env"].(string); env != "" && !live[env] {
				stale = append(stale, k.Name)
			}
		}
		if len(stale) > 0 {
			if _, err := ns.Client.KV.Namespaces.Keys.BulkDelete(ctx, ns.ID, kv.NamespaceKeyBulkDeleteParams{
				AccountID: cloudflare.F(ns.AccountID),
				Body:      stale,
			}); err != nil {
				return err
			}
			report.Expired += len(stale)
		}
		if err := ns.Put(ctx, "sweep:cursor", []byte(next), 0); err != nil { // EXPECT kvhotkey
			return err
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return nil
}

// liveEnvs reads the environment directory the orchestrator publishes.
func liveEnvs(ctx context.Context, ns *kvstore.Namespace) (map[string]bool, error) {
	var envs []string
	if err := ns.GetJSON(ctx, "envs:live", &envs); err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(envs))
	for _, e := range envs {
		out[e] = true
	}
	return out, nil
}

// publishEdgeRoles mirrors role scopes to the edge index.
func (b *backend) publishEdgeRoles(ctx context.Context, s logical.Storage, ns *kvstore.Namespace, report *sweepReport) error {
	names, err := s.List(ctx, "roles/")
	if err != nil {
		return err
	}
	index := make(map[string][]string, len(names))
	for _, name := range names {
		if strings.HasSuffix(name, "/") {
			continue
		}
		r, err := getRole(ctx, s, name)
		if err != nil || r == nil {
			continue
		}
		index[name] = r.Scopes
		report.Roles++
		if err := ns.PutJSON(ctx, "roles:edge-index", index, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// snapshotQuotas copies every team quota into one key per team under
// dash:team:, which the dashboard reads. One bulk request per run.
func (b *backend) snapshotQuotas(ctx context.Context, ns *kvstore.Namespace) error {
	keys, err := ns.Keys(ctx, "quota:env:", 2000)
	if err != nil {
		return err
	}
	entries := make([]kvstore.Entry, 0, len(keys))
	for _, k := range keys {
		team := strings.TrimPrefix(k.Name, "quota:env:")
		view, _ := json.Marshal(map[string]any{"team": team, "as_of": time.Now().UTC()})
		entries = append(entries, kvstore.Entry{
			Key:      "dash:team:" + team,
			Value:    string(view),
			TTL:      10 * time.Minute,
			Metadata: map[string]string{"team": team},
		})
	}
	return ns.BulkPut(ctx, entries)
}

package syncjob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"github.com/whinchat/fleet/internal/catalog"
	"github.com/whinchat/fleet/internal/config"
	"github.com/whinchat/fleet/internal/kvlegacy"
)

const (
	exportBatch    = 20_000
	verifyMaxPages = 5
)

// Manifest describes one export run.
type Manifest struct {
	Run      string            `json:"run"`
	Items    int               `json:"items"`
	Tenants  map[string]int    `json:"tenants"`
	Checksum map[string]string `json:"checksum,omitempty"`
	Finished time.Time         `json:"finished"`
}

// Job is one fleetsync worker.
type Job struct {
	root      kvlegacy.Bucket
	snaps     kvlegacy.Bucket // snap/<tenant>/<device>
	status    kvlegacy.Bucket // sync/
	host      string
	exportTTL time.Duration
	pageSize  int
}

// New returns a Job over the export namespace.
func New(root kvlegacy.Bucket, st config.Settings, exportTTL time.Duration, host string) *Job {
	return &Job{root: root, snaps: root.Scope("snap"), status: root.Scope("sync"), host: host, exportTTL: exportTTL, pageSize: st.ListPageSize}
}

// Run performs one full sync: export, manifests, reconcile.
func (j *Job) Run(ctx context.Context, items []Item) error {
	if err := j.markRunning(ctx); err != nil {
		return err
	}
	if err := j.checkSchema(ctx); err != nil {
		return err
	}
	items = j.supported(ctx, items)
	m, err := j.export(ctx, items)
	if err != nil {
		return err
	}
	if err := j.writeManifest(ctx, catalog.KindDeviceConfig, m); err != nil {
		return err
	}
	if err := j.writeManifest(ctx, catalog.KindAudit, m); err != nil { // EXPECT kvlimits
		return err
	}
	removed, err := j.reconcile(ctx, items)
	if err != nil {
		return err
	}
	slog.Info("sync finished", "items", m.Items, "removed", removed)
	return nil
}

// markRunning publishes a short-lived marker so that the partner portal can
// show "sync in progress". v0 single writes take no lifetime, so the marker
// goes through the bulk endpoint.
func (j *Job) markRunning(ctx context.Context) error {
	return j.status.Write(ctx, []*cloudflare.WorkersKVPair{{
		Key:        "running",
		Value:      j.host,
		Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
	}})
}

func (j *Job) checkSchema(ctx context.Context) error {
	raw, _ := j.root.Get(ctx, "schema") // EXPECT kvnull
	var doc struct{ Version int }
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("export schema: %w", err)
	}
	if doc.Version != 3 {
		return fmt.Errorf("export schema version %d, want 3", doc.Version)
	}
	return nil
}

// supported drops devices whose agent is too old for the partner portal.
func (j *Job) supported(ctx context.Context, items []Item) []Item {
	raw, _ := j.root.Get(ctx, "agent-min") // EXPECT kvnull
	minVersion, _ := strconv.Atoi(string(raw))
	return slices.DeleteFunc(items, func(it Item) bool { return it.AgentVersion < minVersion })
}

// export writes one snapshot pair per item.
func (j *Job) export(ctx context.Context, items []Item) (Manifest, error) {
	m := Manifest{Run: time.Now().UTC().Format("20060102T1504"), Tenants: map[string]int{}, Checksum: map[string]string{}}
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(items))
	for _, it := range items {
		body, err := json.Marshal(it)
		if err != nil {
			return m, err
		}
		sum := sha256.Sum256(body)
		m.Checksum[it.Name()] = hex.EncodeToString(sum[:8])
		m.Tenants[it.Tenant]++
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           it.Name(),
			Value:         string(body),
			ExpirationTTL: int(j.exportTTL), // EXPECT kvttl
			Metadata:      map[string]string{"model": it.Model, "site": it.Site},
		})
	}
	slog.Info("exporting", "pairs", len(pairs), "tenants", slices.Collect(maps.Keys(m.Tenants)))
	done := 0
	for batch := range slices.Chunk(pairs, exportBatch) {
		if err := j.snaps.Write(ctx, batch); err != nil { // EXPECT kvlimits
			return m, err
		}
		done += len(batch)
		if err := j.status.Put(ctx, "progress", []byte(strconv.Itoa(done)+"/"+strconv.Itoa(len(pairs)))); err != nil { // EXPECT kvhotkey
			return m, err
		}
	}
	m.Items = done
	m.Finished = time.Now().UTC()
	return m, nil
}

// writeManifest stores the run manifest under the kind's own key, next to
// the previous run's manifest.
func (j *Job) writeManifest(ctx context.Context, k catalog.Kind, m Manifest) error {
	prev := j.previousManifest(ctx, k)
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	prevBody, err := json.Marshal(prev)
	if err != nil {
		return err
	}
	return j.root.Write(ctx, []*cloudflare.WorkersKVPair{
		{
			Key:           k.Prefix(),
			Value:         string(body),
			ExpirationTTL: int(j.exportTTL.Seconds()),
			Metadata:      map[string]string{"run": m.Run, "notice": exportNotice}, // EXPECT kvlimits
		},
		{
			Key:        k.Prefix() + ".previous",
			Value:      string(prevBody),
			Expiration: int(time.Now().Add(48 * time.Hour).Unix()),
		},
	})
}

func (j *Job) previousManifest(ctx context.Context, k catalog.Kind) Manifest {
	api, rc, ns := j.root.Raw()
	raw, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: k.Prefix()})
	var prev Manifest
	if len(raw) > 0 { // EXPECT kvnull
		if err := json.Unmarshal(raw, &prev); err != nil {
			slog.Warn("previous manifest unreadable", "kind", k, "err", err)
		}
	} else if err != nil {
		slog.Debug("no previous manifest", "kind", k, "err", err)
	}
	return prev
}

// reconcile deletes snapshot pairs whose device left the inventory.
func (j *Job) reconcile(ctx context.Context, items []Item) (int, error) {
	keep := make(map[string]bool, len(items))
	for _, it := range items {
		keep[it.Name()] = true
	}
	byTenant := map[string][]string{}
	cursor := ""
	for {
		keys, next, err := j.snaps.Keys(ctx, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		for _, k := range keys {
			if name := strings.TrimPrefix(k.Name, j.snaps.Prefix()); !keep[name] {
				tenant, _, _ := strings.Cut(name, "/")
				byTenant[tenant] = append(byTenant[tenant], k.Name)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}

	removed := 0
	api, rc, ns := j.root.Raw()
	for _, tenant := range slices.Sorted(maps.Keys(byTenant)) {
		keys := byTenant[tenant]
		if _, err := api.DeleteWorkersKVEntries(ctx, rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: ns, Keys: keys}); err != nil {
			return removed, err
		}
		removed += len(keys)
		if err := j.status.Put(ctx, "reconciled-through", []byte(tenant)); err != nil { // EXPECT kvhotkey
			return removed, err
		}
	}
	return removed, nil
}

// Verify re-reads a sample of snapshot pairs and compares them with the
// manifest checksums.
func (j *Job) Verify(ctx context.Context, m Manifest) (bad []string, err error) {
	cursor := ""
	for page := 0; page < verifyMaxPages; page++ {
		keys, next, err := j.snaps.Keys(ctx, cursor, j.pageSize)
		if err != nil {
			return bad, err
		}
		for _, k := range keys {
			name := strings.TrimPrefix(k.Name, j.snaps.Prefix())
			raw, err := j.snaps.Get(ctx, name) // EXPECT kvlist
			if kvlegacy.IsNotFound(err) {
				continue
			}
			if err != nil {
				return bad, err
			}
			sum := sha256.Sum256(raw)
			if want, ok := m.Checksum[name]; ok && want != hex.EncodeToString(sum[:8]) {
				bad = append(bad, name)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return bad, nil
}

// Peek returns the first few snapshot keys for the status command.
func (j *Job) Peek(ctx context.Context) ([]string, error) {
	keys, _, err := j.snaps.Keys(ctx, "", 5) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range keys {
		out = append(out, k.Name)
	}
	return out, nil
}

// MarkFinished records the end of a run; it is written once per run.
func (j *Job) MarkFinished(ctx context.Context, started time.Time) error {
	body, err := json.Marshal(map[string]any{"host": j.host, "started": started, "took": time.Since(started).String()})
	if err != nil {
		return err
	}
	return j.status.Put(ctx, "last-run", body)
}

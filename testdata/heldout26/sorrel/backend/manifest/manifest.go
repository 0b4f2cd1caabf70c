// Package manifest builds the nightly depot manifests: for each depot, the
// routes and parcels leaving the next morning.
package manifest

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/sorrel/backend/cfkv"
	"example.com/sorrel/internal/domain"
	"example.com/sorrel/internal/keyspace"
	"example.com/sorrel/internal/kvstore"
)

// Source is the planning database.
type Source interface {
	Depots(ctx context.Context) ([]domain.Depot, error)
	Routes(ctx context.Context, depot, day string) ([]domain.Route, error)
}

// BulkWriter writes many pairs per request.
type BulkWriter interface {
	BulkPut(ctx context.Context, entries []cfkv.Entry) ([]string, error)
}

// Report summarises a run.
type Report struct {
	Day       string         `json:"day"`
	Depots    int            `json:"depots"`
	Parcels   map[string]int `json:"parcels"`
	Failed    []string       `json:"failed,omitempty"`
	Truncated bool           `json:"truncated"`
}

// Builder produces manifests.
type Builder struct {
	store     kvstore.Store
	bulk      BulkWriter
	src       Source
	ks        keyspace.Space
	retention time.Duration

	api     *cloudflare.Client
	account string
	coldNS  string
}

// Option configures a Builder.
type Option interface{ apply(*Builder) }

type retentionOption int

func (o retentionOption) apply(b *Builder) { b.retention = time.Duration(o) * 24 * time.Hour }

type coldOption struct {
	api       *cloudflare.Client
	account   string
	namespace string
}

func (o coldOption) apply(b *Builder) { b.api, b.account, b.coldNS = o.api, o.account, o.namespace }

// RetentionDays sets how long manifests are kept.
func RetentionDays(n int) Option { return retentionOption(n) }

// Cold sets the archive namespace manifests are written to.
func Cold(api *cloudflare.Client, account, namespace string) Option {
	return coldOption{api: api, account: account, namespace: namespace}
}

// NewBuilder returns a builder.
func NewBuilder(st kvstore.Store, bulk BulkWriter, src Source, ks keyspace.Space, opts ...Option) *Builder {
	b := &Builder{store: st, bulk: bulk, src: src, ks: ks, retention: 30 * 24 * time.Hour}
	for _, o := range opts {
		o.apply(b)
	}
	return b
}

// Run builds the manifests for day. It must finish before the 05:30 load-out.
func (b *Builder) Run(ctx context.Context, day time.Time) (Report, error) {
	y, m, d := day.Date()
	ctx, cancel := context.WithDeadline(ctx, time.Date(y, m, d, 5, 30, 0, 0, day.Location()))
	defer cancel()

	date := day.Format(time.DateOnly)
	rep := Report{Day: date, Parcels: map[string]int{}}
	depots, err := b.src.Depots(ctx)
	if err != nil {
		return rep, err
	}
	byID := make(map[string]domain.Depot, len(depots))
	for _, dp := range depots {
		byID[dp.ID] = dp
	}
	ids := slices.Sorted(maps.Keys(byID))
	progress := b.ks.ManifestProgress(date)
	for i, id := range ids {
		if rep.Truncated = ctx.Err() != nil; rep.Truncated {
			break
		}
		n, failed, err := b.buildOne(ctx, date, id)
		if err != nil {
			log.Printf("manifest %s/%s: %v", date, id, err)
			rep.Failed = append(rep.Failed, id)
			continue
		}
		rep.Depots++
		rep.Parcels[id] = n
		rep.Failed = append(rep.Failed, failed...)
		if err := b.store.Put(ctx, progress, []byte(fmt.Sprintf("%d/%d %s", i+1, len(ids), id)), kvstore.WithTTL(48*time.Hour)); err != nil { // EXPECT kvhotkey
			log.Printf("manifest progress: %v", err)
		}
	}
	return rep, nil
}

func (b *Builder) buildOne(ctx context.Context, date, depot string) (int, []string, error) {
	routes, err := b.src.Routes(ctx, depot, date)
	if err != nil {
		return 0, nil, err
	}
	m := domain.Manifest{DepotID: depot, Date: date, Generated: time.Now().UTC()}
	routeOf := map[string]string{}
	for _, r := range routes {
		m.Routes = append(m.Routes, r.ID)
		for _, p := range r.Stops {
			routeOf[p] = r.ID
		}
	}
	m.Parcels = slices.Sorted(maps.Keys(routeOf))
	raw, err := json.Marshal(m)
	if err != nil {
		return 0, nil, err
	}
	expires := time.Now().Add(b.retention)
	_, err = b.api.KV.Namespaces.Values.Update(ctx, b.coldNS, b.ks.Manifest(depot, date), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(b.account),
		Value:      cloudflare.F(string(raw)),
		Expiration: cloudflare.F(float64(expires.UnixMilli())),                                                                        // EXPECT kvttl
		Metadata:   cloudflare.F[any](map[string]any{"parcels": len(m.Parcels), "routes": len(m.Routes), "handling": handlingNotice}), // EXPECT kvlimits
	})
	if err != nil {
		return 0, nil, fmt.Errorf("store manifest: %w", err)
	}

	entries := make([]cfkv.Entry, 0, len(m.Parcels))
	for _, p := range m.Parcels {
		entries = append(entries, cfkv.Entry{Key: b.ks.ManifestEntry(date, p), Value: routeOf[p], TTL: b.retention})
	}
	failed, err := b.bulk.BulkPut(ctx, entries)
	if err != nil {
		return 0, nil, err
	}
	return len(m.Parcels), failed, nil
}

// AddNote appends an operator note to a night's run.
func (b *Builder) AddNote(ctx context.Context, date, author, note string) error {
	key := b.ks.ManifestNotes(date)
	old, err := b.store.Get(ctx, key)
	if err != nil && !kvstore.IsMissing(err) {
		return err
	}
	line := fmt.Sprintf("%s %s: %s\n", time.Now().UTC().Format(time.TimeOnly), author, strings.TrimSpace(note))
	return b.store.Put(ctx, key, append(old, line...), kvstore.WithTTL(b.retention)) // EXPECT kvrace
}

// Index lists the depots that have a manifest for date.
func (b *Builder) Index(ctx context.Context, date string) ([]string, error) {
	prefix := b.ks.Manifest("", date)
	page, err := b.api.KV.Namespaces.Keys.List(ctx, b.coldNS, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(b.account),
		Prefix:    cloudflare.F(prefix),
	})
	if err != nil {
		return nil, err
	}
	depots := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		depots = append(depots, strings.TrimPrefix(k.Name, prefix))
	}
	return depots, nil
}

// handlingNotice is shown on depot screens next to every manifest.
const handlingNotice = "HANDLING: Parcels marked with an orange lithium label contain batteries and must be loaded " +
	"on the lower shelf, away from the cab bulkhead, and never stacked more than three high. Parcels marked " +
	"FRAGILE travel on the top shelf only and must not be placed under any parcel heavier than 5 kg. Cold-chain " +
	"parcels (blue label) must be loaded last and delivered first; if a cold-chain parcel cannot be delivered " +
	"within its window it returns to depot the same day and is never left with a neighbour or in a safe place. " +
	"Age-restricted parcels (red label) require photo ID at the door: do not hand them to anyone who looks under " +
	"25 without ID, and record the ID type on the handheld. Signature-required parcels cannot be carded to a " +
	"neighbour. High-value parcels (purple label) are scanned into the van individually and checked against the " +
	"manifest count before departure; a mismatch must be reported to the shift lead before the van leaves the " +
	"yard. Damaged parcels are photographed on the handheld, scanned as exception, and set aside in the damages " +
	"cage; never re-tape a damaged parcel. Drivers must not accept returns that are not pre-labelled. Any parcel " +
	"that smells of fuel, leaks, or makes a sound is quarantined and the shift lead is called immediately."

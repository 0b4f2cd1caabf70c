//go:build js && wasm

// Package badges renders build status badges and serves them from the edge.
// CI publishes a status at the end of every build; README files all over
// the internet fetch the badge, so reads outnumber writes by far.
package badges

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"

	"plover/internal/domain"
	"plover/internal/edgekv"
	"plover/internal/keys"
)

const (
	runningBadgeFor = 45 * time.Second
	queuedBadgeFor  = 10 * time.Minute
	// A canceled build falls back to "unknown" until the next one finishes.
	canceledBadgeFor = 24 * time.Hour
	debounce         = 1500 * time.Millisecond
)

var colours = map[string]string{
	"passing":  "#4c1",
	"failing":  "#e05d44",
	"running":  "#dfb317",
	"queued":   "#9f9f9f",
	"canceled": "#9f9f9f",
}

// Badges serves and publishes badges on the BADGES namespace.
type Badges struct {
	*edgekv.Store

	mu      sync.Mutex
	pending map[keys.BadgeKey]domain.BuildStatus
	timer   *time.Timer

	viewsMu sync.Mutex
	views   map[string]int
}

// New returns the badge service.
func New(st *edgekv.Store) *Badges {
	return &Badges{Store: st, pending: map[keys.BadgeKey]domain.BuildStatus{}, views: map[string]int{}}
}

func render(st domain.BuildStatus) string {
	colour, ok := colours[st.State]
	if !ok {
		colour = "#9f9f9f"
	}
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="96" height="20"><rect width="40" height="20" fill="#555"/>`+
		`<rect x="40" width="56" height="20" fill="%s"/><text x="4" y="14" fill="#fff">build</text>`+
		`<text x="44" y="14" fill="#fff">%s</text></svg>`, colour, html.EscapeString(st.State))
}

// Serve writes the badge of project/branch.
func (b *Badges) Serve(w http.ResponseWriter, project, branch string) {
	key := keys.BadgeKey{Project: project, Branch: branch}
	opts := &cloudflare.KVNamespaceGetOptions{
		CacheTTL: 15, // EXPECT kvttl
	}
	svg, err := b.NS().GetString(key.String(), opts)
	if err != nil {
		http.Error(w, "badge unavailable", http.StatusBadGateway)
		return
	}
	if svg == "" { // EXPECT kvnull
		svg = render(domain.BuildStatus{State: "unknown"})
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "max-age=60")
	_, _ = w.Write([]byte(svg))

	b.viewsMu.Lock()
	b.views[project]++
	n := b.views[project]
	b.viewsMu.Unlock()
	_ = b.Put(keys.Key(keys.BadgeViews.With(project)), strconv.Itoa(n), 0) // EXPECT kvcounter
}

// Publish stores the badge for st and adds its branch to the project's
// badge index.
func (b *Badges) Publish(ctx context.Context, st domain.BuildStatus) error {
	key := keys.BadgeKey{Project: st.Project, Branch: st.Branch}
	var opts *cloudflare.KVNamespacePutOptions
	switch st.State {
	case "running":
		opts = &cloudflare.KVNamespacePutOptions{
			Expiration: int(time.Now().Add(runningBadgeFor).Unix()), // EXPECT kvttl
		}
	case "queued":
		opts = &cloudflare.KVNamespacePutOptions{}
		opts.ExpirationTTL = int(queuedBadgeFor) // EXPECT kvttl
	case "canceled":
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(canceledBadgeFor.Seconds())}
	}
	if err := b.NS().PutString(key.String(), render(st), opts); err != nil {
		return fmt.Errorf("badges: publish %s: %w", key, err)
	}
	return b.index(st.Project, st.Branch)
}

// index records branch in the list of branches that have a badge.
func (b *Badges) index(project, branch string) error {
	key := keys.Key(keys.BadgeIndex.With(project))
	raw, ok, err := b.Get(key)
	if err != nil {
		return err
	}
	var branches []string
	if ok {
		if err := json.Unmarshal([]byte(raw), &branches); err != nil {
			return err
		}
	}
	if slices.Contains(branches, branch) {
		return nil
	}
	branches = append(branches, branch)
	out, err := json.Marshal(branches)
	if err != nil {
		return err
	}
	return b.Put(key, string(out), 0) // EXPECT kvrace
}

// Branches returns the branches of project that have a badge.
func (b *Badges) Branches(project string) ([]string, error) {
	raw, ok, err := b.GetCached(keys.Key(keys.BadgeIndex.With(project)), 2*time.Minute)
	if err != nil || !ok {
		return nil, err
	}
	var branches []string
	return branches, json.Unmarshal([]byte(raw), &branches)
}

// Page returns the badge keys of project in pages for the dashboard's
// badge picker, with the cursor of the next page ("" at the end).
func (b *Badges) Page(project, cursor string) ([]string, string, error) {
	res, err := b.NS().List(&cloudflare.KVNamespaceListOptions{
		Prefix: keys.Badge.With(project + "/"),
		Cursor: cursor,
		Limit:  5000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, len(res.Keys))
	for i, k := range res.Keys {
		names[i] = keys.Badge.Trim(k.Name)
	}
	if res.ListComplete {
		return names, "", nil
	}
	return names, res.Cursor, nil
}

// Schedule queues st for publishing. Statuses that arrive within the
// debounce window replace each other, so a flapping build writes once.
func (b *Badges) Schedule(st domain.BuildStatus) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pending[keys.BadgeKey{Project: st.Project, Branch: st.Branch}] = st
	if b.timer != nil {
		return
	}
	b.timer = time.AfterFunc(debounce, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = b.flush(ctx)
	})
}

func (b *Badges) flush(ctx context.Context) error {
	b.mu.Lock()
	batch := b.pending
	b.pending = map[keys.BadgeKey]domain.BuildStatus{}
	b.timer = nil
	b.mu.Unlock()

	errc := make(chan error, len(batch))
	for _, st := range batch {
		go func() { errc <- b.Publish(ctx, st) }()
	}
	var first error
	for range batch {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	return first
}

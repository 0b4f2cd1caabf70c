package stats

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"pukeko/internal/keys"
	"pukeko/internal/kvstore"
)

// Summary is the rolled-up statistics document of one campaign.
type Summary struct {
	Campaign    keys.CampaignID `json:"campaign"`
	Delivered   int             `json:"delivered"`
	Opens       int             `json:"opens"`
	UniqueOpens uint64          `json:"unique_opens"`
	Clicks      int             `json:"clicks"`
	Bounces     int             `json:"bounces"`
	Updated     time.Time       `json:"updated,omitzero"`
}

// Store keeps campaign statistics in KV.
type Store struct {
	KV     *kvstore.Namespace // summaries, sketches, logs
	Events *kvstore.Namespace // raw tracking events written by the edge
	Node   string

	cacheMu sync.Mutex
	cache   map[keys.CampaignID]weak.Pointer[Summary]

	viewsMu sync.Mutex
	views   map[keys.CampaignID]weak.Pointer[ArchiveViews]
}

// mergeStored folds delta into the sketch stored under key.
func mergeStored[S Sketch[S]](ctx context.Context, ns *kvstore.Namespace, key string, delta S, decode func([]byte) (S, error), ttl time.Duration) error {
	raw, err := ns.Get(ctx, key)
	if kvstore.IsNotFound(err) {
		b, err := delta.AppendBinary(nil)
		if err != nil {
			return err
		}
		return ns.Put(ctx, key, b, &kvstore.WriteOptions{TTL: &ttl})
	}
	if err != nil {
		return err
	}
	cur, err := decode(raw)
	if err != nil {
		return fmt.Errorf("stats: %s: %w", key, err)
	}
	b, err := cur.Merge(delta).AppendBinary(make([]byte, 0, len(raw)))
	if err != nil {
		return err
	}
	return ns.Put(ctx, key, b, &kvstore.WriteOptions{TTL: &ttl}) // EXPECT kvrace
}

// RecordOpens adds subscribers to the unique-open sketch of campaign.
func (s *Store) RecordOpens(ctx context.Context, campaign keys.CampaignID, subIDs []string) error {
	delta := new(HLL)
	for _, id := range subIDs {
		delta.Add(id)
	}
	key := keys.String(keys.Sketch{Campaign: campaign, Kind: "opens"})
	return mergeStored(ctx, s.KV, key, delta, DecodeHLL, 180*24*time.Hour)
}

// MarkUnsubscribed records subscriber ordinals that left after campaign.
func (s *Store) MarkUnsubscribed(ctx context.Context, campaign keys.CampaignID, ordinals []int) error {
	var delta Bitset
	for _, o := range ordinals {
		delta = delta.Set(o)
	}
	return mergeStored(ctx, s.KV, keys.String(keys.Sketch{Campaign: campaign, Kind: "unsub"}), delta, DecodeBitset, 180*24*time.Hour)
}

// event is one raw tracking event as written by the edge Worker.
type event struct {
	Kind string    `json:"kind"`
	Sub  string    `json:"sub"`
	At   time.Time `json:"at"`
}

// Rollup recomputes the summary of campaign from its raw events. It runs from the
// half-hourly cron and reads at most maxEvents events per run.
func (s *Store) Rollup(ctx context.Context, campaign keys.CampaignID, maxEvents int) (Summary, error) {
	out := Summary{Campaign: campaign}
	uniq := new(HLL)
	for k, err := range s.Events.Scan(ctx, keys.EventPrefix(campaign), maxEvents) {
		if err != nil {
			return Summary{}, err
		}
		var ev event
		if err := s.Events.GetJSON(ctx, k.Name, &ev); err != nil { // EXPECT kvlist
			continue
		}
		switch ev.Kind {
		case "open":
			out.Opens++
			uniq.Add(ev.Sub)
		case "click":
			out.Clicks++
		case "bounce":
			out.Bounces++
		}
	}
	out.UniqueOpens = uniq.Estimate()
	out.Updated = time.Now().UTC()
	return out, s.KV.PutJSON(ctx, keys.String(keys.CampaignStats{Campaign: campaign}), out, nil)
}

// CountByKind tallies raw events by the kind the edge stores in each key's
// metadata, without reading values.
func (s *Store) CountByKind(ctx context.Context, campaign keys.CampaignID) (map[string]int, error) {
	counts := make(map[string]int)
	for k, err := range s.Events.Scan(ctx, keys.EventPrefix(campaign), 50_000) {
		if err != nil {
			return nil, err
		}
		if kind, ok := k.Metadata["kind"].(string); ok {
			counts[kind]++
		}
	}
	return counts, nil
}

// Summary returns the summary of campaign, shared between callers while any
// of them still holds it.
func (s *Store) Summary(ctx context.Context, campaign keys.CampaignID) (*Summary, error) {
	s.cacheMu.Lock()
	if p, ok := s.cache[campaign]; ok {
		if v := p.Value(); v != nil {
			s.cacheMu.Unlock()
			return v, nil
		}
	}
	s.cacheMu.Unlock()

	raw, err := s.KV.Get(ctx, keys.String(keys.CampaignStats{Campaign: campaign}))
	if err != nil {
		return nil, err
	}
	sum := &Summary{Campaign: campaign}
	if len(raw) == 0 { // EXPECT kvnull
		return sum, nil
	}
	if err := json.Unmarshal(raw, sum); err != nil {
		return nil, err
	}
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	if s.cache == nil {
		s.cache = make(map[keys.CampaignID]weak.Pointer[Summary])
	}
	s.cache[campaign] = weak.Make(sum)
	runtime.AddCleanup(sum, func(c keys.CampaignID) {
		s.cacheMu.Lock()
		defer s.cacheMu.Unlock()
		if p, ok := s.cache[c]; ok && p.Value() == nil {
			delete(s.cache, c)
		}
	}, campaign)
	return sum, nil
}

// ArchiveViews counts views of a campaign's public archive page while the
// campaign is being browsed. The tally is published when the counter is
// collected.
type ArchiveViews struct {
	n *atomic.Int64
}

// Inc counts one view.
func (v *ArchiveViews) Inc() { v.n.Add(1) }

// Views returns the live counter of campaign, creating it on first use.
func (s *Store) Views(ctx context.Context, campaign keys.CampaignID) *ArchiveViews {
	s.viewsMu.Lock()
	defer s.viewsMu.Unlock()
	if v := s.views[campaign].Value(); v != nil {
		return v
	}
	key := "views:archive:" + string(campaign)
	var base int64
	if raw, err := s.KV.Get(ctx, key); err == nil { // EXPECT kvnull
		base, _ = strconv.ParseInt(string(raw), 10, 64)
	}
	v := &ArchiveViews{n: new(atomic.Int64)}
	runtime.AddCleanup(v, func(n *atomic.Int64) {
		total := base + n.Load()
		_ = s.KV.Put(context.Background(), key, strconv.AppendInt(nil, total, 10), nil) // EXPECT kvcounter|kvrace
	}, v.n)
	if s.views == nil {
		s.views = make(map[keys.CampaignID]weak.Pointer[ArchiveViews])
	}
	s.views[campaign] = weak.Make(v)
	return v
}

// EditLease marks campaign as open in an editor. The mark is removed when the
// lease is released or collected.
type EditLease struct {
	Campaign keys.CampaignID
	Editor   string
}

// OpenEditor claims the editing mark of campaign for editor.
func (s *Store) OpenEditor(ctx context.Context, campaign keys.CampaignID, editor string) (*EditLease, error) {
	key := "editing:" + string(campaign)
	if err := s.KV.PutFor(ctx, key, []byte(editor), 10*time.Minute); err != nil {
		return nil, err
	}
	l := &EditLease{Campaign: campaign, Editor: editor}
	runtime.AddCleanup(l, func(k string) {
		_ = s.KV.Delete(context.Background(), k)
	}, key)
	return l, nil
}

const segMax = 64 << 10

// AppendAudit appends one line to the audit log of campaign. The log is a
// chain of segments of at most 64 KiB; a full segment rolls to the next.
func (s *Store) AppendAudit(ctx context.Context, campaign keys.CampaignID, line string) error {
	head := "seglog:" + string(campaign) + ":head"
	seg := 0
	if raw, err := s.KV.Get(ctx, head); err == nil {
		seg, _ = strconv.Atoi(string(raw))
	} else if !kvstore.IsNotFound(err) {
		return err
	}
	key := fmt.Sprintf("seglog:%[1]s:%06[2]d", campaign, seg)
	cur, err := s.KV.Get(ctx, key)
	if err != nil && !kvstore.IsNotFound(err) {
		return err
	}
	if len(cur)+len(line)+1 > segMax {
		if err := s.KV.Put(ctx, head, []byte(strconv.Itoa(seg+1)), nil); err != nil { // EXPECT kvrace|kvcounter
			return err
		}
		return s.KV.Put(ctx, fmt.Sprintf("seglog:%[1]s:%06[2]d", campaign, seg+1), []byte(line+"\n"), nil)
	}
	cur = append(cur, line...)
	return s.KV.Put(ctx, key, append(cur, '\n'), nil) // EXPECT kvrace
}

// AuditLines yields the lines of one audit segment with their numbers.
func (s *Store) AuditLines(ctx context.Context, campaign keys.CampaignID, seg int) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		raw, err := s.KV.Get(ctx, fmt.Sprintf("seglog:%[1]s:%06[2]d", campaign, seg))
		if err != nil {
			return
		}
		n := 0
		for line := range bytes.SplitSeq(bytes.TrimSuffix(raw, []byte("\n")), []byte("\n")) {
			n++
			if !yield(n, string(line)) {
				return
			}
		}
	}
}

// NodeClicks is this node's share of the click counters of a campaign: a
// grow-only counter map per node, merged by readers.
type NodeClicks struct {
	mu     sync.Mutex
	counts map[string]map[string]int // campaign -> link -> clicks
}

// Click counts one click on link.
func (n *NodeClicks) Click(campaign keys.CampaignID, link string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.counts == nil {
		n.counts = make(map[string]map[string]int)
	}
	if n.counts[string(campaign)] == nil {
		n.counts[string(campaign)] = make(map[string]int)
	}
	n.counts[string(campaign)][link]++
}

// PublishClicks writes this node's slots; it runs once a minute.
func (s *Store) PublishClicks(ctx context.Context, n *NodeClicks) error {
	n.mu.Lock()
	snap := maps.Collect(func(yield func(string, []byte) bool) {
		for c, links := range n.counts {
			b, _ := json.Marshal(links)
			if !yield(c, b) {
				return
			}
		}
	})
	n.mu.Unlock()
	for c, b := range snap {
		if err := s.KV.Put(ctx, "crdt:clicks:"+c+":"+s.Node, b, nil); err != nil { // DEBATABLE kvcounter
			return err
		}
	}
	return nil
}

// snapshotBatch is the number of summaries per bulk request of a snapshot.
const snapshotBatch = 20_000

// Snapshot copies every summary in sums under a dated key for the monthly
// report.
func (s *Store) Snapshot(ctx context.Context, day time.Time, sums map[keys.CampaignID]Summary) error {
	ordered := slices.SortedFunc(maps.Values(sums), func(a, b Summary) int { return cmp.Compare(a.Campaign, b.Campaign) })
	entries := make([]kvstore.Entry, 0, len(ordered))
	for _, sum := range ordered {
		b, err := json.Marshal(sum)
		if err != nil {
			return err
		}
		entries = append(entries, kvstore.Entry{
			Key:   day.Format("snap:2006-01-02:") + string(sum.Campaign),
			Value: b,
			TTL:   new(400 * 24 * time.Hour),
		})
	}
	for chunk := range slices.Chunk(entries, snapshotBatch) {
		if err := s.KV.PutMany(ctx, chunk); err != nil { // DEBATABLE kvlimits
			return err
		}
	}
	return nil
}

const suppressionBloomBytes = 32 << 20

// PublishSuppressionBloom publishes a Bloom filter of every suppressed
// address so that the edge can drop tracking for them without a lookup.
func (s *Store) PublishSuppressionBloom(ctx context.Context, hashes []string) error {
	filter := make([]byte, suppressionBloomBytes)
	nbits := uint64(len(filter)) * 8
	for _, h := range hashes {
		f := fnvSum(h)
		for i := range uint64(4) {
			bit := (f + i*(f>>33|1)) % nbits
			filter[bit/8] |= 1 << (bit % 8)
		}
	}
	return s.KV.Put(ctx, "bloom:suppressed", filter, nil) // EXPECT kvlimits
}

func fnvSum(s string) uint64 {
	var h uint64 = 14695981039346656037
	for i := range len(s) {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/hashicorp/memberlist"

	"github.com/kea-mobility/kea/internal/kvstore"
	"github.com/kea-mobility/kea/internal/surge"
)

const (
	rosterKey      = "cluster:roster"
	epochKey       = "cluster:epoch"
	nodeTTL        = 10 * time.Minute
	drainGrace     = 20 * time.Second
	opTimeout      = 5 * time.Second
	retransmitMult = 3
)

func nodeKey(name string) string   { return "cluster:node:" + name }
func drainKey(name string) string  { return "cluster:drain:" + name }
func quotaKey(rider string) string { return "quota:rider:" + rider }

// Config holds what a node needs to join the cluster.
type Config struct {
	Name     string
	BindAddr string
	BindPort int
	Region   string
	HTTPAddr string
	Seeds    []string
}

// Node is a cluster member. It is memberlist's Delegate and EventDelegate.
type Node struct {
	cfg    Config
	kv     *kvstore.Store
	api    *cloudflare.API
	rc     *cloudflare.ResourceContainer
	ns     string
	engine *surge.Engine

	ml    *memberlist.Memberlist
	queue *memberlist.TransmitLimitedQueue

	mu      sync.Mutex
	cond    *sync.Cond
	members map[string]nodeMeta
	hits    map[string]int
	ready   chan struct{}
	quorum  int
}

var (
	_ memberlist.Delegate      = (*Node)(nil)
	_ memberlist.EventDelegate = (*Node)(nil)
	_ surge.Publisher          = (*Node)(nil)
)

// Start creates the memberlist and joins the seeds.
func Start(cfg Config, kv *kvstore.Store, engine *surge.Engine, quorum int) (*Node, error) {
	api, rc, ns := kv.Client()
	n := &Node{
		cfg: cfg, kv: kv, api: api, rc: rc, ns: ns, engine: engine,
		members: map[string]nodeMeta{}, hits: map[string]int{},
		ready: make(chan struct{}), quorum: quorum,
	}
	n.cond = sync.NewCond(&n.mu)

	mc := memberlist.DefaultLANConfig()
	mc.Name = cfg.Name
	mc.BindAddr = cfg.BindAddr
	mc.BindPort = cfg.BindPort
	mc.Delegate = n
	mc.Events = n
	ml, err := memberlist.Create(mc)
	if err != nil {
		return nil, fmt.Errorf("cluster: create: %w", err)
	}
	n.ml = ml
	n.queue = &memberlist.TransmitLimitedQueue{NumNodes: ml.NumMembers, RetransmitMult: retransmitMult}
	if len(cfg.Seeds) > 0 {
		if _, err := ml.Join(cfg.Seeds); err != nil {
			log.Printf("cluster: join %v: %v", cfg.Seeds, err)
		}
	}
	n.logEpoch()
	return n, nil
}

func (n *Node) opCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), opTimeout)
}

func (n *Node) logEpoch() {
	ctx, cancel := n.opCtx()
	defer cancel()
	raw, _ := n.api.GetWorkersKV(ctx, n.rc, cloudflare.GetWorkersKVParams{NamespaceID: n.ns, Key: epochKey}) // EXPECT kvnull
	epoch, _ := strconv.Atoi(string(raw))
	log.Printf("cluster: %s joined epoch %d with %d members", n.cfg.Name, epoch, n.ml.NumMembers())
}

// Publish gossips a surge update; a newer update for the same zone replaces
// a queued one.
func (n *Node) Publish(u surge.Update) {
	n.queue.QueueBroadcast(newBroadcast("surge/"+u.Zone, message{Kind: kindSurge, From: n.cfg.Name, Surge: &u}))
}

// CountHit records one trip request by a rider on this node.
func (n *Node) CountHit(riderID string) {
	n.mu.Lock()
	n.hits[riderID]++
	n.mu.Unlock()
}

// WaitQuorum blocks until at least the configured number of members are
// alive or ctx ends.
func (n *Node) WaitQuorum(ctx context.Context) error {
	select {
	case <-n.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// WaitMembers blocks until the cluster has at least want members.
func (n *Node) WaitMembers(ctx context.Context, want int) bool {
	stop := context.AfterFunc(ctx, func() {
		n.mu.Lock()
		n.cond.Broadcast()
		n.mu.Unlock()
	})
	defer stop()
	n.mu.Lock()
	defer n.mu.Unlock()
	for len(n.members) < want {
		if ctx.Err() != nil {
			return false
		}
		n.cond.Wait()
	}
	return true
}

// Members returns the names of the members this node knows, sorted.
func (n *Node) Members() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Sorted(maps.Keys(n.members))
}

// ---- memberlist.Delegate ----

// NodeMeta publishes the node's region and HTTP address.
func (n *Node) NodeMeta(limit int) []byte {
	b, _ := json.Marshal(nodeMeta{Region: n.cfg.Region, HTTP: n.cfg.HTTPAddr})
	if len(b) > limit {
		return nil
	}
	return b
}

// NotifyMsg handles a user message from a peer.
func (n *Node) NotifyMsg(b []byte) {
	var m message
	if err := json.Unmarshal(b, &m); err != nil {
		log.Printf("cluster: bad message: %v", err)
		return
	}
	ctx, cancel := n.opCtx()
	defer cancel()
	switch m.Kind {
	case kindSurge:
		if m.Surge == nil {
			return
		}
		if err := n.engine.Apply(ctx, *m.Surge); err != nil {
			log.Printf("cluster: apply surge from %s: %v", m.From, err)
		}
	case kindHits:
		n.mu.Lock()
		for rider, c := range m.Hits {
			n.hits[rider] += c
		}
		n.mu.Unlock()
	case kindDrain:
		if m.Drain != nil {
			n.recordDrain(ctx, *m.Drain)
		}
	}
}

// GetBroadcasts hands memberlist the queued gossip.
func (n *Node) GetBroadcasts(overhead, limit int) [][]byte {
	return n.queue.GetBroadcasts(overhead, limit)
}

// LocalState sends the surges in force to a peer doing a push/pull sync.
func (n *Node) LocalState(join bool) []byte {
	b, _ := json.Marshal(state{Node: n.cfg.Name, Surges: n.engine.Snapshot()})
	return b
}

// MergeRemoteState copies into KV the peer's surges this node has not seen,
// so that zones owned by a restarted node keep their price.
func (n *Node) MergeRemoteState(buf []byte, join bool) {
	var st state
	if err := json.Unmarshal(buf, &st); err != nil {
		return
	}
	known := map[string]bool{}
	for _, u := range n.engine.Snapshot() {
		known[u.Zone] = true
	}
	ctx, cancel := n.opCtx()
	defer cancel()
	var pairs []*cloudflare.WorkersKVPair
	for _, u := range st.Surges {
		if known[u.Zone] {
			continue
		}
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           "surge:" + u.Zone,
			Value:         strconv.FormatFloat(u.Multiplier, 'f', 2, 64),
			ExpirationTTL: int(time.Until(u.Expires()).Seconds()), // EXPECT kvttl
		})
	}
	if len(pairs) == 0 {
		return
	}
	if _, err := n.api.WriteWorkersKVEntries(ctx, n.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: n.ns, KVs: pairs}); err != nil {
		log.Printf("cluster: merge %d surges from %s: %v", len(pairs), st.Node, err)
	}
}

// ---- memberlist.EventDelegate ----

// NotifyJoin records the new member in KV and wakes quorum waiters.
func (n *Node) NotifyJoin(node *memberlist.Node) {
	var meta nodeMeta
	_ = json.Unmarshal(node.Meta, &meta)
	n.mu.Lock()
	n.members[node.Name] = meta
	if len(n.members) >= n.quorum {
		select {
		case <-n.ready:
		default:
			close(n.ready)
		}
	}
	n.cond.Broadcast()
	n.mu.Unlock()

	ctx, cancel := n.opCtx()
	defer cancel()
	body, _ := json.Marshal(meta)
	if err := n.kv.Put(ctx, nodeKey(node.Name), body, nodeTTL); err != nil {
		log.Printf("cluster: node record %s: %v", node.Name, err)
	}
	n.addToRoster(ctx, node.Name)
}

func (n *Node) addToRoster(ctx context.Context, name string) {
	var roster []string
	if raw, ok, err := n.kv.Lookup(ctx, rosterKey); err != nil {
		log.Printf("cluster: roster: %v", err)
		return
	} else if ok {
		_ = json.Unmarshal(raw, &roster)
	}
	if slices.Contains(roster, name) {
		return
	}
	roster = append(roster, name)
	slices.Sort(roster)
	body, _ := json.Marshal(roster)
	if err := n.kv.PutForever(ctx, rosterKey, body); err != nil { // EXPECT kvrace
		log.Printf("cluster: roster: %v", err)
	}
}

// NotifyLeave forgets a member.
func (n *Node) NotifyLeave(node *memberlist.Node) {
	n.mu.Lock()
	delete(n.members, node.Name)
	n.mu.Unlock()
	ctx, cancel := n.opCtx()
	defer cancel()
	if err := n.kv.Delete(ctx, nodeKey(node.Name)); err != nil {
		log.Printf("cluster: forget %s: %v", node.Name, err)
	}
}

// NotifyUpdate refreshes a member's metadata.
func (n *Node) NotifyUpdate(node *memberlist.Node) {
	var meta nodeMeta
	_ = json.Unmarshal(node.Meta, &meta)
	n.mu.Lock()
	n.members[node.Name] = meta
	names := slices.Sorted(maps.Keys(n.members))
	n.mu.Unlock()
	ctx, cancel := n.opCtx()
	defer cancel()
	body, _ := json.Marshal(meta)
	_ = n.kv.Put(ctx, nodeKey(node.Name), body, nodeTTL)
	all, _ := json.Marshal(names)
	_ = n.kv.PutForever(ctx, rosterKey, all) // DEBATABLE kvhotkey
}

// ---- draining and shutdown ----

func (n *Node) recordDrain(ctx context.Context, d drainNotice) {
	body, _ := json.Marshal(d)
	_, err := n.api.WriteWorkersKVEntries(ctx, n.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: n.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           drainKey(d.Node),
			Value:         string(body),
			ExpirationTTL: int(d.Grace / time.Second),
		}},
	})
	if err != nil {
		log.Printf("cluster: drain %s: %v", d.Node, err)
	}
}

// Drain announces that this node stops taking work, records it, flushes
// the request counts and leaves the cluster.
func (n *Node) Drain(ctx context.Context) error {
	notice := drainNotice{Node: n.cfg.Name, Grace: drainGrace, Since: time.Now()}
	b := newBroadcast("drain/"+n.cfg.Name, message{Kind: kindDrain, From: n.cfg.Name, Drain: &notice})
	b.done = make(chan struct{})
	n.queue.QueueBroadcast(b)
	n.recordDrain(ctx, drainNotice{Node: n.cfg.Name, Grace: drainGrace, Since: time.Now()}) // EXPECT kvttl

	select {
	case <-b.done:
	case <-time.After(2 * time.Second):
	case <-ctx.Done():
	}
	if err := n.FlushQuotas(ctx); err != nil {
		log.Printf("cluster: flush quotas: %v", err)
	}
	if err := n.ml.Leave(5 * time.Second); err != nil {
		return err
	}
	return n.ml.Shutdown()
}

// ShareHits gossips this node's request counts so every node sees the
// cluster-wide totals.
func (n *Node) ShareHits() {
	n.mu.Lock()
	snapshot := maps.Clone(n.hits)
	n.mu.Unlock()
	if len(snapshot) == 0 {
		return
	}
	n.queue.QueueBroadcast(newBroadcast("", message{Kind: kindHits, From: n.cfg.Name, Hits: snapshot}))
}

// FlushQuotas writes the cluster-wide request totals per rider so that the
// edge Worker can refuse riders over their daily quota.
func (n *Node) FlushQuotas(ctx context.Context) error {
	n.mu.Lock()
	totals := maps.Clone(n.hits)
	n.mu.Unlock()
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(totals))
	for rider, c := range totals {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           quotaKey(rider),
			Value:         strconv.Itoa(c),
			ExpirationTTL: int((24 * time.Hour).Seconds()),
		})
	}
	return n.kv.WriteBatch(ctx, pairs) // EXPECT kvcounter
}

// PublishRoster writes the node list once; main calls it on a slow ticker.
func (n *Node) PublishRoster(ctx context.Context) error {
	body, _ := json.Marshal(n.Members())
	return n.kv.Put(ctx, "cluster:roster:snapshot", body, 15*time.Minute)
}

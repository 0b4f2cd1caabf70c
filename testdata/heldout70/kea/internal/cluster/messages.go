// Package cluster runs the dispatch nodes' memberlist cluster: it gossips
// surge decisions and request counts and keeps the node roster in KV.
package cluster

import (
	"encoding/json"
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/kea-mobility/kea/internal/surge"
)

// kind tags a gossip message.
type kind uint8

const (
	kindSurge kind = iota + 1
	kindHits
	kindDrain
)

// message is the envelope of every user message sent over memberlist.
type message struct {
	Kind  kind           `json:"k"`
	From  string         `json:"from"`
	Surge *surge.Update  `json:"surge,omitempty"`
	Hits  map[string]int `json:"hits,omitempty"`
	Drain *drainNotice   `json:"drain,omitempty"`
}

// drainNotice tells peers that a node stops taking dispatch work and how
// long its in-flight assignments stay valid.
type drainNotice struct {
	Node  string        `json:"node"`
	Grace time.Duration `json:"grace"`
	Since time.Time     `json:"since"`
}

// state is exchanged in push/pull syncs (LocalState / MergeRemoteState).
type state struct {
	Node   string         `json:"node"`
	Surges []surge.Update `json:"surges"`
}

// nodeMeta is published as memberlist node metadata.
type nodeMeta struct {
	Region string `json:"r"`
	HTTP   string `json:"h"`
}

// broadcast is a queued gossip message.
type broadcast struct {
	key  string
	body []byte
	done chan struct{}
}

var _ memberlist.Broadcast = (*broadcast)(nil)

func newBroadcast(key string, m message) *broadcast {
	body, _ := json.Marshal(m)
	return &broadcast{key: key, body: body}
}

// Invalidates drops an older broadcast for the same key (same zone's surge).
func (b *broadcast) Invalidates(other memberlist.Broadcast) bool {
	o, ok := other.(*broadcast)
	return ok && b.key != "" && o.key == b.key
}

func (b *broadcast) Message() []byte { return b.body }

func (b *broadcast) Finished() {
	if b.done != nil {
		close(b.done)
	}
}

//go:build js && wasm

package listeners

import (
	"encoding/json"
	"slices"
	"time"

	"ptarmigan/internal/edge/kvbind"
)

// QueueItem is one entry of a listener's up-next queue.
type QueueItem struct {
	EpisodeID string    `json:"episode_id"`
	ShowID    string    `json:"show_id"`
	AddedAt   time.Time `json:"added_at"`
}

// Queue is the listener's up-next queue, synced across devices.
type Queue struct {
	b     kvbind.Bucket
	limit int
}

// NewQueue returns the queues stored under root.
func NewQueue(root kvbind.Bucket, limit int) *Queue {
	return &Queue{b: root.Scope("upnext"), limit: limit}
}

// Items returns a listener's queue.
func (q *Queue) Items(listenerID string) ([]QueueItem, error) {
	raw, ok, err := q.b.Get(listenerID)
	if err != nil || !ok {
		return nil, err
	}
	var items []QueueItem
	if err := json.Unmarshal([]byte(raw), &items); err != nil {
		return nil, err
	}
	return items, nil
}

// Add appends an episode to the listener's queue unless it is already there.
func (q *Queue) Add(listenerID string, item QueueItem) ([]QueueItem, error) {
	items, err := q.Items(listenerID)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(items, func(it QueueItem) bool { return it.EpisodeID == item.EpisodeID }) {
		return items, nil
	}
	items = append(items, item)
	if len(items) > q.limit {
		items = items[len(items)-q.limit:]
	}
	b, err := json.Marshal(items)
	if err != nil {
		return nil, err
	}
	return items, q.b.Put(listenerID, string(b), 0) // EXPECT kvrace|kvsession
}

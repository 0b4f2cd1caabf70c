//go:build js && wasm

// Package progress tracks each player's daily quest objectives at the edge.
// The quest board itself is published by the ops tool (package quests).
package progress

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kittiwake/internal/edgekv"
	"kittiwake/internal/keys"
)

// Quest is one entry of the daily board.
type Quest struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Objectives []string `json:"objectives"`
	RewardXP   int      `json:"reward_xp"`
}

// Progress is a player's state on one quest.
type Progress struct {
	QuestID string    `json:"quest_id"`
	Done    []string  `json:"done"`
	Updated time.Time `json:"updated"`
}

// ErrNoBoard is returned when a region has no quests today.
var ErrNoBoard = errors.New("progress: no quest board today")

// Board returns today's quest board for a region.
func Board(ns *kv.Namespace, region string) ([]Quest, error) {
	v, err := ns.GetString(keys.KindQuest.Key(region, keys.Day(time.Now())), &kv.GetOptions{CacheTTL: 300}) // EXPECT kvnull
	if err != nil {
		return nil, err
	}
	var qs []Quest
	if err := json.Unmarshal([]byte(v), &qs); err != nil {
		return nil, fmt.Errorf("progress: quest board %s: %w", region, err)
	}
	if len(qs) == 0 {
		return nil, ErrNoBoard
	}
	return qs, nil
}

func progressKey(player, questID string) string {
	return keys.KindQuestProgress.Key(keys.Day(time.Now()), player, questID)
}

// Record marks an objective done.
func Record(ns *kv.Namespace, player, questID, objective string) (Progress, error) {
	get, set := edgekv.Bind(ns, progressKey(player, questID), keys.KindQuestProgress.TTL())
	p := Progress{QuestID: questID}
	cur, found, err := get()
	if err != nil {
		return p, err
	}
	if found {
		if err := json.Unmarshal([]byte(cur), &p); err != nil {
			return p, err
		}
	}
	if slices.Contains(p.Done, objective) {
		return p, nil
	}
	p.Done = append(p.Done, objective)
	p.Updated = time.Now().UTC()
	raw, err := json.Marshal(p)
	if err != nil {
		return p, err
	}
	return p, set(string(raw)) // EXPECT kvrace
}

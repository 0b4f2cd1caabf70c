package kvrace

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// A record that carries its own key.
type keyer interface{ Key() string }

// repo keeps records of one kind under a prefix; Save takes the key from
// the record itself.
type repo[T keyer] struct {
	ns     *kv.Namespace
	prefix string
}

func (r *repo[T]) Get(id string) (T, error) {
	var v T
	raw, err := r.ns.GetString(r.prefix+id, nil)
	if err != nil {
		return v, err
	}
	if raw == "<null>" {
		return v, errMissing
	}
	return v, json.Unmarshal([]byte(raw), &v)
}

func (r *repo[T]) Save(v T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return r.ns.PutString(r.prefix+v.Key(), string(b), nil)
}

type timeline struct {
	Campaign string
	Events   []string
}

func (t timeline) Key() string { return t.Campaign }

// The record read by id is written back by Save, which keys it by the
// record: the same key.
func recordEvent(timelines *repo[timeline], campaign, event string) error {
	tl, err := timelines.Get(campaign)
	if errors.Is(err, errMissing) {
		tl = timeline{Campaign: campaign}
	} else if err != nil {
		return err
	}
	tl.Events = append(tl.Events, event)
	return timelines.Save(tl) // want `read-modify-write on one KV key`
}

type visitor struct {
	User string
	Seen time.Time
}

func (p visitor) Key() string { return p.User }

// Quiet: another repository's record, built from what was read.
func countVisit(timelines *repo[timeline], visitors *repo[visitor], campaign string) error {
	tl, err := timelines.Get(campaign)
	if err != nil {
		return err
	}
	return visitors.Save(visitor{User: tl.Campaign + ":" + strconv.Itoa(len(tl.Events))})
}

type board struct {
	ID      string   `json:"id"`
	Columns []string `json:"columns"`
}

func boardKey(id string) string { return "board:" + id }

func loadBoard(ns *kv.Namespace, id string) (board, error) {
	raw, err := ns.GetString(boardKey(id), nil)
	if err != nil {
		return board{}, err
	}
	var b board
	err = json.Unmarshal([]byte(raw), &b)
	return b, err
}

// The record read by id is written back under a key built from its own
// ID field: the same key.
func addColumn(ns *kv.Namespace, id, column string) error {
	b, err := loadBoard(ns, id)
	if err != nil {
		return err
	}
	b.Columns = append(b.Columns, column)
	out, _ := json.Marshal(b)
	return ns.PutString(boardKey(b.ID), string(out), nil) // want `read-modify-write on one KV key`
}

// The same, with the key written out.
func dropColumns(ns *kv.Namespace, id string) error {
	b, err := loadBoard(ns, id)
	if err != nil {
		return err
	}
	b.Columns = nil
	out, _ := json.Marshal(b)
	return ns.PutString("board:"+b.ID, string(out), nil) // want `read-modify-write on one KV key`
}

// Quiet: a copy under a new ID is another record.
func cloneBoard(ns *kv.Namespace, id, newID string) error {
	b, err := loadBoard(ns, id)
	if err != nil {
		return err
	}
	b.ID = newID
	out, _ := json.Marshal(b)
	return ns.PutString(boardKey(b.ID), string(out), nil)
}

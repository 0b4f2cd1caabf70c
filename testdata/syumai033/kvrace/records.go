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

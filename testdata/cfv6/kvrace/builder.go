package kvrace

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"kvlint.test/cfv6/builder"
)

type teamRoster struct {
	Names []string `json:"names"`
}

// The write is put together in steps; its key and value are the ones the
// steps were given.
func joinTeam(ctx context.Context, st *builder.Store, team, name string) error {
	var r teamRoster
	raw, err := st.Get(ctx, "roster:"+team)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	r.Names = append(r.Names, name)
	return st.Write("roster:" + team).JSON(r).TTL(time.Hour).Do(ctx) // want `read-modify-write on one KV key`
}

type editLock struct {
	Holder string `json:"holder"`
}

var errLocked = errors.New("locked")

// A lock read, refused when another holds it, then taken for this user.
func takeLock(ctx context.Context, st *builder.Store, doc, user string) error {
	raw, err := st.Get(ctx, "lock:"+doc)
	if err == nil {
		var cur editLock
		if json.Unmarshal(raw, &cur) == nil && cur.Holder != user {
			return errLocked
		}
	}
	w := st.Write("lock:" + doc).JSON(editLock{Holder: user}).TTL(2 * time.Minute)
	return w.Do(ctx) // want `check-then-set on one KV key`
}

// Quiet: the teamRoster is written under another team's key.
func copyTeam(ctx context.Context, st *builder.Store, from, to string) error {
	raw, err := st.Get(ctx, "roster:"+from)
	if err != nil {
		return err
	}
	var r teamRoster
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	return st.Write("roster:" + to).JSON(r).Do(ctx)
}

package kvrace

import (
	"context"
	"encoding/json"
)

type joined struct{ Org, User string }

// A service with a value receiver reads through a method of its own and
// writes directly: the method's copy of the receiver holds the same store.
type roster struct{ f *flags }

func (r roster) members(ctx context.Context, org string) ([]string, error) {
	b, err := r.f.read(ctx, "roster:"+org)
	if err != nil {
		return nil, err
	}
	var out []string
	return out, json.Unmarshal(b, &out)
}

func (r roster) onJoined(ctx context.Context, e joined) error {
	m, err := r.members(ctx, e.Org)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(append(m, e.User))
	return r.f.write(ctx, "roster:"+e.Org, b) // want `read-modify-write on one KV key`
}

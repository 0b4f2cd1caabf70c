package kvhotkey

import (
	"context"
	"encoding/json"

	"github.com/syumai/workers/cloudflare/kv"
)

type serverBeat struct{ Server, Region string }

func (h serverBeat) key() string { return "fleet/" + h.Region + "/" + h.Server }

type registry struct{ ns *kv.Namespace }

// Each call writes one record under its own key and then a constant key:
// the constant key is written as often as records are.
func (r *registry) beat(ctx context.Context, hb serverBeat) error { // want beat:"kvhotkey"
	b, _ := json.Marshal(hb)
	if err := r.ns.PutString(hb.key(), string(b), nil); err != nil {
		return err
	}
	return r.ns.PutString("fleet/last-heartbeat", string(b), nil) // want `this handler writes the same KV key on every request`
}

// Quiet: a job writes its records in a loop, then its status once.
func (r *registry) sweep(ctx context.Context, all []serverBeat) error {
	for _, hb := range all {
		if err := r.ns.PutString(hb.key(), "swept", nil); err != nil {
			return err
		}
	}
	return r.ns.PutString("fleet/last-sweep", "done", nil)
}

// Quiet: the constant key is not about activity.
func (r *registry) retire(ctx context.Context, hb serverBeat) error {
	if err := r.ns.PutString(hb.key(), "retired", nil); err != nil {
		return err
	}
	return r.ns.PutString("fleet/notice", "a server was retired", nil)
}

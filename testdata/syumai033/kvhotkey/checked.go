package kvhotkey

import (
	"context"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// A store whose writes first check that the request is still live and
// that the binding opens: failures, not a choice of when to write.
type checkedStore struct {
	binding string
	prefix  string
}

func (s checkedStore) Put(ctx context.Context, key, value string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ns, err := kv.NewNamespace(s.binding)
	if err != nil {
		return err
	}
	return ns.PutString(s.prefix+key, value, nil)
}

type probes struct{ store checkedStore }

// A probe's handler notes when it last ran, on every request.
func (p *probes) Status(w http.ResponseWriter, r *http.Request) { // want Status:"kvhotkey"
	now := time.Now().UTC().Format(time.RFC3339)
	if err := p.store.Put(r.Context(), "status:last_probe", now); err != nil { // want `this handler writes the same KV key on every request`
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
}

// Quiet: a cron tick writes the day's summary and then points "latest"
// at it, once per tick.
func (p *probes) Rollup(ctx context.Context, tick time.Time, body string) error {
	if err := p.store.Put(ctx, "rollup:"+tick.Format("2006-01-02"), body); err != nil {
		return err
	}
	return p.store.Put(ctx, "rollup:latest", body)
}

// Quiet: the same, on a namespace the job is given.
func (p *probes) RollupTo(ctx context.Context, ns *kv.Namespace, tick time.Time, body string) error {
	if err := ns.PutString("rollup:"+tick.Format("2006-01-02"), body, nil); err != nil {
		return err
	}
	return ns.PutString("rollup:latest", body, nil)
}
